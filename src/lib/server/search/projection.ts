import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';
import { forgetTerms } from '#lib/server/search/statistics.js';

// Projection of a profile into its search row (profile_search), the one table search reads.

let rowsVersion = 0;

/** Changes whenever this process rewrites search rows, so caches of what they hold can tell. */
export function searchRowsVersion(): number {
	return rowsVersion;
}

/**
 * Rewrites the search row of the given people from their profile, skills, work, accepted
 * endorsements, verified network accounts and avatar. Called inside the transaction of every
 * change to any of those (most through touchProfile).
 */
export async function refreshSearchDocuments(db: Executor, userIds: number[]): Promise<void> {
	if (userIds.length === 0) return;
	rowsVersion++;
	// Migration 2026_11_26_200000 holds a copy of the insert: change both together.
	const { rows } = await sql<{ renamed: boolean }>`
		with before as (
			select user_id, name_text, listed from profile_search where user_id in (${sql.join(userIds)})
		), written as (
		insert into profile_search (user_id, listed, document, name_vec, skills_vec, work_vec, bio_vec,
			name_text, skills_text, skill_ids, skill_keys, handle, headline, bio_excerpt, avatar_etag,
			location, availability, accepted_endorsements, endorsement_score, work_count,
			verified_accounts, evidence, trust_rank, trust_band, trusted_groups)
		select p.user_id,
			p.visibility = 'public' and p.display_name is not null and p.headline is not null
				and u.status = 'active' and u.limited_at is null,
			strip(n.vec || s.vec || w.vec || b.vec), strip(n.vec), strip(s.vec), strip(w.vec), strip(b.vec),
			coalesce(p.display_name, u.handle), s.txt, s.ids, s.keys, u.handle, p.headline,
			left(p.bio_md, 600), a.etag, p.location, p.availability, e.n, 0, w.n, v.n,
			${untrustedEvidence(sql`w.n`, sql`v.n`)},
			coalesce(t.rank, 0), coalesce(t.band, 'none'), coalesce(t.trusted_endorsers, 0)
		from profiles p
		join users u on u.id = p.user_id
		left join avatars a on a.user_id = p.user_id
		left join trust_scores t on t.user_id = p.user_id
		-- offset 0 keeps each vector computed once: pulled up, it is computed where it is used, twice.
		cross join lateral (select to_tsvector('english', coalesce(p.display_name, '') || ' ' || u.handle || ' ' || coalesce(p.headline, '')) as vec offset 0) n
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
		cross join lateral (select to_tsvector('english', p.bio_md) as vec offset 0) b
		cross join lateral (
			select count(*)::int as n
			from endorsements en where en.subject_id = p.user_id and en.status = 'accepted') e
		cross join lateral (
			select count(*)::int as n from network_accounts na
			where na.user_id = p.user_id and na.verification_status = 'verified'
				and not ${sharedDomain(sql`na`)}) v
		where p.user_id in (${sql.join(userIds)}) and u.id in (${sql.join(userIds)})
		on conflict (user_id) do update set
			listed = excluded.listed, document = excluded.document, name_vec = excluded.name_vec,
			skills_vec = excluded.skills_vec, work_vec = excluded.work_vec, bio_vec = excluded.bio_vec,
			name_text = excluded.name_text, skills_text = excluded.skills_text, skill_ids = excluded.skill_ids,
			skill_keys = excluded.skill_keys, handle = excluded.handle, headline = excluded.headline,
			bio_excerpt = excluded.bio_excerpt, avatar_etag = excluded.avatar_etag,
			location = excluded.location, availability = excluded.availability,
			accepted_endorsements = excluded.accepted_endorsements,
			endorsement_score = excluded.endorsement_score, work_count = excluded.work_count,
			verified_accounts = excluded.verified_accounts, evidence = excluded.evidence,
			trust_rank = excluded.trust_rank, trust_band = excluded.trust_band,
			trusted_groups = excluded.trusted_groups
		returning user_id, name_text, listed)
		-- Set operations (hashed), not a join: the planner cannot size the two and joined them in a loop.
		select exists (
			(select user_id, name_text from written where listed
				except select user_id, name_text from before where listed)
			union all
			(select user_id, name_text from before where listed
				except select user_id, name_text from written where listed)) as renamed
	`.execute(db);
	// The words of listed names changed (name_words, kept by triggers): a search may have kept
	// the names spelled like its words.
	if (rows[0]?.renamed) forgetTerms();
}

/**
 * Evidence nobody vouched for: published work and proven accounts. Accepted endorsements add
 * nothing here (anyone can manufacture them); they count through trust_scores.rank instead.
 */
function untrustedEvidence(work: RawBuilder<number>, verified: RawBuilder<number>) {
	return sql<number>`(0.25 * least(${work}, 8) + 0.5 * least(${verified}, 4))::float8`;
}

/** A website whose registrable domain another person's profile also lists proves nothing. */
function sharedDomain(account: RawBuilder<unknown>) {
	return sql<boolean>`(${account}.site_domain is not null and exists (
		select 1 from network_accounts o
		where o.site_domain = ${account}.site_domain and o.user_id <> ${account}.user_id))`;
}

/**
 * Rewrites only the trust part of the given people's search rows, from trust_scores: what the
 * trust job runs for everyone whose trust changed, far cheaper than refreshSearchDocuments.
 */
export async function refreshTrustColumns(db: Executor, userIds: number[]): Promise<number> {
	if (userIds.length === 0) return 0;
	const result = await sql`
		update profile_search s set
			trust_rank = t.rank,
			trust_band = t.band, trusted_groups = t.trusted_endorsers
		from trust_scores t
		where t.user_id = s.user_id and s.user_id = any(${userIds}::int[])
			and (s.trust_band is distinct from t.band or s.trusted_groups <> t.trusted_endorsers
				or abs(s.trust_rank - t.rank) > 1e-6)
	`.execute(db);
	return Number(result.numAffectedRows ?? 0);
}
