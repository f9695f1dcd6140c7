import { expect, test, type Page } from '@playwright/test';
import { newUser, seriousViolations, signUp } from './helpers';

// The fake networks run beside the app (playwright.config.ts); the app's fetcher is pointed at them
// with FETCH_REWRITE and allowed to reach 127.0.0.1 with FETCH_ALLOW_ADDRESSES.
const FAKES = 'http://127.0.0.1:4181';

test.use({ extraHTTPHeaders: { 'X-Forwarded-For': '10.6.0.1' } });

// A 64×40 PNG, standing in for a page's og:image.
const COVER_PNG =
	'iVBORw0KGgoAAAANSUhEUgAAAEAAAAAoCAIAAADBrGu+AAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAbklEQVRYhe2SAQkAURSD1slOF86UF2M8/mABVBY+Ty91AiZgvSK7kHeXOgETsF6RXci7S52ACVivyC7k3aVOwASsV2QX8u5SJ2AC1iuyC3l3qRMwAesV2YW8u9QJmID1iuxC3l3qBEzAekVevtAP9iSetXdyj9YAAAAASUVORK5CYII=';

async function fake(kind: string, body: object) {
	const response = await fetch(`${FAKES}/__fake/${kind}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body)
	});
	expect(response.ok).toBe(true);
}

async function addAccount(page: Page, network: string, typed: string) {
	await page.getByLabel('Network', { exact: true }).selectOption({ label: network });
	await page.getByLabel('Account or link').fill(typed);
	await page.getByRole('button', { name: 'Add account' }).click();
	await expect(page.getByText('Account added to your profile.')).toBeVisible();
}

function accountCard(page: Page, label: string) {
	return page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: label }) });
}

test('a practitioner proves a website and a Mastodon account; the profile shows badges and checked reach', async ({
	page,
	baseURL
}) => {
	const user = newUser('proof');
	const profileUrl = `${baseURL}/@${user.handle}`;
	await signUp(page, user);
	await page.goto('/settings/networks');
	await addAccount(page, 'Personal website', `https://website.example/${user.handle}`);
	await addAccount(page, 'Mastodon', `@${user.handle}@mastodon.example`);

	// Before the back-links exist: both say so, and tell exactly what to paste where.
	const website = accountCard(page, 'Personal website');
	const mastodon = accountCard(page, 'Mastodon');
	await expect(website.getByText('Not verified')).toBeVisible();
	await expect(website.locator('code')).toHaveText(
		`<a href="${profileUrl}" rel="me">My Proofwork profile</a>`
	);
	await expect(mastodon.getByText(/Extra fields/)).toBeVisible();
	await expect(mastodon.locator('code')).toHaveText(profileUrl);

	// A check before the link is in place finds nothing, and says so.
	await fake('website', { path: `/${user.handle}`, html: '<!doctype html><p>My home page</p>' });
	await website.getByRole('button', { name: /Check now/ }).click();
	await expect(website.getByText(/Last checked .*: .* has no rel="me" link/)).toBeVisible({
		timeout: 15_000
	});
	await expect(website.getByText('Not verified')).toBeVisible();

	// The person follows the instructions on both networks…
	await fake('website', {
		path: `/${user.handle}`,
		html: `<!doctype html><title>Me</title><p>Find me on <a href="${profileUrl}" rel="me">My Proofwork profile</a></p>`
	});
	await fake('mastodon', {
		user: user.handle,
		account: { fields: [{ name: 'Proofwork', value: profileUrl }], followers: 12400 }
	});
	// …and presses "Check now" (the website's cooldown has not passed: the page says so).
	await mastodon.getByRole('button', { name: /Check now/ }).click();
	await expect(mastodon.getByText('Verified', { exact: true })).toBeVisible({ timeout: 15_000 });
	await expect(
		mastodon.getByText(/12,400 followers · checked today via the Mastodon API/)
	).toBeVisible();
	await website.getByRole('button', { name: /Check now/ }).click();
	await expect(website.getByText(/checked less than 60 seconds ago/)).toBeVisible();

	// The public profile shows the badge, the date and the reach with its provenance.
	await page.goto(`/@${user.handle}`);
	const networks = page.getByRole('region', { name: 'Network presence' });
	const mastodonEntry = networks.getByRole('listitem').filter({ hasText: 'Mastodon:' });
	await expect(mastodonEntry.getByText('Verified', { exact: true })).toBeVisible();
	await expect(mastodonEntry.getByText(/last verified/)).toBeVisible();
	await expect(
		mastodonEntry.getByText(/12,400 followers · checked today via the Mastodon API/)
	).toBeVisible();
	const websiteEntry = networks.getByRole('listitem').filter({ hasText: 'Personal website:' });
	await expect(websiteEntry.getByText('Not verified')).toBeVisible();

	// Badges, instructions and history stay readable in both colour schemes.
	for (const scheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme: scheme });
		for (const path of [`/@${user.handle}`, '/settings/networks']) {
			await page.goto(path);
			expect(await seriousViolations(page), `${path} (${scheme})`).toEqual([]);
		}
	}
});

