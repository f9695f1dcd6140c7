import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

// What `npm run bench:search` found at 100,000 profiles: a search without words sorted every
// listed row by a computed score (a sequential scan), a location filter had no index, and long
// GIN pending lists slowed every search.
export async function up(db: Kysely<any>): Promise<void> {
	// The score of a search without words (src/lib/server/search/query.ts), stored so that an index can
	// hold the order: the listing and its deep pages then read 21 index entries instead of sorting.
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
	// Ordering by evidence is not ordering by the rounded score (ties fall to user_id), so this
	// index could never serve a search; the rank index above replaces it.
	await db.schema.dropIndex('profile_search_listed_evidence_idx').execute();
	// `location ilike '%city%'`, combined with the skill and document indexes in one bitmap.
	await db.schema
		.createIndex('profile_search_location_trgm_idx')
		.on('profile_search')
		.using('gin')
		.expression(sql`location gin_trgm_ops`)
		.execute();
	// Every search reads the whole pending list of each GIN index it uses, and at the default 4 MB
	// a busy or freshly filled table made searches three to five times slower. 256 kB keeps writes
	// batched (rebuilding 100,000 rows took 21 s instead of 19 s) and the lists quick to read.
	for (const index of GIN_INDEXES) {
		await sql`alter index ${sql.ref(index)} set (gin_pending_list_limit = 256)`.execute(db);
	}
}

const GIN_INDEXES = [
	'profile_search_document_idx',
	'profile_search_name_trgm_idx',
	'profile_search_skills_trgm_idx',
	'profile_search_skill_ids_idx',
	'profile_search_location_trgm_idx'
];

export async function down(db: Kysely<any>): Promise<void> {
	// The location index goes below; the others return to the default pending list size.
	for (const index of GIN_INDEXES.slice(0, -1)) {
		await sql`alter index ${sql.ref(index)} reset (gin_pending_list_limit)`.execute(db);
	}
	await db.schema.dropIndex('profile_search_location_trgm_idx').execute();
	await db.schema
		.createIndex('profile_search_listed_evidence_idx')
		.on('profile_search')
		.columns(['evidence desc', 'user_id desc'])
		.where(sql.ref('listed'), '=', true)
		.execute();
	await db.schema.dropIndex('profile_search_listed_rank_idx').execute();
	await db.schema.alterTable('profile_search').dropColumn('evidence_rank').execute();
}
