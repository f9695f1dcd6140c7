import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { newAccount, newUser, type User } from './helpers';

// Endorsing and deciding are plain HTML forms; with JavaScript off each one still does its job.
// Three accounts, from this file's own address (sign-ups are rate-limited per IP).
test.use({ javaScriptEnabled: false, extraHTTPHeaders: { 'X-Forwarded-For': '10.61.0.1' } });
// The second test sends to the profile the first one builds.
test.describe.configure({ mode: 'serial' });

const owner = newUser('nojsowner');
const endorser = newUser('nojsfan');
const spammer = newUser('nojsspam');

const OWNER = 'Iris Lindqvist';
const ENDORSER = 'Tomas Reyes';
const SKILL = 'Podcast production';
const WORK = 'Fieldnotes season two';
const ORGANISATION = 'Saltmarsh Radio';
const BODY =
	'Iris produced all twelve episodes of Fieldnotes season two for us, on time, and doubled our downloads.';
const SPAM =
	'Can I simply say what a comfort to find an individual who really knows what they are talking about on the internet. Yoou definitely understand how to bring an issue to light and make it important. A lot more people really need to read this and understand this side of the story. I was surprised that you are not more popular because you definitely possess the gift.';

let ownerState: Awaited<ReturnType<BrowserContext['storageState']>>;

let signUps = 0;

// Each from a network of its own: people signing up together from one network are what the
// trust job groups as closely connected (tested in endorsements/provenance.spec.ts).
const newMember = (browser: Browser, user: User, name?: string) =>
	newAccount(browser, user, {
		address: `10.${91 + signUps++}.0.1`,
		javaScriptEnabled: false,
		verify: true,
		profile: name ? { name } : undefined
	});

const endorsementsOn = (page: Page) => page.getByRole('region', { name: /^Endorsements/ });
const waiting = (page: Page) => page.getByRole('region', { name: /^Waiting for you \(\d+\)$/ });

async function references(page: Page): Promise<string[]> {
	const response = await page.request.get(`/@${owner.handle}/resume.json`);
	const resume = (await response.json()) as { references?: { reference: string }[] };
	return (resume.references ?? []).map((r) => r.reference);
}

