import { describe, expect, it, vi } from 'vitest';
import { render } from 'svelte/server';
import SiteHeader from '#lib/components/SiteHeader.svelte';
import type { Executor } from '#lib/server/db/connect.js';
import {
	countView,
	getCachedPage,
	getPersonalisedPage,
	installProfileCache,
	invalidateProfilePages,
	storePage,
	TTL_MS,
	type Visitor
} from '#lib/server/http/profile-cache.js';

vi.mock('#lib/server/views.js', async (original) => ({
	...(await original<typeof import('#lib/server/views.js')>()),
	recordView: vi.fn()
}));
const { recordView } = await import('#lib/server/views.js');

const renderHeader = (user: { handle: string; emailVerified: boolean } | null) =>
	render(SiteHeader, { props: { user } }).body;
installProfileCache({ db: {} as Executor, renderHeader });
// The header as it sits in a page: without the markers of a component rendered on its own.
const markup = (user: { handle: string; emailVerified: boolean } | null) =>
	renderHeader(user).slice('<!--[-->'.length, -'<!--]-->'.length);

/** The page for `user` from a cache holding `body` as the signed-out page of profile 1. */
async function personalise(body: string, user: { handle: string; emailVerified: boolean }) {
	invalidateProfilePages();
	await storePage('/@owner', 1, new Response(body), 0);
	return getPersonalisedPage('/@owner', { ...user, id: 2 }, 1)?.body.toString();
}

function rendered(nonce: string) {
	return new Response(`<html><script nonce="${nonce}">start()</script></html>`, {
		headers: {
			'content-type': 'text/html',
			'content-security-policy': `script-src 'self' 'nonce-${nonce}'`,
			'set-cookie': 'x=1',
			etag: '"abc"'
		}
	});
}

describe('profile page cache', () => {
	it('serves a stored page with a fresh nonce in the body and in the CSP each time', async () => {
		invalidateProfilePages();
		const now = 1_000_000;
		const first = await storePage('/@ann', 1, rendered('AAAA'), now);
		expect(await first.text()).toContain('nonce="AAAA"');
		const a = getCachedPage('/@ann', null, now + 1)!;
		const b = getCachedPage('/@ann', null, now + 2)!;
		const [bodyA, bodyB] = [await a.text(), await b.text()];
		const nonceA = /nonce="([^"]+)"/.exec(bodyA)![1];
		const nonceB = /nonce="([^"]+)"/.exec(bodyB)![1];
		expect(nonceA).not.toBe('AAAA');
		expect(nonceA).not.toBe(nonceB);
		expect(a.headers.get('content-security-policy')).toBe(`script-src 'self' 'nonce-${nonceA}'`);
		expect(a.headers.get('set-cookie')).toBeNull();
		expect(a.headers.get('x-proofwork-cache')).toBe('hit');
	});

	it('forgets pages after the TTL and on invalidation', async () => {
		invalidateProfilePages();
		await storePage('/@bob', 2, rendered('BBBB'), 0);
		expect(getCachedPage('/@bob', null, TTL_MS - 1)).toBeDefined();
		expect(getCachedPage('/@bob', null, TTL_MS)).toBeUndefined();
		await storePage('/@bob', 2, rendered('BBBB'), 0);
		invalidateProfilePages();
		expect(getCachedPage('/@bob', null, 1)).toBeUndefined();
	});
});

const anonymousPage = `<html><body><a href="#main">Skip</a>${markup(null)}<main id="main"><div class="card">Profile</div></main></body></html>`;

