import fs from 'node:fs';
import {
	expect,
	test,
	type APIResponse,
	type Browser,
	type BrowserContext,
	type Page
} from '@playwright/test';
import { newAccount, newUser, seriousViolations, type ProfileFields, type User } from './helpers';

// Rita shortlists two practitioners and later tests build on her lists, so the tests run in order
// and a failure skips the rest. Four accounts, from this file's own address: sign-ups are
// rate-limited per IP across the whole e2e run.
test.use({ extraHTTPHeaders: { 'X-Forwarded-For': '10.70.0.1' } });
test.describe.configure({ mode: 'serial' });

type State = Awaited<ReturnType<BrowserContext['storageState']>>;

const rita = newUser('rita');
const pia = newUser('pia');
const pat = newUser('pat');
const ivan = newUser('ivan');

const PIA = 'Pia Santos';
// A headline and a note that a spreadsheet would run as formulas if the export let them through.
const PIA_HEADLINE = '+Growth marketer, "community first"';
const PIA_LOCATION = 'Porto, Portugal';
const PAT = 'Pat Moreau';
const NOTE = 'Strong on retention.';
const EDITED_NOTE = '=HYPERLINK("https://evil.example","Call her")\nAsk about the Q2 launch.';

const states: Record<string, State> = {};
let listId = '';

async function as(browser: Browser, who: string, javaScriptEnabled = true): Promise<Page> {
	const context = await browser.newContext({ storageState: states[who], javaScriptEnabled });
	return context.newPage();
}

async function done(page: Page) {
	await page.context().close();
}

async function newMember(browser: Browser, user: User, profile?: ProfileFields) {
	const page = await newAccount(browser, user, { profile });
	states[user.handle] = await page.context().storageState();
	await done(page);
}

/** RFC 4180: quoted cells may hold commas, doubled quotes and line breaks; rows end in CRLF. */
function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let cell = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quoted && c === '"' && text[i + 1] === '"') {
			cell += '"';
			i++;
		} else if (c === '"') {
			quoted = !quoted;
		} else if (!quoted && c === ',') {
			row.push(cell);
			cell = '';
		} else if (!quoted && c === '\r' && text[i + 1] === '\n') {
			row.push(cell);
			rows.push(row);
			row = [];
			cell = '';
			i++;
		} else {
			cell += c;
		}
	}
	return rows;
}

const entry = (page: Page, name: string) => page.getByRole('article', { name, exact: true });

/** A form post the way a browser without JavaScript makes it, from someone else's session. */
async function post(page: Page, path: string, form: Record<string, string>): Promise<APIResponse> {
	return page.request.post(path, {
		form,
		headers: { accept: 'text/html', origin: new URL(page.url()).origin },
		maxRedirects: 0
	});
}

test('practitioners publish their profiles', async ({ browser }) => {
	await newMember(browser, pia, { name: PIA, headline: PIA_HEADLINE, location: PIA_LOCATION });
	await newMember(browser, pat, { name: PAT });
	// Nobody shortlists themselves: the owner is not offered the link.
	const own = await as(browser, pia.handle);
	await own.goto(`/@${pia.handle}`);
	await expect(own.getByRole('link', { name: 'Edit profile' })).toBeVisible();
	await expect(own.getByRole('link', { name: 'Save to a shortlist' })).toHaveCount(0);
	await done(own);
});

