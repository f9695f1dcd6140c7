import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFetcher, type Fetcher } from '#lib/server/platform/fetcher.js';
import { adapterFor, type AdapterAccount } from '#lib/server/adapters/index.js';
import { matchText } from '#lib/server/adapters/links.js';
import { setGithubToken } from '#lib/server/adapters/github.js';
import { normalizeAccount } from '#lib/server/networks.js';
import {
	rewriteFor,
	startFakeNetworks,
	type FakeNetworks
} from '../../../../tests/fakes/networks.ts';

const ALICE = ['https://proofwork.example/@alice', 'https://proofwork.example/@alice_old'];

function account(network: string, address: string): AdapterAccount {
	const normalized = normalizeAccount(network, address);
	if (!normalized.ok) throw new Error(normalized.error);
	return normalized.account;
}

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

const check = (a: AdapterAccount, urls = ALICE) => adapterFor(a.network).check(fetcher, a, urls);

describe('finding a profile address in plain text', () => {
	it('accepts it with or without scheme, slash or case, but only for the same handle', () => {
		for (const text of [
			'My work: https://proofwork.example/@alice',
			'proofwork.example/@alice',
			'(see http://ProofWork.example/@Alice/).',
			'//proofwork.example/@alice?ref=bsky',
			'earlier proofwork.example/@alice_old, still mine'
		])
			expect(matchText(text, ALICE), text).not.toBeNull();
		for (const text of [
			'proofwork.example/@alice2',
			'https://proofwork.example/@alice/work',
			'https://proofwork.example.evil/@alice',
			'https://evil.example/proofwork.example/@alice',
			'@alice',
			'proofwork.example @alice'
		])
			expect(matchText(text, ALICE), text).toBeNull();
	});
});

describe('Mastodon', () => {
	const alice = account('mastodon', '@alice@mastodon.example');

	it('finds the link in an extra field and reads the follower count from the API', async () => {
		fakes.setMastodon('alice', {
			fields: [
				{ name: 'Pronouns', value: 'she/her' },
				{ name: 'Proofwork', value: 'https://proofwork.example/@alice' }
			],
			followers: 812
		});
		expect(await check(alice)).toEqual({
			outcome: 'verified',
			detail: 'Found a link to https://proofwork.example/@alice in the profile field "Proofwork".',
			followers: 812,
			source: 'the Mastodon API at mastodon.example'
		});
		expect(fakes.requests[0].url).toBe('/api/v1/accounts/lookup?acct=alice');
	});

	it('finds the link in the bio, and reports a profile without one as missing', async () => {
		fakes.setMastodon('alice', { note: 'Designer. Work at https://proofwork.example/@alice' });
		expect(await check(alice)).toMatchObject({
			outcome: 'verified',
			detail: expect.stringContaining('bio')
		});
		fakes.setMastodon('alice', {
			note: 'Designer at https://proofwork.example/@alice2',
			followers: 3
		});
		expect(await check(alice)).toMatchObject({ outcome: 'missing', followers: 3 });
	});

	it('reports an unknown account and an unavailable server differently', async () => {
		expect(await check(account('mastodon', '@nobody@mastodon.example'))).toMatchObject({
			outcome: 'not_found',
			detail: 'Mastodon has no account @nobody@mastodon.example.'
		});
		fakes.failNext('mastodon', 503);
		expect(await check(alice)).toMatchObject({
			outcome: 'unreachable',
			detail: 'mastodon.example did not answer (HTTP 503).'
		});
	});

	it('reads the profile page when the server refuses anonymous API calls or lacks the API', async () => {
		fakes.setMastodon('alice', {
			fields: [{ name: 'Work', value: 'https://proofwork.example/@alice' }]
		});
		fakes.failNext('mastodon', 401);
		expect(await check(alice)).toMatchObject({ outcome: 'verified', source: 'the page itself' });
		expect(fakes.requests.map((r) => r.url)).toEqual([
			'/api/v1/accounts/lookup?acct=alice',
			'/.well-known/nodeinfo',
			'/@alice'
		]);
		// Fediverse servers without the lookup endpoint still show the page.
		fakes.failNext('mastodon', 404);
		expect(await check(alice)).toMatchObject({ outcome: 'verified', source: 'the page itself' });
	});

	it('never takes a page on a site that is not a fediverse server for a Mastodon profile', async () => {
		// website.example has no Mastodon API and no NodeInfo, but serves /@mallory with rel="me".
		fakes.setWebsite('/@mallory', '<a rel="me" href="https://proofwork.example/@alice">me</a>');
		const impostor = account('mastodon', '@mallory@website.example');
		expect(await check(impostor)).toMatchObject({ outcome: 'not_found' });
		expect(fakes.requests.map((r) => r.url)).not.toContain('/@mallory');
	});
});

