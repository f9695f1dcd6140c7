import fs from 'node:fs';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { readZip } from '#lib/server/platform/zip.js';
import { newAccount, newUser, seriousViolations, type User } from './helpers';

// "Download my data" from Settings → Account, with JavaScript on and off: the zip holds
// data.json with the member's work and their endorsements, written and received.
test.use({ extraHTTPHeaders: { 'X-Forwarded-For': '10.62.0.1' } });
// Two sign-ups, two verifications and an endorsement before the first download: slow on a busy machine.
test.describe.configure({ mode: 'serial', timeout: 90_000 });

const owner = newUser('exportowner');
const endorser = newUser('exportfan');
const WORK = 'Harbour festival livestream';
const BODY =
	'She ran the whole Harbour festival livestream for us: four stages, no dropped streams, on budget.';

const newMember = (browser: Browser, user: User, javaScriptEnabled: boolean) =>
	newAccount(browser, user, { javaScriptEnabled, verify: true });

async function downloadData(page: Page) {
	await page.goto('/settings/account');
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('button', { name: 'Download my data' }).click()
	]);
	expect(download.suggestedFilename()).toMatch(/^proofwork-[a-z0-9_]+-\d{4}-\d\d-\d\d\.zip$/);
	const files = await readZip(fs.readFileSync(await download.path()));
	return { files, data: JSON.parse(files.get('data.json')!.toString('utf8')) };
}

test('with JavaScript: the owner downloads work and the endorsement they received, once a day', async ({
	browser
}) => {
	const ownerPage = await newMember(browser, owner, true);
	await ownerPage.goto('/settings/work');
	await ownerPage.getByLabel('Title', { exact: true }).fill(WORK);
	await ownerPage.getByRole('button', { name: 'Add work' }).click();
	await expect(ownerPage.getByRole('status')).toHaveText('Work added to your profile.');

	const page = await newMember(browser, endorser, true);
	await page.goto(`/@${owner.handle}/endorse`);
	await page.getByLabel('Work you saw (evidence)').selectOption({ label: WORK });
	await page.getByLabel('How you know them').selectOption({ label: 'Client' });
	await page.getByLabel('Your endorsement').fill(BODY);
	await page.getByRole('button', { name: 'Send endorsement' }).click();
	await expect(page.getByRole('status')).toContainText('Thank you. Your endorsement is with');
	await page.context().close();

	await ownerPage.goto('/settings/account');
	expect(await seriousViolations(ownerPage)).toEqual([]);
	const { files, data } = await downloadData(ownerPage);
	expect(data.schema_version).toBe(1);
	expect(data.account).toMatchObject({ handle: owner.handle, email: owner.email });
	expect(data.work).toEqual([expect.objectContaining({ title: WORK })]);
	expect(data.endorsements_received).toEqual([
		expect.objectContaining({
			endorser: endorser.handle,
			body: BODY,
			status: 'pending',
			work_title: WORK
		})
	]);
	expect(files.get('data.json')!.toString()).not.toContain('password');

	// A second download the same day is refused with a message, and nothing is downloaded.
	await ownerPage.reload();
	await expect(ownerPage.getByText(/Last downloaded .* next download possible from/)).toBeVisible();
	await ownerPage.getByRole('button', { name: 'Download my data' }).click();
	await expect(ownerPage.getByRole('alert')).toContainText(
		'You can download it once a day: again from'
	);
	// The download address alone (bookmarked, shared) gives nothing without asking first.
	const direct = await ownerPage.request.get('/settings/account/export', { maxRedirects: 0 });
	expect(direct.status()).toBe(303);
	expect(direct.headers()['location']).toBe('/settings/account?export=lapsed#export');
	await ownerPage.context().close();
});

test('without JavaScript: the endorser downloads the endorsement they wrote', async ({
	browser
}) => {
	const context = await browser.newContext({ javaScriptEnabled: false });
	const page = await context.newPage();
	await page.goto('/login');
	await page.getByLabel('Email or handle').fill(endorser.handle);
	await page.getByLabel('Password').fill(endorser.password);
	await page.getByRole('button', { name: 'Log in' }).click();
	await expect(page.getByRole('link', { name: `@${endorser.handle}` })).toBeVisible();
	const { data } = await downloadData(page);
	expect(data.account).toMatchObject({ handle: endorser.handle });
	expect(data.endorsements_written).toEqual([
		expect.objectContaining({ endorsed: owner.handle, body: BODY, status: 'pending' })
	]);
	expect(data.work).toEqual([]);
	// Asking again the same day answers 429 with the message by the button, and no file.
	await page.goto('/settings/account');
	const [refused] = await Promise.all([
		page.waitForResponse((r) => r.request().method() === 'POST'),
		page.getByRole('button', { name: 'Download my data' }).click()
	]);
	expect(refused.status()).toBe(429);
	await expect(page.getByRole('alert')).toContainText('You can download it once a day');
	await context.close();
});

test('nobody signed out gets a zip', async ({ page, baseURL }) => {
	const get = await page.request.get('/settings/account/export', { maxRedirects: 0 });
	expect(get.status()).toBe(303);
	expect(get.headers()['location']).toMatch(/^\/login\?redirectTo=/);
	const post = await page.request.post('/settings/account?/export', {
		maxRedirects: 0,
		form: { x: '' },
		headers: { Origin: new URL(baseURL!).origin, Accept: 'text/html' }
	});
	expect(post.status()).toBe(303);
	expect(post.headers()['location']).toMatch(/^\/login\?redirectTo=/);
});
