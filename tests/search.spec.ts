import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import {
	addSkill,
	addWorkItem,
	fillProfile,
	logIn,
	newAccount,
	newUser,
	seriousViolations,
	type ProfileFields,
	type User
} from './helpers';

// Lena (Leeds, with a work item) and Lou (London) list Shopify; Priya in Leeds lists it too but
// keeps her profile private. Emil, an employer, finds Lena, shortlists her and writes to her. The
// tests build on each other, so they run in order and a failure skips the rest. Four accounts,
// from this file's own address: sign-ups are rate-limited per IP across the whole e2e run.
test.use({ extraHTTPHeaders: { 'X-Forwarded-For': '10.90.0.1' } });
test.describe.configure({ mode: 'serial' });

type State = Awaited<ReturnType<BrowserContext['storageState']>>;

const lena = newUser('lena');
const lou = newUser('lou');
const priya = newUser('priya');
const emil = newUser('emil');

const SKILL = 'Shopify';
const LENA = 'Lena Marsh';
const LENA_HEADLINE = 'Shopify builds for independent shops';
const LOU = 'Lou Carter';
const PRIYA = 'Priya Nair';
const EMIL = 'Emil Baxter';
const LIST = 'Leeds e-commerce';
const NOTE = 'Rebuilt a bakery’s shop in a fortnight; ask about subscriptions.';
const SUBJECT = 'Shopify rebuild for our Leeds store';
const BODY =
	'Hello Lena, we sell ceramics from Leeds and our shop needs a rebuild before the autumn. Are you free in September?';

const states: Record<string, State> = {};

async function as(browser: Browser, who: string, javaScriptEnabled = true): Promise<Page> {
	const context = await browser.newContext({ storageState: states[who], javaScriptEnabled });
	return context.newPage();
}

async function done(page: Page) {
	await page.context().close();
}

async function newMember(
	browser: Browser,
	user: User,
	options: ProfileFields & { skill?: string; work?: string; verify?: boolean }
) {
	const { skill, work, verify, ...profile } = options;
	const page = await newAccount(browser, user, { verify });
	await page.goto('/settings/profile');
	// Typed before hydration, a field's text can be reset by it.
	await page.waitForLoadState('networkidle');
	await fillProfile(page, profile);
	if (skill) await addSkill(page, skill);
	if (work)
		await addWorkItem(page, { title: work, role: 'Developer', skills: skill ? [skill] : [] });
	states[user.handle] = await page.context().storageState();
	await done(page);
}

/** The names of the results, in order. */
const resultNames = (page: Page) =>
	page.getByRole('region', { name: 'Results' }).getByRole('heading', { level: 3 });
const result = (page: Page, name: string) =>
	page
		.getByRole('region', { name: 'Results' })
		.getByRole('listitem')
		.filter({ has: page.getByRole('heading', { level: 3, name, exact: true }) });
const noResults = (page: Page) => page.getByText(/^No practitioners match/);
const search = (params: Record<string, string>) => `/search?${new URLSearchParams(params)}`;

test('practitioners and an employer set up their accounts', async ({ browser }) => {
	await newMember(browser, lena, {
		name: LENA,
		headline: LENA_HEADLINE,
		location: 'Leeds, UK',
		skill: SKILL,
		work: 'Northern Bakehouse Shopify store'
	});
	await newMember(browser, lou, {
		name: LOU,
		headline: 'E-commerce operator for fashion brands',
		location: 'London, UK',
		skill: SKILL
	});
	await newMember(browser, priya, {
		name: PRIYA,
		headline: 'Shopify themes and apps',
		location: 'Leeds',
		skill: SKILL,
		private: true
	});
	await newMember(browser, emil, { name: EMIL, verify: true });
});

