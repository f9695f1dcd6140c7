import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { newUser, signUp } from './helpers';

// Issue 11: what public URLs give away about profiles that are not listed, and what /search does
// with hostile queries. One account, from this file's own address (sign-ups are limited per IP).
test.use({ extraHTTPHeaders: { 'X-Forwarded-For': '10.110.0.1' } });
test.describe.configure({ mode: 'serial' });

const ula = newUser('ula');
const ULA = 'Ula Quist';

test('avatar URLs name nobody, and an unlisted or private picture is not found by walking ids', async ({
	browser,
	request
}, testInfo) => {
	const owner = await (await browser.newContext()).newPage();
	await signUp(owner, ula);
	await owner.goto('/settings/profile');
	await owner.waitForLoadState('networkidle');
	await owner.getByLabel('Display name').fill(ULA);
	await owner.getByLabel('Headline').fill('Quiet growth work');
	await owner.getByLabel('Unlisted', { exact: true }).check();
	await owner.getByRole('button', { name: 'Save profile' }).click();
	await expect(owner.getByRole('status')).toHaveText('Profile saved.');

	// Without a picture, the page shows one generic placeholder that names nobody.
	const visitor = await (await browser.newContext()).newPage();
	await visitor.goto(`/@${ula.handle}`);
	const placeholder = await visitor.locator('main img').first().getAttribute('src');
	expect(placeholder).toBe('/avatar-placeholder.svg');
	const svg = await (await request.get(placeholder!)).text();
	expect(svg).toContain('<svg');
	for (const secret of [ULA, ula.handle, 'UQ', 'aria-label']) expect(svg).not.toContain(secret);
	// Walking ids finds no placeholder, so no name or handle, of anyone.
	for (let id = 1; id <= 30; id++) {
		for (const file of ['large.svg', 'small.svg']) {
			const walked = await request.get(`/avatars/${id}/${file}`);
			expect(walked.status(), `/avatars/${id}/${file}`).toBe(404);
		}
	}

	const jpeg = testInfo.outputPath('avatar.jpg');
	await sharp({
		create: { width: 320, height: 320, channels: 3, background: { r: 40, g: 120, b: 90 } }
	})
		.jpeg()
		.toFile(jpeg);
	await owner.getByLabel('Upload a picture').setInputFiles(jpeg);
	await owner.getByRole('button', { name: 'Upload picture' }).click();
	await expect(owner.getByRole('status')).toHaveText('Picture updated.');

	// Whoever has the unlisted page gets its picture; an id alone, without its version, gets nothing.
	await visitor.reload();
	const photo = visitor.getByRole('img', { name: ULA, exact: true });
	const src = (await photo.getAttribute('src'))!;
	expect(src).toMatch(/^\/avatars\/\d+\/large\.webp\?v=[0-9a-f]{16}$/);
	expect((await request.get(src)).status()).toBe(200);
	const bare = src.split('?')[0];
	expect((await request.get(bare)).status()).toBe(404);
	expect((await request.get(`${bare}?v=0000000000000000`)).status()).toBe(404);
	expect((await owner.request.get(bare)).status()).toBe(200);

	// Private: only its owner, with or without the version.
	await owner.goto('/settings/profile');
	await owner.getByLabel('Private', { exact: true }).check();
	await owner.getByRole('button', { name: 'Save profile' }).click();
	await expect(owner.getByRole('status')).toHaveText('Profile saved.');
	expect((await request.get(src)).status()).toBe(404);
	expect((await owner.request.get(src)).status()).toBe(200);
	await owner.context().close();
	await visitor.context().close();
});

test('a very long word is searched at once, never answers 500, and /search is rate-limited', async ({
	playwright,
	baseURL
}) => {
	const from = await playwright.request.newContext({
		baseURL,
		extraHTTPHeaders: { 'X-Forwarded-For': '10.110.0.2' }
	});
	const word = (n: number) =>
		Array.from({ length: n }, (_, i) => 'qwertyuiopasdfghjklzxcvbnm'[(i * i + 3 * i) % 26]).join(
			''
		);
	for (const n of [150, 200]) {
		const response = await from.get(`/search?q=${word(n)}`);
		expect(response.status(), `${n} letters`).toBe(200);
		expect(await response.text()).toContain('No practitioners match');
	}
	// Sixty searches at once are allowed (two are used above), then one a second: faster than
	// that, the address is soon refused.
	let allowed = 2;
	let refused = await from.get('/search?q=seo');
	while (refused.status() === 200 && allowed < 300) {
		allowed++;
		refused = await from.get('/search?q=seo');
	}
	expect(allowed).toBeGreaterThanOrEqual(60);
	expect(refused.status()).toBe(429);
	expect(refused.headers()['retry-after']).toBe('1');
	expect(await refused.text()).toContain('Too many searches from your address');
	// Another address is not affected.
	const other = await playwright.request.newContext({
		baseURL,
		extraHTTPHeaders: { 'X-Forwarded-For': '10.110.0.3' }
	});
	expect((await other.get('/search?q=seo')).status()).toBe(200);
	await from.dispose();
	await other.dispose();
});
