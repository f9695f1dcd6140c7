import { describe, expect, it } from 'vitest';
import {
	getCachedPage,
	invalidateProfilePages,
	storePage,
	TTL_MS
} from '#lib/server/http/page-cache.js';

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
