import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { markTrusted } from '#lib/server/trust/members.js';
import { runTrust } from '#lib/server/trust/job.js';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import type { Db } from '#lib/server/db/connect.js';
import type { VerificationStatus } from '#lib/server/db/schema.js';
import * as accounts from '#lib/server/accounts/index.js';
import { submitEndorsement } from '#lib/server/endorsements/submit.js';
import { decideEndorsement } from '#lib/server/endorsements/moderation.js';
import { listInbox } from '#lib/server/endorsements/views.js';
import * as profiles from '#lib/server/profiles.js';
import * as networkAccounts from '#lib/server/network-accounts.js';
import { MAX_WORD_LENGTH, parseSearchParams, queryWords } from '#lib/server/search/params.js';
import { refreshSearchDocuments } from '#lib/server/search/projection.js';
import { searchProfiles } from '#lib/server/search/query.js';
import {
	highlight,
	MAX_CORRECTIONS,
	searchTerms,
	suggestSpellings
} from '#lib/server/search/spelling.js';
import { allowSearch } from '#lib/server/search/throttle.js';
import * as skills from '#lib/server/skills.js';
import { createTestWork } from '#lib/server/test-fixtures.js';

let ip = 0;
async function person(
	db: Db,
	handle: string,
	fields: Partial<profiles.ProfileInput> & { skills?: string[]; work?: string[] } = {}
) {
	const created = await accounts.signUp(db, {
		email: `${handle}@example.com`,
		handle,
		password: 'a long passphrase',
		ip: `10.7.0.${++ip}`,
		origin: 'http://x.test'
	});
	if (!created.ok) throw new Error(JSON.stringify(created.errors));
	const user = created.value.user;
	await profiles.updateProfile(db, user.id, {
		displayName: handle[0].toUpperCase() + handle.slice(1),
		headline: 'Marketer',
		bio: '',
		location: null,
		availability: 'open_to_work',
		visibility: 'public',
		...fields
	} as profiles.ProfileInput);
	if (fields.skills) await skills.setSkills(db, user.id, fields.skills);
	for (const title of fields.work ?? []) await createTestWork(db, user.id, title);
	return user;
}

const search = (db: Db, params: Record<string, string | string[]>) => {
	const url = new URLSearchParams();
	for (const [key, value] of Object.entries(params))
		for (const v of [value].flat()) url.append(key, v);
	return searchProfiles(db, parseSearchParams(url).query);
};
const handles = (r: { results: { handle: string }[] }) => r.results.map((x) => x.handle);

describe('snippets', () => {
	const marked = (parts: { text: string; mark: boolean }[]) =>
		parts.filter((part) => part.mark).map((part) => part.text);

	it('mark the words whose stems the query holds, the last word as a prefix', () => {
		const text = 'Community lead for brands — I grew three communities and managed their managers.';
		expect(marked(highlight(text, [{ stem: 'communiti', prefix: false }]))).toEqual([
			'Community',
			'communities'
		]);
		expect(marked(highlight(text, [{ stem: 'manag', prefix: false }]))).toEqual([
			'managed',
			'managers'
		]);
		expect(marked(highlight(text, [{ stem: 'br', prefix: true }]))).toEqual(['brands']);
		// Every letter of the text is kept, in order.
		const parts = highlight(text, [{ stem: 'lead', prefix: false }]);
		expect(parts.map((part) => part.text).join('')).toBe(text);
		expect(marked(parts)).toEqual(['lead']);
	});

	it('start a little before the first match of a long text, and say where they cut', () => {
		const words = Array.from({ length: 100 }, (_, i) => `word${i}`);
		words[40] = 'Shopify';
		const parts = highlight(words.join(' '), [{ stem: 'shopifi', prefix: true }]);
		const shown = parts.map((part) => part.text).join('');
		expect(shown.startsWith('… word34 ')).toBe(true);
		expect(shown.split(/\s+/).filter((w) => /\w/.test(w))).toHaveLength(28);
		expect(marked(parts)).toEqual(['Shopify']);
		expect(shown.endsWith(' word61 …')).toBe(true);
		// Nothing matched: the text's start.
		expect(highlight(words.join(' '), [])[0].text.startsWith('word0 word1')).toBe(true);
	});
});