test('a website verified with JavaScript off, and a work link gets its preview', async ({
	browser,
	baseURL
}) => {
	const context = await browser.newContext({
		javaScriptEnabled: false,
		extraHTTPHeaders: { 'X-Forwarded-For': '10.6.0.2' }
	});
	const page = await context.newPage();
	const user = newUser('nojsproof');
	const profileUrl = `${baseURL}/@${user.handle}`;
	await signUp(page, user);
	await fake('website', {
		path: `/${user.handle}`,
		html: `<!doctype html><head><link rel="me" href="${profileUrl}"></head><body>Hello</body>`
	});
	await page.goto('/settings/networks');
	await addAccount(page, 'Personal website', `https://website.example/${user.handle}`);
	const website = accountCard(page, 'Personal website');
	await website.getByRole('button', { name: /Check now/ }).click();
	await expect(page.getByText('Check started.')).toBeVisible();
	// Without JavaScript the page asks to be reloaded; the check runs in the background meanwhile.
	await expect
		.poll(
			async () => {
				await page.goto('/settings/networks');
				return accountCard(page, 'Personal website').getByText('Verified', { exact: true }).count();
			},
			{ timeout: 15_000, intervals: [1000] }
		)
		.toBe(1);

	// A work item's link is fetched in the background; its OpenGraph card shows on the profile,
	// its image re-encoded and served by Proofwork.
	await fake('website', {
		path: `/${user.handle}/cover.png`,
		base64: COVER_PNG,
		type: 'image/png'
	});
	await fake('website', {
		path: `/${user.handle}/launch`,
		html: `<!doctype html><head><meta property="og:title" content="The launch that sold out">
			<meta property="og:description" content="12,000 preorders in a week.">
			<meta property="og:image" content="cover.png">
			<meta property="og:site_name" content="Launch Notes"></head><body>Launch</body>`
	});
	await page.goto('/settings/work');
	await page.getByLabel('Title', { exact: true }).fill('Spring launch');
	await page
		.getByLabel('Link', { exact: true })
		.fill(`https://website.example/${user.handle}/launch`);
	await page.getByRole('button', { name: 'Add work' }).click();
	await expect(page.getByText('Work added to your profile.')).toBeVisible();
	await expect
		.poll(
			async () => {
				await page.goto(`/@${user.handle}`);
				return page.getByText('The launch that sold out').count();
			},
			{ timeout: 15_000, intervals: [1000] }
		)
		.toBe(1);
	await expect(page.getByText('Launch Notes')).toBeVisible();
	await expect(page.getByText('12,000 preorders in a week.')).toBeVisible();
	const cover = page.getByRole('figure', { name: 'Preview of the linked page' }).locator('img');
	const src = (await cover.getAttribute('src'))!;
	expect(src).toMatch(/^\/previews\/\d+\/[0-9a-f]{16}\.webp$/);
	const image = await page.request.get(src);
	expect(image.status()).toBe(200);
	expect(image.headers()['content-type']).toBe('image/webp');
	expect(image.headers()['cache-control']).toContain('immutable');
	// The owner sees the same in their work settings.
	await page.goto('/settings/work');
	await expect(page.getByText(/Link preview: The launch that sold out · fetched/)).toBeVisible();
	await context.close();
});
