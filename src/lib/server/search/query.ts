import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';
import type { Availability, TrustBand } from '#lib/server/db/schema.js';
import { avatarUrl } from '#lib/server/avatar-url.js';
import type { SearchQuery } from '#lib/server/search/params.js';
import {
	highlight,
	searchTerms,
	skillSpelledLike,
	tsquery,
	type QueryStem
} from '#lib/server/search/spelling.js';
import {
	bandTest,
	PAGE_SIZE,
	ROUNDING,
	sampleMatches,
	type Band,
	type Sample
} from '#lib/server/search/bands.js';
import {
	cachedTerms,
	commonLexemes,
	rankStatistics,
	type RankStatistics
} from '#lib/server/search/statistics.js';

// What a field matching the words adds to a profile's evidence_rank, each field counted once, so
// repeating a word in one's own text gains nothing; MAX_TEXT_SCORE is their sum. Words only break
// near-ties of evidence (issue 12): 0.21 in all is about two work items' worth, so a name match
// lifts a profile over one with slightly more evidence, never over a better-proven one. Small
// weights also keep few profiles within the words' reach of a page's last score (bands.ts).
const WEIGHTS = { name: 0.1, skills: 0.06, work: 0.035, bio: 0.015 };
const MAX_TEXT_SCORE = 0.21;

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
	trustBand: TrustBand;
	/** Independent endorsers (a closely connected group counts once) who carry trust themselves. */
	trustedGroups: number;
	score: number;
}

// Below this many matches, sorting them all costs less than bounding the page by a sample.
const RARE_MATCHES = 2_000;
// At most this many words of names, the closest, stand for a misspelled one: a short word is
// close to many ('ann': Anna, Annika, Joanne…), and each costs the name index a read.
const CLOSE_NAMES = 12;
// At most this many entries of the rank index are read to find the best-ranked holders of close
// names; the walk is tried where they should turn up within half of that.
const NAME_WALK = 40_000;

/**
 * Public, listed profiles matching the query, best first. Relevance counts each field once (name
 * and headline > skills > work > bio). Trust-weighted evidence orders them (docs/trust.md): every
 * profile vouched for through trusted members ranks above every profile that is not, and any
 * evidence (trust, work, verified accounts) ranks a profile above every profile without any.
 */
export async function searchProfiles(
	db: Executor,
	query: SearchQuery,
	/**
	 * Below how many likely matches words count as rare, and whether every bound is walked rather
	 * than sampled. Specs set them, so that a small database takes the paths a million profiles
	 * take; the pages must not change.
	 */
	{ rareMatches = RARE_MATCHES, walk = false }: { rareMatches?: number; walk?: boolean } = {}
): Promise<{ results: SearchResult[]; next: string | null }> {
	// Typo tolerance only for one word of 3 to 20 letters, with a bounded number of corrections.
	const { words, typo, corrections } = searchTerms(query.q);
	const all = tsquery(words, '&');
	// The ranks' statistics bound the sample that words need; they are cached (statistics.ts).
	const [terms, ranks] = words.length
		? await Promise.all([termStatistics(db, words, typo, all, corrections), rankStatistics(db)])
		: [null, null];
	const found = await findProfiles(
		db,
		query,
		ranks,
		words.length
			? {
					all,
					any: tsquery(words, '|'),
					closeSkills: terms?.closeSkills ?? [],
					closeNames: terms?.closeNames ?? [],
					closeNameHolders: terms?.closeNameHolders ?? 0,
					rare: terms !== null && terms.matches !== null && terms.matches < rareMatches,
					// Rarer than the rarest common lexeme, which at a million profiles may still be
					// thousands: a sample would mostly find less than a page-full.
					walk: walk || (terms?.uncommon ?? false),
					// All the words match fewer than the rarest of them does: how many fewer, none can say.
					share: words.length === 1 ? (terms?.share ?? null) : null,
					stems: terms?.stems ?? []
				}
			: null
	);
	// A longer word that finds nobody, not even by its typo matches below, is searched again as
	// each of its corrections: names trigrams miss are found that way ('khuamlo': Khumalo). Its
	// later pages find nobody either, so they are corrected the same way.
	if (found.results.length || !typo || [...typo].length < 5 || !corrections.length) return found;
	// Letters and digits only (queryWords), so the string cannot carry operators.
	const corrected = sql`to_tsquery('english', ${corrections.join(' | ')})`;
	return findProfiles(db, query, ranks, {
		all: corrected,
		any: corrected,
		closeSkills: [],
		closeNames: [],
		closeNameHolders: 0,
		share: null,
		stems: (terms?.correctionStems ?? []).map((stem) => ({ stem, prefix: false })),
		rare:
			terms !== null && terms.correctionMatches !== null && terms.correctionMatches < rareMatches,
		// Corrections that are not rare are mostly a common name or word among others that occur
		// nowhere: a sample scoring each of them on every field cost more than the page (14 ms at a
		// million profiles), and mostly held less than a page-full.
		walk: true
	});
}

