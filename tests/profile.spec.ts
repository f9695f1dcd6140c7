import fs from 'node:fs';
import { createRequire } from 'node:module';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { mf2 } from 'microformats-parser';
import sharp from 'sharp';
import { newUser, seriousViolations, signUp } from './helpers';

// One practitioner builds a profile and later tests look at it, so the tests run in order and
// a failure skips the rest instead of piling up unrelated ones. Three accounts in all: sign-ups
// are rate-limited per IP across the whole e2e run.
test.describe.configure({ mode: 'serial' });

const require = createRequire(import.meta.url);
const resumeSchema = require('@jsonresume/schema/schema.json') as object;

const owner = newUser('ada');
const importer = newUser('ben');
const movedHandle = newUser('benmoved').handle;

const NAME = 'Ada Okafor';
const HEADLINE = 'Community lead for indie games · 40k Discord';
const LOCATION = 'Lisbon, Portugal';
const BIO = [
	'I help indie studios grow **communities that stay**. Read [my field notes](https://notes.example.com/field).',
	'',
	'<script>window.__bioScriptRan = true</script>',
	'',
	'Based between Lisbon and the internet.'
].join('\n');
const SKILLS = ['Community management', 'Discord moderation', 'Launch campaigns'];
const FIRST_WORK = {
	title: 'Spring launch campaign',
	url: 'https://www.example.org/spring',
	domain: 'example.org',
	role: 'Ran the launch campaign',
	outcome: 'Grew the mailing list from 2k to 19k in 6 months',
	date: '2025-03',
	caseStudy:
		'## What we did\n\nWe ran **weekly playtests** with the community.\n\n- Playtests\n- Devlogs'
};
const SECOND_WORK = {
	title: 'Discord community relaunch',
	url: 'https://community.example.net/relaunch',
	domain: 'community.example.net',
	role: 'Moderation lead',
	outcome: 'Cut unanswered questions by half',
	date: '2025-09'
};
const MASTODON = {
	typed: '@ada_okafor@mastodon.social',
	identifier: '@ada_okafor@mastodon.social',
	url: 'https://mastodon.social/@ada_okafor'
};
const BLUESKY = {
	typed: 'adaokafor.bsky.social',
	identifier: '@adaokafor.bsky.social',
	url: 'https://bsky.app/profile/adaokafor.bsky.social'
};
const GITHUB = {
	typed: 'https://github.com/ada-okafor',
	identifier: 'ada-okafor',
	url: 'https://github.com/ada-okafor'
};
const ACCOUNT_URLS = [MASTODON.url, BLUESKY.url, GITHUB.url];

// Filled in as the owner builds the profile; later tests read them.
let ownerState: Awaited<ReturnType<BrowserContext['storageState']>>;
let importerState: typeof ownerState;
let ownerId = '';
const workIds: Record<string, string> = {};

async function signedIn(browser: Browser, state: typeof ownerState): Promise<Page> {
	const context = await browser.newContext({ storageState: state });
	return context.newPage();
}

const today = new Intl.DateTimeFormat('en', {
	day: 'numeric',
	month: 'short',
	year: 'numeric',
	timeZone: 'UTC'
}).format(new Date());

async function addWork(
	page: Page,
	work: { title: string; url: string; role: string; outcome: string; date: string },
	options: { caseStudy?: string; skills?: string[] } = {}
) {
	// Every field is filled, so nothing left over from the previous item can leak into this one.
	await page.getByLabel('Title', { exact: true }).fill(work.title);
	await page.getByLabel('Link', { exact: true }).fill(work.url);
	await page.getByLabel('Role', { exact: true }).fill(work.role);
	await page.getByLabel('Outcome', { exact: true }).fill(work.outcome);
	await page.getByLabel('Date', { exact: true }).fill(work.date);
	for (const skill of SKILLS) {
		await page.getByLabel(skill, { exact: true }).setChecked(!!options.skills?.includes(skill));
	}
	await page.getByLabel('Case study', { exact: true }).fill(options.caseStudy ?? '');
	await page.getByRole('button', { name: 'Add work' }).click();
	await expect(page.getByRole('status')).toHaveText('Work added to your profile.');
	const edit = page.getByRole('link', { name: `Edit ${work.title}`, exact: true });
	await expect(edit).toBeVisible();
	workIds[work.title] = (await edit.getAttribute('href'))!.split('/').pop()!;
}