describe.each(testEngines())('search on $name', (engine) => {
	let t: TestDatabase;
	beforeAll(async () => {
		t = await engine.create();
		const honest = await person(t.db, 'honest', {
			headline: 'Rust community lead',
			skills: ['Rust'],
			location: 'Berlin'
		});
		await person(t.db, 'stuffer', {
			headline: 'Rust Rust Rust Rust Rust Rust',
			bio: 'Rust rust rust rust rust rust rust rust rust.',
			skills: ['Rust', 'Rust programming', 'Rustacean'],
			location: 'Berlin'
		});
		const fan = await person(t.db, 'fan', { skills: ['Copywriting'] });
		const critic = await person(t.db, 'critic', { skills: ['Copywriting'] });
		const rustSkill = (await skills.listProfileSkills(t.db, honest.id))[0];
		const verified = (u: { id: number }) => ({
			id: u.id,
			createdAt: new Date('2020-01-01'),
			emailVerified: true
		});
		const sent = await submitEndorsement(t.db, {
			endorser: verified(fan),
			subjectId: honest.id,
			input: {
				relationship: 'client',
				organisation: null,
				period: null,
				workItemId: null,
				body: 'Honest led our Rust community for two years with great care.'
			},
			skillIds: [rustSkill.id]
		});
		if (!sent.ok) throw new Error('endorsement refused');
		await decideEndorsement(t.db, honest.id, sent.id, 'accept');
		// Endorsements weigh what their authors' trust carries: the fan is vouched for by the operator.
		await markTrusted(t.db, 'fan', 'known client');
		await runTrust(t.db);
		// A pending endorsement of the stuffer must not count as evidence.
		const stufferId = (await accounts.findUserByHandle(t.db, 'stuffer'))!.id;
		const stufferSkill = (await skills.listProfileSkills(t.db, stufferId))[0];
		await submitEndorsement(t.db, {
			endorser: verified(critic),
			subjectId: stufferId,
			input: {
				relationship: 'collaborated',
				organisation: null,
				period: null,
				workItemId: null,
				body: 'Stuffer writes Rust in every single sentence they ever write.'
			},
			skillIds: [stufferSkill.id]
		});

		await person(t.db, 'shopkeeper', {
			headline: 'Shopify growth for DTC brands',
			skills: ['Shopify', 'Email marketing'],
			location: 'London',
			availability: 'open_to_freelance',
			work: ['Relaunch of Acme store']
		});
		await person(t.db, 'mailer', {
			headline: 'Email marketing',
			skills: ['Email marketing'],
			location: 'London',
			availability: 'not_looking'
		});
		await person(t.db, 'hermit', {
			headline: 'Shopify expert',
			skills: ['Shopify'],
			visibility: 'private'
		});
		await person(t.db, 'linkonly', {
			headline: 'Shopify expert',
			skills: ['Shopify'],
			visibility: 'unlisted'
		});
		await person(t.db, 'nameless', { displayName: null, headline: null, skills: ['Shopify'] });
	});
	afterAll(() => t.drop());

	it('ranks a profile with evidence above one stuffed with the keyword', async () => {
		const result = await search(t.db, { q: 'rust' });
		expect(handles(result)).toEqual(['honest', 'stuffer']);
		expect(result.results[0]).toMatchObject({ acceptedEndorsements: 1 });
		expect(result.results[1]).toMatchObject({ acceptedEndorsements: 0 });
		expect(result.results[0].matched).toContain('name or headline');
		// The snippet marks the word where the headline holds it.
		expect(result.results[0].snippet).toContainEqual({ text: 'Rust', mark: true });
		expect(result.results[0].snippet.map((part) => part.text).join('')).toBe(
			'Rust community lead — '
		);
	});

	it('never shows private, unlisted or unnamed profiles', async () => {
		expect(handles(await search(t.db, { q: 'shopify' }))).toEqual(['shopkeeper']);
		expect(handles(await search(t.db, { skill: 'Shopify' }))).toEqual(['shopkeeper']);
	});

	it('combines filters: every skill, location, availability, endorsements, work', async () => {
		expect(handles(await search(t.db, { skill: ['Shopify', 'Email marketing'] }))).toEqual([
			'shopkeeper'
		]);
		expect(
			handles(await search(t.db, { skill: 'Email marketing', location: 'london' })).sort()
		).toEqual(['mailer', 'shopkeeper']);
		expect(
			handles(await search(t.db, { skill: 'Email marketing', availability: 'not_looking' }))
		).toEqual(['mailer']);
		expect(handles(await search(t.db, { location: 'Berlin', min: '1' }))).toEqual(['honest']);
		expect(handles(await search(t.db, { location: 'London', work: '1' }))).toEqual(['shopkeeper']);
		expect(handles(await search(t.db, { skill: 'No such skill' }))).toEqual([]);
	});

	it('forgives a typo in one word and matches the last word as a prefix', async () => {
		expect(handles(await search(t.db, { q: 'shopfy' }))).toContain('shopkeeper');
		expect(handles(await search(t.db, { q: 'shopif' }))).toContain('shopkeeper');
		expect(await suggestSpellings(t.db, 'shopfy')).toContain('Shopify');
	});

	it('forgives a typo in one word of a longer skill, and a swapped pair of letters', async () => {
		await person(t.db, 'typist', { headline: 'Backend developer', skills: ['TypeScript APIs'] });
		await person(t.db, 'namer', { headline: 'Brand consultant', skills: ['Naming'] });
		await person(t.db, 'naledi', { displayName: 'Naledi Khumalo', headline: 'Community lead' });
		expect(handles(await search(t.db, { q: 'typscript' }))).toEqual(['typist']);
		expect(await suggestSpellings(t.db, 'typscript')).toEqual(['TypeScript']);
		expect(handles(await search(t.db, { q: 'namnig' }))).toEqual(['namer']);
		expect(await suggestSpellings(t.db, 'namnig')).toEqual(['Naming']);
		// Trigrams miss a swap in a short name; the corrections of a word that finds nobody do not.
		const swapped = await search(t.db, { q: 'khuamlo' });
		expect(handles(swapped)).toEqual(['naledi']);
		expect(swapped.results[0].matched).toContain('name or headline');
	});

	it('finds a skill spelled like a word at once, though the word was searched just before', async () => {
		// The skills spelled like a word are kept for a minute; a new skill must not wait for that.
		const wrangler = await person(t.db, 'wrangler', { headline: 'Operations', skills: ['Excel'] });
		expect(handles(await search(t.db, { q: 'spredsheets' }))).toEqual([]);
		expect((await skills.addSkill(t.db, wrangler.id, 'Spreadsheets')).ok).toBe(true);
		expect(handles(await search(t.db, { q: 'spredsheets' }))).toEqual(['wrangler']);
	});

	it('finds a misspelled name at once, and lets it go with the name, the listing or the account', async () => {
		const words = async () =>
			(await t.db.selectFrom('name_words').select(['word', 'holders']).execute()).map(
				(r) => `${r.word}:${r.holders}`
			);
		// Searched before anyone has the name: the names spelled like it are kept for a minute.
		expect(handles(await search(t.db, { q: 'ndlovy' }))).toEqual([]);
		const fields = {
			displayName: 'Thandeka Mbeki-Ndlovu',
			headline: 'Audience research',
			bio: '',
			location: null,
			availability: 'open_to_work' as const,
			visibility: 'public' as const
		};
		const thandeka = await person(t.db, 'thandeka', fields);
		await person(t.db, 'sipho', { ...fields, displayName: 'Sipho Ndlovu' });
		expect(await words()).toEqual(expect.arrayContaining(['ndlovu:2', 'thandeka:1', 'mbeki:1']));
		const found = await search(t.db, { q: 'ndlovy' });
		expect(handles(found).sort()).toEqual(['sipho', 'thandeka']);
		expect(handles(await search(t.db, { q: 'thandkea' }))).toEqual(['thandeka']);

		// Renamed: the old name's words are hers no more, the new one's are.
		await profiles.updateProfile(t.db, thandeka.id, { ...fields, displayName: 'Thandeka Zwane' });
		expect(handles(await search(t.db, { q: 'ndlovy' }))).toEqual(['sipho']);
		expect(handles(await search(t.db, { q: 'zwano' }))).toEqual(['thandeka']);
		expect(await words()).toEqual(expect.arrayContaining(['ndlovu:1', 'zwane:1']));
		expect(await words()).not.toEqual(expect.arrayContaining([expect.stringMatching(/^mbeki:/)]));

		// Private: a hidden member's name is nowhere in the words, and no misspelling finds her.
		await profiles.updateProfile(t.db, thandeka.id, {
			...fields,
			displayName: 'Thandeka Zwane',
			visibility: 'private'
		});
		expect(handles(await search(t.db, { q: 'zwano' }))).toEqual([]);
		expect((await words()).filter((w) => /^(thandeka|zwane):/.test(w))).toEqual([]);
		await profiles.updateProfile(t.db, thandeka.id, { ...fields, displayName: 'Thandeka Zwane' });
		expect(await words()).toEqual(expect.arrayContaining(['thandeka:1', 'zwane:1']));

		// Deleted: the account's name leaves the words with it.
		const deleted = await accounts.deleteAccount(t.db, {
			userId: thandeka.id,
			currentPassword: 'a long passphrase'
		});
		expect(deleted.ok).toBe(true);
		expect((await words()).filter((w) => /^(thandeka|zwane):/.test(w))).toEqual([]);
		expect(handles(await search(t.db, { q: 'zwano' }))).toEqual([]);
		expect(handles(await search(t.db, { q: 'ndlovy' }))).toEqual(['sipho']);
	});

	it('stops counting an endorsement once it is hidden', async () => {
		const honest = (await accounts.findUserByHandle(t.db, 'honest'))!;
		const [e] = await listInbox(t.db, honest.id);
		await decideEndorsement(t.db, honest.id, e.id, 'hide');
		await runTrust(t.db);
		const hidden = await search(t.db, { q: 'rust' });
		expect(hidden.results.find((r) => r.handle === 'honest')?.acceptedEndorsements).toBe(0);
		expect(handles(hidden)[0]).toBe('stuffer');
		await decideEndorsement(t.db, honest.id, e.id, 'show');
		await runTrust(t.db);
		expect(handles(await search(t.db, { q: 'rust' }))[0]).toBe('honest');
	});

	it('answers hostile or odd input with results or nothing, never an error', async () => {
		for (const q of [
			"rust & | ! : * ( ) ' \\",
			"'; drop table users; --",
			'🦀 rust',
			'روست',
			'a'.repeat(500),
			'   ',
			'!!!'
		]) {
			const { results } = await search(t.db, { q });
			expect(Array.isArray(results), q).toBe(true);
		}
		expect(queryWords("rust & | ! : * ( ) '")).toEqual(['rust']);
		const parsed = parseSearchParams(
			new URLSearchParams({
				q: 'x'.repeat(300),
				availability: 'sometimes',
				min: 'lots',
				after: 'garbage'
			})
		);
		expect(parsed.query).toMatchObject({ availability: '', minEndorsements: 0, after: null });
		expect(parsed.query.q).toHaveLength(200);
		expect(parsed.notices).toHaveLength(4);
	});

	it('answers one very long word at once, without the typo path, and never an error', async () => {
		// Letters in no particular order, so that every dropped letter and swapped pair differs.
		const word = (n: number) =>
			Array.from({ length: n }, (_, i) => 'qwertyuiopasdfghjklzxcvbnm'[(i * i + 3 * i) % 26]).join(
				''
			);
		const timed = async (q: string) => {
			const started = performance.now();
			const found = await search(t.db, { q });
			return { ms: performance.now() - started, found };
		};
		await timed('shopfy');
		const normal = await timed('shopfy');
		for (const n of [150, 200]) {
			const long = await timed(word(n));
			expect(long.found.results, `${n} letters`).toEqual([]);
			expect(await suggestSpellings(t.db, word(n))).toEqual([]);
			// A typo search of one ordinary word is the yardstick; a long word does no more work.
			expect(long.ms, `${n} letters`).toBeLessThan(Math.max(10 * normal.ms, 200));
			// Long words are cut, and only words of 3 to 20 letters are corrected, a bounded number.
			const terms = searchTerms(word(n));
			expect(terms.words[0].length).toBeLessThanOrEqual(MAX_WORD_LENGTH);
			expect(terms.typo).toBeNull();
		}
		for (const n of [3, 12, 20, 21, 40]) {
			const terms = searchTerms(word(n));
			expect(terms.typo !== null, `${n} letters`).toBe(n <= 20);
			expect(terms.corrections.length).toBeLessThanOrEqual(MAX_CORRECTIONS);
		}
	});

	it('allows an address 60 searches at once, then one a second', async () => {
		const now = new Date('2027-01-01T10:00:00Z');
		for (let i = 0; i < 60; i++)
			expect(await allowSearch(t.db, '203.0.113.9', now)).toEqual({ ok: true });
		expect(await allowSearch(t.db, '203.0.113.9', now)).toEqual({
			ok: false,
			retryAfterSeconds: 1
		});
		expect(await allowSearch(t.db, '203.0.113.10', now)).toEqual({ ok: true });
		const later = new Date(now.getTime() + 1000);
		expect(await allowSearch(t.db, '203.0.113.9', later)).toEqual({ ok: true });
		expect((await allowSearch(t.db, '203.0.113.9', later)).ok).toBe(false);
	});

	it('suggests only skills that a public, listed profile holds', async () => {
		await person(t.db, 'secretive', { skills: ['Zyxwolotl farming'], visibility: 'private' });
		await person(t.db, 'bylink', { skills: ['Quetzalbranding'], visibility: 'unlisted' });
		await person(t.db, 'anonymous', { displayName: null, skills: ['Xanthoglyphs'] });
		const leaver = await person(t.db, 'leaver', { skills: ['Vorpalcraft'] });
		const gone = await accounts.deleteAccount(t.db, {
			userId: leaver.id,
			currentPassword: 'a long passphrase'
		});
		expect(gone.ok).toBe(true);
		const hidden = ['Zyxwolotl farming', 'Quetzalbranding', 'Xanthoglyphs', 'Vorpalcraft'];
		const popular = await skills.suggestSkills(t.db);
		expect(popular).toContain('Shopify');
		for (const name of hidden) expect(popular).not.toContain(name);
		// Popular skills count listed holders only: Shopify's private and unlisted holders do not.
		expect(popular.indexOf('Rust')).toBeLessThan(popular.indexOf('Shopify'));
		for (const typo of [
			'zyxwolotll',
			'quetzalbrandng',
			'xanthoglyps',
			'vorpalcrat',
			'zyxwolotl farmng'
		])
			expect(await suggestSpellings(t.db, typo), typo).toEqual([]);
		// The same words once a listed profile holds them.
		await person(t.db, 'gardener', { skills: ['Zyxwolotl farming'] });
		expect(await suggestSpellings(t.db, 'zyxwolotll')).toEqual(['Zyxwolotl']);
		expect(await skills.suggestSkills(t.db)).toContain('Zyxwolotl farming');
	});

	it('filters on verified network presence, and ranks it as evidence', async () => {
		const withAccount = async (handle: string, status: VerificationStatus | null) => {
			const user = await person(t.db, handle, { headline: 'Podcast producer' });
			if (status) {
				const added = await networkAccounts.addAccount(t.db, user.id, {
					network: 'github',
					address: `https://github.com/${handle}`,
					followers: ''
				});
				expect(added.ok).toBe(true);
				await t.db
					.updateTable('network_accounts')
					.set({ verification_status: status })
					.where('user_id', '=', user.id)
					.execute();
				await refreshSearchDocuments(t.db, [user.id]);
			}
			return user;
		};
		// Created first, so that without its verified account it would come last among equals.
		await withAccount('proven', 'verified');
		await withAccount('claimed', 'unverified');
		await withAccount('expired', 'lapsed');
		await withAccount('plain', null);

		const verified = await search(t.db, { q: 'podcast', verified: '1' });
		expect(handles(verified)).toEqual(['proven']);
		expect(verified.results[0].verifiedAccounts).toBe(1);
		expect(handles(await search(t.db, { verified: '1' }))).toEqual(['proven']);

		const all = await search(t.db, { q: 'podcast' });
		expect(handles(all)[0]).toBe('proven');
		expect(handles(all).slice(1).sort()).toEqual(['claimed', 'expired', 'plain']);
		expect(all.results.find((r) => r.handle === 'expired')?.verifiedAccounts).toBe(0);
	});

	it('pages a text search with a cursor, best first, without repeating or skipping anyone', async () => {
		// Enough matches for the search to bound its first page by rank, spread over every field
		// and over different amounts of evidence (published work).
		const fields = ['headline', 'skills', 'work', 'bio'] as const;
		const expected = ['shopkeeper']; // 'Shopify growth for DTC brands'
		for (let i = 0; i < 33; i++) {
			const field = fields[i % 4];
			const handle = `grower_${i}`;
			expected.push(handle);
			await person(t.db, handle, {
				headline: field === 'headline' ? 'Growth lead' : 'Consultant',
				bio: field === 'bio' ? 'I care about growth.' : '',
				skills: field === 'skills' ? ['Growth marketing'] : ['Excel'],
				work: [
					...(field === 'work' ? ['Growth audit'] : []),
					...Array.from({ length: i % 5 }, (_, n) => `Project ${n}`)
				]
			});
		}
		const seen: string[] = [];
		const scores: number[] = [];
		let after: string | null = null;
		do {
			const page: Awaited<ReturnType<typeof search>> = await search(t.db, {
				q: 'growth',
				...(after ? { after } : {})
			});
			seen.push(...handles(page));
			scores.push(...page.results.map((r) => r.score));
			after = page.next;
		} while (after);
		expect(seen.toSorted()).toEqual(expected.toSorted());
		expect(scores).toEqual(scores.toSorted((a, b) => b - a));
		// A headline match ranks above a bio match with as much published work (three items each).
		expect(seen.indexOf('grower_8')).toBeLessThan(seen.indexOf('grower_3'));
	});

	it('pages a misspelled word alike before and after the planner has statistics', async () => {
		// With statistics, a word they show to be rare skips the sample of the best-ranked profiles:
		// its few matches are sorted, and the holders of skills spelled like it are read in rank
		// order beside them. Either way the pages must be the same.
		for (let i = 0; i < 50; i++) {
			await person(t.db, `planner_${i}`, {
				headline: i % 9 === 0 ? 'Campaine planner' : 'Planner',
				bio: i % 7 === 0 ? 'People spell it campain.' : '',
				skills: i % 2 === 0 ? ['Campaign management'] : ['Excel'],
				work: Array.from({ length: i % 6 }, (_, n) => `Plan ${n}`)
			});
		}
		await person(t.db, 'zola', { displayName: 'Zola Khumalo', headline: 'Events lead' });
		let statements = 0;
		const counted = t.db.withPlugin({
			transformQuery: (args) => {
				statements++;
				return args.node;
			},
			transformResult: async (args) => args.result
		});
		const pages = async (q: string, tuning: { rareMatches?: number; walk?: boolean } = {}) => {
			const seen: { handle: string; score: number }[] = [];
			let after: string | null = null;
			statements = 0;
			do {
				const url = new URLSearchParams({ q, ...(after ? { after } : {}) });
				const page: Awaited<ReturnType<typeof search>> = await searchProfiles(
					counted,
					parseSearchParams(url).query,
					tuning
				);
				seen.push(...page.results.map((r) => ({ handle: r.handle, score: r.score })));
				after = page.next;
			} while (after);
			return { seen, statements };
		};
		const words = ['campain', 'khuamlo', 'planner', 'zola khumalo', 'campaine planner'];
		// One word at a time: the statements are counted per word.
		const before = [];
		for (const word of words) before.push(await pages(word));
		await sql`analyze profile_search`.execute(t.db);
		const after = [];
		for (const word of words) after.push(await pages(word));
		for (const [i, word] of words.entries()) {
			expect(after[i].seen, word).toEqual(before[i].seen);
			// Fewer statements: the path with statistics was taken.
			expect(after[i].statements, word).toBeLessThan(before[i].statements);
		}
		// Nothing rare, as at a million profiles: words among no common lexeme, and corrections,
		// are bounded by the best-ranked page-full of their matches instead, the others sampled.
		for (const word of words) {
			const unrare = await pages(word, { rareMatches: 0 });
			expect(unrare.seen, word).toEqual(after[words.indexOf(word)].seen);
			const walked = await pages(word, { rareMatches: 0, walk: true });
			expect(walked.seen, word).toEqual(after[words.indexOf(word)].seen);
		}
		const campain = after[0].seen;
		expect(campain.length).toBeGreaterThan(20);
		expect(new Set(campain.map((r) => r.handle)).size).toBe(campain.length);
		expect(campain.map((r) => r.score)).toEqual(
			campain.map((r) => r.score).toSorted((a, b) => b - a)
		);
		expect(after[1].seen.map((r) => r.handle)).toContain('zola');
	});

	it('pages a misspelled surname alike whether its holders are found in the rank index or sorted', async () => {
		// 'okafro': a swap near the end that trigrams miss, one of its corrections a word of names.
		for (let i = 0; i < 26; i++)
			await person(t.db, `okafor_${i}`, {
				displayName: `Ada Okafor ${'x'.repeat(i % 3)}`.trim(),
				headline: i % 5 === 0 ? 'Baker, Okafor family bakery' : 'Baker',
				work: Array.from({ length: i % 4 }, (_, n) => `Bake ${n}`)
			});
		for (let i = 0; i < 6; i++)
			await person(t.db, `smith_${i}`, { displayName: 'Ben Smith', work: ['Bake'] });
		await sql`analyze profile_search`.execute(t.db);
		const pages = async (tuning: { rareMatches?: number; walk?: boolean }) => {
			const seen: { handle: string; score: number; matched: string[] }[] = [];
			let after: string | null = null;
			do {
				const url = new URLSearchParams({ q: 'okafro', ...(after ? { after } : {}) });
				const page: Awaited<ReturnType<typeof search>> = await searchProfiles(
					t.db,
					parseSearchParams(url).query,
					tuning
				);
				seen.push(
					...page.results.map((r) => ({ handle: r.handle, score: r.score, matched: r.matched }))
				);
				after = page.next;
			} while (after);
			return seen;
		};
		// Few matches: sorted. None rare, as at a million profiles: the 21 best-ranked holders of
		// the close names bound the first page, found by walking the rank index.
		const sorted = await pages({});
		const walked = await pages({ rareMatches: 0, walk: true });
		expect(sorted.map((r) => r.handle).toSorted()).toEqual(
			Array.from({ length: 26 }, (_, i) => `okafor_${i}`).toSorted()
		);
		expect(walked).toEqual(sorted);
		// Each is shown as a match on the name, which is spelled like the word.
		for (const r of sorted) expect(r.matched, r.handle).toContain('name or headline');
	});

	it('reads a next page from the sample of the page before it, alike when profiles changed between', async () => {
		// A database of its own: without the planner's statistics every word is sampled (with
		// them, a word this rare would have its matches sorted instead).
		const own = await engine.create();
		try {
			await samplesAcrossPages(own.db);
		} finally {
			await own.drop();
		}
	});

	async function samplesAcrossPages(db: Db) {
		const people = [];
		for (let i = 0; i < 60; i++)
			people.push(
				await person(db, `harvester_${i}`, {
					headline: i % 3 === 0 ? 'Harvest planner' : 'Planner',
					bio: 'Harvest season campaigns.',
					work: Array.from({ length: i % 5 }, (_, n) => `Harvest ${n}`)
				})
			);
		// Each instance has caches of its own: `fresh` answers as if nobody had searched before.
		const sampled: string[] = [];
		const recording = (into: string[]) =>
			db.withPlugin({
				transformQuery: (args) => {
					const { sql: text } = db.getExecutor().compileQuery(args.node, args.queryId);
					if (text.includes('array_agg(evidence_rank)')) into.push(text);
					return args.node;
				},
				transformResult: async (args) => args.result
			});
		const visitor = recording(sampled);
		const first = await search(visitor, { q: 'harvest' });
		expect(first.results).toHaveLength(20);
		expect(sampled).toHaveLength(1);
		const second = await search(visitor, { q: 'harvest', after: first.next! });
		// The second page drew no sample of its own, and is the page a first look finds.
		expect(sampled).toHaveLength(1);
		const freshSampled: string[] = [];
		const fresh = await search(recording(freshSampled), { q: 'harvest', after: first.next! });
		expect(freshSampled).toHaveLength(1);
		expect(handles(second)).toEqual(handles(fresh));
		expect(second.results).toHaveLength(20);

		// Profiles of the next page lose their work or leave the listing after its sample was drawn.
		const third = handles(await search(recording([]), { q: 'harvest', after: second.next! }));
		for (const handle of third.slice(0, 6)) {
			const user = people.find((p) => p.handle === handle)!;
			if (third.indexOf(handle) % 2)
				await profiles.updateProfile(db, user.id, {
					displayName: handle,
					headline: 'Planner',
					bio: 'Harvest season campaigns.',
					location: null,
					availability: 'open_to_work',
					visibility: 'private'
				});
			else await sql`delete from work_items where user_id = ${user.id}`.execute(db);
		}
		await refreshSearchDocuments(
			db,
			people.map((p) => p.id)
		);
		const changed = await search(visitor, { q: 'harvest', after: second.next! });
		const expected = await search(recording([]), { q: 'harvest', after: second.next! });
		expect(handles(changed)).toEqual(handles(expected));
		expect(handles(changed)).not.toEqual(third);
	}

	it('pages with a cursor, without repeating or skipping anyone', async () => {
		for (let i = 0; i < 22; i++)
			await person(t.db, `seo_${i}`, { headline: 'SEO specialist', skills: ['SEO'] });
		const first = await search(t.db, { skill: 'SEO' });
		expect(first.results).toHaveLength(20);
		expect(first.next).not.toBeNull();
		const second = await search(t.db, { skill: 'SEO', after: first.next! });
		expect(second.results).toHaveLength(2);
		expect(second.next).toBeNull();
		const seen = [...handles(first), ...handles(second)];
		expect(new Set(seen).size).toBe(22);
	});
});