test('without JavaScript, a visitor searches by skill and location, with typos and odd input', async ({
	browser
}) => {
	const context = await browser.newContext({ javaScriptEnabled: false });
	const page = await context.newPage();
	await page.goto('/search');
	await page.getByLabel('Skill', { exact: true }).fill(SKILL);
	await page.getByLabel('Location', { exact: true }).fill('Leeds');
	await page.getByRole('button', { name: 'Search', exact: true }).click();
	// The form is a GET: the search is a link that can be shared, bookmarked and reloaded.
	await expect(page).toHaveURL(
		(url) =>
			url.pathname === '/search' &&
			url.searchParams.getAll('skill').join() === SKILL &&
			url.searchParams.get('location') === 'Leeds'
	);
	await expect(resultNames(page)).toHaveText([LENA]);
	await expect(page.getByText(PRIYA)).toHaveCount(0);
	await expect(page.getByLabel('Skill', { exact: true })).toHaveValue(SKILL);
	await expect(page.getByLabel('Location', { exact: true })).toHaveValue('Leeds');
	const lenaResult = result(page, LENA);
	await expect(lenaResult).toContainText(LENA_HEADLINE);
	await expect(lenaResult).toContainText('Leeds, UK');
	await expect(lenaResult.getByRole('list', { name: 'Skills' })).toHaveText(SKILL);
	// "Why this result" is a native disclosure: it opens without JavaScript.
	const why = lenaResult.getByRole('group');
	await expect(why.getByText('Evidence:')).toBeHidden();
	await lenaResult.getByText('Why this result').click();
	await expect(why).toContainText(
		'Matches your filters. Evidence: 0 accepted endorsements, 1 published work item, 0 verified accounts.'
	);

	// All listed Shopify people, and evidence first: Lena's work item puts her above Lou.
	await page.goto(search({ skill: SKILL }));
	await expect(resultNames(page)).toHaveText([LENA, LOU]);
	await expect(page.getByText(PRIYA)).toHaveCount(0);

	// A misspelt skill typed into the search box still finds them, in the same order.
	await page.goto('/search');
	await page.getByLabel('Search', { exact: true }).fill('shopfy');
	await page.getByRole('button', { name: 'Search', exact: true }).click();
	await expect(page).toHaveURL((url) => url.searchParams.get('q') === 'shopfy');
	await expect(page).toHaveTitle('shopfy — Search practitioners · Proofwork');
	await expect(resultNames(page)).toHaveText([LENA, LOU]);
	await expect(page.getByText(PRIYA)).toHaveCount(0);
	const louResult = result(page, LOU);
	await louResult.getByText('Why this result').click();
	await expect(louResult.getByRole('group')).toContainText(
		'Evidence: 0 accepted endorsements, 0 published work items, 0 verified accounts.'
	);

	// A word that is spelled right says where it matched.
	await page.goto(search({ q: 'shopify' }));
	await expect(resultNames(page)).toHaveText([LENA, LOU]);
	await result(page, LENA).getByText('Why this result').click();
	await expect(result(page, LENA).getByRole('group')).toContainText(
		'Matched in: name or headline, skills, work.'
	);
	await expect(result(page, LENA).locator('mark').first()).toHaveText(/^shopify$/i);

	// Full-text query syntax and emoji are only text: a page of results or of none, never an error.
	const odd = [
		`shopify & | ! : * ( ) ' 🛍️`,
		`& | ! : * ( ) '`,
		`'shop' & !(lou) | *:`,
		'🛍️🧁',
		`shop:* <-> ' \\ "`,
		`!!!shopify)))`
	];
	for (const q of odd) {
		const response = await page.goto(search({ q }));
		expect(response?.status(), q).toBe(200);
		await expect(resultNames(page).first().or(noResults(page)), q).toBeVisible();
		await expect(page.getByLabel('Search', { exact: true }), q).toHaveValue(q);
		await expect(page.getByText(PRIYA), q).toHaveCount(0);
	}
	// Through the form too, Leeds only.
	await page.goto(search({ location: 'Leeds' }));
	await page.getByLabel('Search', { exact: true }).fill(odd[0]);
	const [typed] = await Promise.all([
		page.waitForResponse((r) => new URL(r.url()).pathname === '/search'),
		page.getByRole('button', { name: 'Search', exact: true }).click()
	]);
	expect(typed.status()).toBe(200);
	await expect(resultNames(page)).toHaveText([LENA]);

	// Nothing found: the page says so and offers a spelling and the skills people list.
	await page.goto('/search');
	await page.getByLabel('Search', { exact: true }).fill('shopify expret');
	await page.getByRole('button', { name: 'Search', exact: true }).click();
	await expect(noResults(page)).toHaveText(
		'No practitioners match “shopify expret” with these filters.'
	);
	await expect(resultNames(page)).toHaveCount(0);
	await page.getByText('Did you mean:').getByRole('link', { name: SKILL, exact: true }).click();
	await expect(page).toHaveURL((url) => url.searchParams.get('q') === SKILL);
	await expect(resultNames(page)).toHaveText([LENA, LOU]);

	await page.goto(search({ skill: SKILL, location: 'Atlantis' }));
	await expect(noResults(page)).toHaveText('No practitioners match with these filters.');
	await page
		.getByText('Skills people list:')
		.getByRole('link', { name: SKILL, exact: true })
		.click();
	await expect(page).toHaveURL((url) => url.search === `?skill=${SKILL}`);
	await expect(resultNames(page)).toHaveText([LENA, LOU]);
	await context.close();
});

test('the search page has no serious accessibility violations, with and without results', async ({
	page
}) => {
	for (const [state, url] of [
		['results', search({ q: 'shopify', skill: SKILL })],
		['no results', search({ q: 'shopify expret' })]
	] as const) {
		await page.goto(url);
		if (state === 'results') {
			await expect(resultNames(page)).toHaveText([LENA, LOU]);
			// With "Why this result" open, its text is checked too.
			await result(page, LENA).getByText('Why this result').click();
		} else {
			await expect(noResults(page)).toBeVisible();
		}
		for (const colorScheme of ['light', 'dark'] as const) {
			await page.emulateMedia({ colorScheme });
			expect(await seriousViolations(page), `${state} (${colorScheme})`).toEqual([]);
		}
		await page.emulateMedia({ colorScheme: 'light' });
	}
});