async function addAccount(
	page: Page,
	network: string,
	account: { typed: string; identifier: string; url: string },
	followers = ''
) {
	await page.getByLabel('Network', { exact: true }).selectOption({ label: network });
	await page.getByLabel('Account or link').fill(account.typed);
	await page.getByLabel('Followers (optional)').fill(followers);
	await page.getByRole('button', { name: 'Add account' }).click();
	// Shown in its canonical form, whatever was typed.
	await expect(page.getByRole('link', { name: account.identifier, exact: true })).toHaveAttribute(
		'href',
		account.url
	);
	await expect(page.getByRole('status')).toHaveText('Account added to your profile.');
}

test('a practitioner builds a profile: details, picture, skills, work and networks', async ({
	browser
}, testInfo) => {
	const context = await browser.newContext();
	const page = await context.newPage();
	await signUp(page, owner);

	await page.goto('/settings/profile');
	await page.getByLabel('Display name').fill(NAME);
	await page.getByLabel('Headline').fill(HEADLINE);
	await page.getByLabel('Bio').fill(BIO);
	await page.getByLabel('Location').fill(LOCATION);
	await page.getByLabel('Open to freelance').check();
	await page.getByRole('button', { name: 'Save profile' }).click();
	await expect(page.getByRole('status')).toHaveText('Profile saved.');
	await expect(page.getByText('Your profile is public and listed in search.')).toBeVisible();
	await page.reload();
	await expect(page.getByLabel('Headline')).toHaveValue(HEADLINE);
	await expect(page.getByLabel('Bio')).toHaveValue(BIO);
	await expect(page.getByLabel('Open to freelance')).toBeChecked();

	const jpeg = testInfo.outputPath('avatar.jpg');
	await sharp({
		create: { width: 640, height: 480, channels: 3, background: { r: 196, g: 92, b: 38 } }
	})
		.jpeg()
		.toFile(jpeg);
	await page.getByLabel('Upload a picture').setInputFiles(jpeg);
	await page.getByRole('button', { name: 'Upload picture' }).click();
	await expect(page.getByRole('status')).toHaveText('Picture updated.');
	const preview = page.getByRole('img', { name: 'You, as your profile shows you' });
	await expect(preview).toHaveAttribute('src', /^\/avatars\/\d+\/large\.webp\?v=/);
	ownerId = /^\/avatars\/(\d+)\//.exec((await preview.getAttribute('src'))!)![1];
	await expect(page.getByRole('button', { name: 'Remove picture' })).toBeVisible();

	for (const skill of SKILLS) {
		await page.getByLabel('Add a skill').fill(skill);
		await page.getByRole('button', { name: 'Add skill' }).click();
		await expect(page.getByRole('button', { name: `Remove ${skill}` })).toBeVisible();
	}
	await expect(page.getByRole('status')).toHaveText('Skill added.');

	await page
		.getByRole('navigation', { name: 'Settings' })
		.getByRole('link', { name: 'Work', exact: true })
		.click();
	await expect(page.getByRole('heading', { name: 'Published work' })).toBeVisible();
	await addWork(page, FIRST_WORK, {
		caseStudy: FIRST_WORK.caseStudy,
		skills: ['Community management', 'Launch campaigns']
	});
	await addWork(page, SECOND_WORK, { skills: ['Discord moderation'] });
	const items = page
		.getByRole('listitem')
		.filter({ has: page.getByRole('link', { name: /^Edit / }) });
	await expect(items).toHaveText([/Spring launch campaign/, /Discord community relaunch/]);
	await expect(items.first()).toContainText('has a case study');

	await page.getByRole('button', { name: `Pin ${SECOND_WORK.title}`, exact: true }).click();
	await expect(page.getByRole('status')).toHaveText('Work pinned to the top of your profile.');
	await expect(items).toHaveText([/Discord community relaunch\s*Pinned/, /Spring launch campaign/]);
	await expect(
		page.getByRole('button', { name: `Unpin ${SECOND_WORK.title}`, exact: true })
	).toBeVisible();

	await page.getByRole('link', { name: 'Networks' }).click();
	await expect(page.getByRole('heading', { name: 'Network presence' })).toBeVisible();
	await addAccount(page, 'Mastodon', MASTODON, '12,400');
	await addAccount(page, 'Bluesky', BLUESKY);
	await addAccount(page, 'GitHub', GITHUB);
	await expect(page.getByLabel('Followers on Mastodon')).toHaveValue('12400');
	await expect(page.getByLabel('Followers on Bluesky')).toHaveValue('');
	await expect(page.getByText(`12,400 followers · self-reported, ${today}`)).toBeVisible();

	ownerState = await context.storageState();
	await context.close();
});