test('Rita saves profiles to shortlists with private notes and exports them as CSV', async ({
	browser,
	page: visitor
}) => {
	// Signed out, the link leads to log-in and back.
	await visitor.goto(`/@${pia.handle}`);
	await visitor.getByRole('link', { name: 'Save to a shortlist' }).click();
	await expect(visitor).toHaveURL(
		`/login?redirectTo=${encodeURIComponent(`/@${pia.handle}/shortlist`)}`
	);

	await newMember(browser, rita);
	const page = await as(browser, rita.handle);
	await page.goto(`/@${pia.handle}`);
	await page.getByRole('link', { name: 'Save to a shortlist' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Save ${PIA} to a shortlist`);
	// The shared TextArea sets its value on hydration, which would clear a note typed before it.
	await page.waitForLoadState('networkidle');

	// No list yet: the form asks for a new one's name, and says so when it is missing.
	await page.getByLabel('Private note (optional)').fill(NOTE);
	await page.getByRole('button', { name: 'Save to shortlist' }).click();
	await expect(page.getByText('Name the new shortlist.')).toBeVisible();
	await expect(page.getByLabel('Name of the new shortlist')).toHaveAttribute(
		'aria-invalid',
		'true'
	);
	await expect(page.getByLabel('Private note (optional)')).toHaveValue(NOTE);
	expect(await seriousViolations(page), 'save form with an error').toEqual([]);

	await page.getByLabel('Name of the new shortlist').fill('Q3 hires');
	await page.getByRole('button', { name: 'Save to shortlist' }).click();
	await expect(page.getByRole('status')).toHaveText('Saved to “Q3 hires”.');
	const onList = page.getByRole('link', { name: 'Q3 hires', exact: true });
	listId = (await onList.getAttribute('href'))!.split('/').pop()!;
	// Saved once is enough: the list is offered no more for this profile.
	await expect(page.getByRole('option', { name: 'Q3 hires (already saved there)' })).toBeDisabled();
	await expect(page.getByLabel('Shortlist', { exact: true })).toHaveValue('new');
	await expect(page.getByLabel('Private note (optional)')).toHaveValue('');

	await page.goto(`/@${pat.handle}/shortlist`);
	await expect(page.getByLabel('Shortlist', { exact: true })).toHaveValue(listId);
	await page.getByRole('button', { name: 'Save to shortlist' }).click();
	await expect(page.getByRole('status')).toHaveText('Saved to “Q3 hires”.');

	await page.goto('/shortlists');
	await expect(page.getByRole('listitem').filter({ hasText: 'Q3 hires' })).toContainText(
		'2 profiles'
	);
	// Names are unique without regard to case; what was typed stays for correcting.
	await page.getByLabel('Shortlist name').fill('q3 HIRES');
	await page.getByRole('button', { name: 'Create shortlist' }).click();
	await expect(page.getByText('You already have a shortlist called “Q3 hires”.')).toBeVisible();
	await expect(page.getByLabel('Shortlist name')).toHaveValue('q3 HIRES');
	expect(await seriousViolations(page), 'shortlists with an error').toEqual([]);
	await page.getByLabel('Shortlist name').fill('Backup');
	await page.getByRole('button', { name: 'Create shortlist' }).click();
	await expect(page.getByRole('status')).toHaveText('Shortlist created.');
	await expect(page.getByLabel('Shortlist name')).toHaveValue('');
	await expect(page.getByRole('listitem').filter({ hasText: 'Backup' })).toContainText(
		'0 profiles'
	);

	await page.getByRole('link', { name: 'Q3 hires', exact: true }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Q3 hires');
	await expect(page.getByRole('article')).toHaveCount(2);
	const piaEntry = entry(page, PIA);
	// Server-rendered pages use relative links (./@pia), so the address they lead to is compared.
	await expect
		.poll(() =>
			piaEntry
				.getByRole('link', { name: PIA })
				.evaluate((a: HTMLAnchorElement) => new URL(a.href).pathname)
		)
		.toBe(`/@${pia.handle}`);
	await expect(piaEntry).toContainText(PIA_HEADLINE);
	await expect(piaEntry).toContainText(PIA_LOCATION);
	await expect(piaEntry).toContainText(NOTE);
	await expect(piaEntry.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
	await expect(entry(page, PAT)).toContainText('No note.');

	await piaEntry.getByText('Edit note').click();
	await piaEntry.getByLabel(`Note on ${PIA}`).fill(EDITED_NOTE);
	await piaEntry.getByRole('button', { name: `Save note on ${PIA}` }).click();
	await expect(page.getByRole('status')).toHaveText('Note saved.');
	await expect(entry(page, PIA)).toContainText('Ask about the Q2 launch.');
	for (const colorScheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme });
		expect(await seriousViolations(page), `a shortlist (${colorScheme})`).toEqual([]);
	}
	await page.emulateMedia({ colorScheme: 'light' });

	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('link', { name: 'Download CSV' }).click()
	]);
	expect(download.suggestedFilename()).toBe('shortlist-q3-hires.csv');
	const csv = fs.readFileSync((await download.path())!, 'utf8');
	expect(csv.charCodeAt(0)).toBe(0xfeff);
	const rows = parseCsv(csv.slice(1));
	const origin = new URL(page.url()).origin;
	expect(rows[0]).toEqual([
		'name',
		'handle',
		'profile URL',
		'headline',
		'location',
		'note',
		'added'
	]);
	expect(rows.slice(1).map((r) => r.slice(0, 6))).toEqual([
		[PAT, pat.handle, `${origin}/@${pat.handle}`, '', '', ''],
		[
			PIA,
			pia.handle,
			`${origin}/@${pia.handle}`,
			`'${PIA_HEADLINE}`,
			PIA_LOCATION,
			`'${EDITED_NOTE}`
		]
	]);
	expect(rows[2][6]).toMatch(/^\d{4}-\d\d-\d\d$/);

	const response = await page.request.get(`/shortlists/${listId}/export.csv`);
	expect(response.headers()['content-type']).toBe('text/csv; charset=utf-8');
	expect(response.headers()['content-disposition']).toBe(
		'attachment; filename="shortlist-q3-hires.csv"'
	);
	await done(page);
});