test('Emil finds Lena, shortlists her with a note and writes to her; she reads it', async ({
	browser
}) => {
	const page = await as(browser, emil.handle);
	await page.goto('/search');
	// With JavaScript the results follow each filter as it changes, without pressing Search.
	await page.waitForLoadState('networkidle');
	await page.getByLabel('Skill', { exact: true }).fill(SKILL);
	await page.getByLabel('Skill', { exact: true }).blur();
	await expect(page).toHaveURL((url) => url.search === `?skill=${SKILL}`);
	await expect(resultNames(page)).toHaveText([LENA, LOU]);
	await page.getByLabel('Location', { exact: true }).fill('leeds');
	await page.getByLabel('Location', { exact: true }).blur();
	await expect(page).toHaveURL((url) => url.search === `?skill=${SKILL}&location=leeds`);
	await expect(resultNames(page)).toHaveText([LENA]);
	await expect(page.getByLabel('Skill', { exact: true })).toHaveValue(SKILL);

	await result(page, LENA).getByRole('link', { name: LENA }).click();
	await expect(page).toHaveURL(`/@${lena.handle}`);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(LENA);

	await page.getByRole('link', { name: 'Save to a shortlist' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Save ${LENA} to a shortlist`);
	// The shared TextArea sets its value on hydration, which would clear a note typed before it.
	await page.waitForLoadState('networkidle');
	await page.getByLabel('Name of the new shortlist').fill(LIST);
	await page.getByLabel('Private note (optional)').fill(NOTE);
	await page.getByRole('button', { name: 'Save to shortlist' }).click();
	await expect(page.getByRole('status')).toHaveText(`Saved to “${LIST}”.`);
	await page.getByRole('link', { name: LIST, exact: true }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(LIST);
	await expect(page.getByRole('article')).toHaveCount(1);
	const entry = page.getByRole('article', { name: LENA, exact: true });
	await expect(entry).toContainText(LENA_HEADLINE);
	await expect(entry).toContainText('Leeds, UK');
	await expect(entry).toContainText(NOTE);

	await entry.getByRole('link', { name: LENA }).click();
	await expect(page).toHaveURL(`/@${lena.handle}`);
	await page.getByRole('link', { name: `Contact ${LENA}` }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Contact ${LENA}`);
	await page.waitForLoadState('networkidle');
	await page.getByLabel('Subject').fill(SUBJECT);
	await page.getByLabel('Message').fill(BODY);
	await page.getByRole('button', { name: 'Send message' }).click();
	await expect(page).toHaveURL(/\/dashboard\/messages\/\d+\?saved=sent$/);
	await expect(page.getByRole('status')).toHaveText(/^Message sent\./);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(SUBJECT);
	await done(page);

	const inbox = await (await browser.newContext()).newPage();
	await logIn(inbox, lena.email, lena.password);
	await expect(inbox.getByRole('link', { name: `@${lena.handle}` })).toBeVisible();
	await inbox.goto('/dashboard/messages');
	const received = inbox.getByRole('region', { name: /^Received \(\d+\)$/ });
	await expect(received.getByRole('heading')).toHaveText('Received (1)');
	await expect(received.getByRole('listitem')).toContainText(
		`From ${EMIL} (@${emil.handle}) · 1 message`
	);
	await received.getByRole('link', { name: SUBJECT }).click();
	await expect(
		inbox.getByRole('article', { name: `Message from ${EMIL}`, exact: true })
	).toContainText(BODY);
	await done(inbox);
});

test('the practitioner who appeared in results sees it on her dashboard; the private one does not', async ({
	browser
}) => {
	const appearances = (page: Page) =>
		page.getByText('Search appearances, 90 days', { exact: true }).locator('xpath=../dd');
	const errors: string[] = [];
	const page = await as(browser, lena.handle);
	page.on('pageerror', (error) => errors.push(error.message));
	await page.goto('/dashboard');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dashboard');
	await expect(appearances(page)).toHaveText(/^[1-9][\d,]*$/);
	await done(page);

	// No views at all either: the chart's scale must still render once hydrated.
	const hidden = await as(browser, priya.handle);
	hidden.on('pageerror', (error) => errors.push(error.message));
	await hidden.goto('/dashboard');
	await hidden.waitForLoadState('networkidle');
	await expect(hidden.getByRole('heading', { level: 1 })).toHaveText('Dashboard');
	await expect(appearances(hidden)).toHaveText('0');
	expect(errors).toEqual([]);
	await done(hidden);
});
