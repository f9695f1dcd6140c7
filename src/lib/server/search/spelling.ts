import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';
import { queryWords } from '#lib/server/search/params.js';

// Words as PostgreSQL full text and trigrams read them: tsqueries, typo corrections, "did you mean".

export function tsquery(words: string[], join: '&' | '|') {
	// Every word is plain letters and digits (queryWords), so the string cannot carry operators.
	const text = words.map((w, i) => (i === words.length - 1 ? `${w}:*` : w)).join(` ${join} `);
	return sql`to_tsquery('english', ${text})`;
}

// Only words of 3 to 20 letters are corrected: a longer one is no slip of a skill's or a name's
// spelling, and its corrections (two per letter) and trigrams would cost more than the search.
export const TYPO_LETTERS = { least: 3, most: 20 } as const;
// A 20-letter word has 39 corrections at most; the cap holds whatever the rule above becomes.
export const MAX_CORRECTIONS = 40;

/** The query's words, and the one word that typo tolerance corrects, if any, with its corrections. */
export function searchTerms(q: string): {
	words: string[];
	typo: string | null;
	corrections: string[];
} {
	const words = queryWords(q);
	const length = words.length === 1 ? [...words[0]].length : 0;
	const typo = length >= TYPO_LETTERS.least && length <= TYPO_LETTERS.most ? words[0] : null;
	return { words, typo, corrections: typo ? corrections(typo) : [] };
}

/** The word with one slip of the finger undone: each letter dropped, each neighbouring pair swapped. */
export function corrections(word: string): string[] {
	const letters = [...word];
	if (letters.length > TYPO_LETTERS.most) return [];
	const found = new Set<string>();
	for (let i = 0; i < letters.length; i++) {
		found.add(letters.toSpliced(i, 1).join(''));
		if (i + 1 < letters.length)
			found.add(letters.toSpliced(i, 2, letters[i + 1], letters[i]).join(''));
	}
	found.delete(word);
	return [...found].filter((w) => [...w].length >= 3).slice(0, MAX_CORRECTIONS);
}

/**
 * A skill (as `k`) spelled like `word`: the whole name close by trigrams, as before; one word of
 * it close (pg_trgm's word similarity), so that 'typscript' finds 'TypeScript APIs'; or one word
 * of it a slip away, so that 'namnig' finds 'Naming'.
 */
export function skillSpelledLike(word: string): RawBuilder<SqlBool> {
	const fixes = corrections(word);
	// The corrections are letters and digits only (queryWords), so they cannot break the pattern.
	const pattern = `(^|[^[:alnum:]])(${fixes.join('|')})([^[:alnum:]]|$)`;
	return sql<SqlBool>`(
		(lower(k.name) % ${word} and similarity(lower(k.name), ${word}) >= 0.45)
		or ${word} <% lower(k.name)
		${fixes.length ? sql`or lower(k.name) ~ ${pattern}` : sql``})`;
}

/** A query word as PostgreSQL's English dictionary reduced it; the last word is a prefix. */
export interface QueryStem {
	stem: string;
	prefix: boolean;
}

// A result's snippet: at most this many words of its headline and bio, starting a few words
// before the first that matched.
const SNIPPET_WORDS = 28;
const SNIPPET_LEAD = 6;
// A stem drops endings ('management' → 'manag'): a word this many letters longer matches.
const ENDING_LETTERS = 6;

/**
 * The snippet of a result with the words the search matched marked, as segments the page renders
 * as <mark> without any raw HTML. A word matches a stem it begins with (a stem's final "i" may
 * stand for "y": 'communiti'), by a few letters more, or by any number for the last word, which is
 * searched as a prefix. Computed here rather than by ts_headline, which parses and stems every
 * word of twenty results again (a third of a text search's time on the benchmark).
 */
export function highlight(text: string, stems: QueryStem[]): { text: string; mark: boolean }[] {
	const bases = stems.flatMap(({ stem, prefix }) => [
		{ base: stem, prefix },
		...(stem.length > 3 && stem.endsWith('i') ? [{ base: stem.slice(0, -1), prefix }] : [])
	]);
	const matches = (word: string) => {
		const folded = word.toLowerCase();
		return bases.some(
			({ base, prefix }) =>
				folded.startsWith(base) && (prefix || folded.length - base.length <= ENDING_LETTERS)
		);
	};
	// Words at the odd indexes, what separates them at the even ones.
	const parts = text.split(/([\p{L}\p{N}]+)/u);
	const words = parts.flatMap((part, i) => (i % 2 === 1 ? [i] : []));
	const first = words.findIndex((i) => matches(parts[i]));
	const start = Math.max(0, first - SNIPPET_LEAD);
	const end = Math.min(words.length, start + SNIPPET_WORDS);
	const from = start === 0 ? 0 : words[start];
	const to = end === words.length ? parts.length : words[end - 1] + 1;
	const segments: { text: string; mark: boolean }[] = [];
	const add = (text: string, mark: boolean) => {
		const previous = segments.at(-1);
		if (previous && !previous.mark && !mark) previous.text += text;
		else if (text) segments.push({ text, mark });
	};
	if (from > 0) add('… ', false);
	for (let i = from; i < to; i++) add(parts[i], i % 2 === 1 && matches(parts[i]));
	if (to < parts.length) add(' …', false);
	return segments;
}

/** Skills (as `k`) that at least one public, listed profile holds: no other may be suggested. */
export const LISTED_SKILL = sql<SqlBool>`exists (
	select 1 from profile_skills ps join profile_search s on s.user_id = ps.user_id
	where ps.skill_id = k.id and s.listed)`;

/**
 * For an empty result, "did you mean": for one word, the words of skill names spelled like it
 * ('typscript' suggests the 'TypeScript' of 'TypeScript APIs'); for several, whole skill names.
 * Only skills a listed profile holds, so that no private, unlisted or deleted profile's show.
 */
export async function suggestSpellings(db: Executor, q: string): Promise<string[]> {
	const { words, typo, corrections: fixes } = searchTerms(q);
	if (words.length === 0) return [];
	if (words.length === 1) {
		if (!typo) return [];
		// Of each close skill, the words that are close themselves, nearest first.
		const rows = await sql<{ part: string }>`
			select part from (
				select distinct on (lower(w.part)) w.part, similarity(lower(w.part), ${typo}) as nearness
				from skills k cross join lateral regexp_split_to_table(k.name, '[[:space:]/]+') as w(part)
				where ${skillSpelledLike(typo)} and ${LISTED_SKILL} and lower(w.part) <> ${typo}
					and (similarity(lower(w.part), ${typo}) >= 0.3 or lower(w.part) = any(${fixes}::text[]))
				order by lower(w.part), nearness desc
			) close
			order by nearness desc, part
			limit 5`.execute(db);
		return rows.rows.map((row) => row.part);
	}
	const term = words.join(' ');
	const rows = await sql<{ name: string }>`
		select k.name from skills k
		where similarity(lower(k.name), ${term}) > 0.25 and ${LISTED_SKILL}
		order by similarity(lower(k.name), ${term}) desc
		limit 5`.execute(db);
	return rows.rows.map((r) => r.name);
}
