import { expect, test, type Browser } from '@playwright/test';
import { newUser, signUp } from './helpers';

// A profile view is a person opening the page: once per visitor and day, whether the page came from
// the cache or was rendered, and never an image or script that points at the profile.

const owner = newUser('viewed');

/** A signed-out visitor at their own address. */
async function visitor(browser: Browser, address: string) {
	const context = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': address } });
	return context.newPage();
}

test('views count once per visitor and day, and never for an image of the page', async ({
	browser
}) => {
	const ownerPage = await visitor(browser, '198.51.100.10');
	await signUp(ownerPage, owner);
	await ownerPage.goto(`/@${owner.handle}`);

	// One visitor reloads the page many times (the first is rendered, the rest come from the cache).
	const reader = await visitor(browser, '198.51.100.11');
	for (let i = 0; i < 5; i++) {
		await reader.goto(`/@${owner.handle}`);
		await expect(reader.getByRole('heading', { level: 1 })).toBeVisible();
	}
	// A page embeds the profile as an image, e.g. ![x](/@owner) in someone's bio.
	for (const address of ['198.51.100.12', '198.51.100.13', '198.51.100.14']) {
		const embedder = await visitor(browser, address);
		await embedder.goto('/login');
		const requested = new Promise<void>((resolve) => {
			const done = (r: { url(): string }) => r.url().endsWith(`/@${owner.handle}`) && resolve();
			embedder.on('requestfinished', done);
			embedder.on('requestfailed', done);
		});
		await embedder.evaluate((src) => {
			const img = new Image();
			img.src = src;
			document.body.append(img);
		}, `/@${owner.handle}`);
		await requested;
		await embedder.context().close();
	}
	// A second person opens it once.
	const second = await visitor(browser, '198.51.100.15');
	await second.goto(`/@${owner.handle}`);
	await expect(second.getByRole('heading', { level: 1 })).toBeVisible();

	await ownerPage.goto('/dashboard');
	const views = ownerPage.getByRole('region', { name: 'Profile views' });
	await expect(views).toContainText(/Last 90 days\s*2(?!\d)/);
	await reader.context().close();
	await second.context().close();
	await ownerPage.context().close();
});