describe('personalised cached pages', () => {
	it('swaps the signed-out header for the visitor’s own and leaves the rest untouched', async () => {
		const page = (await personalise(anonymousPage, { handle: 'ann', emailVerified: true }))!;
		expect(page).toContain('@ann');
		expect(page).toContain('Log out');
		expect(page).not.toContain('Log in');
		expect(page).not.toContain('Please verify your email address');
		expect(page.slice(page.indexOf('<main'))).toBe(
			anonymousPage.slice(anonymousPage.indexOf('<main'))
		);
		expect(page.match(/id="site-header"/g)).toHaveLength(1);
	});

	it('shows the verification banner to someone who has not verified yet', async () => {
		const page = await personalise(anonymousPage, { handle: 'bo', emailVerified: false });
		expect(page).toContain('Please verify your email address');
	});

	it('escapes the handle and gives up on a page without the header', async () => {
		expect(
			await personalise(anonymousPage, { handle: '<script>', emailVerified: true })
		).not.toContain('<script>');
		expect(
			await personalise('<html><main>no header</main></html>', {
				handle: 'ann',
				emailVerified: true
			})
		).toBeUndefined();
	});

	it('never gives the owner the cached page', async () => {
		invalidateProfilePages();
		await storePage('/@owner', 7, new Response(anonymousPage), 0);
		expect(getPersonalisedPage('/@owner', { id: 7, handle: 'owner', emailVerified: true }, 1)).toBe(
			undefined
		);
	});

	it('keeps a signed-in visitor’s render for everyone only with their header swapped out', async () => {
		invalidateProfilePages();
		const ann = { handle: 'ann', emailVerified: false };
		const theirs = anonymousPage.replace(markup(null), markup(ann));
		const sent = await storePage('/@owner', 1, new Response(theirs), 0, {
			user: ann,
			renderHeader
		});
		// Ann gets her own page; the copy kept is the signed-out page, byte for byte.
		expect(await sent.text()).toBe(theirs);
		expect(getCachedPage('/@owner', null, 1)!.headers.get('x-proofwork-cache')).toBe('hit');
		expect(await getCachedPage('/@owner', null, 1)!.text()).toBe(anonymousPage);
		const bo = getPersonalisedPage('/@owner', { id: 3, handle: 'bo', emailVerified: true }, 1);
		expect(bo!.body.toString()).not.toContain('@ann');
		expect(bo!.body.toString()).toContain('@bo');
	});

	it('keeps nothing when the header in a signed-in render is not exactly the visitor’s', async () => {
		invalidateProfilePages();
		const ann = { handle: 'ann', emailVerified: true };
		// E.g. a page that shows her header with something else of hers inside it.
		const odd = anonymousPage.replace(
			markup(null),
			markup(ann).replace('Log out', 'Log out (3 unread)')
		);
		await storePage('/@owner', 1, new Response(odd), 0, { user: ann, renderHeader });
		expect(getCachedPage('/@owner', null, 1)).toBeUndefined();
	});
});

describe('profile views', () => {
	const db = {} as Executor;
	const browser: Visitor = {
		userId: null,
		address: '203.0.113.7',
		userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36',
		accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
		fetchDest: 'document'
	};
	const day = new Date('2026-12-03T10:00:00Z');

	it('counts one view per visitor, profile and day, however often they reload', () => {
		vi.mocked(recordView).mockClear();
		expect(countView(db, 7, browser, day)).toBe(true);
		for (let i = 0; i < 20; i++) expect(countView(db, 7, browser, day)).toBe(false);
		expect(countView(db, 8, browser, day)).toBe(true);
		expect(countView(db, 7, { ...browser, address: '198.51.100.2' }, day)).toBe(true);
		expect(countView(db, 7, { ...browser, userId: 3 }, day)).toBe(true);
		expect(countView(db, 7, browser, new Date('2026-12-04T00:00:01Z'))).toBe(true);
		expect(recordView).toHaveBeenCalledTimes(5);
	});

	it('does not count an image or a script asking for the page, the owner or a bot', () => {
		vi.mocked(recordView).mockClear();
		const when = new Date('2026-12-05T10:00:00Z');
		// What a browser sends for ![x](/@victim) in someone's bio.
		const image = { ...browser, accept: 'image/avif,image/webp,*/*;q=0.8', fetchDest: 'image' };
		expect(countView(db, 9, image, when)).toBe(false);
		expect(countView(db, 9, { ...browser, fetchDest: 'image' }, when)).toBe(false);
		expect(countView(db, 9, { ...browser, accept: '*/*', fetchDest: 'empty' }, when)).toBe(false);
		expect(countView(db, 9, { ...browser, userId: 9 }, when)).toBe(false);
		expect(countView(db, 9, { ...browser, userAgent: 'Googlebot/2.1' }, when)).toBe(false);
		expect(recordView).not.toHaveBeenCalled();
		// An older browser that sends no Sec-Fetch-Dest still counts when it asks for HTML.
		expect(countView(db, 9, { ...browser, fetchDest: null }, when)).toBe(true);
	});
});
