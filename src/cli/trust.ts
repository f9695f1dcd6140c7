// `npm run trust -- mark <handle> --reason "…"`, `unmark <handle>`, `list`, `run`: the members trust
// flows from, and a trust run now (the worker also runs one on its own schedule).
import { parseArgs } from 'node:util';
import { createDatabase } from '#lib/server/db/connect.js';
import { migrateToLatest } from '#lib/server/db/migrate.js';
import { listTrusted, markTrusted, unmarkTrusted } from '#lib/server/trust/members.js';
import { runTrust } from '#lib/server/trust/job.js';

const { positionals, values } = parseArgs({
	allowPositionals: true,
	options: { reason: { type: 'string' }, 'no-run': { type: 'boolean' } }
});
const [command, handle] = positionals;
const usage = 'Usage: npm run trust -- mark <handle> --reason "why" | unmark <handle> | list | run';
const db = createDatabase({
	databaseUrl: process.env.DATABASE_URL || undefined,
	pgliteDir: process.env.PGLITE_DATA_DIR || './data/pglite'
});
try {
	await migrateToLatest(db);
	let run = command === 'run';
	if (command === 'mark' && handle) {
		const result = await markTrusted(db, handle, values.reason ?? '');
		if (!result.ok) throw new Error(result.error);
		console.log(
			`@${handle.replace(/^@/, '')} is ${result.created ? 'now' : 'still'} a trusted member.`
		);
		run = !values['no-run'];
	} else if (command === 'unmark' && handle) {
		if (!(await unmarkTrusted(db, handle))) throw new Error(`@${handle} was not a trusted member.`);
		console.log(`@${handle.replace(/^@/, '')} is no longer a trusted member.`);
		run = !values['no-run'];
	} else if (command === 'list') {
		for (const m of await listTrusted(db))
			console.log(`@${m.handle}\t${m.created_at.toISOString().slice(0, 10)}\t${m.reason}`);
	} else if (command !== 'run') {
		throw new Error(usage);
	}
	if (run) {
		const summary = await runTrust(db, { reason: `cli ${command}` });
		console.log(
			`Trust run ${summary.runId}: ${summary.nodes} accounts, ${summary.edges} endorsements, ${summary.seeds} seeds, ${summary.clusters} clusters, ${summary.changed} changed, ${summary.ms.total} ms.`
		);
	}
} catch (error) {
	console.error(error instanceof Error ? error.message : error);
	process.exitCode = 1;
} finally {
	await db.destroy();
}
