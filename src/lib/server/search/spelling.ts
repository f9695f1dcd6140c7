import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';
import { queryWords } from '#lib/server/search/params.js';

// Words as PostgreSQL full text and trigrams read them: tsqueries, typo corrections, "did you mean".

export function tsquery(words: string[], join: '&' | '|') {
	// Every word is plain letters and digits (queryWords), so the string cannot carry operators.
	const text = words.map((w, i) => (i === words.length - 1 ? `${w}:*` : w)).join(` ${join} `);
	return sql`to_tsquery('english', ${text})`;
}

/** The word with one slip of the finger undone: each letter dropped, each neighbouring pair swapped. */
export function corrections(word: string): string[] {
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
export function skillSpelledLike(word: string): RawBuilder<SqlBool> {
	const fixes = corrections(word);
	// The corrections are letters and digits only (queryWords), so they cannot break the pattern.
	const pattern = `(^|[^[:alnum:]])(${fixes.join('|')})([^[:alnum:]]|$)`;
	return sql<SqlBool>`(
		(lower(k.name) % ${word} and similarity(lower(k.name), ${word}) >= 0.45)
		or ${word} <% lower(k.name)
		${fixes.length ? sql`or lower(k.name) ~ ${pattern}` : sql``})`;
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
