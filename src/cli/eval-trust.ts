// `npm run eval:trust -- --world FILE.json [--json OUT]`: loads a synthetic world into a throwaway
// database (PGlite, or TEST_DATABASE_URL when set), runs the trust job as production does, runs
// every query through the search /search uses for an anonymous visitor, and prints how many abusive
// and genuine accounts reach each top 10, precision at 10 and the AUC of the trust score.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { createDatabase } from '#lib/server/db/connect.js';
import { testEngines } from '#lib/server/db/testing.js';
import { evaluateWorld } from './eval-trust/evaluate.ts';
import { checkWorld } from './eval-trust/world.ts';

const { values } = parseArgs({
	options: {
		world: { type: 'string' },
		json: { type: 'string' },
		quiet: { type: 'boolean' },
		// Development: keep the loaded PostgreSQL database, or evaluate one kept before (no load).
		keep: { type: 'boolean' },
		reuse: { type: 'string' }
	}
});
if (!values.world) {
	console.error('Usage: npm run eval:trust -- --world FILE.json [--json OUT]');
	process.exit(2);
}
const checked = checkWorld(JSON.parse(fs.readFileSync(values.world, 'utf8')));
if (!checked.ok) {
	console.error(`World refused at ${checked.path}: ${checked.error}`);
	process.exit(1);
}
const engines = testEngines();
const engine = engines.find((e) => e.name === 'postgres') ?? engines[0];
const database = values.reuse
	? { db: createDatabase({ databaseUrl: values.reuse }), url: values.reuse, drop: async () => {} }
	: await engine.create();
try {
	const report = await evaluateWorld(database.db, checked.world, { reuse: !!values.reuse });
	if (values.keep) console.log(`kept ${database.url}`);
	if (!values.quiet) {
		for (const q of report.queries) {
			console.log(
				`\n"${q.q}"${q.skills.length ? ` skills=${q.skills.join('+')}` : ''}${q.location ? ` location=${q.location}` : ''}` +
					`  abusive ${q.abusiveInTop10}, genuine ${q.genuineInTop10} of ${q.genuineMatching} matching, P@10 ${q.precisionAt10.toFixed(2)}`
			);
			for (const [i, r] of q.top10.entries())
				console.log(
					`  ${String(i + 1).padStart(2)}. ${r.label.padEnd(8)} @${r.handle} (${r.band})`
				);
		}
	}
	const { totals } = report;
	console.log(
		`\nworld ${values.world} on ${values.reuse ? 'a kept database' : engine.name}: ${report.accounts} accounts, ${report.endorsements} endorsements (${report.refused} refused by the app), load ${report.loadMs} ms, trust run ${report.trustMs} ms`
	);
	console.log(`abusiveInTop10Total ${totals.abusiveInTop10Total}`);
	console.log(`maxAbusiveInTop10 ${totals.maxAbusiveInTop10}`);
	console.log(`meanPrecisionAt10 ${totals.meanPrecisionAt10.toFixed(3)}`);
	console.log(`trustAuc ${totals.trustAuc.toFixed(3)}`);
	if (values.json) fs.writeFileSync(values.json, JSON.stringify(report, null, '\t'));
} finally {
	if (values.keep || values.reuse) await database.db.destroy();
	else await database.drop();
}
