// `npm run bench:trust [-- --profiles 100000 --endorsements 1000000]`: a full trust run at scale
// against a baseline in the same run (reading the edges alone), on a throwaway PostgreSQL database
// (TEST_DATABASE_URL) or in-memory PGlite. Accounts, profiles, search rows and endorsements are
// inserted in bulk by SQL (a benchmark of the run, not of sign-ups); a tenth of a percent of the
// accounts are trusted members and a fifth own an aged verified account.
import process from 'node:process';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { cleanUp, cleanups, throwawayDatabase } from './cleanup.ts';
import { createDatabase } from '#lib/server/db/connect.js';
import { migrateToLatest } from '#lib/server/db/migrate.js';
import { runTrust } from '#lib/server/trust/job.js';

const { values } = parseArgs({
	options: {
		profiles: { type: 'string', default: '100000' },
		endorsements: { type: 'string', default: '1000000' }
	}
});
const n = Number(values.profiles);
const m = Number(values.endorsements);
const adminUrl = process.env.TEST_DATABASE_URL;
process.on('SIGINT', () => void cleanUp().then(() => process.exit(130)));

try {
	const databaseUrl = adminUrl
		? await throwawayDatabase(adminUrl, `proofwork_bench_trust_${process.pid}`)
		: undefined;
	const db = createDatabase(databaseUrl ? { databaseUrl } : { pgliteDir: 'memory://' });
	cleanups.push(() => db.destroy());
	await migrateToLatest(db);
	let t = performance.now();
	await sql`
		insert into users (email, handle, password_hash, created_at, updated_at, email_verified_at, signup_network)
		select 'b' || i || '@bench.example', 'bench' || i, 'x', now() - (i % 2000) * interval '1 day',
			now(), now(), md5((i / 3)::text)
		from generate_series(1, ${n}) i`.execute(db);
	await sql`insert into profiles (user_id, display_name, headline) select id, handle, 'Bench profile' from users`.execute(
		db
	);
	await sql`insert into profile_search (user_id, listed, handle) select id, true, handle from users`.execute(
		db
	);
	// Endorsements: mostly within communities of 200 accounts, some across, no self-endorsements.
	await sql`
		insert into endorsements (endorser_id, subject_id, relationship, body, status, created_at, updated_at)
		select distinct on (e, s) e, s, 'client', 'bench endorsement text that is long enough', 'accepted',
			now() - (random() * 400) * interval '1 day', now()
		from (
			select 1 + (random() * (${n} - 1))::int as e, g from generate_series(1, ${Math.round(m * 1.02)}) g
		) x
		cross join lateral (
			select case when random() < 0.8
				then least(${n}, greatest(1, (e / 200) * 200 + 1 + (random() * 199)::int))
				else 1 + (random() * (${n} - 1))::int end as s
		) y
		where e <> s`.execute(db);
	await sql`insert into trusted_members (user_id, reason) select id, 'bench' from users where id % 1000 = 0`.execute(
		db
	);
	await sql`
		insert into network_accounts (user_id, network, identifier, url, verification_status, network_created_at)
		select id, 'github', handle, 'https://github.com/' || handle, 'verified', now() - interval '3 years'
		from users where id % 5 = 0`.execute(db);
	await sql`analyze`.execute(db);
	const edges = await sql<{ n: string }>`select count(*)::text as n from endorsements`.execute(db);
	console.log(
		`${databaseUrl ? 'PostgreSQL' : 'PGlite'}: ${n} accounts, ${edges.rows[0].n} endorsements, set up in ${Math.round(performance.now() - t)} ms`
	);

	t = performance.now();
	const baseline = await sql<{ rows: string | null }>`
		select string_agg(concat_ws(',', endorser_id, subject_id), ',') as rows
		from endorsements where status = 'accepted'`.execute(db);
	const parts = baseline.rows[0]?.rows?.split(',').length ?? 0;
	const baselineMs = Math.round(performance.now() - t);
	console.log(`baseline (read the edges alone): ${baselineMs} ms for ${parts / 2} edges`);

	for (const label of [
		'first run (writes every score and search row)',
		'second run (nothing changed)'
	]) {
		const summary = await runTrust(db, { reason: 'bench' });
		console.log(
			`${label}: ${summary.ms.total} ms (load ${summary.ms.load}, compute ${summary.ms.compute}, store ${summary.ms.store}); ` +
				`${summary.seeds} seeds, ${summary.clusters} clusters, ${summary.changed} changed, ${summary.iterations} iterations; ` +
				`${(summary.ms.total / Math.max(1, baselineMs)).toFixed(1)}× the baseline`
		);
	}
} finally {
	await cleanUp();
}
