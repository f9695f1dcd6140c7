import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import type { Db } from '#lib/server/db/connect.js';
import { createFetcher, type Fetcher } from '#lib/server/platform/fetcher.js';
import * as accounts from '#lib/server/accounts/index.js';
import * as networkAccounts from '#lib/server/network-accounts.js';
import * as profiles from '#lib/server/profiles.js';
import * as verification from '#lib/server/verification.js';
import { rewriteFor, startFakeNetworks, type FakeNetworks } from '../../../tests/fakes/networks.ts';

const ORIGIN = 'https://proofwork.example';
const DAY = 24 * 60 * 60 * 1000;
const T0 = new Date('2026-12-01T10:00:00Z');
const at = (days: number, seconds = 0) => new Date(T0.getTime() + days * DAY + seconds * 1000);

let fakes: FakeNetworks;
let fetcher: Fetcher;
beforeAll(async () => {
	fakes = await startFakeNetworks();
	fetcher = createFetcher({
		allowAddresses: ['127.0.0.1'],
		rewrite: rewriteFor(fakes),
		hostIntervalMs: 0
	});
});
afterAll(() => fakes.close());
beforeEach(() => fakes.reset());

let ipCounter = 0;
async function signUp(db: Db, handle: string) {
	const result = await accounts.signUp(db, {
		email: `${handle}@example.com`,
		handle,
		password: 'a long passphrase',
		ip: `10.7.0.${++ipCounter}`,
		origin: ORIGIN
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	return result.value.user;
}

async function addAccount(db: Db, userId: number, network: string, address: string) {
	const result = await networkAccounts.addAccount(db, userId, { network, address, followers: '' });
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	const list = await networkAccounts.listAccounts(db, userId);
	return list.at(-1)!;
}

async function accountRow(db: Db, id: number) {
	return db
		.selectFrom('network_accounts')
		.selectAll()
		.where('id', '=', id)
		.executeTakeFirstOrThrow();
}

async function historyCount(db: Db, id: number) {
	const rows = await db
		.selectFrom('network_account_checks')
		.select('id')
		.where('account_id', '=', id)
		.execute();
	return rows.length;
}

describe.each(testEngines())('verifying network accounts on $name', (engine) => {
	let t: TestDatabase;
	beforeAll(async () => {
		t = await engine.create();
	});
	afterAll(() => t.drop());

	const check = (id: number, now: Date, finalAttempt = false) =>
		verification.checkAccount(t.db, fetcher, id, { origin: ORIGIN, now, finalAttempt });

	it('verifies a back-link with reach, lapses when it goes and verifies again when it returns', async () => {
		const alice = await signUp(t.db, 'alice');
		const account = await addAccount(t.db, alice.id, 'mastodon', '@alice@mastodon.example');
		fakes.setMastodon('alice', {
			fields: [{ name: 'Proofwork', value: `${ORIGIN}/@alice` }],
			followers: 1234
		});

		expect(await check(account.id, T0)).toBe('verified');
		expect(await accountRow(t.db, account.id)).toMatchObject({
			verification_status: 'verified',
			verified_at: T0,
			lapsed_at: null,
			last_checked_at: T0,
			last_check_outcome: 'verified',
			last_check_detail: `Found a link to ${ORIGIN}/@alice in the profile field "Proofwork".`,
			next_check_at: at(verification.RECHECK_INTERVAL_DAYS),
			reach_followers: 1234,
			reach_checked_at: T0,
			reach_source: 'the Mastodon API at mastodon.example'
		});
		// The profile's version moves, so cached pages and the search document show the badge.
		const profile = await t.db
			.selectFrom('profiles')
			.select('updated_at')
			.where('user_id', '=', alice.id)
			.executeTakeFirstOrThrow();
		expect(profile.updated_at).toEqual(T0);

		expect(await verification.dueChecks(t.db, at(6), 100)).toEqual([]);
		expect(await verification.dueChecks(t.db, at(7), 100)).toEqual([account.id]);

		fakes.setMastodon('alice', { fields: [], followers: 1300 });
		expect(await check(account.id, at(7))).toBe('missing');
		expect(await accountRow(t.db, account.id)).toMatchObject({
			verification_status: 'lapsed',
			verified_at: T0,
			lapsed_at: at(7),
			next_check_at: null,
			last_check_outcome: 'missing',
			// Reach stays what was last proven; the badge is what says it no longer is.
			reach_followers: 1234
		});
		const history = await verification.listChecks(t.db, alice.id, account.id);
		expect(history.map((c) => [c.outcome, c.followers, c.checked_at])).toEqual([
			['missing', 1300, at(7)],
			['verified', 1234, T0]
		]);
		expect(history[0]).toMatchObject({
			profile_url: `${ORIGIN}/@alice`,
			source: 'the Mastodon API at mastodon.example'
		});

		fakes.setMastodon('alice', { note: `Work: ${ORIGIN}/@alice`, followers: 1400 });
		expect(await check(account.id, at(9))).toBe('verified');
		expect(await accountRow(t.db, account.id)).toMatchObject({
			verification_status: 'verified',
			verified_at: at(9),
			lapsed_at: null,
			next_check_at: at(16),
			reach_followers: 1400,
			reach_checked_at: at(9)
		});
		// The weekly re-check moves "last verified" on.
		fakes.setMastodon('alice', { note: `Work: ${ORIGIN}/@alice`, followers: 1500 });
		expect(await check(account.id, at(16))).toBe('verified');
		expect(await accountRow(t.db, account.id)).toMatchObject({
			verified_at: at(16),
			next_check_at: at(23),
			reach_followers: 1500
		});
		// The trend holds only counts read while the account was proven to be theirs.
		const reach = await verification.reachHistory(t.db, [account.id, 999_999], at(1));
		expect(reach.get(account.id)!.map((s) => [s.at, s.followers])).toEqual([
			[at(9), 1400],
			[at(16), 1500]
		]);
		expect(reach.get(999_999)).toEqual([]);
	});

	it('leaves an account without a back-link unverified, checked again only on demand', async () => {
		const bea = await signUp(t.db, 'bea');
		const account = await addAccount(t.db, bea.id, 'bluesky', 'bea.bsky.social');
		fakes.setBluesky('bea.bsky.social', { description: `Not yet: ${ORIGIN}/@bea2`, followers: 77 });
		expect(await check(account.id, T0)).toBe('missing');
		expect(await accountRow(t.db, account.id)).toMatchObject({
			verification_status: 'unverified',
			verified_at: null,
			lapsed_at: null,
			next_check_at: null,
			last_check_detail: `The Bluesky description has no link to ${ORIGIN}/@bea.`,
			reach_followers: null
		});
		expect(await verification.listChecks(t.db, bea.id, account.id)).toMatchObject([
			{ outcome: 'missing', followers: 77, source: 'the Bluesky API' }
		]);

		fakes.setBluesky('bea.bsky.social', { description: `proofwork.example/@bea`, followers: 80 });
		expect(await check(account.id, at(1))).toBe('verified');
		expect(await accountRow(t.db, account.id)).toMatchObject({
			verification_status: 'verified',
			reach_followers: 80,
			reach_source: 'the Bluesky API'
		});
	});

	it('checks GitHub and personal websites through their own adapters', async () => {
		const gia = await signUp(t.db, 'gia');
		const github = await addAccount(t.db, gia.id, 'github', 'gia');
		const site = await addAccount(t.db, gia.id, 'website', 'https://website.example/');
		fakes.setGithub('gia', {
			socialAccounts: [{ provider: 'generic', url: `${ORIGIN}/@gia` }],
			followers: 42
		});
		fakes.setWebsite('/', `<footer><a href="${ORIGIN}/@gia">Proofwork</a></footer>`);
		expect(await check(github.id, T0)).toBe('verified');
		expect(await check(site.id, T0)).toBe('missing');
		expect((await accountRow(t.db, site.id)).last_check_detail).toContain('without rel="me"');

		fakes.setWebsite('/', `<head><link rel="me" href="${ORIGIN}/@gia"></head>`);
		expect(await check(site.id, at(1))).toBe('verified');
		expect(await accountRow(t.db, site.id)).toMatchObject({
			verification_status: 'verified',
			reach_followers: null,
			reach_source: null
		});
		expect(await accountRow(t.db, github.id)).toMatchObject({
			reach_followers: 42,
			reach_source: 'the GitHub API'
		});
	});

	it('reports accounts the network does not know', async () => {
		const nora = await signUp(t.db, 'nora');
		const checks = [
			await addAccount(t.db, nora.id, 'mastodon', '@nora@mastodon.example'),
			await addAccount(t.db, nora.id, 'bluesky', 'nora.bsky.social'),
			await addAccount(t.db, nora.id, 'github', 'nora'),
			await addAccount(t.db, nora.id, 'other', 'https://website.example/nora')
		].map((account) => check(account.id, T0));
		expect(await Promise.all(checks)).toEqual(['not_found', 'not_found', 'not_found', 'not_found']);
		const mastodon = (await networkAccounts.listAccounts(t.db, nora.id))[0];
		expect(mastodon).toMatchObject({
			verification_status: 'unverified',
			last_check_detail: 'Mastodon has no account @nora@mastodon.example.'
		});
	});

	it('retries an unreachable network without writing, and never lapses a badge for it', async () => {
		const una = await signUp(t.db, 'una');
		const account = await addAccount(t.db, una.id, 'mastodon', '@una@mastodon.example');
		fakes.setMastodon('una', { fields: [{ name: 'Web', value: `${ORIGIN}/@una` }], followers: 5 });
		expect(await check(account.id, T0)).toBe('verified');
		const before = await accountRow(t.db, account.id);

		fakes.failNext('mastodon', 503);
		expect(await check(account.id, at(7))).toBe('retry');
		expect(await accountRow(t.db, account.id)).toEqual(before);
		expect(await historyCount(t.db, account.id)).toBe(1);

		fakes.failNext('mastodon', 503);
		expect(await check(account.id, at(7, 30), true)).toBe('unreachable');
		expect(await accountRow(t.db, account.id)).toMatchObject({
			verification_status: 'verified',
			verified_at: T0,
			lapsed_at: null,
			last_check_outcome: 'unreachable',
			last_check_detail: 'mastodon.example did not answer (HTTP 503).',
			// Tried again daily while the network is down.
			next_check_at: at(8, 30),
			reach_followers: 5,
			reach_checked_at: T0
		});
		expect((await verification.listChecks(t.db, una.id, account.id))[0]).toMatchObject({
			outcome: 'unreachable',
			followers: null
		});

		// A network that never answers times out the same way.
		const impatient = createFetcher({
			allowAddresses: ['127.0.0.1'],
			rewrite: rewriteFor(fakes),
			hostIntervalMs: 0,
			timeoutMs: 150
		});
		fakes.failNext('mastodon', 'hang');
		expect(
			await verification.checkAccount(t.db, impatient, account.id, { origin: ORIGIN, now: at(8) })
		).toBe('retry');
		expect(await historyCount(t.db, account.id)).toBe(2);

		// Four weeks without a single successful check: the badge can no longer be vouched for.
		fakes.failNext('mastodon', 503);
		expect(await check(account.id, at(29), true)).toBe('unreachable');
		expect(await accountRow(t.db, account.id)).toMatchObject({
			verification_status: 'lapsed',
			lapsed_at: at(29),
			next_check_at: null
		});
	});

	it('accepts a link to a previous handle that still redirects to the profile', async () => {
		const carol = await signUp(t.db, 'carol');
		const account = await addAccount(t.db, carol.id, 'github', 'carol');
		const renamed = await profiles.changeHandle(t.db, carol.id, 'caroline');
		expect(renamed.ok).toBe(true);
		expect(await verification.profileUrlsFor(t.db, carol.id, ORIGIN)).toEqual([
			`${ORIGIN}/@caroline`,
			`${ORIGIN}/@carol`
		]);
		fakes.setGithub('carol', { blog: `${ORIGIN}/@carol/` });
		expect(await check(account.id, T0)).toBe('verified');
		expect((await verification.listChecks(t.db, carol.id, account.id))[0]).toMatchObject({
			detail: `Found a link to ${ORIGIN}/@carol in the GitHub Website field.`,
			// History records the address the profile had when checked.
			profile_url: `${ORIGIN}/@caroline`
		});
		// Someone else's old handle is not this person's.
		const dave = await signUp(t.db, 'dave');
		const daves = await addAccount(t.db, dave.id, 'github', 'dave');
		fakes.setGithub('dave', { blog: `${ORIGIN}/@carol` });
		expect(await check(daves.id, T0)).toBe('missing');

		// Once the 90-day hold is over and someone else signs up as carol, links to /@carol are
		// theirs: they prove nothing for Carol any more.
		await t.db
			.updateTable('handle_history')
			.set({ released_at: new Date(Date.now() - 91 * DAY) })
			.where('handle', '=', 'carol')
			.execute();
		expect(await verification.profileUrlsFor(t.db, carol.id, ORIGIN)).toEqual([
			`${ORIGIN}/@caroline`
		]);
		const newCarol = await accounts.signUp(t.db, {
			email: 'another.carol@example.com',
			handle: 'carol',
			password: 'a long passphrase',
			ip: '10.7.1.1',
			origin: ORIGIN
		});
		expect(newCarol.ok).toBe(true);
		expect(await t.db.selectFrom('handle_history').selectAll().execute()).toEqual([]);
		expect(await check(account.id, at(8))).toBe('missing');
	});

	it('lets only the owner ask for a check, at most once a minute', async () => {
		const owen = await signUp(t.db, 'owen');
		const eve = await signUp(t.db, 'eve');
		const account = await addAccount(t.db, owen.id, 'bluesky', 'owen.bsky.social');
		expect(await verification.requestCheck(t.db, eve.id, account.id, T0)).toBe('not_found');
		expect(await verification.listChecks(t.db, eve.id, account.id)).toEqual([]);
		expect((await accountRow(t.db, account.id)).next_check_at).toBeNull();

		expect(await verification.requestCheck(t.db, owen.id, account.id, T0)).toBe('queued');
		expect(await verification.dueChecks(t.db, T0, 100)).toContain(account.id);
		fakes.setBluesky('owen.bsky.social', { description: 'nothing yet' });
		expect(
			await verification.checkAccount(t.db, fetcher, account.id, {
				origin: 'http://localhost:5173',
				now: T0
			})
		).toBe('missing');
		expect((await accountRow(t.db, account.id)).next_check_at).toBeNull();

		const cooldown = verification.CHECK_COOLDOWN_SECONDS;
		expect(await verification.requestCheck(t.db, owen.id, account.id, at(0, cooldown - 1))).toBe(
			'too_soon'
		);
		expect(await verification.requestCheck(t.db, owen.id, account.id, at(0, cooldown + 1))).toBe(
			'queued'
		);
		expect(await verification.dueChecks(t.db, at(0, cooldown + 1), 100)).toContain(account.id);

		// However many accounts they cycle through, one person gets 20 checks an hour.
		const results = [];
		for (let i = 0; i < 25; i++) {
			await t.db
				.updateTable('network_accounts')
				.set({ last_checked_at: null })
				.where('id', '=', account.id)
				.execute();
			results.push(await verification.requestCheck(t.db, owen.id, account.id, at(1, i)));
		}
		expect(results.slice(0, 20)).toEqual(Array(20).fill('queued'));
		expect(results.slice(20)).toEqual(Array(5).fill('too_many'));
	});

	it('says where to paste what for each network', () => {
		const url = `${ORIGIN}/@alice`;
		const account = { identifier: 'alice', url: 'https://example.org/' };
		expect(verification.instructionsFor({ ...account, network: 'github' }, url)).toEqual({
			where: expect.stringContaining('Website field'),
			paste: url
		});
		expect(verification.instructionsFor({ ...account, network: 'website' }, url).paste).toBe(
			`<a href="${url}" rel="me">My Proofwork profile</a>`
		);
		expect(verification.instructionsFor({ ...account, network: 'linkedin' }, url).where).toContain(
			'self-reported'
		);
	});

	it('does nothing for an account removed before its check', async () => {
		const gus = await signUp(t.db, 'gus');
		const account = await addAccount(t.db, gus.id, 'github', 'gus');
		await networkAccounts.removeAccount(t.db, gus.id, account.id);
		expect(await check(account.id, T0)).toBe('gone');
	});

	it('keeps the newest checks of an account, not an ever-growing history', async () => {
		const hal = await signUp(t.db, 'hal');
		const account = await addAccount(t.db, hal.id, 'github', 'hal');
		await t.db
			.insertInto('network_account_checks')
			.values(
				Array.from({ length: verification.HISTORY_LIMIT }, (_, i) => ({
					account_id: account.id,
					checked_at: at(-200 + i),
					outcome: 'missing' as const,
					profile_url: `${ORIGIN}/@hal`
				}))
			)
			.execute();
		fakes.setGithub('hal', { blog: `${ORIGIN}/@hal` });
		expect(await check(account.id, T0)).toBe('verified');
		const kept = await t.db
			.selectFrom('network_account_checks')
			.select(['checked_at'])
			.where('account_id', '=', account.id)
			.orderBy('checked_at')
			.execute();
		expect(kept).toHaveLength(verification.HISTORY_LIMIT);
		expect(kept[0].checked_at).toEqual(at(-199));
		expect(kept.at(-1)!.checked_at).toEqual(T0);
	});
});
