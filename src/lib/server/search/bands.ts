import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';
import type { SearchQuery } from '#lib/server/search/params.js';
import { Kept } from '#lib/server/search/kept.js';
import type { RankStatistics } from '#lib/server/search/statistics.js';

// Bounds for a text search over many profiles: a sample of the best-ranked ones says how low the
// page's scores can reach, and each band of ranks below it is read through whichever is cheaper.

export const PAGE_SIZE = 20;
// Scores are rounded to six places; a margin well above that keeps every comparison safe.
export const ROUNDING = 0.001;
// How many of the best-ranked profiles are scored first to bound a text search (sampleMatches):
// a tenth of the listed profiles, within these limits.
const RANK_SAMPLE = { least: 100, most: 1_000 };
// Reading an index entry costs about a quarter of reading a profile's search row (on the
// 100,000-profile benchmark, some 0.3 µs per entry against 1 to 2 µs per row).
const INDEX_ENTRY_COST = 0.25;

export interface Sample {
	/** How many profiles were to be sampled. */
	size: number;
	/** The lowest score of the best page-full of matches found: the page cannot score lower. */
	lowest: number;
	/** The evidence_rank and id of the match that scored it (the page's order breaks ties by id). */
	lowestRank: number;
	lowestId: number;
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
	/** Drops it, so that no later page uses it: profiles have changed since it was drawn. */
	forget: () => void;
}

/** One sampled profile: its rank, id, score when it matches (cursor aside), and each test. */
interface SampledRow {
	rank: number;
	id: number;
	score: number | null;
	tests: boolean[];
}

interface Drawn {
	/** The cursor it was drawn below (null: from the top). */
	after: SearchQuery['after'];
	size: number;
	rows: SampledRow[];
}

// A visitor's next page lies below the one before it, whose sample mostly still holds a page-full
// of matches below the new cursor: it is used again for a minute instead of drawing another. A
// sample is only a bound; should a profile have changed since, the page comes up short and is read
// again without one (query.ts).
const drawn = new Kept<Drawn>(60_000, 500);

const below = (score: number, id: number, after: NonNullable<SearchQuery['after']>) =>
	score < after.score || (score === after.score && id < after.id);

/**
 * Scores the best-ranked listed profiles from the cursor on, as many whatever the words, to bound
 * the page. Null when fewer than a page-full of them match: the words are rare then, and sorting
 * all their matches is cheap anyway. Also counts what each test matches among them, to estimate
 * how many entries its index holds. A later page of the same search uses the sample of the page
 * before it while that still holds a page-full of matches below the cursor.
 */
export async function sampleMatches(
	db: Executor,
	{
		tests,
		matches,
		filters,
		score,
		after,
		statistics,
		most = RANK_SAMPLE.most
	}: {
		/** Tests to count; those named in `matches`, with the filters, make a match. */
		tests: Record<string, RawBuilder<SqlBool>>;
		matches: string[];
		/** Every filter but the cursor's. */
		filters: Expression<SqlBool>[];
		score: RawBuilder<number>;
		after: SearchQuery['after'];
		/** The planner's statistics of the ranks (statistics.ts); null before ANALYZE. */
		statistics: RankStatistics | null;
		/** At most this many: fewer suffice when the words are known to be common. */
		most?: number;
	}
): Promise<Sample | null> {
	const names = Object.keys(tests);
	const flag = (name: string) => sql.ref(`m${names.indexOf(name)}`);
	const match = sql<SqlBool>`(${sql.join(matches.map(flag), sql` or `)}) ${sql.join(
		filters.map((f) => sql`and ${f}`),
		sql` `
	)}`;
	// The same search, whatever its cursor: the statement's text and values without it.
	const compiled = sql`${sql.join(names.map((name) => tests[name]))} ${match} ${score}`.compile(db);
	const key = JSON.stringify([names, compiled.sql, compiled.parameters]);
	const before = drawn.get(db, key);
	if (before && after && (!before.after || !below(before.after.score, before.after.id, after))) {
		const reused = fromRows(before, after, names, statistics, () => drawn.delete(db, key, before));
		if (reused) return reused;
	}

	// A thousand profiles would be much of a small database, better read through its indexes (and
	// the planner would rather read all of it than a thousand through the rank index).
	const listed = statistics?.listed ?? 0;
	const size = Math.round(
		Math.max(
			RANK_SAMPLE.least,
			Math.min(Math.max(RANK_SAMPLE.least, Math.min(RANK_SAMPLE.most, most)), listed / 10)
		)
	);
	const result = await sql<{
		ranks: number[] | null;
		ids: number[] | null;
		scores: (number | null)[] | null;
		tests: boolean[][] | null;
	}>`
		select array_agg(evidence_rank) as ranks, array_agg(user_id) as ids, array_agg(score) as scores,
			array[${sql.join(names.map((name) => sql`array_agg(${flag(name)})`))}] as tests
		from (
			select s.evidence_rank, s.user_id, ${sql.join(names.map(flag))},
				case when ${match} then ${score} end as score
			from (
				-- A subquery with a limit stays whole, so each test runs once per profile.
				select *, ${sql.join(names.map((name) => sql`${tests[name]} as ${flag(name)}`))}
				from profile_search s
				where s.listed ${after ? sql`and s.evidence_rank <= ${after.score}` : sql``}
				order by s.evidence_rank desc, s.user_id desc
				limit ${size}
			) s
		) s`.execute(db);
	const row = result.rows[0];
	const rows: SampledRow[] = (row?.ranks ?? []).map((rank, i) => ({
		rank: Number(rank),
		id: Number(row.ids![i]),
		score: row.scores![i] === null ? null : Number(row.scores![i]),
		tests: names.map((_, t) => Boolean(row.tests![t][i]))
	}));
	const fresh: Drawn = { after, size, rows };
	drawn.set(db, key, fresh);
	return fromRows(fresh, after, names, statistics, () => drawn.delete(db, key, fresh));
}