/**
 * How many listed profiles' documents likely match all the words (the last as a prefix) and any
 * of the corrections, by the planner's statistics (null without them), so that rare words skip
 * the sample. For one word to correct, also the skills and the words of names spelled like it,
 * except those that hold the word itself: their holders match it anyway, and a common word would
 * cost a second index read.
 */
async function termStatistics(
	db: Executor,
	words: string[],
	typo: string | null,
	all: RawBuilder<unknown>,
	corrections: string[]
): Promise<{
	closeSkills: string[];
	closeNames: string[];
	/** How many listed names hold each close name, summed: about how many profiles they match. */
	closeNameHolders: number;
	matches: number | null;
	share: number | null;
	correctionMatches: number | null;
	/** A word is among no common lexemes: how rare, the statistics cannot say. */
	uncommon: boolean;
	stems: QueryStem[];
	correctionStems: string[];
}> {
	const [row, common] = await Promise.all([
		// Every word is in the key: the typo word and its corrections follow from them.
		cachedTerms(db, words.join(' '), async () => {
			const { rows } = await sql<{
				close_skills: string[] | null;
				close_names: string[] | null;
				close_name_holders: number;
				stems: string[][];
				correction_stems: string[];
			}>`
				select
					${
						typo
							? sql`(select array_agg(lower(k.name)) from skills k
								where ${skillSpelledLike(typo)} and not (to_tsvector('english', k.name) @@ ${all}))`
							: sql`null::text[]`
					} as close_skills,
					names.words as close_names, names.holders as close_name_holders,
					(select json_agg(tsvector_to_array(to_tsvector('english', w.word)) order by w.n)
						from unnest(${words}::text[]) with ordinality as w(word, n)) as stems,
					array(select unnest(tsvector_to_array(to_tsvector('english', fix)))
						from unnest(${corrections}::text[]) fix) as correction_stems
				from ${
					typo
						? // Trigrams miss a slip near the start of a short word ('mruphy': Murphy); its
							// corrections that are words of names find those.
							sql`(select coalesce(array_agg(c.word), '{}') as words,
								coalesce(sum(c.holders), 0)::int as holders
							from ((select w.word, w.holders from name_words w where ${typo} <% w.word
									and not (to_tsvector('english', w.word) @@ ${all})
									order by word_similarity(${typo}, w.word) desc, w.holders desc, w.word
									limit ${CLOSE_NAMES})
								union
								select w.word, w.holders from name_words w
								where w.word = any(${corrections}::text[])
									and not (to_tsvector('english', w.word) @@ ${all})) c)`
						: sql`(select null::text[] as words, 0 as holders)`
				} names`.execute(db);
			return rows[0];
		}),
		commonLexemes(db)
	]);
	let share: number | null = null;
	let correctionMatches: number | null = null;
	let uncommon = false;
	if (common && row) {
		// Each word's share: the last is searched as a prefix, so every common lexeme it begins
		// counts; a word among no common lexemes is rarer than the rarest. Stop words have no
		// lexeme and match nothing. All the words match at most as many as the rarest of them.
		for (const [i, stems] of (row.stems ?? []).entries()) {
			if (!stems.length) continue;
			let frequency = 0;
			for (const [lexeme, f] of common.frequencies)
				if (
					stems.some((stem) => (i === words.length - 1 ? lexeme.startsWith(stem) : lexeme === stem))
				)
					frequency += f;
			share = Math.min(share ?? 1, frequency || common.rarest);
			if (!frequency) uncommon = true;
		}
		correctionMatches =
			(row.correction_stems ?? []).reduce(
				(sum, stem) => sum + (common.frequencies.get(stem) ?? 0),
				0
			) * common.rows;
	}
	return {
		stems: (row?.stems ?? []).flatMap((stems, i) =>
			stems.map((stem) => ({ stem, prefix: i === words.length - 1 }))
		),
		correctionStems: row?.correction_stems ?? [],
		closeSkills: row?.close_skills ?? [],
		closeNames: row?.close_names ?? [],
		closeNameHolders: row?.close_name_holders ?? 0,
		matches: share === null ? null : share * (common?.rows ?? 0),
		share,
		correctionMatches,
		uncommon
	};
}