describe('a website that redirects elsewhere', () => {
	it('proves nothing: the rel="me" link must be on the site that was listed', async () => {
		fakes.setMastodon('alice', {
			fields: [{ name: 'Work', value: 'https://proofwork.example/@alice' }]
		});
		fakes.setWebsite('/go', { redirect: 'https://mastodon.example/@alice', status: 302 });
		expect(await check(account('website', 'https://website.example/go'))).toMatchObject({
			outcome: 'missing',
			detail: expect.stringContaining('sent Proofwork on to mastodon.example')
		});
	});
});

describe('Bluesky', () => {
	const alice = account('bluesky', 'alice.bsky.social');

	it('finds the address in the description with or without scheme', async () => {
		fakes.setBluesky('alice.bsky.social', {
			description: 'Illustrator.\nPortfolio: proofwork.example/@alice',
			followers: 4100
		});
		expect(await check(alice)).toEqual({
			outcome: 'verified',
			detail: 'Found a link to https://proofwork.example/@alice in the Bluesky description.',
			followers: 4100,
			source: 'the Bluesky API'
		});
		fakes.setBluesky('alice.bsky.social', { description: 'https://proofwork.example/@alice/' });
		expect((await check(alice)).outcome).toBe('verified');
	});

	it('does not take @alice2 for @alice, and knows an unknown handle', async () => {
		fakes.setBluesky('alice.bsky.social', {
			description: 'proofwork.example/@alice2',
			followers: 9
		});
		expect(await check(alice)).toMatchObject({ outcome: 'missing', followers: 9 });
		expect(await check(account('bluesky', 'nobody.bsky.social'))).toMatchObject({
			outcome: 'not_found',
			detail: 'Bluesky has no account @nobody.bsky.social.'
		});
	});
});

describe('GitHub', () => {
	const alice = account('github', 'alice');

	it('finds the link in the Website field, sending the API version GitHub asks for', async () => {
		fakes.setGithub('alice', { blog: 'proofwork.example/@alice', followers: 57 });
		expect(await check(alice)).toEqual({
			outcome: 'verified',
			detail: 'Found a link to https://proofwork.example/@alice in the GitHub Website field.',
			followers: 57,
			source: 'the GitHub API'
		});
		expect(fakes.requests[0].headers).toMatchObject({
			accept: 'application/vnd.github+json',
			'x-github-api-version': '2022-11-28'
		});
		expect(fakes.requests[0].headers.authorization).toBeUndefined();
	});

	it('sends the server’s GitHub token when one is set, for the higher rate limit', async () => {
		setGithubToken('ghp_example');
		try {
			fakes.setGithub('alice', { blog: 'proofwork.example/@alice' });
			expect(await check(alice)).toMatchObject({ outcome: 'verified' });
			expect(fakes.requests.map((r) => r.headers.authorization)).toEqual(['Bearer ghp_example']);
		} finally {
			setGithubToken(undefined);
		}
	});

	it('finds the link in the bio, then in social accounts', async () => {
		fakes.setGithub('alice', { bio: 'Maintainer. https://proofwork.example/@alice_old' });
		expect(await check(alice)).toMatchObject({
			outcome: 'verified',
			detail: 'Found a link to https://proofwork.example/@alice_old in the GitHub bio.'
		});
		fakes.setGithub('alice', {
			blog: 'https://alice.dev',
			socialAccounts: [
				{ provider: 'mastodon', url: 'https://mastodon.example/@alice' },
				{ provider: 'generic', url: 'https://proofwork.example/@alice' }
			]
		});
		expect(await check(alice)).toMatchObject({
			outcome: 'verified',
			detail: expect.stringContaining('social accounts')
		});
		expect(fakes.requests.at(-1)!.url).toBe('/users/alice/social_accounts');
	});

	it('reports a profile without the link as missing and an unknown user as not found', async () => {
		fakes.setGithub('alice', { blog: 'https://proofwork.example/@alice2', followers: 1 });
		expect(await check(alice)).toMatchObject({ outcome: 'missing', followers: 1 });
		expect(await check(account('github', 'nobody'))).toMatchObject({ outcome: 'not_found' });
		fakes.failNext('github', 403);
		expect(await check(alice)).toMatchObject({ outcome: 'unreachable' });
	});
});

