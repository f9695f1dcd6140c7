import { sql } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';
import { Kept } from '#lib/server/search/kept.js';

// What the planner's statistics say about the search table, read in Node a few minutes at a time.
// They change only when the table is analysed, and reading them from pg_stats, a view over four
// catalogs, cost a search as much to plan as its own sample (0.5 of 0.9 ms planning, 0.5 ms of
// execution on the 100,000-profile benchmark). Estimates only: a stale one can make a search
// slower, never wrong.

const planner = new Kept<Promise<PlannerStatistics | null>>(5 * 60_000);

interface PlannerStatistics {
	lexemes: CommonLexemes;
	ranks: RankStatistics;
}

export interface CommonLexemes {
	frequencies: Map<string, number>;
	/** The frequency of the rarest of them: any other lexeme is rarer. */
	rarest: number;
	/** Search rows, listed or not: the estimates are upper bounds. */
	rows: number;
}

/** The most common lexemes of the search documents and their frequencies; null before ANALYZE. */
export async function commonLexemes(db: Executor): Promise<CommonLexemes | null> {
	return (await plannerStatistics(db))?.lexemes ?? null;
}

export interface RankStatistics {
	/** The share of all profiles ranked from `from` up to `to`, by the statistics of evidence_rank. */
	share: (from: number, to: number) => number;
	/** All profiles and the listed ones, as the statistics count them. */
	rows: number;
	listed: number;
}

/** How evidence_rank is spread over the profiles, and how many there are; null before ANALYZE. */
export async function rankStatistics(db: Executor): Promise<RankStatistics | null> {
	return (await plannerStatistics(db))?.ranks ?? null;
}

/**
 * Both, from one statement every few minutes; null until the table is analysed, and then not kept:
 * the next search asks again.
 */
function plannerStatistics(db: Executor): Promise<PlannerStatistics | null> {
	return planner.remember(
		db,
		'profile_search',
		async (): Promise<PlannerStatistics | null> => {
			const { rows } = await sql<{
				lexemes: string[] | null;
				lexeme_frequencies: number[] | null;
				histogram: number[] | null;
				common: number[] | null;
				frequencies: number[] | null;
				rows: number;
				listed: number;
			}>`
				select
					(select reltuples::float8 from pg_class where oid = 'profile_search'::regclass) as rows,
					(select reltuples::float8 from pg_class
						where oid = 'profile_search_listed_rank_idx'::regclass) as listed,
					d.most_common_elems::text::text[] as lexemes,
					d.most_common_elem_freqs as lexeme_frequencies,
					r.histogram_bounds::text::float8[] as histogram,
					r.most_common_vals::text::float8[] as common,
					r.most_common_freqs::float8[] as frequencies
				from pg_stats d, pg_stats r
				where d.schemaname = current_schema() and d.tablename = 'profile_search'
					and d.attname = 'document'
					and r.schemaname = d.schemaname and r.tablename = d.tablename
					and r.attname = 'evidence_rank'`.execute(db);
			const row = rows[0];
			if (!row?.lexemes?.length || !row.lexeme_frequencies || !(Number(row.rows) > 0)) return null;
			if (!(Number(row.listed) >= 0)) return null;
			const lexemeFrequencies = new Map(
				row.lexemes.map((l, i) => [l, Number(row.lexeme_frequencies![i])])
			);
			const histogram = (row.histogram ?? []).map(Number);
			const common = (row.common ?? []).map(Number);
			const frequencies = (row.frequencies ?? []).map(Number);
			const rest = 1 - frequencies.reduce((sum, f) => sum + f, 0);
			return {
				lexemes: {
					frequencies: lexemeFrequencies,
					rarest: Math.min(...lexemeFrequencies.values()),
					rows: Number(row.rows)
				},
				ranks: {
					share: (from, to) => {
						const within = (v: number) => v >= from && v < to;
						const buckets = histogram.length - 1;
						return (
							common.reduce((sum, v, i) => sum + (within(v) ? frequencies[i] : 0), 0) +
							(buckets > 0 ? (rest * histogram.filter(within).length) / buckets : 0)
						);
					},
					rows: Number(row.rows),
					listed: Number(row.listed)
				}
			};
		},
		(found) => found !== null
	);
}

// The words' stems and the skills spelled like them, per query text: a visitor's next page asks
// for the same words (on the 100,000-profile benchmark the close skills cost 0.8 ms to plan and
// 0.8 to run). A skill created or removed in this process forgets them at once; another app
// server's change shows here within the minute.
const terms = new Kept<Promise<unknown>>(60_000, 1_000);

/** Skills were created or removed: words read before may be spelled like one of them. */
export function forgetTerms(): void {
	terms.forgetAll();
}

/** `read()` once per database and query text while no skill changes, for a minute at most. */
export function cachedTerms<T>(db: Executor, key: string, read: () => Promise<T>): Promise<T> {
	return terms.remember(db, key, read);
}