test('nobody but Rita can see or change her shortlists', async ({ browser }) => {
	await newMember(browser, ivan);
	const page = await as(browser, ivan.handle);
	await page.goto('/shortlists');
	await expect(page.getByText('No shortlists yet.')).toBeVisible();
	await expect(page.getByText('Q3 hires')).toHaveCount(0);

	expect((await page.goto(`/shortlists/${listId}`))!.status()).toBe(404);
	await expect(page.getByText('Q3 hires')).toHaveCount(0);
	expect((await page.request.get(`/shortlists/${listId}/export.csv`)).status()).toBe(404);

	const piaId = await profileIdOf(browser, pia.handle);
	for (const [action, form] of [
		['rename', { name: 'Taken over' }],
		['note', { profile: piaId, note: 'defaced' }],
		['remove', { profile: piaId }],
		['delete', {}]
	] as const) {
		const response = await post(page, `/shortlists/${listId}?/${action}`, form);
		expect(response.status(), action).toBe(404);
	}
	const saved = await post(page, `/@${pat.handle}/shortlist?/save`, {
		shortlist: listId,
		newName: '',
		note: 'mine'
	});
	expect(saved.status()).toBe(404);
	await done(page);

	const owner = await as(browser, rita.handle);
	await owner.goto(`/shortlists/${listId}`);
	await expect(owner.getByRole('heading', { level: 1 })).toHaveText('Q3 hires');
	await expect(owner.getByRole('article')).toHaveCount(2);
	await expect(entry(owner, PIA)).toContainText('Ask about the Q2 launch.');
	await expect(entry(owner, PAT)).toContainText('No note.');
	await done(owner);
});

/** The profile's user id, as Rita's shortlist forms name it. */
async function profileIdOf(browser: Browser, handle: string): Promise<string> {
	const page = await as(browser, rita.handle);
	await page.goto(`/shortlists/${listId}`);
	const name = handle === pia.handle ? PIA : PAT;
	const id = await entry(page, name)
		.locator('form[action="?/remove"] input[name="profile"]')
		.inputValue();
	await done(page);
	return id;
}