async function findProfiles(
	db: Executor,
	query: SearchQuery,
	ranks: RankStatistics | null,
	words: {
		all: RawBuilder<unknown>;
		any: RawBuilder<unknown>;
		/** Lowercased names of skills spelled like the typo word. */
		closeSkills: string[];
		/** Words of listed profiles' names spelled like the typo word (name_words). */
		closeNames: string[];
		closeNameHolders: number;
		/** Words that likely occur in few profiles: their matches are sorted without a sample. */
		rare: boolean;
		/** Bound the page by the best-ranked page-full of matches alone, without a sample. */
		walk?: boolean;
		/** The words as the dictionary reduced them, to mark in the snippets. */
		stems: QueryStem[];
		/** The share of profiles whose documents likely match, when the statistics say. */
		share: number | null;
	} | null
): Promise<{ results: SearchResult[]; next: string | null }> {
	const all = words?.all ?? null;
	const any = words?.any ?? null;

	// Typo tolerance for one word of three letters or more: people named like it, and holders of
	// skills spelled like it, match too.
	const closeSkills = words?.closeSkills ?? [];

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
	// The cursor apart: a sample serves every page of a search (bands.ts).
	const cursor: Expression<SqlBool>[] = [];
	if (query.after) {
		cursor.push(sql<SqlBool>`(${score}, s.user_id) < (${query.after.score}, ${query.after.id})`);
		// Words never take anything away, so past the cursor's score no rank is higher either.
		if (text) cursor.push(sql<SqlBool>`s.evidence_rank <= ${query.after.score}`);
	}

	// The words match the document or, for one word, a close skill or a close name. These typo
	// matches add nothing to the score: no field holds the word as typed.
	const inDocument = all ? sql<SqlBool>`s.document @@ ${all}` : null;
	const closeSkill = closeSkills.length
		? sql<SqlBool>`s.skill_keys && ${closeSkills}::text[]`
		: null;
	// A close name holds one of the words of names spelled like the typo word, as a whole word.
	// Those words are letters and digits only (name_words_of), so they cannot break the pattern.
	const closeNames = words?.closeNames ?? [];
	const closeNamePattern = `\\m(${closeNames.join('|')})\\M`;
	const closeName = closeNames.length ? sql<SqlBool>`s.name_text ~* ${closeNamePattern}` : null;
	const matching = (
		alternatives: (RawBuilder<SqlBool> | null)[],
		listed = sql<SqlBool>`s.listed`
	) => {
		const present = alternatives.filter((a) => a !== null);
		return [
			listed,
			...(present.length ? [sql<SqlBool>`(${sql.join(present, sql` or `)})`] : []),
			...filters,
			...cursor
		];
	};
	// Without bounds, the words are rare and their indexes find the few matches. `is true` keeps
	// the planner from testing `listed` by also reading every entry of the listed-rank index, which
	// it does when it overestimates the matches (of corrections, whose words mostly occur nowhere).
	const unbounded = text
		? matching([inDocument, closeSkill, closeName], sql<SqlBool>`(s.listed) is true`)
		: matching([]);

	let bounded: Expression<SqlBool>[] | null = null;
	let sample: Sample | null = null;
	// Scoring the sample costs as much as sorting a couple of thousand matches, and each of many
	// corrections more (16 ms on the benchmark): the matches of rare words are sorted instead.
	if (inDocument && any && !words?.rare) {
		const sampling = {
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
			after: query.after,
			statistics: ranks
		};
		// A common word fills the first page from fewer profiles: three times what its share says.
		// Should they hold fewer matches after all, the sample is drawn again at full size. Deeper,
		// among profiles with less to match, the full sample is drawn at once.
		const share = !closeSkill && !filters.length && !query.after ? words?.share : null;
		const most = share ? (3 * (PAGE_SIZE + 1)) / share : undefined;
		let found = words?.walk ? null : await sampleMatches(db, { ...sampling, most });
		if (!found && most !== undefined && !words?.walk) found = await sampleMatches(db, sampling);
		sample = found;
		if (found) {
			// Words add at most MAX_TEXT_SCORE to a profile's evidence_rank and never take anything
			// away, so a profile ranked that much below the sample's lowest score cannot make the
			// page. Further down, less can lift it far enough: more than 0.05 below, its skills or
			// its name must match (work and bio add 0.05 at most); more than 0.11 below, its name must
			// (the rest add 0.11). A typo match must be ranked above the lowest score itself.
			const { matched } = found;
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
			// Close skills' holders are read apart, in rank order (below).
			// Trigram similarity costs far more per row than its index: that one is always read.
			if (closeName)
				bands.push({ from: 0, to: null, test: closeName, entries: 0, rankAlone: true });
			bounded = matching(bands.map((band) => bandTest(band, found)));
		} else if (ranks) {
			// Fewer than a page-full among the best-ranked, yet too many to sort them all (a surname
			// at a million profiles: 13,000). The page-full of matches ranked best, found by walking
			// the rank index or from the words' index as the planner sees fit, bounds the page as a
			// sample does: each scores at least its rank, so no profile ranked more than the words
			// can add below the lowest of them can make the page.
			// A misspelled surname: its close names' holders (thousands at a million profiles) are
			// a page-full of matches too, found in the rank index alone, which carries the names.
			// Reading every match's row to walk or sort them cost twice that (45 ms, rows read from
			// the operating system's cache). The walk stops after NAME_WALK entries either way.
			const holders = words?.closeNameHolders ?? 0;
			const named =
				closeName &&
				!filters.length &&
				!query.after &&
				holders > 0 &&
				(ranks.listed * (PAGE_SIZE + 1)) / holders <= NAME_WALK / 2
					? await sql<{ rank: number }>`
						select w.evidence_rank as rank from (
							select s.evidence_rank, s.name_text from profile_search s where s.listed
							order by s.evidence_rank desc, s.user_id desc
							limit ${NAME_WALK}) w
						where w.name_text ~* ${closeNamePattern}
						offset ${PAGE_SIZE} limit 1`.execute(db)
					: null;
			const walked = named?.rows.length
				? named
				: await sql<{ rank: number }>`
						select s.evidence_rank as rank from profile_search s
						where ${sql.join(matching([inDocument, closeSkill, closeName]), sql` and `)}
						order by s.evidence_rank desc, s.user_id desc
						offset ${PAGE_SIZE} limit 1`.execute(db);
			const lowest = walked.rows[0];
			if (lowest)
				bounded = [
					// `listed` as it is: the rank index may bound the words' index here.
					...matching([inDocument, closeName]),
					sql<SqlBool>`s.evidence_rank >= ${Number(lowest.rank) - MAX_TEXT_SCORE - ROUNDING}`
				];
		}
	}

	// A rare word's close skills may have thousands of holders, too many to sort. A holder that
	// the word does not match scores its evidence_rank alone, so the best of them come in the rank
	// index's order, as for a skill filter, and the page is the best of those and the word's few
	// other matches, sorted (a profile in both scores the same in both).
	// So are they when the page is bounded: in one statement with the words, the planner read
	// every holder of a common close skill from its index to intersect them with the bound
	// ('soocial': 145,000 holders of social media skills, 90 ms at a million profiles).
	const toRead: Page =
		closeSkill && (bounded || words?.rare)
			? {
					byRank: matching([closeSkill]),
					byScore: bounded ?? matching([inDocument, closeName], sql<SqlBool>`(s.listed) is true`)
				}
			: { byScore: bounded ?? unbounded };
	const nameMatch = closeName ? closeNamePattern : null;
	let rows = await readPage(db, toRead, score, any, nameMatch);
	// The sample's page-full is always within the bands, unless a write came between the two
	// statements: then the page comes up short, and is read again without them.
	if (bounded && rows.length <= PAGE_SIZE) {
		sample?.forget();
		rows = await readPage(db, { byScore: unbounded }, score, any, nameMatch);
	}

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
			snippet: highlight(`${r.headline ?? ''} — ${r.bio_excerpt}`, words?.stems ?? []),
			matched: ['name or headline', 'skills', 'work', 'bio'].filter((_, i) => r.matched?.[i]),
			acceptedEndorsements: Number(r.accepted_endorsements),
			workCount: Number(r.work_count),
			verifiedAccounts: Number(r.verified_accounts),
			trustBand: r.trust_band,
			trustedGroups: Number(r.trusted_groups),
			score: Number(r.score)
		})),
		next: rows.length > PAGE_SIZE && last ? `${last.score}_${last.user_id}` : null
	};
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
	trust_band: TrustBand;
	trusted_groups: number;
	bio_excerpt: string;
	score: number;
	matched?: boolean[];
}

