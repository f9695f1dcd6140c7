import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';
import type { Availability } from '#lib/server/db/schema.js';
import { avatarUrl } from '#lib/server/avatars.js';

export const PAGE_SIZE = 20;
const MAX_QUERY_LENGTH = 200;
const MAX_WORDS = 8;
const MAX_TEXT_SCORE = 2.1;
// Scores are rounded to six places; a margin well above that keeps every comparison safe.
const ROUNDING = 0.001;
// How many of the best-ranked profiles are scored first to bound a text search (see below).
const RANK_SAMPLE = 1_000;

/**
 * Rewrites the search row of the given people from their profile, skills, work and accepted
 * endorsements. Called inside the transaction of every change to any of those.
 */
export async function refreshSearchDocuments(db: Executor, userIds: number[]): Promise<void> {
	if (userIds.length === 0) return;
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
		where p.user_id in (${sql.join(userIds)})
		on conflict (user_id) do update set
			listed = excluded.listed, document = excluded.document, name_vec = excluded.name_vec,
			skills_vec = excluded.skills_vec, work_vec = excluded.work_vec, bio_vec = excluded.bio_vec,
			name_text = excluded.name_text, skills_text = excluded.skills_text, skill_ids = excluded.skill_ids,
			location = excluded.location, availability = excluded.availability,
			accepted_endorsements = excluded.accepted_endorsements,
			endorsement_score = excluded.endorsement_score, work_count = excluded.work_count,
			verified_accounts = excluded.verified_accounts, evidence = excluded.evidence
	`.execute(db);
}

export interface SearchQuery {
	q: string;
	skills: string[];
	location: string;
	availability: Availability | '';
	minEndorsements: number;
	hasWork: boolean;
	verifiedOnly: boolean;
	after: { score: number; id: number } | null;
}

export interface SearchResult {
	userId: number;
	handle: string;
	name: string;
	headline: string | null;
	location: string | null;
	availability: Availability;
	avatar: string;
	skills: string[];
	snippet: { text: string; mark: boolean }[];
	matched: string[];
	acceptedEndorsements: number;
	workCount: number;
	verifiedAccounts: number;
	score: number;
}

const AVAILABILITIES = ['open_to_work', 'open_to_freelance', 'not_looking'] as const;

/** Reads the search form from a URL; unknown or malformed values are dropped with a notice. */
export function parseSearchParams(params: URLSearchParams): {
	query: SearchQuery;
	notices: string[];
} {
	const notices: string[] = [];
	let q = (params.get('q') ?? '').normalize('NFC').trim();
	if (q.length > MAX_QUERY_LENGTH) {
		q = q.slice(0, MAX_QUERY_LENGTH);
		notices.push(`Your search was shortened to its first ${MAX_QUERY_LENGTH} characters.`);
	}
	const skills = [
		...new Set(
			params
				.getAll('skill')
				.map((s) => s.trim())
				.filter((s) => s && s.length <= 40)
		)
	].slice(0, 10);
	const availabilityParam = params.get('availability') ?? '';
	let availability: SearchQuery['availability'] = '';
	if ((AVAILABILITIES as readonly string[]).includes(availabilityParam))
		availability = availabilityParam as Availability;
	else if (availabilityParam)
		notices.push('The availability filter was not understood and is ignored.');
	const minParam = params.get('min') ?? '';
	let minEndorsements = 0;
	if (/^\d{1,4}$/.test(minParam)) minEndorsements = Number(minParam);
	else if (minParam)
		notices.push('The minimum endorsements filter was not a number and is ignored.');
	const verifiedOnly = params.get('verified') === '1';
	let after: SearchQuery['after'] = null;
	const afterParam = params.get('after');
	if (afterParam) {
		const match = /^(-?\d+(?:\.\d+)?)_(\d{1,10})$/.exec(afterParam);
		if (match) after = { score: Number(match[1]), id: Number(match[2]) };
		else notices.push('The page link was not understood; showing the first page.');
	}
	return {
		query: {
			q,
			skills,
			location: (params.get('location') ?? '').trim().slice(0, 100),
			availability,
			minEndorsements,
			hasWork: params.get('work') === '1',
			verifiedOnly,
			after
		},
		notices
	};
}

/** Words of the query reduced to letters and digits, so no tsquery syntax survives. */
export function queryWords(q: string): string[] {
	return (q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_WORDS);
}

function tsquery(words: string[], join: '&' | '|') {
	// Every word is plain letters and digits (queryWords), so the string cannot carry operators.
	const text = words.map((w, i) => (i === words.length - 1 ? `${w}:*` : w)).join(` ${join} `);
	return sql`to_tsquery('english', ${text})`;
}

/**
 * Public, listed profiles matching the query, best first. Relevance counts each field once (name
 * and headline > skills > work > bio), so repeating a word in one's own text gains nothing, and
 * any evidence (accepted endorsements, weighted by their authors' standing; work; verified
 * accounts) ranks a profile above every profile without any.
 */
export async function searchProfiles(
	db: Executor,
	query: SearchQuery
): Promise<{ results: SearchResult[]; next: string | null }> {
	const words = queryWords(query.q);
	const all = words.length ? tsquery(words, '&') : null;
	const any = words.length ? tsquery(words, '|') : null;
	const single = words.length === 1 ? words[0] : null;
	const none = { results: [], next: null };

	// Skill ids are looked up first and passed as values, so that the planner can weigh how many
	// people have them (an array from a subquery is a value it cannot see).
	let skillIds: number[] = [];
	if (query.skills.length) {
		const found = await db
			.selectFrom('skills')
			.select('id')
			.where(
				sql`lower(name)`,
				'in',
				query.skills.map((s) => s.toLowerCase())
			)
			.execute();
		if (found.length !== query.skills.length) return none;
		skillIds = found.map((row) => row.id);
	}
	// Typo tolerance for one short word: close names and skills count as matches too.
	const typo = single && single.length >= 3 ? single : null;
	const closeSkillIds = typo
		? (
				await db
					.selectFrom('skills')
					.select('id')
					.where(sql<SqlBool>`similarity(lower(name), ${typo}) >= 0.45`)
					.execute()
			).map((row) => row.id)
		: [];

	// MAX_TEXT_SCORE is the sum of these weights: every field matching.
	const text = any
		? sql<number>`(1.0 * (s.name_vec @@ ${any})::int + 0.6 * (s.skills_vec @@ ${any})::int + 0.35 * (s.work_vec @@ ${any})::int + 0.15 * (s.bio_vec @@ ${any})::int)`
		: null;
	// Without words the score is evidence_rank, stored with this very formula for text = 0
	// (migration 2026_11_26_000000), so that its index gives the order without a sort.
	const score = text
		? sql<number>`round((${text} + 2 * ln(1 + s.evidence) + case when s.evidence > 0 then 10 else 0 end)::numeric, 6)::float8`
		: sql<number>`s.evidence_rank`;

	const filters: Expression<SqlBool>[] = [];
	if (skillIds.length) filters.push(sql<SqlBool>`s.skill_ids @> ${skillIds}::int[]`);
	if (query.location)
		filters.push(
			sql<SqlBool>`s.location ilike ${'%' + query.location.replace(/[\\%_]/g, '\\$&') + '%'}`
		);
	if (query.availability) filters.push(sql<SqlBool>`s.availability = ${query.availability}`);
	if (query.minEndorsements > 0)
		filters.push(sql<SqlBool>`s.accepted_endorsements >= ${query.minEndorsements}`);
	if (query.hasWork) filters.push(sql<SqlBool>`s.work_count > 0`);
	if (query.verifiedOnly) filters.push(sql<SqlBool>`s.verified_accounts > 0`);
	if (query.after)
		filters.push(sql<SqlBool>`(${score}, s.user_id) < (${query.after.score}, ${query.after.id})`);

	// The words match the document or, for one longer word, a close skill or a close name.
	const wordMatches: Expression<SqlBool>[] = all ? [sql<SqlBool>`s.document @@ ${all}`] : [];
	if (closeSkillIds.length) wordMatches.push(sql<SqlBool>`s.skill_ids && ${closeSkillIds}::int[]`);
	const closeName = typo ? [sql<SqlBool>`${typo} <% s.name_text`] : [];
	const matching = (alternatives: Expression<SqlBool>[]) => [
		sql<SqlBool>`s.listed`,
		...(alternatives.length ? [sql<SqlBool>`(${sql.join(alternatives, sql` or `)})`] : []),
		...filters
	];
	const conditions = matching([...wordMatches, ...closeName]);

	let floor: Expression<SqlBool> | null = null;
	if (text) {
		// Words add at most MAX_TEXT_SCORE to a profile's evidence_rank, and never take anything
		// away. So once some page-full of matches is scored, a profile ranked below their lowest
		// score minus that cannot make the page, and the query below sorts only the profiles above
		// (one index holds the ranks). The page-full comes from the best-ranked profiles, a fixed
		// number of them whatever the words; when too few of those match, the words are rare and
		// sorting all their matches is cheap anyway.
		const ranked = db
			.selectFrom('profile_search')
			.selectAll()
			.where('listed', '=', true)
			.$if(!!query.after, (qb) => qb.where(sql<SqlBool>`evidence_rank <= ${query.after!.score}`))
			.orderBy(sql`evidence_rank desc`)
			.orderBy('user_id', 'desc')
			.limit(RANK_SAMPLE);
		const sample = await db
			.selectFrom(ranked.as('s'))
			.select(score.as('score'))
			// Any page-full of matches will do: close names, the dearest test, are left out here.
			.where((eb) => eb.and(matching(wordMatches)))
			.orderBy('score', 'desc')
			.limit(PAGE_SIZE + 1)
			.execute();
		if (sample.length > PAGE_SIZE) {
			const lowest = sample[PAGE_SIZE].score;
			floor = sql<SqlBool>`s.evidence_rank >= ${lowest - MAX_TEXT_SCORE - ROUNDING}`;
		}
		// Past the cursor's score, no rank can be higher than it either.
		if (query.after) conditions.push(sql<SqlBool>`s.evidence_rank <= ${query.after.score}`);
	}

	let rows = await readPage(db, floor ? [...conditions, floor] : conditions, score, any);
	// The sample's page-full is always above the floor, unless a write came between the two
	// statements: then the page comes up short, and is read again without the floor.
	if (floor && rows.length <= PAGE_SIZE) rows = await readPage(db, conditions, score, any);

	const page = rows.slice(0, PAGE_SIZE);
	const last = page.at(-1);
	return {
		results: page.map((r) => ({
			userId: r.user_id,
			handle: r.handle,
			name: r.display_name ?? r.handle,
			headline: r.headline,
			location: r.location,
			availability: r.availability,
			avatar: avatarUrl(r.user_id, r.etag, 'small'),
			skills: r.skills_text ? r.skills_text.split(', ').slice(0, 6) : [],
			snippet: splitHighlights(r.snippet ?? ''),
			matched: ['name or headline', 'skills', 'work', 'bio'].filter((_, i) => r.matched?.[i]),
			acceptedEndorsements: Number(r.accepted_endorsements),
			workCount: Number(r.work_count),
			verifiedAccounts: Number(r.verified_accounts),
			score: Number(r.score)
		})),
		next: rows.length > PAGE_SIZE && last ? `${last.score}_${last.user_id}` : null
	};
}

// The page is chosen from the search table alone; only its rows are then joined, highlighted and
// told which fields matched.
function readPage(
	db: Executor,
	conditions: Expression<SqlBool>[],
	score: RawBuilder<number>,
	any: RawBuilder<unknown> | null
) {
	const hits = db
		.selectFrom('profile_search as s')
		.select([
			's.user_id',
			's.skills_text',
			's.accepted_endorsements',
			's.work_count',
			's.verified_accounts',
			score.as('score')
		])
		.where((eb) => eb.and(conditions))
		.orderBy('score', 'desc')
		.orderBy('s.user_id', 'desc')
		.limit(PAGE_SIZE + 1);

	const snippetSource = sql`coalesce(p.headline, '') || ' — ' || left(p.bio_md, 600)`;
	return db
		.selectFrom(hits.as('hit'))
		.innerJoin('users as u', 'u.id', 'hit.user_id')
		.innerJoin('profiles as p', 'p.user_id', 'hit.user_id')
		.leftJoin('avatars as a', 'a.user_id', 'hit.user_id')
		.$if(!!any, (qb) => qb.innerJoin('profile_search as s', 's.user_id', 'hit.user_id'))
		.select([
			'hit.user_id',
			'u.handle',
			'p.display_name',
			'p.headline',
			'p.location',
			'p.availability',
			'a.etag',
			'hit.skills_text',
			'hit.accepted_endorsements',
			'hit.work_count',
			'hit.verified_accounts',
			'hit.score',
			(any
				? sql<string>`ts_headline('english', ${snippetSource}, ${any}, 'StartSel=⟦, StopSel=⟧, MaxWords=28, MinWords=12, HighlightAll=false')`
				: sql<string>`left(${snippetSource}, 200)`
			).as('snippet'),
			(any
				? sql<
						boolean[]
					>`array[s.name_vec @@ ${any}, s.skills_vec @@ ${any}, s.work_vec @@ ${any}, s.bio_vec @@ ${any}]`
				: sql<boolean[]>`array[false, false, false, false]`
			).as('matched')
		])
		.orderBy('hit.score', 'desc')
		.orderBy('hit.user_id', 'desc')
		.execute();
}

/** ts_headline's markers become segments the page renders as <mark> without any raw HTML. */
export function splitHighlights(snippet: string): { text: string; mark: boolean }[] {
	return snippet
		.split(/(⟦[^⟧]*⟧)/)
		.filter(Boolean)
		.map((part) =>
			part.startsWith('⟦') ? { text: part.slice(1, -1), mark: true } : { text: part, mark: false }
		);
}

/** For an empty result: skills spelled like the query, for "did you mean". */
export async function suggestSpellings(db: Executor, q: string): Promise<string[]> {
	const words = queryWords(q);
	if (words.length === 0) return [];
	const term = words.join(' ');
	const rows = await db
		.selectFrom('skills')
		.select('name')
		.where(sql<SqlBool>`similarity(lower(name), ${term}) > 0.25`)
		.orderBy(sql`similarity(lower(name), ${term})`, 'desc')
		.limit(5)
		.execute();
	return rows.map((r) => r.name);
}
