import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

// One row per profile with what search needs, kept current by the app on every profile or
// endorsement change (refreshSearchDocuments in src/lib/server/search/projection.ts; migration
// 2026_11_26_200000 later replaced the statement below with a wider one).
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('profile_search')
		.addColumn('user_id', 'integer', (col) =>
			col.primaryKey().references('users.id').onDelete('cascade')
		)
		.addColumn('listed', 'boolean', (col) => col.notNull().defaultTo(false))
		// Every field's lexemes without positions, for matching; ranking looks at the fields below.
		.addColumn('document', sql`tsvector`, (col) => col.notNull().defaultTo(sql`''::tsvector`))
		.addColumn('name_vec', sql`tsvector`, (col) => col.notNull().defaultTo(sql`''::tsvector`))
		.addColumn('skills_vec', sql`tsvector`, (col) => col.notNull().defaultTo(sql`''::tsvector`))
		.addColumn('work_vec', sql`tsvector`, (col) => col.notNull().defaultTo(sql`''::tsvector`))
		.addColumn('bio_vec', sql`tsvector`, (col) => col.notNull().defaultTo(sql`''::tsvector`))
		.addColumn('name_text', 'text', (col) => col.notNull().defaultTo(''))
		.addColumn('skills_text', 'text', (col) => col.notNull().defaultTo(''))
		.addColumn('skill_ids', sql`integer[]`, (col) => col.notNull().defaultTo(sql`'{}'::integer[]`))
		.addColumn('location', 'text')
		.addColumn('availability', 'text', (col) => col.notNull().defaultTo('not_looking'))
		.addColumn('accepted_endorsements', 'integer', (col) => col.notNull().defaultTo(0))
		.addColumn('endorsement_score', 'double precision', (col) => col.notNull().defaultTo(0))
		.addColumn('work_count', 'integer', (col) => col.notNull().defaultTo(0))
		.addColumn('verified_accounts', 'integer', (col) => col.notNull().defaultTo(0))
		.addColumn('evidence', 'double precision', (col) => col.notNull().defaultTo(0))
		.execute();
	await db.schema
		.createIndex('profile_search_document_idx')
		.on('profile_search')
		.using('gin')
		.column('document')
		.execute();
	await db.schema
		.createIndex('profile_search_name_trgm_idx')
		.on('profile_search')
		.using('gin')
		.expression(sql`name_text gin_trgm_ops`)
		.execute();
	await db.schema
		.createIndex('profile_search_skills_trgm_idx')
		.on('profile_search')
		.using('gin')
		.expression(sql`skills_text gin_trgm_ops`)
		.execute();
	await db.schema
		.createIndex('profile_search_skill_ids_idx')
		.on('profile_search')
		.using('gin')
		.column('skill_ids')
		.execute();
	await db.schema
		.createIndex('profile_search_listed_evidence_idx')
		.on('profile_search')
		.columns(['evidence desc', 'user_id desc'])
		.where(sql.ref('listed'), '=', true)
		.execute();
	// Existing profiles get their rows from the same statement the app runs on every change
	// (copied here, since a migration must never import app code).
	await sql`
		insert into profile_search (user_id, listed, document, name_vec, skills_vec, work_vec, bio_vec,
			name_text, skills_text, skill_ids, location, availability, accepted_endorsements,
			endorsement_score, work_count, verified_accounts, evidence)
		select p.user_id,
			p.visibility = 'public' and p.display_name is not null and p.headline is not null,
			strip(n.vec || s.vec || w.vec || b.vec), strip(n.vec), strip(s.vec), strip(w.vec), strip(b.vec),
			coalesce(p.display_name, u.handle), s.txt, s.ids, p.location, p.availability,
			e.n, e.score, w.n, 0, e.score + 0.25 * least(w.n, 8)
		from profiles p
		join users u on u.id = p.user_id
		cross join lateral (select to_tsvector('english', coalesce(p.display_name, '') || ' ' || u.handle || ' ' || coalesce(p.headline, '')) as vec) n
		cross join lateral (
			select coalesce(to_tsvector('english', string_agg(sk.name, ' ')), ''::tsvector) as vec,
				coalesce(string_agg(sk.name, ', ' order by ps.position), '') as txt,
				coalesce(array_agg(sk.id), '{}') as ids
			from profile_skills ps join skills sk on sk.id = ps.skill_id where ps.user_id = p.user_id) s
		cross join lateral (
			select coalesce(to_tsvector('english', string_agg(wi.title || ' ' || wi.outcome, ' ')), ''::tsvector) as vec,
				count(*)::int as n
			from work_items wi where wi.user_id = p.user_id) w
		cross join lateral (select to_tsvector('english', p.bio_md) as vec) b
		cross join lateral (
			select count(*)::int as n,
				coalesce(sum(1 + ln(1 + (select count(*) from endorsements r where r.subject_id = en.endorser_id and r.status = 'accepted'))), 0)::float8 as score
			from endorsements en where en.subject_id = p.user_id and en.status = 'accepted') e
	`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('profile_search').execute();
}