describe('websites', () => {
	const site = account('website', 'https://website.example/');

	it('accepts <a rel="me"> and <link rel="me">, resolved against the page address', async () => {
		fakes.setWebsite(
			'/',
			'<!doctype html><p>Hi. <a class="x" rel="noopener ME" href="https://PROOFWORK.example/@alice/">Profile</a>'
		);
		expect(await check(site)).toEqual({
			outcome: 'verified',
			detail:
				'Found a rel="me" link to https://proofwork.example/@alice on https://website.example/.',
			followers: null,
			source: 'the page itself'
		});
		fakes.setWebsite(
			'/',
			'<html><head><link rel="me" href="//proofwork.example/@alice"></head></html>'
		);
		expect((await check(site)).outcome).toBe('verified');
	});

	it('follows redirects and reads the final page', async () => {
		const moved = account('other', 'https://website.example/about');
		fakes.setWebsite('/about', { redirect: '/about/me' });
		fakes.setWebsite('/about/me', '<a rel="me" href="https://proofwork.example/@alice">me</a>');
		expect(await check(moved)).toMatchObject({
			outcome: 'verified',
			detail: expect.stringContaining('on https://website.example/about/me.')
		});
	});

	it('does not count a link without rel="me", a link in text or a commented-out one', async () => {
		fakes.setWebsite(
			'/',
			'<a href="https://proofwork.example/@alice">Profile</a> https://proofwork.example/@alice' +
				'<!-- <a rel="me" href="https://proofwork.example/@alice"> -->'
		);
		expect(await check(site)).toMatchObject({
			outcome: 'missing',
			detail:
				'https://website.example/ links to https://proofwork.example/@alice but without rel="me"; add rel="me" to that link.'
		});
		fakes.setWebsite('/', '<a rel="me" href="https://proofwork.example/@alice2">other me</a>');
		expect(await check(site)).toMatchObject({ outcome: 'missing' });
	});

	it('tells a missing page from a server that is down', async () => {
		expect(await check(account('other', 'https://website.example/gone'))).toMatchObject({
			outcome: 'not_found'
		});
		fakes.failNext('website', 502);
		expect(await check(site)).toMatchObject({ outcome: 'unreachable' });
		fakes.failNext('website', 403);
		expect(await check(site)).toMatchObject({
			outcome: 'missing',
			detail: expect.stringContaining('HTTP 403')
		});
	});

	it('never visits private addresses', async () => {
		const local = createFetcher({ hostIntervalMs: 0 });
		const internal = account('website', 'http://127.0.0.1:9/');
		expect(await adapterFor('website').check(local, internal, ALICE)).toMatchObject({
			outcome: 'not_found'
		});
	});
});

describe('instructions', () => {
	const url = 'https://proofwork.example/@alice';

	it('says exactly where to paste what, and is honest about closed networks', () => {
		expect(adapterFor('mastodon').instructions(account('mastodon', '@a@m.example'), url)).toEqual({
			where:
				'On Mastodon, open Edit profile → Extra fields, add a field labelled "Proofwork" whose content is',
			paste: url
		});
		expect(adapterFor('website').instructions(account('website', 'a.example'), url).paste).toBe(
			'<a href="https://proofwork.example/@alice" rel="me">My Proofwork profile</a>'
		);
		const x = adapterFor('x').instructions(account('x', '@alice'), url);
		expect(x.paste).toBe(url);
		expect(x.where).toContain('may stay self-reported');
		expect(adapterFor('no-such-network')).toBe(adapterFor('website'));
	});
});