test('a signed-out visitor sees the whole profile, pinned work first', async ({ page }) => {
	await page.goto(`/@${owner.handle}`);
	await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
	await expect(page).toHaveTitle(`${NAME} · Proofwork`);
	await expect(page.getByText(HEADLINE)).toBeVisible();
	await expect(page.getByText(LOCATION)).toBeVisible();
	await expect(page.getByText('Open to freelance')).toBeVisible();
	await expect(page.getByRole('link', { name: 'Edit profile' })).toHaveCount(0);

	const about = page.getByRole('region', { name: 'About' });
	await expect(about.locator('strong')).toHaveText('communities that stay');
	const notes = about.getByRole('link', { name: 'my field notes' });
	await expect(notes).toHaveAttribute('href', 'https://notes.example.com/field');
	await expect(notes).toHaveAttribute('rel', /\bnofollow\b/);
	await expect(notes).toHaveAttribute('rel', /\bugc\b/);
	await expect(about).toContainText('Based between Lisbon and the internet.');
	await expect(about.locator('script')).toHaveCount(0);
	await expect(about).not.toContainText('__bioScriptRan');
	expect(await page.evaluate(() => '__bioScriptRan' in window)).toBe(false);

	const skills = page.getByRole('region', { name: 'Skills', exact: true });
	await expect(skills.getByRole('listitem')).toHaveText(SKILLS);

	const work = page.getByRole('region', { name: 'Published work' });
	await expect(work.getByRole('heading', { level: 3 })).toHaveText([
		SECOND_WORK.title,
		FIRST_WORK.title
	]);
	const pinned = work.getByRole('listitem').filter({ hasText: SECOND_WORK.title });
	await expect(pinned).toContainText('Pinned');
	await expect(pinned).toContainText(SECOND_WORK.domain);
	await expect(pinned.getByRole('list', { name: 'Skills used' })).toHaveText('Discord moderation');
	await expect(pinned.getByRole('link', { name: SECOND_WORK.title })).toHaveAttribute(
		'href',
		SECOND_WORK.url
	);
	const first = work.getByRole('listitem').filter({ hasText: FIRST_WORK.title });
	await expect(first).toContainText(`${FIRST_WORK.domain} · ${FIRST_WORK.date}`);
	await expect(first).toContainText(`Outcome: ${FIRST_WORK.outcome}`);

	const networks = page.getByRole('region', { name: 'Network presence' });
	for (const account of [MASTODON, BLUESKY, GITHUB]) {
		const link = networks.getByRole('link', { name: account.identifier });
		await expect(link).toHaveAttribute('href', account.url);
		await expect(link).toHaveAttribute('rel', /\bme\b/);
	}
	await expect(networks.getByRole('link', { name: 'Mastodon: @ada_okafor' })).toBeVisible();
	await expect(networks.getByText(`12,400 followers · self-reported, ${today}`)).toBeVisible();

	const avatar = page.getByRole('img', { name: NAME, exact: true });
	await expect
		.poll(() => avatar.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
		.toBeGreaterThan(0);
	const picture = await page.request.get((await avatar.getAttribute('src'))!);
	expect(picture.status()).toBe(200);
	expect(picture.headers()['content-type']).toBe('image/webp');

	await work.getByRole('link', { name: 'Read the case study' }).click();
	await expect(page).toHaveURL(`/@${owner.handle}/work/spring-launch-campaign`);
	await expect(page.getByRole('heading', { level: 1, name: FIRST_WORK.title })).toBeVisible();
	await expect(page.getByRole('heading', { level: 2, name: 'What we did' })).toBeVisible();
	await expect(page.locator('strong', { hasText: 'weekly playtests' })).toBeVisible();
	await expect(page.getByRole('link', { name: FIRST_WORK.domain })).toHaveAttribute(
		'href',
		FIRST_WORK.url
	);
	await page.getByRole('link', { name: NAME }).click();
	await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
});

test('machines can read the profile: microformats, JSON-LD, share image, canonical link', async ({
	page
}) => {
	const response = await page.goto(`/@${owner.handle}`);
	const origin = new URL(page.url()).origin;
	const profileUrl = `${origin}/@${owner.handle}`;
	const html = await response!.text();

	const parsed = mf2(html, { baseUrl: profileUrl });
	const card = parsed.items.find((item) => item.type?.includes('h-card'));
	expect(card, 'an h-card on the page').toBeDefined();
	const props = card!.properties;
	expect(props.name).toEqual([NAME]);
	const photo = props.photo?.[0] as string | { value: string };
	const photoUrl = typeof photo === 'string' ? photo : photo.value;
	expect(photoUrl).toMatch(new RegExp(`^${origin}/avatars/${ownerId}/large\\.webp\\?v=`));
	expect(props.url).toContain(profileUrl);
	expect(String(props.note?.[0])).toContain('I help indie studios grow communities that stay.');
	expect(String(props.note?.[0])).not.toContain('__bioScriptRan');
	expect(props.locality).toEqual([LOCATION]);
	expect(props['job-title']).toEqual([HEADLINE]);
	expect(parsed.rels.me).toEqual(expect.arrayContaining(ACCOUNT_URLS));

	const ldJson = /<script type="application\/ld\+json"[^>]*>([\s\S]*?)<\/script>/.exec(html);
	expect(ldJson, 'a JSON-LD script').not.toBeNull();
	const person = JSON.parse(ldJson![1]);
	expect(person['@type']).toBe('Person');
	expect(person.name).toBe(NAME);
	expect(person.url).toBe(profileUrl);
	expect(person.sameAs).toEqual(expect.arrayContaining(ACCOUNT_URLS));

	await expect(page.locator('link[rel="canonical"]')).toHaveAttribute('href', profileUrl);
	const ogImage = await page.locator('meta[property="og:image"]').getAttribute('content');
	expect(ogImage).toMatch(new RegExp(`^${origin}/@${owner.handle}/og\\.png\\?v=`));

	for (const url of [ogImage!, `/@${owner.handle}/og.png`]) {
		const image = await page.request.get(url);
		expect(image.status(), url).toBe(200);
		expect(image.headers()['content-type']).toBe('image/png');
		const png = await image.body();
		expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
		expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
		expect({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) }).toEqual({
			width: 1200,
			height: 630
		});
	}
});