test('without JavaScript: endorse with work as evidence, the owner accepts, then hides it', async ({
	browser,
	page: visitor
}) => {
	const ownerPage = await newMember(browser, owner, OWNER);
	await ownerPage.getByLabel('Add a skill').fill(SKILL);
	await ownerPage.getByRole('button', { name: 'Add skill' }).click();
	await expect(ownerPage.getByRole('status')).toHaveText('Skill added.');
	await ownerPage.goto('/settings/work');
	await ownerPage.getByLabel('Title', { exact: true }).fill(WORK);
	await ownerPage.getByLabel(SKILL, { exact: true }).check();
	await ownerPage.getByRole('button', { name: 'Add work' }).click();
	await expect(ownerPage.getByRole('status')).toHaveText('Work added to your profile.');
	ownerState = await ownerPage.context().storageState();

	const page = await newMember(browser, endorser, ENDORSER);
	await page.goto(`/@${owner.handle}`);
	await page.getByRole('link', { name: `Endorse ${OWNER}` }).click();
	await expect(page.getByRole('heading', { level: 1, name: `Endorse ${OWNER}` })).toBeVisible();
	await page.getByLabel(SKILL, { exact: true }).check();
	await page.getByLabel('Work you saw (evidence)').selectOption({ label: WORK });
	await page.getByLabel('How you know them').selectOption({ label: 'Client' });
	await page.getByLabel('Organisation (optional)').fill(ORGANISATION);
	// A mistake first: the server answers with the message by the field and everything kept.
	await page.getByLabel('Your endorsement').fill('Great producer.');
	await page.getByRole('button', { name: 'Send endorsement' }).click();
	await expect(page.getByLabel('Your endorsement')).toHaveAccessibleDescription(
		/Write at least 40 characters/
	);
	await expect(page.getByLabel('Your endorsement')).toHaveValue('Great producer.');
	await expect(page.getByLabel(SKILL, { exact: true })).toBeChecked();
	await expect(page.getByLabel('Work you saw (evidence)')).toHaveValue(/^\d+$/);
	await expect(page.getByLabel('How you know them')).toHaveValue('client');
	await expect(page.getByLabel('Organisation (optional)')).toHaveValue(ORGANISATION);
	await page.getByLabel('Your endorsement').fill(BODY);
	await page.getByRole('button', { name: 'Send endorsement' }).click();
	await expect(page.getByRole('status')).toHaveText(
		`Thank you. Your endorsement is with ${OWNER}, who decides whether it appears on their profile.`
	);
	await page.context().close();

	await visitor.goto(`/@${owner.handle}`);
	await expect(endorsementsOn(visitor)).toContainText('No endorsements yet.');
	await expect(visitor.getByText(BODY)).toHaveCount(0);

	await ownerPage.goto('/dashboard/endorsements');
	const pending = waiting(ownerPage).getByRole('article', { name: `Endorsement from ${ENDORSER}` });
	await expect(pending).toContainText(BODY);
	await expect(pending).toContainText(`Client at ${ORGANISATION}`);
	await expect(pending.getByTestId('provenance')).toHaveText(
		'Where it comes from: Independent, but new (joined today); nobody vouches for them yet.'
	);
	await pending.getByRole('button', { name: `Accept endorsement from ${ENDORSER}` }).click();
	await expect(ownerPage.getByRole('status')).toHaveText(
		'Endorsement accepted. It now appears on your profile.'
	);

	await visitor.reload();
	const section = endorsementsOn(visitor);
	await expect(section.getByRole('link', { name: ENDORSER, exact: true })).toBeVisible();
	await expect(section).toContainText(`Client at ${ORGANISATION}`);
	await expect(section).toContainText(BODY);
	await expect(section).toContainText(`Endorsed for: ${SKILL} (1)`);
	await expect(section.getByRole('heading', { level: 3 })).toHaveText([`For “${WORK}”`]);
	await expect(section.getByRole('list', { name: 'Where the endorsements come from' })).toHaveText(
		'1 independent endorser'
	);
	await expect(section.getByTestId('trust-standing')).toContainText(
		'Not enough vouches yet; this says nothing bad about them.'
	);
	expect(await references(visitor)).toEqual([BODY]);

	await ownerPage
		.getByRole('region', { name: /^On your profile/ })
		.getByRole('button', { name: `Hide endorsement from ${ENDORSER}` })
		.click();
	await expect(ownerPage.getByRole('status')).toHaveText(
		'Endorsement hidden. It no longer appears on your profile.'
	);
	await visitor.reload();
	await expect(endorsementsOn(visitor)).toContainText('No endorsements yet.');
	await expect(visitor.getByText(BODY)).toHaveCount(0);
	expect(await references(visitor)).toEqual([]);
	await ownerPage.context().close();
});

test('without JavaScript: copy-paste praise from a fresh account never shows publicly', async ({
	browser,
	page: visitor
}) => {
	const page = await newMember(browser, spammer);
	await page.goto(`/@${owner.handle}/endorse`);
	await page.getByLabel(SKILL, { exact: true }).check();
	await page.getByLabel('How you know them').selectOption({ label: 'Follow their work' });
	await page.getByLabel('Your endorsement').fill(SPAM);
	await page.getByRole('button', { name: 'Send endorsement' }).click();
	await expect(page.getByRole('status')).toHaveText(/^Thank you\. Your endorsement is with/);
	await page.context().close();

	const ownerPage = await (
		await browser.newContext({ storageState: ownerState, javaScriptEnabled: false })
	).newPage();
	await ownerPage.goto('/dashboard/endorsements');
	const spam = waiting(ownerPage).getByRole('article', {
		name: `Endorsement from ${spammer.handle}`
	});
	await expect(spam).toContainText(SPAM);
	await expect(spam.getByRole('list', { name: 'Warnings' })).toContainText('Generic');

	await visitor.goto(`/@${owner.handle}`);
	await expect(endorsementsOn(visitor)).toContainText('No endorsements yet.');
	await expect(visitor.getByText(/comfort to find an individual/)).toHaveCount(0);
	expect(await references(visitor)).toEqual([]);
	await ownerPage.context().close();
});
