import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

// What `npm run bench:search` found next at 100,000 profiles:
// - A search row is about 2.2 kB, just over the 2 kB past which PostgreSQL moves a row's largest
//   value (the document, for most people) out of line: testing a row's words then cost another
//   index lookup and read, and text searches spent most of their time there. Rows up to 8 kB now
//   stay whole (toast_tuple_target), and every row is rewritten below to bring its values back.
// - Every search joined users, profiles and avatars for the 21 rows of its page, and planning that
//   join took longer than finding the rows: the search row now carries what a result shows.
// - A skill filter first looked up the skill ids, a round trip of its own; the row now carries the
//   lowercased skill names, which the planner weighs straight from the query.
// - Skills and location were two bitmaps ANDed together; one index over both intersects them
//   itself, skipping most entries of a common skill or city.
// - Deep pages of common words read every profile ranked within reach of the page; the name and
//   skills indexes find the few far below that only their name or skills can lift onto it.
// - "Verified network presence only" now filters for real; its own index keeps it quick while few
//   people have verified an account.
export async function up(db: Kysely<any>): Promise<void> {
	await sql`alter table profile_search set (toast_tuple_target = 8160)`.execute(db);
	await db.schema
		.alterTable('profile_search')
		.addColumn('handle', 'text', (col) => col.notNull().defaultTo(''))
		.addColumn('headline', 'text')
		// The start of the bio, for the snippet under each result.
		.addColumn('bio_excerpt', 'text', (col) => col.notNull().defaultTo(''))
		.addColumn('avatar_etag', 'text')
		// lower(skills.name) of every skill, unique like the names themselves.
		.addColumn('skill_keys', sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'::text[]`))
		.execute();

	await db.schema
		.createIndex('profile_search_skill_location_idx')
		.on('profile_search')
		.using('gin')
		.expression(sql`skill_keys, location gin_trgm_ops`)
		.execute();
	await sql`alter index profile_search_skill_location_idx set (gin_pending_list_limit = 256)`.execute(
		db
	);
	for (const column of ['name_vec', 'skills_vec']) {
		await db.schema
			.createIndex(`profile_search_${column}_idx`)
			.on('profile_search')
			.using('gin')
			.column(column)
			.execute();
		await sql`alter index ${sql.ref(`profile_search_${column}_idx`)} set (gin_pending_list_limit = 256)`.execute(
			db
		);
	}
	// Replaced by the skill and location index; the skills_text trigrams were never searched.
	await db.schema.dropIndex('profile_search_skill_ids_idx').execute();
	await db.schema.dropIndex('profile_search_location_trgm_idx').execute();
	await db.schema.dropIndex('profile_search_skills_trgm_idx').execute();
	await db.schema
		.createIndex('profile_search_verified_rank_idx')
		.on('profile_search')
		.columns(['evidence_rank desc', 'user_id desc'])
		.where(sql<boolean>`listed and verified_accounts > 0`)
		.execute();
	// Skills spelled like a word of the query, for typo tolerance and "did you mean".
	await db.schema
		.createIndex('skills_name_trgm_idx')
		.on('skills')
		.using('gin')
		.expression(sql`lower(name) gin_trgm_ops`)
		.execute();

	// Every row is written again from the statement the app runs on every change (copied here, since
	// a migration must never import app code): it fills the new columns, counts verified accounts
	// into the evidence, and brings each row's values back in line.
	await sql`
		insert into profile_search (user_id, listed, document, name_vec, skills_vec, work_vec, bio_vec,
			name_text, skills_text, skill_ids, skill_keys, handle, headline, bio_excerpt, avatar_etag,
			location, availability, accepted_endorsements, endorsement_score, work_count,
			verified_accounts, evidence)
		select p.user_id,
			p.visibility = 'public' and p.display_name is not null and p.headline is not null,
			strip(n.vec || s.vec || w.vec || b.vec), strip(n.vec), strip(s.vec), strip(w.vec), strip(b.vec),
			coalesce(p.display_name, u.handle), s.txt, s.ids, s.keys, u.handle, p.headline,
			left(p.bio_md, 600), a.etag, p.location, p.availability, e.n, e.score, w.n, v.n,
			e.score + 0.25 * least(w.n, 8) + 0.5 * least(v.n, 4)
		from profiles p
		join users u on u.id = p.user_id
		left join avatars a on a.user_id = p.user_id
		cross join lateral (select to_tsvector('english', coalesce(p.display_name, '') || ' ' || u.handle || ' ' || coalesce(p.headline, '')) as vec) n
		cross join lateral (
			select coalesce(to_tsvector('english', string_agg(sk.name, ' ')), ''::tsvector) as vec,
				coalesce(string_agg(sk.name, ', ' order by ps.position), '') as txt,
				coalesce(array_agg(sk.id), '{}') as ids,
				coalesce(array_agg(lower(sk.name)), '{}') as keys
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
		cross join lateral (
			select count(*)::int as n from network_accounts na
			where na.user_id = p.user_id and na.verification_status = 'verified') v
		on conflict (user_id) do update set
			listed = excluded.listed, document = excluded.document, name_vec = excluded.name_vec,
			skills_vec = excluded.skills_vec, work_vec = excluded.work_vec, bio_vec = excluded.bio_vec,
			name_text = excluded.name_text, skills_text = excluded.skills_text, skill_ids = excluded.skill_ids,
			skill_keys = excluded.skill_keys, handle = excluded.handle, headline = excluded.headline,
			bio_excerpt = excluded.bio_excerpt, avatar_etag = excluded.avatar_etag,
			location = excluded.location, availability = excluded.availability,
			accepted_endorsements = excluded.accepted_endorsements,
			endorsement_score = excluded.endorsement_score, work_count = excluded.work_count,
			verified_accounts = excluded.verified_accounts, evidence = excluded.evidence
	`.execute(db);
	// The planner weighs skill filters by the statistics of skill_keys.
	await sql`analyze profile_search`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('skills_name_trgm_idx').execute();
	await db.schema.dropIndex('profile_search_name_vec_idx').execute();
	await db.schema.dropIndex('profile_search_skills_vec_idx').execute();
	await db.schema.dropIndex('profile_search_verified_rank_idx').execute();
	await db.schema.dropIndex('profile_search_skill_location_idx').execute();
	for (const [name, expression] of [
		['profile_search_skill_ids_idx', sql`skill_ids`],
		['profile_search_location_trgm_idx', sql`location gin_trgm_ops`],
		['profile_search_skills_trgm_idx', sql`skills_text gin_trgm_ops`]
	] as const) {
		await db.schema
			.createIndex(name)
			.on('profile_search')
			.using('gin')
			.expression(expression)
			.execute();
		await sql`alter index ${sql.ref(name)} set (gin_pending_list_limit = 256)`.execute(db);
	}
	await db.schema
		.alterTable('profile_search')
		.dropColumn('handle')
		.dropColumn('headline')
		.dropColumn('bio_excerpt')
		.dropColumn('avatar_etag')
		.dropColumn('skill_keys')
		.execute();
	await sql`alter table profile_search reset (toast_tuple_target)`.execute(db);
	// Verified accounts no longer count (as before this migration).
	await sql`
		update profile_search set verified_accounts = 0,
			evidence = endorsement_score + 0.25 * least(work_count, 8)`.execute(db);
}
