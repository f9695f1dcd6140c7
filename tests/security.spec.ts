import { expect, test } from '@playwright/test';
import { newUser, signUp } from './helpers';

test('every page carries the security headers', async ({ request }) => {
	for (const path of ['/', '/signup', '/login', '/no-such-page']) {
		const response = await request.get(path);
		const headers = response.headers();
		const csp = headers['content-security-policy'];
		expect(csp, path).toMatch(/script-src 'self' 'nonce-[^']+'/);
		expect(csp).toContain("object-src 'none'");
		expect(csp).toContain("base-uri 'none'");
		expect(csp).toContain("frame-ancestors 'none'");
		expect(headers['x-content-type-options']).toBe('nosniff');
		expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
		// Plain http here: HSTS is only sent over https.
		expect(headers['strict-transport-security']).toBeUndefined();
	}
});

test('a form post from a foreign origin is refused with 403', async ({ request }) => {
	const user = newUser('csrf');
	const response = await request.post('/signup', {
		headers: { Origin: 'https://evil.example', Accept: 'text/html' },
		form: { email: user.email, handle: user.handle, password: user.password }
	});
	expect(response.status()).toBe(403);
	const login = await request.post('/login', {
		headers: { Origin: 'https://evil.example', Accept: 'text/html' },
		form: { identifier: user.handle, password: user.password }
	});
	expect(login.status()).toBe(403);
});

test('the session cookie is HttpOnly, SameSite=Lax and holds no password', async ({
	page,
	context
}) => {
	const user = newUser('cookie');
	await signUp(page, user);
	const cookie = (await context.cookies()).find((c) => c.name === 'pw_session');
	expect(cookie).toBeDefined();
	expect(cookie!.httpOnly).toBe(true);
	expect(cookie!.sameSite).toBe('Lax');
	expect(cookie!.path).toBe('/');
	expect(cookie!.value).toMatch(/^[a-z2-7]{32}\.[a-z2-7]{32}$/);
	expect(await page.evaluate(() => document.cookie)).not.toContain('pw_session');
});

test('logging out with a link (GET) does nothing; only the form logs out', async ({ page }) => {
	const user = newUser('getout');
	await signUp(page, user);
	await page.goto('/logout');
	await expect(page.getByRole('link', { name: `@${user.handle}` })).toBeVisible();
});

test('an unknown page gets a friendly 404', async ({ page }) => {
	const response = await page.goto('/this/does/not/exist');
	expect(response?.status()).toBe(404);
	await expect(page.getByRole('heading', { name: 'We could not find that page' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'Back to the home page' })).toBeVisible();
});
