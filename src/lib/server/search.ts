import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';
import type { Availability } from '#lib/server/db/schema.js';
import { avatarUrl } from '#lib/server/avatars.js';

export const PAGE_SIZE = 20;
const MAX_QUERY_LENGTH = 200;
const MAX_WORDS = 8;
// What a field matching the words adds to a profile's evidence_rank, each field counted once, so
// repeating a word in one's own text gains nothing; MAX_TEXT_SCORE is their sum.
const WEIGHTS = { name: 1.0, skills: 0.6, work: 0.35, bio: 0.15 };
const MAX_TEXT_SCORE = 2.1;
// Scores are rounded to six places; a margin well above that keeps every comparison safe.
const ROUNDING = 0.001;
// How many of the best-ranked profiles are scored first to bound a text search (sampleMatches):
// a tenth of the listed profiles, within these limits.
const RANK_SAMPLE = { least: 100, most: 1_000 };
// Reading an index entry costs about a quarter of reading a profile's search row (on the
// 100,000-profile benchmark, some 0.3 µs per entry against 1 to 2 µs per row).
const INDEX_ENTRY_COST = 0.25;

/**
 * Rewrites the search row of the given people from their profile, skills, work, accepted
 * endorsements, verified network accounts and avatar. Called inside the transaction of every
 * change to any of those (most through touchProfile).
 */
