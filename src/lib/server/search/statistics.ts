import { sql } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';

// What the planner's statistics say about the search table, read in Node a few minutes at a time.
// They change only when the table is analysed, and reading them from pg_stats, a view over four
// catalogs, cost a search as much to plan as its own sample (0.5 of 0.9 ms planning, 0.5 ms of
// execution on the 100,000-profile benchmark). Estimates only: a stale one can make a search
// slower, never wrong.

const TTL_MS = 5 * 60_000;
const cache = new WeakMap<Executor, Map<string, { at: number; value: Promise<unknown> }>>();

/**
 * `read()` once per database and name every few minutes. A null answer (the table was never
 * analysed) and a failed read are not kept: the next search asks again.
 */
function cached<T>(db: Executor, name: string, read: () => Promise<T | null>): Promise<T | null> {
	let entries = cache.get(db);
	if (!entries) cache.set(db, (entries = new Map()));
	const now = Date.now();
	const hit = entries.get(name);
	if (hit && now - hit.at < TTL_MS) return hit.value as Promise<T | null>;
	const value = read();
	const entry = { at: now, value };
	entries.set(name, entry);
	const forget = () => {
		if (entries.get(name) === entry) entries.delete(name);
	};
	value.then((found) => {
		if (found === null) forget();
	}, forget);
	return value;
}

export interface CommonLexemes {
	frequencies: Map<string, number>;
	/** The frequency of the rarest of them: any other lexeme is rarer. */
	rarest: number;
	/** Search rows, listed or not: the estimates are upper bounds. */
	rows: number;
}

/** The most common lexemes of the search documents and their frequencies; null before ANALYZE. */
export function commonLexemes(db: Executor): Promise<CommonLexemes | null> {
	return cached(db, 'lexemes', async () => {
		const { rows } = await sql<{
			lexemes: string[] | null;
			frequencies: number[] | null;
			rows: number;
		}>`
			select st.most_common_elems::text::text[] as lexemes, st.most_common_elem_freqs as frequencies,
				(select reltuples::float8 from pg_class where oid = 'profile_search'::regclass) as rows
			from pg_stats st
			where st.schemaname = current_schema() and st.tablename = 'profile_search'
				and st.attname = 'document'`.execute(db);
		const row = rows[0];
		if (!row?.lexemes?.length || !row.frequencies || !(Number(row.rows) > 0)) return null;
		const frequencies = new Map(row.lexemes.map((l, i) => [l, Number(row.frequencies![i])]));
		return { frequencies, rarest: Math.min(...frequencies.values()), rows: Number(row.rows) };
	});
}

export interface RankStatistics {
	/** The share of all profiles ranked from `from` up to `to`, by the statistics of evidence_rank. */
	share: (from: number, to: number) => number;
	/** All profiles and the listed ones, as the statistics count them. */
	rows: number;
	listed: number;
}

/** How evidence_rank is spread over the profiles, and how many there are; null before ANALYZE. */
export function rankStatistics(db: Executor): Promise<RankStatistics | null> {
	return cached(db, 'ranks', async () => {
		const { rows } = await sql<{
			histogram: number[] | null;
			common: number[] | null;
			frequencies: number[] | null;
			rows: number;
			listed: number;
		}>`
			select st.histogram_bounds::text::float8[] as histogram,
				st.most_common_vals::text::float8[] as common, st.most_common_freqs::float8[] as frequencies,
				(select reltuples::float8 from pg_class where oid = 'profile_search'::regclass) as rows,
				(select reltuples::float8 from pg_class
					where oid = 'profile_search_listed_rank_idx'::regclass) as listed
			from pg_stats st
			where st.schemaname = current_schema() and st.tablename = 'profile_search'
				and st.attname = 'evidence_rank'`.execute(db);
		const row = rows[0];
		if (!row || !(Number(row.rows) >= 0) || !(Number(row.listed) >= 0)) return null;
		const histogram = (row.histogram ?? []).map(Number);
		const common = (row.common ?? []).map(Number);
		const frequencies = (row.frequencies ?? []).map(Number);
		const rest = 1 - frequencies.reduce((sum, f) => sum + f, 0);
		return {
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
		};
	});
}

// The words' stems and the skills spelled like them, per query text: a visitor's next page asks
// for the same words (on the 100,000-profile benchmark the close skills cost 0.8 ms to plan and
// 0.8 to run). A skill created or removed in this process forgets them at once; another app
// server's change shows here within TERMS_TTL_MS.
const TERMS_TTL_MS = 60_000;
const MAX_TERMS = 1_000;
let termsGeneration = 0;
const terms = new WeakMap<
	Executor,
	Map<string, { at: number; generation: number; value: Promise<unknown> }>
>();

/** Skills were created or removed: words read before may be spelled like one of them. */
export function forgetTerms(): void {
	termsGeneration++;
}

/** `read()` once per database and query text while no skill changes, for TERMS_TTL_MS at most. */
export function cachedTerms<T>(db: Executor, key: string, read: () => Promise<T>): Promise<T> {
	let entries = terms.get(db);
	if (!entries) terms.set(db, (entries = new Map()));
	const now = Date.now();
	const hit = entries.get(key);
	if (hit && hit.generation === termsGeneration && now - hit.at < TERMS_TTL_MS)
		return hit.value as Promise<T>;
	entries.delete(key);
	// The oldest entry goes first; Maps keep the order entries were set in.
	if (entries.size >= MAX_TERMS) entries.delete(entries.keys().next().value!);
	const value = read();
	const entry = { at: now, generation: termsGeneration, value };
	entries.set(key, entry);
	value.catch(() => {
		if (entries.get(key) === entry) entries.delete(key);
	});
	return value;
}
