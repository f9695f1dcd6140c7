import { expect, test } from '@playwright/test';
import { newUser, signUp } from './helpers';

test.use({ extraHTTPHeaders: { 'X-Forwarded-For': '10.9.0.1' } });

test('what someone types before the page’s JavaScript arrives is kept, text areas included', async ({
	page
}) => {
	await signUp(page, newUser('early'));
	// Hold the app's scripts back, as a slow connection would, while the person starts typing.
	let release!: () => void;
	const scriptsHeld = new Promise<void>((resolve) => (release = resolve));
	await page.route('**/_app/immutable/**', async (route) => {
		await scriptsHeld;
		await route.continue();
	});
	await page.goto('/settings/profile', { waitUntil: 'commit' });
	await page.getByLabel('Bio').fill('Typed before the scripts loaded.');
	await page.getByLabel('Headline').fill('Growth marketer');
	release();
	// Hydration has happened once the page's enhanced forms answer; the typed text is still there.
	await page.waitForLoadState('load');
	await expect(page.getByLabel('Bio')).toHaveValue('Typed before the scripts loaded.');
	await expect(page.getByLabel('Headline')).toHaveValue('Growth marketer');
	await page.getByLabel('Display name').fill('Early Bird');
	await page.getByRole('button', { name: 'Save profile' }).click();
	await expect(page.getByRole('status')).toBeVisible();
	await page.reload();
	await expect(page.getByLabel('Bio')).toHaveValue('Typed before the scripts loaded.');
});