// The page comes from the search table alone, which holds everything a result shows; with words,
// only the rows of the page are then highlighted and told which fields matched.
interface Page {
	/** Profiles that may make the page, best first. */
	byScore: Expression<SqlBool>[];
	/** More, whose score is their evidence_rank, read in its order; the page is the best of both. */
	byRank?: Expression<SqlBool>[];
}

async function readPage(
	db: Executor,
	{ byScore, byRank }: Page,
	score: RawBuilder<number>,
	any: RawBuilder<unknown> | null,
	/** The words of names spelled like the typo word, as a pattern: a name holding one matched. */
	closeNames: string | null = null
): Promise<PageRow[]> {
	const read = (conditions: Expression<SqlBool>[], order: RawBuilder<unknown>) => sql<PageRow>`
		select s.user_id, s.handle, s.name_text, s.headline, s.location, s.availability,
			s.avatar_etag, s.skills_text, s.accepted_endorsements, s.work_count, s.verified_accounts,
			s.trust_band, s.trusted_groups, s.bio_excerpt, ${score} as score
		from profile_search s
		where ${sql.join(conditions, sql` and `)}
		order by ${order}, s.user_id desc
		limit ${PAGE_SIZE + 1}`;
	if (!any) {
		// Without words the score is the rank. The page's 21 are found first from the columns the
		// rank index carries (migration 2026_12_04_100000), which filters without words test, so
		// that only their rows are read: not those of every profile the filters match.
		const best = await sql<PageRow>`
			select m.user_id, m.handle, m.name_text, m.headline, m.location, m.availability,
				m.avatar_etag, m.skills_text, m.accepted_endorsements, m.work_count, m.verified_accounts,
				m.trust_band, m.trusted_groups, m.bio_excerpt, best.score
			from (
				select s.user_id, ${score} as score from profile_search s
				where ${sql.join(byScore, sql` and `)}
				order by score desc, s.user_id desc
				limit ${PAGE_SIZE + 1}) best
			join profile_search m on m.user_id = best.user_id
			order by best.score desc, best.user_id desc`.execute(db);
		return best.rows;
	}
	const scored = read(byScore, sql`score desc`);
	const hits = byRank
		? sql<PageRow>`
			select * from ((${scored}) union (${read(byRank, sql`s.evidence_rank desc`)})) best
			order by score desc, user_id desc
			limit ${PAGE_SIZE + 1}`
		: scored;
	const highlighted = await sql<PageRow>`
		select hit.*,
			array[m.name_vec @@ ${any} ${closeNames ? sql`or m.name_text ~* ${closeNames}` : sql``},
				m.skills_vec @@ ${any}, m.work_vec @@ ${any}, m.bio_vec @@ ${any}] as matched
		from (${hits}) hit
		join profile_search m on m.user_id = hit.user_id
		order by hit.score desc, hit.user_id desc`.execute(db);
	return highlighted.rows;
}