/** The sample's rows below `after` as a bound, or null when they hold less than a page-full. */
function fromRows(
	sample: Drawn,
	after: SearchQuery['after'],
	names: string[],
	statistics: RankStatistics | null,
	forget: () => void
): Sample | null {
	const rows = after ? sample.rows.filter((r) => r.rank <= after.score) : sample.rows;
	const matches = rows
		.filter((r) => r.score !== null && (!after || below(r.score, r.id, after)))
		.sort((x, y) => y.score! - x.score! || y.id - x.id);
	if (matches.length <= PAGE_SIZE) return null;
	const lowest = matches[PAGE_SIZE];
	return {
		// Rows that were all there was below the cursor stay all there is below a lower one.
		size: sample.rows.length === sample.size ? rows.length : sample.size,
		lowest: lowest.score!,
		lowestRank: lowest.rank,
		lowestId: lowest.id,
		ranks: rows.map((r) => r.rank),
		matched: Object.fromEntries(
			names.map((name, t) => [name, rows.filter((r) => r.tests[t]).length])
		),
		share: statistics?.share ?? (() => 0),
		rows: statistics?.rows ?? 0,
		listed: statistics?.listed ?? 0,
		after,
		forget
	};
}

export interface Band {
	/** Its ranks, as distances below the sample's lowest score (`to` null: up to the cursor). */
	from: number;
	to: number | null;
	/** What a profile in it must match. */
	test: RawBuilder<SqlBool>;
	/** How many sampled profiles the test's index would yield. */
	entries: number;
	/**
	 * A profile that only this test matches scores its evidence_rank alone (a close name: no
	 * field holds the word as typed); any that the words match is in another band.
	 */
	rankAlone?: boolean;
}

/**
 * A band of ranks and what a profile in it must match. The test goes through its index only when
 * reading the index's entries costs less than reading every profile in the band; otherwise `is
 * true` keeps the planner, which cannot tell, off the index (30,000 entries for "tiktok", against
 * the 1,200 profiles that can make its first page).
 */
export function bandTest(band: Band, sample: Sample): RawBuilder<SqlBool> {
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
	} ${band.rankAlone ? sameRankAbove(sample) : sql``} and ${test})`;
}

/**
 * For a profile scoring its rank alone: above the page's lowest match by rank, then by id, as
 * the page is ordered. Many profiles share a rank (the same work and accounts, no trust: 127,000
 * at each of the top ranks of a million untrusted profiles); among those only the ids above the
 * lowest match's can make the page, and the rank index reads just them. Ranks a hair below it
 * (scores are rounded to six places) stay in.
 */
function sameRankAbove({ lowestRank, lowestId }: Sample): RawBuilder<SqlBool> {
	return sql<SqlBool>`and ((s.evidence_rank, s.user_id) >= (${lowestRank}, ${lowestId})
		or (s.evidence_rank >= ${lowestRank - ROUNDING} and s.evidence_rank < ${lowestRank}))`;
}