test('a profile that goes private stays on the list without its details', async ({ browser }) => {
	const owned = await as(browser, pat.handle);
	await owned.goto('/settings/profile');
	await owned.getByLabel('Private', { exact: true }).check();
	await owned.getByRole('button', { name: 'Save profile' }).click();
	await expect(owned.getByRole('status')).toHaveText('Profile saved.');
	await done(owned);

	const page = await as(browser, rita.handle);
	await page.goto(`/shortlists/${listId}`);
	await expect(page.getByRole('article')).toHaveCount(2);
	await expect(entry(page, 'No longer public')).toBeVisible();
	await expect(page.getByText(PAT)).toHaveCount(0);
	await expect(page.getByRole('link', { name: new RegExp(pat.handle) })).toHaveCount(0);

	const csv = await (await page.request.get(`/shortlists/${listId}/export.csv`)).text();
	expect(csv).not.toContain(PAT);
	expect(csv).not.toContain(pat.handle);
	expect(parseCsv(csv.slice(1))[1].slice(0, 6)).toEqual(['No longer public', '', '', '', '', '']);

	// And it can no longer be saved anywhere.
	expect((await page.goto(`/@${pat.handle}/shortlist`))!.status()).toBe(404);

	await page.goto(`/shortlists/${listId}`);

	await entry(page, 'No longer public')
		.getByRole('button', { name: 'Remove a profile that is no longer public from this shortlist' })
		.click();
	await expect(page.getByRole('status')).toHaveText('Profile removed from this shortlist.');
	await expect(page.getByRole('article')).toHaveCount(1);
	await done(page);
});

test('without JavaScript: save to a list, edit the note, rename and delete', async ({
	browser
}) => {
	const page = await as(browser, rita.handle, false);
	await page.goto(`/@${pia.handle}/shortlist`);
	await page.getByLabel('Shortlist', { exact: true }).selectOption({ label: 'Backup' });
	await page.getByLabel('Name of the new shortlist').fill('Stray name');
	await page.getByLabel('Private note (optional)').fill('Maybe later.');
	const [refused] = await Promise.all([
		page.waitForResponse((r) => r.request().method() === 'POST'),
		page.getByRole('button', { name: 'Save to shortlist' }).click()
	]);
	expect(refused.status()).toBe(400);
	await expect(
		page.getByText('To start a new shortlist, choose “A new shortlist” above; or clear this name.')
	).toBeVisible();
	await expect(page.getByLabel('Shortlist', { exact: true })).toHaveValue(/^\d+$/);
	await expect(page.getByLabel('Private note (optional)')).toHaveValue('Maybe later.');

	await page.getByLabel('Name of the new shortlist').fill('');
	await page.getByRole('button', { name: 'Save to shortlist' }).click();
	await expect(page.getByRole('status')).toHaveText('Saved to “Backup”.');

	await page.getByRole('link', { name: 'Backup', exact: true }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Backup');
	await expect(entry(page, PIA)).toContainText('Maybe later.');
	await entry(page, PIA).getByText('Edit note').click();
	await page.getByLabel(`Note on ${PIA}`).fill('Second choice for the Q3 launch.');
	await page.getByRole('button', { name: `Save note on ${PIA}` }).click();
	await expect(page.getByRole('status')).toHaveText('Note saved.');
	await expect(entry(page, PIA)).toContainText('Second choice for the Q3 launch.');

	await page.getByLabel('Shortlist name').fill('  ');
	const [blank] = await Promise.all([
		page.waitForResponse((r) => r.request().method() === 'POST'),
		page.getByRole('button', { name: 'Rename shortlist' }).click()
	]);
	expect(blank.status()).toBe(400);
	await expect(page.getByText('Name the shortlist.')).toBeVisible();
	await page.getByLabel('Shortlist name').fill('Backup ideas');
	await page.getByRole('button', { name: 'Rename shortlist' }).click();
	await expect(page.getByRole('status')).toHaveText('Shortlist renamed.');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Backup ideas');

	await page.getByText('Delete this shortlist').click();
	await page.getByRole('button', { name: 'Delete shortlist' }).click();
	await expect(page.getByRole('status')).toHaveText('Shortlist deleted.');
	await expect(page).toHaveURL('/shortlists?saved=deleted');
	await expect(page.getByRole('link', { name: 'Backup ideas' })).toHaveCount(0);
	await expect(page.getByRole('listitem').filter({ hasText: 'Q3 hires' })).toContainText(
		'1 profile'
	);
	await done(page);
});