export async function refreshSearchDocuments(db: Executor, userIds: number[]): Promise<void> {
	if (userIds.length === 0) return;
	// Migration 2026_11_26_200000 holds a copy of this statement: change both together.
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
		where p.user_id in (${sql.join(userIds)})
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

/** The word with one slip of the finger undone: each letter dropped, each neighbouring pair swapped. */
function corrections(word: string): string[] {
	const letters = [...word];
	const found = new Set<string>();
	for (let i = 0; i < letters.length; i++) {
		found.add(letters.toSpliced(i, 1).join(''));
		if (i + 1 < letters.length)
			found.add(letters.toSpliced(i, 2, letters[i + 1], letters[i]).join(''));
	}
	found.delete(word);
	return [...found].filter((w) => [...w].length >= 3);
}

/**
 * A skill (as `k`) spelled like `word`: the whole name close by trigrams, as before; one word of
 * it close (pg_trgm's word similarity), so that 'typscript' finds 'TypeScript APIs'; or one word
 * of it a slip away, so that 'namnig' finds 'Naming'.
 */
function skillSpelledLike(word: string): RawBuilder<SqlBool> {
	const fixes = corrections(word);
	// The corrections are letters and digits only (queryWords), so they cannot break the pattern.
	const pattern = `(^|[^[:alnum:]])(${fixes.join('|')})([^[:alnum:]]|$)`;
	return sql<SqlBool>`(
		(lower(k.name) % ${word} and similarity(lower(k.name), ${word}) >= 0.45)
		or ${word} <% lower(k.name)
		${fixes.length ? sql`or lower(k.name) ~ ${pattern}` : sql``})`;
}

/**
 * Public, listed profiles matching the query, best first. Relevance counts each field once (name
 * and headline > skills > work > bio), and any evidence (accepted endorsements, weighted by their
 * authors' standing; work; verified accounts) ranks a profile above every profile without any.
 */
export async function searchProfiles(
	db: Executor,
	query: SearchQuery
): Promise<{ results: SearchResult[]; next: string | null }> {
	const words = queryWords(query.q);
	const typo = words.length === 1 && [...words[0]].length >= 3 ? words[0] : null;
	const found = await findProfiles(
		db,
		query,
		words.length ? { all: tsquery(words, '&'), any: tsquery(words, '|'), typo } : null
	);
	// A longer word that finds nobody, not even by its typo matches below, is searched again as
	// each of its corrections: names trigrams miss are found that way ('khuamlo': Khumalo). Its
	// later pages find nobody either, so they are corrected the same way.
	if (found.results.length || !typo || [...typo].length < 5) return found;
	// Letters and digits only (queryWords), so the string cannot carry operators.
	const corrected = sql`to_tsquery('english', ${corrections(typo).join(' | ')})`;
	return findProfiles(db, query, { all: corrected, any: corrected, typo: null });
}

async function findProfiles(
	db: Executor,
	query: SearchQuery,
	words: { all: RawBuilder<unknown>; any: RawBuilder<unknown>; typo: string | null } | null
): Promise<{ results: SearchResult[]; next: string | null }> {
	const all = words?.all ?? null;
	const any = words?.any ?? null;
	const typo = words?.typo ?? null;

	// Typo tolerance for one word of three letters or more: people named like it, and holders of
	// skills spelled like it, match too. Skills whose name holds the word itself are left out:
	// their holders match it anyway, and a common word would cost a second index read.
	const closeSkills =
		typo && all
			? (
					await sql<{ key: string }>`
						select lower(k.name) as key from skills k
						where ${skillSpelledLike(typo)} and not (to_tsvector('english', k.name) @@ ${all})`.execute(db)
				).rows.map((row) => row.key)
			: [];

	const text = any
		? sql<number>`(${sql.lit(WEIGHTS.name)} * (s.name_vec @@ ${any})::int + ${sql.lit(WEIGHTS.skills)} * (s.skills_vec @@ ${any})::int + ${sql.lit(WEIGHTS.work)} * (s.work_vec @@ ${any})::int + ${sql.lit(WEIGHTS.bio)} * (s.bio_vec @@ ${any})::int)`
		: null;
	// Without words the score is evidence_rank itself (migration 2026_11_26_000000), so that its
	// index gives the order without a sort. Words add to it, rounded the same way.
	const score = text
		? sql<number>`round((${text} + s.evidence_rank) * 1e6) / 1e6`
		: sql<number>`s.evidence_rank`;

	const filters: Expression<SqlBool>[] = [];
	// Skills are unique without regard to case, so their lowercased names identify them.
	if (query.skills.length)
		filters.push(sql<SqlBool>`s.skill_keys @> ${query.skills.map((s) => s.toLowerCase())}::text[]`);
	if (query.location)
		filters.push(
			sql<SqlBool>`s.location ilike ${'%' + query.location.replace(/[\\%_]/g, '\\$&') + '%'}`
		);
	if (query.availability) filters.push(sql<SqlBool>`s.availability = ${query.availability}`);
	if (query.minEndorsements > 0)
		filters.push(sql<SqlBool>`s.accepted_endorsements >= ${query.minEndorsements}`);
	if (query.hasWork) filters.push(sql<SqlBool>`s.work_count > 0`);
	if (query.verifiedOnly) filters.push(sql<SqlBool>`s.verified_accounts > 0`);
	if (query.after) {
		filters.push(sql<SqlBool>`(${score}, s.user_id) < (${query.after.score}, ${query.after.id})`);
		// Words never take anything away, so past the cursor's score no rank is higher either.
		if (text) filters.push(sql<SqlBool>`s.evidence_rank <= ${query.after.score}`);
	}

	// The words match the document or, for one word, a close skill or a close name. These typo
	// matches add nothing to the score: no field holds the word as typed.
	const inDocument = all ? sql<SqlBool>`s.document @@ ${all}` : null;
	const closeSkill = closeSkills.length
		? sql<SqlBool>`s.skill_keys && ${closeSkills}::text[]`
		: null;
	const closeName = typo ? sql<SqlBool>`${typo} <% s.name_text` : null;
	const matching = (
		alternatives: (RawBuilder<SqlBool> | null)[],
		listed = sql<SqlBool>`s.listed`
	) => {
		const present = alternatives.filter((a) => a !== null);
		return [
			listed,
			...(present.length ? [sql<SqlBool>`(${sql.join(present, sql` or `)})`] : []),
			...filters
		];
	};
	// Without bounds, the words are rare and their indexes find the few matches. `is true` keeps
	// the planner from testing `listed` by also reading every entry of the listed-rank index, which
	// it does when it overestimates the matches (of corrections, whose words mostly occur nowhere).
	const unbounded = text
		? matching([inDocument, closeSkill, closeName], sql<SqlBool>`(s.listed) is true`)
		: matching([]);

	let bounded: Expression<SqlBool>[] | null = null;
	if (inDocument && any) {
		const sample = await sampleMatches(db, {
			tests: {
				document: inDocument,
				skills: sql<SqlBool>`s.skills_vec @@ ${any}`,
				name: sql<SqlBool>`s.name_vec @@ ${any}`,
				closeSkill: closeSkill ?? sql<SqlBool>`false`
			},
			// Close names, the dearest test, are left out: any page-full of matches will do.
			matches: closeSkill ? ['document', 'closeSkill'] : ['document'],
			filters,
			score,
			after: query.after
		});
		if (sample) {
			// Words add at most MAX_TEXT_SCORE to a profile's evidence_rank and never take anything
			// away, so a profile ranked that much below the sample's lowest score cannot make the
			// page. Further down, less can lift it far enough: more than 0.5 below, its skills or
			// its name must match (work and bio add 0.5 at most); more than 1.1 below, its name must
			// (the rest add 1.1). A typo match must be ranked above the lowest score itself.
			const { matched } = sample;
			const withWords = (test: RawBuilder<SqlBool>) =>
				sql<SqlBool>`(${inDocument}) is true and ${test}`;
			const bands: Band[] = [
				{
					from: WEIGHTS.work + WEIGHTS.bio,
					to: null,
					test: inDocument,
					entries: matched.document
				},
				{
					from: MAX_TEXT_SCORE - WEIGHTS.name,
					to: WEIGHTS.work + WEIGHTS.bio,
					test: withWords(sql`(s.skills_vec @@ ${any} or s.name_vec @@ ${any})`),
					entries: matched.skills + matched.name
				},
				{
					from: MAX_TEXT_SCORE,
					to: MAX_TEXT_SCORE - WEIGHTS.name,
					test: withWords(sql`s.name_vec @@ ${any}`),
					entries: matched.name
				}
			];
			if (closeSkill)
				bands.push({ from: 0, to: null, test: closeSkill, entries: matched.closeSkill });
			// Trigram similarity costs far more per row than its index: that one is always read.
			if (closeName) bands.push({ from: 0, to: null, test: closeName, entries: 0 });
			bounded = matching(bands.map((band) => bandTest(band, sample)));
		}
	}

	let rows = await readPage(db, bounded ?? unbounded, score, any);
	// The sample's page-full is always within the bands, unless a write came between the two
	// statements: then the page comes up short, and is read again without them.
	if (bounded && rows.length <= PAGE_SIZE) rows = await readPage(db, unbounded, score, any);

	const page = rows.slice(0, PAGE_SIZE);
	const last = page.at(-1);
	return {
		results: page.map((r) => ({
			userId: r.user_id,
			handle: r.handle,
			name: r.name_text,
			headline: r.headline,
			location: r.location,
			availability: r.availability,
			avatar: avatarUrl(r.user_id, r.avatar_etag, 'small'),
			skills: r.skills_text ? r.skills_text.split(', ').slice(0, 6) : [],
			snippet: splitHighlights(r.snippet ?? `${r.headline ?? ''} — ${r.bio_excerpt}`.slice(0, 200)),
			matched: ['name or headline', 'skills', 'work', 'bio'].filter((_, i) => r.matched?.[i]),
			acceptedEndorsements: Number(r.accepted_endorsements),
			workCount: Number(r.work_count),
			verifiedAccounts: Number(r.verified_accounts),
			score: Number(r.score)
		})),
		next: rows.length > PAGE_SIZE && last ? `${last.score}_${last.user_id}` : null
	};
}

interface Sample {
	/** How many profiles were to be sampled. */
	size: number;
	/** The lowest score of the best page-full of matches found: the page cannot score lower. */
	lowest: number;
	/** The evidence_rank of every profile sampled. */
	ranks: number[];
	/** How many of them each test matched. */
	matched: Record<string, number>;
	/** The share of all profiles ranked from `from` up to `to`, by the statistics of evidence_rank. */
	share: (from: number, to: number) => number;
	/** All profiles and the listed ones, as the statistics count them. */
	rows: number;
	listed: number;
	after: SearchQuery['after'];
}

/**
 * Scores the best-ranked listed profiles from the cursor on, as many whatever the words, to bound
 * the page. Null when fewer than a page-full of them match: the words are rare then, and sorting
 * all their matches is cheap anyway. Also counts what each test matches among them, to estimate
 * how many entries its index holds.
 */
async function sampleMatches(
	db: Executor,
	{
		tests,
		matches,
		filters,
		score,
		after
	}: {
		/** Tests to count; those named in `matches`, with the filters, make a match. */
		tests: Record<string, RawBuilder<SqlBool>>;
		matches: string[];
		filters: Expression<SqlBool>[];
		score: RawBuilder<number>;
		after: SearchQuery['after'];
	}
): Promise<Sample | null> {
	const names = Object.keys(tests);
	const flag = (name: string) => sql.ref(`m${names.indexOf(name)}`);
	const result = await sql<{
		size: number;
		lowest: number | null;
		ranks: number[] | null;
		matched: number[];
		rows: number;
		listed: number;
		histogram: number[] | null;
		common: number[] | null;
		frequencies: number[] | null;
	}>`
		with size as (
			-- A thousand profiles would be much of a small database, better read through its indexes
			-- (and the planner would rather read all of it than a thousand through the rank index).
			select greatest(${RANK_SAMPLE.least}, least(${RANK_SAMPLE.most}, reltuples / 10))::int as n
			from pg_class where oid = 'profile_search_listed_rank_idx'::regclass
		)
		select (select n from size) as size, sampled.*,
			(select reltuples::float8 from pg_class where oid = 'profile_search'::regclass) as rows,
			(select reltuples::float8 from pg_class
				where oid = 'profile_search_listed_rank_idx'::regclass) as listed,
			stats.*
		from (
			select
				(array_agg(score order by score desc) filter (where score is not null))[${PAGE_SIZE + 1}] as lowest,
				array_agg(evidence_rank) as ranks,
				array[${sql.join(names.map((name) => sql`(count(*) filter (where ${flag(name)}))::int`))}] as matched
			from (
				select s.evidence_rank, ${sql.join(names.map(flag))},
					case when (${sql.join(matches.map(flag), sql` or `)}) ${sql.join(
						filters.map((f) => sql`and ${f}`),
						sql` `
					)} then ${score} end as score
				from (
					-- A subquery with a limit stays whole, so each test runs once per profile.
					select *, ${sql.join(names.map((name) => sql`${tests[name]} as ${flag(name)}`))}
					from profile_search s
					where s.listed ${after ? sql`and s.evidence_rank <= ${after.score}` : sql``}
					order by s.evidence_rank desc, s.user_id desc
					limit (select n from size)
				) s
			) s
		) sampled
		left join lateral (
			select histogram_bounds::text::float8[] as histogram,
				most_common_vals::text::float8[] as common, most_common_freqs::float8[] as frequencies
			from pg_stats
			where schemaname = current_schema() and tablename = 'profile_search'
				and attname = 'evidence_rank'
		) stats on true`.execute(db);
	const row = result.rows[0];
	if (!row || row.lowest === null || !row.ranks) return null;
	const histogram = (row.histogram ?? []).map(Number);
	const common = (row.common ?? []).map(Number);
	const frequencies = (row.frequencies ?? []).map(Number);
	const rest = 1 - frequencies.reduce((sum, f) => sum + f, 0);
	return {
		size: Number(row.size),
		lowest: Number(row.lowest),
		ranks: row.ranks.map(Number),
		matched: Object.fromEntries(names.map((name, i) => [name, Number(row.matched[i])])),
		share: (from, to) => {
			const within = (v: number) => v >= from && v < to;
			const buckets = histogram.length - 1;
			return (
				common.reduce((sum, v, i) => sum + (within(v) ? frequencies[i] : 0), 0) +
				(buckets > 0 ? (rest * histogram.filter(within).length) / buckets : 0)
			);
		},
		rows: Number(row.rows),
		listed: Number(row.listed),
		after
	};
}

interface Band {
	/** Its ranks, as distances below the sample's lowest score (`to` null: up to the cursor). */
	from: number;
	to: number | null;
	/** What a profile in it must match. */
	test: RawBuilder<SqlBool>;
	/** How many sampled profiles the test's index would yield. */
	entries: number;
}

/**
 * A band of ranks and what a profile in it must match. The test goes through its index only when
 * reading the index's entries costs less than reading every profile in the band; otherwise `is
 * true` keeps the planner, which cannot tell, off the index (30,000 entries for "tiktok", against
 * the 1,200 profiles that can make its first page).
 */
function bandTest(band: Band, sample: Sample): RawBuilder<SqlBool> {
	const from = sample.lowest - band.from - ROUNDING;
	const to = band.to === null ? Infinity : sample.lowest - band.to + ROUNDING;
	const top = Math.min(to, sample.after ? sample.after.score + ROUNDING : Infinity);
	// Its profiles: counted in the sample when that reaches down so far, else estimated.
	const { ranks } = sample;
	let profiles = ranks.filter((rank) => rank >= from && rank < top).length;
	if (ranks.length === sample.size && from < Math.min(...ranks))
		profiles = Math.max(profiles, sample.share(from, top) * sample.rows);
	const entries = (band.entries / ranks.length) * sample.listed;
	const test =
		entries * INDEX_ENTRY_COST < profiles ? band.test : sql<SqlBool>`(${band.test}) is true`;
	// The ranks first: a band is tested in the order written, and they cost next to nothing.
	return sql<SqlBool>`(s.evidence_rank >= ${from} ${
		to === Infinity ? sql`` : sql`and s.evidence_rank < ${to}`
	} and ${test})`;
}

interface PageRow {
	user_id: number;
	handle: string;
	name_text: string;
	headline: string | null;
	location: string | null;
	availability: Availability;
	avatar_etag: string | null;
	skills_text: string;
	accepted_endorsements: number;
	work_count: number;
	verified_accounts: number;
	bio_excerpt: string;
	score: number;
	snippet?: string;
	matched?: boolean[];
}

// The page comes from the search table alone, which holds everything a result shows; with words,
// only the rows of the page are then highlighted and told which fields matched.
async function readPage(
	db: Executor,
	conditions: Expression<SqlBool>[],
	score: RawBuilder<number>,
	any: RawBuilder<unknown> | null
): Promise<PageRow[]> {
	const hits = sql<PageRow>`
		select s.user_id, s.handle, s.name_text, s.headline, s.location, s.availability,
			s.avatar_etag, s.skills_text, s.accepted_endorsements, s.work_count, s.verified_accounts,
			s.bio_excerpt, ${score} as score
		from profile_search s
		where ${sql.join(conditions, sql` and `)}
		order by score desc, s.user_id desc
		limit ${PAGE_SIZE + 1}`;
	if (!any) return (await hits.execute(db)).rows;
	const snippetSource = sql`coalesce(hit.headline, '') || ' — ' || hit.bio_excerpt`;
	const highlighted = await sql<PageRow>`
		select hit.*,
			ts_headline('english', ${snippetSource}, ${any}, 'StartSel=⟦, StopSel=⟧, MaxWords=28, MinWords=12, HighlightAll=false') as snippet,
			array[m.name_vec @@ ${any}, m.skills_vec @@ ${any}, m.work_vec @@ ${any}, m.bio_vec @@ ${any}] as matched
		from (${hits}) hit
		join profile_search m on m.user_id = hit.user_id
		order by hit.score desc, hit.user_id desc`.execute(db);
	return highlighted.rows;
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

/**
 * For an empty result, "did you mean": for one word, the words of skill names spelled like it
 * ('typscript' suggests the 'TypeScript' of 'TypeScript APIs'); for several, whole skill names.
 */
export async function suggestSpellings(db: Executor, q: string): Promise<string[]> {
	const words = queryWords(q);
	if (words.length === 0) return [];
	if (words.length === 1) {
		const [word] = words;
		// Of each close skill, the words that are close themselves, nearest first.
		const rows = await sql<{ part: string }>`
			select part from (
				select distinct on (lower(w.part)) w.part, similarity(lower(w.part), ${word}) as nearness
				from skills k cross join lateral regexp_split_to_table(k.name, '[[:space:]/]+') as w(part)
				where ${skillSpelledLike(word)} and lower(w.part) <> ${word}
					and (similarity(lower(w.part), ${word}) >= 0.3 or lower(w.part) = any(${corrections(word)}::text[]))
				order by lower(w.part), nearness desc
			) close
			order by nearness desc, part
			limit 5`.execute(db);
		return rows.rows.map((row) => row.part);
	}
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