test('the JSON Resume export is valid and another practitioner can import it', async ({
	browser,
	request
}, testInfo) => {
	const response = await request.get(`/@${owner.handle}/resume.json`);
	expect(response.status()).toBe(200);
	expect(response.headers()['content-type']).toContain('application/json');
	const resume = await response.json();
	const ajv = new Ajv({ allErrors: true });
	addFormats(ajv);
	const validate = ajv.compile(resumeSchema);
	expect(validate(resume), ajv.errorsText(validate.errors)).toBe(true);
	expect(resume.basics.name).toBe(NAME);
	expect(resume.basics.label).toBe(HEADLINE);
	expect(resume.basics.profiles.map((p: { url: string }) => p.url)).toEqual(ACCOUNT_URLS);
	expect(resume.projects.map((p: { name: string }) => p.name)).toEqual([
		SECOND_WORK.title,
		FIRST_WORK.title
	]);
	expect(resume.skills.map((s: { name: string }) => s.name)).toEqual(SKILLS);

	const file = testInfo.outputPath(`${owner.handle}.resume.json`);
	fs.writeFileSync(file, await response.text());

	const context = await browser.newContext();
	const page = await context.newPage();
	await signUp(page, importer);
	await page.goto('/settings/profile');
	await page.getByLabel('JSON Resume file').setInputFiles(file);
	await page.getByRole('button', { name: 'Preview import' }).click();
	const preview = page.getByRole('status').filter({ hasText: 'This import would add:' });
	await expect(preview).toContainText(`Display name: ${NAME}`);
	await expect(preview).toContainText(`Skills: ${SKILLS.join(', ')}`);
	await expect(preview).toContainText(`Work: ${SECOND_WORK.title}`);
	await expect(preview).toContainText(`Work: ${FIRST_WORK.title}`);
	await expect(preview).toContainText(`Account: Mastodon ${MASTODON.url}`);
	// Nothing is saved before the merge.
	await expect(page.getByRole('button', { name: `Remove ${SKILLS[0]}` })).toHaveCount(0);

	await page.getByRole('button', { name: 'Merge into my profile' }).click();
	await expect(page.getByRole('status')).toHaveText('JSON Resume merged into your profile.');
	await expect(page.getByRole('button', { name: `Remove ${SKILLS[2]}` })).toBeVisible();
	importerState = await context.storageState();
	await context.close();

	const visitor = await browser.newPage();
	await visitor.goto(`/@${importer.handle}`);
	await expect(visitor.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
	await expect(
		visitor.getByRole('region', { name: 'Skills', exact: true }).getByRole('listitem')
	).toHaveText(SKILLS);
	await expect(
		visitor.getByRole('region', { name: 'Published work' }).getByRole('heading', { level: 3 })
	).toHaveText([SECOND_WORK.title, FIRST_WORK.title]);
	await expect(visitor.getByRole('link', { name: GITHUB.identifier })).toHaveAttribute(
		'href',
		GITHUB.url
	);
	await visitor.close();
});

test('bad input is refused next to its field and the typed values are kept', async ({
	browser,
	request
}) => {
	const page = await signedIn(browser, ownerState);
	await page.goto('/settings/work');
	await page.getByLabel('Title', { exact: true }).fill('Sneaky link');
	await page.getByLabel('Link', { exact: true }).fill('javascript:alert(1)');
	await page.getByLabel('Role', { exact: true }).fill('Tester');
	await page.getByRole('button', { name: 'Add work' }).click();
	const link = page.getByLabel('Link', { exact: true });
	await expect(link).toHaveAttribute('aria-invalid', 'true');
	await expect(link).toHaveAccessibleDescription(
		/Enter a link that starts with http:\/\/ or https:\/\//
	);
	await expect(page.getByLabel('Title', { exact: true })).toHaveValue('Sneaky link');
	await expect(page.getByLabel('Role', { exact: true })).toHaveValue('Tester');
	await expect(page.getByRole('link', { name: 'Edit Sneaky link' })).toHaveCount(0);

	await page.goto('/settings/profile');
	const headline = page.getByLabel('Headline');
	// What a script or an old browser could send: the maxlength attribute is only a hint.
	await headline.evaluate((input) => input.removeAttribute('maxlength'));
	const tooLong = 'Community lead '.repeat(8) + 'x';
	expect(tooLong).toHaveLength(121);
	await headline.fill(tooLong);
	await page.getByLabel('Location').fill('Porto');
	await page.getByRole('button', { name: 'Save profile' }).click();
	await expect(headline).toHaveAccessibleDescription(/Headline: use at most 120 characters\./);
	await expect(headline).toHaveValue(tooLong);
	await expect(page.getByLabel('Location')).toHaveValue('Porto');
	await page.close();

	const profile = await (await request.get(`/@${owner.handle}`)).text();
	expect(profile).toContain(HEADLINE);
	expect(profile).toContain(LOCATION);
	expect(profile).not.toContain('Porto');
	expect(profile).not.toContain('Sneaky link');
});

test("someone else's work and profile stay out of reach, whatever the form says", async ({
	browser,
	request
}) => {
	const page = await signedIn(browser, importerState);
	const origin = new URL(test.info().project.use.baseURL!).origin;
	const theirs = workIds[FIRST_WORK.title];

	const edit = await page.goto(`/settings/work/${theirs}`);
	expect(edit!.status()).toBe(404);
	await expect(page.getByRole('heading', { name: 'We could not find that page' })).toBeVisible();

	for (const action of ['delete', 'pin', 'up']) {
		const response = await page.request.post(`/settings/work?/${action}`, {
			headers: { Origin: origin, Accept: 'text/html' },
			form: { id: theirs }
		});
		expect(response.status(), action).toBe(404);
		expect(await response.text()).toContain('That work item is not on your profile.');
	}
	const save = await page.request.post(`/settings/work/${theirs}?/save`, {
		headers: { Origin: origin, Accept: 'text/html' },
		form: { title: 'Hijacked', url: '', role: '', outcome: '', happenedOn: '', caseStudy: '' }
	});
	expect(save.status()).toBe(404);

	// A field the form does not have, naming the other account, is ignored: only the sender changes.
	await page.goto('/settings/profile');
	const saveButton = page.getByRole('button', { name: 'Save profile' });
	await saveButton.evaluate((button: HTMLButtonElement, id) => {
		const forged = document.createElement('input');
		forged.type = 'hidden';
		forged.name = 'user_id';
		forged.value = id;
		button.form!.append(forged);
	}, ownerId);
	await page.getByLabel('Display name').fill('Ben Forger');
	await saveButton.click();
	await expect(page.getByRole('status')).toHaveText('Profile saved.');
	await page.close();

	const ownerProfile = await (await request.get(`/@${owner.handle}`)).text();
	expect(ownerProfile).toContain(NAME);
	expect(ownerProfile).not.toContain('Ben Forger');
	expect(ownerProfile).not.toContain('Hijacked');
	const visitor = await browser.newPage();
	await visitor.goto(`/@${owner.handle}`);
	await expect(
		visitor.getByRole('region', { name: 'Published work' }).getByRole('heading', { level: 3 })
	).toHaveText([SECOND_WORK.title, FIRST_WORK.title]);
	await visitor.goto(`/@${importer.handle}`);
	await expect(visitor.getByRole('heading', { level: 1, name: 'Ben Forger' })).toBeVisible();
	await visitor.close();
});

test('a changed handle redirects the old address, which nobody else can take', async ({
	browser,
	page,
	request
}) => {
	const owned = await signedIn(browser, importerState);
	await owned.goto('/settings/profile');
	await owned.getByLabel('New handle').fill(movedHandle);
	await owned.getByRole('button', { name: 'Change handle' }).click();
	await expect(owned.getByRole('status')).toHaveText(
		'Handle changed. Links to your old handle now lead here.'
	);
	await expect(owned.getByRole('link', { name: `@${movedHandle}` })).toBeVisible();
	await expect(owned.getByText(`/@${movedHandle}`, { exact: true })).toBeVisible();
	await owned.close();

	const old = await request.get(`/@${importer.handle}`, { maxRedirects: 0 });
	expect(old.status()).toBe(301);
	expect(old.headers().location).toBe(`/@${movedHandle}`);
	await page.goto(`/@${importer.handle}`);
	await expect(page).toHaveURL(`/@${movedHandle}`);
	await expect(page.getByRole('heading', { level: 1, name: 'Ben Forger' })).toBeVisible();
	await expect(page.getByText(`@${movedHandle}`, { exact: true })).toBeVisible();

	const someoneElse = newUser('squat');
	await page.goto('/signup');
	await page.getByLabel('Email').fill(someoneElse.email);
	await page.getByLabel('Handle').fill(importer.handle);
	await page.getByLabel('Password').fill(someoneElse.password);
	await page.getByRole('button', { name: 'Sign up' }).click();
	await expect(page.getByText('This handle is taken. Choose another.')).toBeVisible();
	await expect(page.getByLabel('Handle')).toHaveAttribute('aria-invalid', 'true');
	// No account was made: the visitor is still signed out.
	await expect(
		page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' })
	).toBeVisible();
});

test('unlisted profiles are not indexed, private ones are seen only by their owner', async ({
	browser,
	page,
	request
}) => {
	const handle = movedHandle;
	const sitemap = async () => (await request.get('/sitemap.xml')).text();
	const inSitemap = (xml: string, h: string) => xml.includes(`/@${h}</loc>`);
	let xml = await sitemap();
	expect(inSitemap(xml, owner.handle), 'a listed profile').toBe(true);
	expect(inSitemap(xml, handle), 'a listed profile').toBe(true);
	await page.goto(`/@${handle}`);
	await expect(page.locator('meta[name="robots"]')).toHaveCount(0);

	const owned = await signedIn(browser, importerState);
	const setVisibility = async (label: 'Public' | 'Unlisted' | 'Private') => {
		await owned.goto('/settings/profile');
		await owned.getByLabel(label, { exact: true }).check();
		await owned.getByRole('button', { name: 'Save profile' }).click();
		await expect(owned.getByRole('status')).toHaveText('Profile saved.');
	};

	await setVisibility('Unlisted');
	await expect(owned.getByText('Your profile is unlisted.')).toBeVisible();
	await page.goto(`/@${handle}`);
	await expect(page.getByRole('heading', { level: 1, name: 'Ben Forger' })).toBeVisible();
	await expect(page.locator('meta[name="robots"]')).toHaveAttribute('content', 'noindex');
	xml = await sitemap();
	expect(inSitemap(xml, handle), 'an unlisted profile').toBe(false);
	expect(inSitemap(xml, owner.handle)).toBe(true);

	await setVisibility('Private');
	const hidden = await page.goto(`/@${handle}`);
	expect(hidden!.status()).toBe(404);
	await expect(page.getByRole('heading', { name: 'We could not find that page' })).toBeVisible();
	await expect(page.getByText('Ben Forger')).toHaveCount(0);
	expect((await request.get(`/@${handle}/resume.json`)).status()).toBe(404);
	expect(inSitemap(await sitemap(), handle), 'a private profile').toBe(false);

	await owned.goto(`/@${handle}`);
	await expect(owned.getByRole('heading', { level: 1, name: 'Ben Forger' })).toBeVisible();
	await expect(owned.getByRole('complementary', { name: 'Your profile' })).toContainText(
		'This is your profile: private, only you can see it.'
	);

	await setVisibility('Public');
	await page.goto(`/@${handle}`);
	await expect(page.getByRole('heading', { level: 1, name: 'Ben Forger' })).toBeVisible();
	expect(inSitemap(await sitemap(), handle), 'public again').toBe(true);
	await owned.close();
});

// SvelteKit's enhance resets a form only on `success`; these actions redirect instead.
test('after adding work or an account, the add form is empty again', async ({ browser }) => {
	const page = await signedIn(browser, importerState);
	await page.goto('/settings/networks');
	await page.getByLabel('Network', { exact: true }).selectOption({ label: 'Personal website' });
	await page.getByLabel('Account or link').fill('https://ben.example.com');
	await page.getByRole('button', { name: 'Add account' }).click();
	await expect(page.getByRole('status')).toHaveText('Account added to your profile.');
	await expect(page.getByLabel('Account or link')).toHaveValue('');

	await page.goto('/settings/work');
	await page.getByLabel('Title', { exact: true }).fill('Zine fair stall');
	await page.getByRole('button', { name: 'Add work' }).click();
	await expect(page.getByRole('status')).toHaveText('Work added to your profile.');
	await expect(page.getByLabel('Title', { exact: true })).toHaveValue('');
	await page.close();
});

test('profile and settings pages have no serious accessibility violations', async ({
	browser,
	page
}) => {
	// Sixteen pages through axe, the work editor now with its media forms: more than 30 s on a
	// loaded 2-core machine.
	test.setTimeout(120_000);
	const owned = await signedIn(browser, ownerState);
	for (const scheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme: scheme });
		await page.goto(`/@${owner.handle}`);
		await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
		expect(await seriousViolations(page), `/@${owner.handle} signed out (${scheme})`).toEqual([]);
		await page.goto(`/@${owner.handle}/work/spring-launch-campaign`);
		expect(await seriousViolations(page), `case study (${scheme})`).toEqual([]);

		await owned.emulateMedia({ colorScheme: scheme });
		for (const path of [
			`/@${owner.handle}`,
			'/settings/profile',
			'/settings/work',
			`/settings/work/${workIds[FIRST_WORK.title]}`,
			'/settings/networks',
			'/dashboard'
		]) {
			await owned.goto(path);
			await expect(owned.getByRole('heading', { level: 1 })).toBeVisible();
			expect(await seriousViolations(owned), `${path} (${scheme})`).toEqual([]);
		}
	}
	// A form showing its errors.
	await owned.goto('/settings/work');
	await owned.getByRole('button', { name: 'Add work' }).click();
	await expect(owned.getByText('Give the work a title.')).toBeVisible();
	expect(await seriousViolations(owned), 'work form with errors').toEqual([]);
	await owned.close();
});

test('on a 320 px wide screen the profile needs no sideways scrolling', async ({ page }) => {
	await page.setViewportSize({ width: 320, height: 720 });
	for (const path of [`/@${owner.handle}`, `/@${owner.handle}/work/spring-launch-campaign`]) {
		await page.goto(path);
		await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
		expect(
			await page.evaluate(() => document.documentElement.scrollWidth),
			path
		).toBeLessThanOrEqual(320);
	}
});

test('the dashboard counts the signed-out visits and charts them', async ({ browser }) => {
	const page = await signedIn(browser, ownerState);
	await page.goto('/dashboard');
	const views = page.getByRole('region', { name: 'Profile views' });
	// Views are held in memory for a moment; the dashboard writes them out before it counts.
	await expect(views).toContainText(/Last 90 days\s*[1-9]/);
	await expect(
		views.getByRole('img', { name: 'Profile views per day over the last 90 days' })
	).toBeVisible();
	const todayIso = new Date().toISOString().slice(0, 10);
	await expect(
		views.getByRole('table', { name: 'Views per day' }).getByRole('row', { name: todayIso })
	).toHaveCount(1);
	await page.close();
});
