import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

// Trust propagated from seeds (issue 12): members the operator marks trusted, each run's scores
// and clusters, what sign-up network an account came from (hashed), how old a network says an
// account is, and search rows ranked by trust-weighted independent evidence.
export async function up(db: Kysely<any>): Promise<void> {
	// A coarse sign-up network (/24 or /48), keyed-hashed: never the address itself.
	await db.schema.alterTable('users').addColumn('signup_network', 'text').execute();
	await db.schema
		.createIndex('users_signup_network_idx')
		.on('users')
		.columns(['signup_network', 'created_at'])
		.where(sql.ref('signup_network'), 'is not', null)
		.execute();
	// When the network itself says the account was created (GitHub, Mastodon, Bluesky report it).
	await db.schema
		.alterTable('network_accounts')
		.addColumn('network_created_at', 'timestamptz')
		// A personal website's registrable domain (Public Suffix List), filled by the app: one
		// domain proves presence for one profile only.
		.addColumn('site_domain', 'text')
		.execute();
	await db.schema
		.createIndex('network_accounts_site_domain_idx')
		.on('network_accounts')
		.column('site_domain')
		.where(sql.ref('site_domain'), 'is not', null)
		.execute();

	// The key of the sign-up network hash, made once per installation and never shown.
	await db.schema
		.createTable('server_secrets')
		.addColumn('name', 'text', (col) => col.primaryKey())
		.addColumn('value', 'text', (col) => col.notNull())
		.execute();
	await sql`
		insert into server_secrets (name, value)
		values ('signup_network_salt', md5(random()::text || clock_timestamp()::text) || md5(random()::text || pg_backend_pid()::text))
	`.execute(db);

	await db.schema
		.createTable('trusted_members')
		.addColumn('user_id', 'integer', (col) =>
			col.primaryKey().references('users.id').onDelete('cascade')
		)
		.addColumn('reason', 'text', (col) => col.notNull())
		// Null when marked from the command line.
		.addColumn('marked_by', 'integer', (col) => col.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.execute();

	await db.schema
		.createTable('trust_runs')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('version', 'text', (col) => col.notNull())
		.addColumn('reason', 'text', (col) => col.notNull())
		.addColumn('started_at', 'timestamptz', (col) => col.notNull())
		.addColumn('finished_at', 'timestamptz')
		.addColumn('nodes', 'integer', (col) => col.notNull().defaultTo(0))
		.addColumn('edges', 'integer', (col) => col.notNull().defaultTo(0))
		.addColumn('seeds', 'integer', (col) => col.notNull().defaultTo(0))
		.addColumn('clusters', 'integer', (col) => col.notNull().defaultTo(0))
		.addColumn('changed', 'integer', (col) => col.notNull().defaultTo(0))
		.addColumn('ms', 'integer', (col) => col.notNull().defaultTo(0))
		.execute();

	// Accounts that act together, as the latest run found them; replaced by every run.
	await db.schema
		.createTable('trust_clusters')
		.addColumn('id', 'integer', (col) => col.primaryKey())
		.addColumn('size', 'integer', (col) => col.notNull())
		// Why its members were grouped: 'signup_burst', 'lockstep', 'shared_domain', 'young_ring'.
		.addColumn('reasons', sql`text[]`, (col) => col.notNull())
		.addColumn('computed_at', 'timestamptz', (col) => col.notNull())
		.execute();

	await db.schema
		.createTable('trust_scores')
		.addColumn('user_id', 'integer', (col) =>
			col.primaryKey().references('users.id').onDelete('cascade')
		)
		// Trust in seed units (a fully trusted member's own share is 1), and the part others passed in.
		.addColumn('score', 'double precision', (col) => col.notNull())
		.addColumn('inflow', 'double precision', (col) => col.notNull())
		// What the account's search row adds to its evidence_rank (search/projection.ts).
		.addColumn('rank', 'double precision', (col) => col.notNull().defaultTo(0))
		.addColumn('band', 'text', (col) =>
			col.notNull().check(sql`band in ('strong', 'some', 'none')`)
		)
		// 'trusted' (marked by the operator) or 'identity' (costly to fake), null for neither.
		.addColumn('seed_kind', 'text')
		.addColumn('cluster_id', 'integer')
		// Independent groups (a cluster counts once) of endorsers who carry trust themselves.
		.addColumn('trusted_endorsers', 'integer', (col) => col.notNull().defaultTo(0))
		.addColumn('algorithm_version', 'text', (col) => col.notNull())
		.addColumn('computed_at', 'timestamptz', (col) => col.notNull())
		.execute();

	// Search rows carry the trust band and what it contributes to the rank. The rank is rebuilt
	// from both: every profile with trusted evidence ranks above every profile without, whatever
	// the volume, and words (at most 2.1) only reorder profiles within a few tenths of each other.
	await db.schema
		.alterTable('profile_search')
		.addColumn('trust_rank', 'double precision', (col) => col.notNull().defaultTo(0))
		.addColumn('trust_band', 'text', (col) => col.notNull().defaultTo('none'))
		.addColumn('trusted_groups', 'integer', (col) => col.notNull().defaultTo(0))
		.execute();
	await db.schema.alterTable('profile_search').dropColumn('evidence_rank').execute();
	await sql`
		alter table profile_search add column evidence_rank double precision
		generated always as (
			round((trust_rank + 2 * ln(1 + evidence)
				+ case when evidence > 0 or trust_rank > 0 then 10 else 0 end)::numeric, 6)::float8
		) stored
	`.execute(db);
	await db.schema
		.createIndex('profile_search_listed_rank_idx')
		.on('profile_search')
		.columns(['evidence_rank desc', 'user_id desc'])
		.where(sql.ref('listed'), '=', true)
		.execute();
	await db.schema
		.createIndex('profile_search_verified_rank_idx')
		.on('profile_search')
		.columns(['evidence_rank desc', 'user_id desc'])
		.where(sql<boolean>`listed and verified_accounts > 0`)
		.execute();
	// Endorsement counts no longer carry weight of their own: until the first trust run, evidence
	// is work and verified accounts only (the app's projection keeps it so from here on).
	await sql`
		update profile_search set endorsement_score = 0,
			evidence = 0.25 * least(work_count, 8) + 0.5 * least(verified_accounts, 4)`.execute(db);
	await sql`analyze profile_search`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('profile_search').dropColumn('evidence_rank').execute();
	await sql`
		alter table profile_search add column evidence_rank double precision
		generated always as (
			round((2 * ln(1 + evidence) + case when evidence > 0 then 10 else 0 end)::numeric, 6)::float8
		) stored
	`.execute(db);
	await db.schema
		.createIndex('profile_search_listed_rank_idx')
		.on('profile_search')
		.columns(['evidence_rank desc', 'user_id desc'])
		.where(sql.ref('listed'), '=', true)
		.execute();
	await db.schema
		.createIndex('profile_search_verified_rank_idx')
		.on('profile_search')
		.columns(['evidence_rank desc', 'user_id desc'])
		.where(sql<boolean>`listed and verified_accounts > 0`)
		.execute();
	await db.schema
		.alterTable('profile_search')
		.dropColumn('trust_rank')
		.dropColumn('trust_band')
		.dropColumn('trusted_groups')
		.execute();
	for (const table of ['trust_scores', 'trust_clusters', 'trust_runs', 'trusted_members'])
		await db.schema.dropTable(table).execute();
	await db.schema.dropTable('server_secrets').execute();
	await db.schema.dropIndex('network_accounts_site_domain_idx').execute();
	await db.schema
		.alterTable('network_accounts')
		.dropColumn('network_created_at')
		.dropColumn('site_domain')
		.execute();
	await db.schema.dropIndex('users_signup_network_idx').execute();
	await db.schema.alterTable('users').dropColumn('signup_network').execute();
}
