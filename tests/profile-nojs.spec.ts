import { expect, test, type BrowserContext } from '@playwright/test';
import sharp from 'sharp';
import { fillProfile, newUser, signUpToProfile } from './helpers';

// Every settings form is a plain HTML form; with JavaScript off each one still does its job.
test.use({ javaScriptEnabled: false });
// The second test edits the profile the first one builds.
test.describe.configure({ mode: 'serial' });

const user = newUser('nojsprof');
let userState: Awaited<ReturnType<BrowserContext['storageState']>>;
const BIO = 'I edit **independent** newsletters.';
const NAME = 'Cleo Marsh';
const HEADLINE = 'Newsletter editor for small presses';
const SKILL = 'Newsletter writing';
const WORK = {
	title: 'Small Press Weekly',
	url: 'https://smallpress.example.com/weekly',
	outcome: 'Reached 8,000 subscribers'
};

test('build a profile with JavaScript disabled, then view it signed out', async ({
	page,
	context,
	browser
}, testInfo) => {
	await signUpToProfile(page, user);
	await fillProfile(page, {
		name: NAME,
		headline: HEADLINE,
		bio: BIO,
		location: 'Leeds',
		openToWork: true
	});
	await expect(page.getByLabel('Display name')).toHaveValue(NAME);

	// A mistake comes back from the server with the message next to the field, the input kept.
	await page.getByLabel('New handle').fill('admin');
	await page.getByRole('button', { name: 'Change handle' }).click();
	await expect(page.getByLabel('New handle')).toHaveAccessibleDescription(
		'This handle is reserved. Choose another.'
	);
	await expect(page.getByLabel('New handle')).toHaveValue('admin');
	await expect(page.getByLabel('Headline')).toHaveValue(HEADLINE);

	const png = testInfo.outputPath('avatar.png');
	await sharp({
		create: { width: 300, height: 300, channels: 3, background: { r: 20, g: 110, b: 90 } }
	})
		.png()
		.toFile(png);
	await page.getByLabel('Upload a picture').setInputFiles(png);
	await page.getByRole('button', { name: 'Upload picture' }).click();
	await expect(page.getByRole('status')).toHaveText('Picture updated.');

	await page.getByLabel('Add a skill').fill(SKILL);
	await page.getByRole('button', { name: 'Add skill' }).click();
	await expect(page.getByRole('status')).toHaveText('Skill added.');
	await expect(page.getByRole('button', { name: `Remove ${SKILL}` })).toBeVisible();

	await page.goto('/settings/work');
	await page.getByLabel('Title', { exact: true }).fill(WORK.title);
	await page.getByLabel('Link', { exact: true }).fill('javascript:alert(1)');
	await page.getByLabel('Outcome', { exact: true }).fill(WORK.outcome);
	await page.getByLabel(SKILL, { exact: true }).check();
	await page.getByRole('button', { name: 'Add work' }).click();
	await expect(page.getByLabel('Link', { exact: true })).toHaveAccessibleDescription(
		/Enter a link that starts with http:\/\/ or https:\/\//
	);
	await expect(page.getByLabel('Title', { exact: true })).toHaveValue(WORK.title);
	await expect(page.getByLabel(SKILL, { exact: true })).toBeChecked();
	await page.getByLabel('Link', { exact: true }).fill(WORK.url);
	// The outcome text area comes back empty (see the next test), so it is typed again.
	await page.getByLabel('Outcome', { exact: true }).fill(WORK.outcome);
	await page.getByRole('button', { name: 'Add work' }).click();
	await expect(page.getByRole('status')).toHaveText('Work added to your profile.');
	await expect(page.getByRole('link', { name: `Edit ${WORK.title}` })).toBeVisible();

	await page.goto('/settings/networks');
	await page.getByLabel('Network', { exact: true }).selectOption({ label: 'GitHub' });
	await page.getByLabel('Account or link').fill('cleo-marsh');
	await page.getByLabel('Followers (optional)').fill('1,250');
	await page.getByRole('button', { name: 'Add account' }).click();
	await expect(page.getByRole('status')).toHaveText('Account added to your profile.');
	await expect(page.getByRole('link', { name: 'cleo-marsh', exact: true })).toHaveAttribute(
		'href',
		'https://github.com/cleo-marsh'
	);

	userState = await context.storageState();

	const visitor = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
	await visitor.goto(`/@${user.handle}`);
	await expect(visitor.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
	await expect(visitor.getByText(HEADLINE)).toBeVisible();
	await expect(visitor.getByText('Leeds')).toBeVisible();
	await expect(visitor.getByText('Open to work')).toBeVisible();
	await expect(visitor.getByRole('region', { name: 'About' }).locator('strong')).toHaveText(
		'independent'
	);
	await expect(
		visitor.getByRole('region', { name: 'Skills', exact: true }).getByRole('listitem')
	).toHaveText([SKILL]);
	const work = visitor.getByRole('region', { name: 'Published work' });
	await expect(work.getByRole('link', { name: WORK.title })).toHaveAttribute('href', WORK.url);
	await expect(work).toContainText('smallpress.example.com');
	await expect(work.getByRole('list', { name: 'Skills used' })).toHaveText(SKILL);
	const github = visitor.getByRole('link', { name: 'GitHub: cleo-marsh' });
	await expect(github).toHaveAttribute('rel', /\bme\b/);
	await expect(visitor.getByText(/1,250 followers · self-reported,/)).toBeVisible();
	const avatar = visitor.getByRole('img', { name: NAME, exact: true });
	await expect
		.poll(() => avatar.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
		.toBeGreaterThan(0);
	const download = visitor.getByRole('link', { name: 'Download as JSON Resume' });
	const resumeUrl = new URL((await download.getAttribute('href'))!, visitor.url());
	expect(resumeUrl.pathname).toBe(`/@${user.handle}/resume.json`);
	const resume = await visitor.request.get(resumeUrl.href);
	expect((await resume.json()).basics.name).toBe(NAME);
	await visitor.close();
});

// Svelte 5.57 does not server-render `defaultValue` on a <textarea> (sveltejs/svelte#18771):
// without JavaScript a text area must still show what is saved, or saving again would wipe it.
test('text areas show what is saved, so saving again keeps it', async ({ browser }) => {
	const page = await (
		await browser.newContext({ storageState: userState, javaScriptEnabled: false })
	).newPage();
	await page.goto('/settings/profile');
	await expect(page.getByLabel('Bio')).toHaveValue(BIO);
	await page.getByRole('button', { name: 'Save profile' }).click();
	await expect(page.getByRole('status')).toHaveText('Profile saved.');
	await page.goto(`/@${user.handle}`);
	await expect(page.getByRole('region', { name: 'About' })).toContainText('I edit independent');

	await page.goto('/settings/work');
	await page.getByRole('link', { name: `Edit ${WORK.title}` }).click();
	await expect(page.getByLabel('Outcome', { exact: true })).toHaveValue(WORK.outcome);

	await page.goto('/settings/work');
	await page.getByLabel('Title', { exact: true }).fill('Another issue');
	await page.getByLabel('Link', { exact: true }).fill('javascript:alert(1)');
	await page.getByLabel('Outcome', { exact: true }).fill('Kept after a mistake');
	await page.getByRole('button', { name: 'Add work' }).click();
	await expect(page.getByLabel('Link', { exact: true })).toHaveAttribute('aria-invalid', 'true');
	await expect(page.getByLabel('Outcome', { exact: true })).toHaveValue('Kept after a mistake');
	await page.close();
});
