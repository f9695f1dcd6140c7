import fs from 'node:fs';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { ARTIFACTS, E2E_ADMIN_EMAIL } from '../playwright.config';
import { ADMIN_PASSWORD, logIn, newAccount, newUser, type User } from './helpers';

// Issue 12, what people see: three accounts that signed up together from one network endorse
// Maya, and so does Iris, whom the operator marks trusted. After the trust run the operator's
// change queues, Maya's inbox says where each waiting endorsement comes from before she accepts,
// and her profile groups them: the three count as one, Iris carries her trust. The owner works
// without JavaScript; visitors look with JavaScript on and off.
test.describe.configure({ mode: 'serial', timeout: 300_000 });

const SKILL = 'Community management';
const maya = newUser('prov_maya');
const iris = newUser('prov_iris');
const ring = [newUser('prov_ring_a'), newUser('prov_ring_b'), newUser('prov_ring_c')];
const MAYA = 'Maya Okafor';
const IRIS = 'Iris Lindqvist';
const RING = ['Rae Quinn', 'Rob Quinn', 'Ria Quinn'];
const BODIES = [
	'Maya ran our community launch: 2,400 members in the first month and a weekly AMA that still runs.',
	'She moderated our Discord through a 9-day outage with calm updates every 3 hours; churn stayed flat.',
	'Maya wrote the community guidelines we still use and trained 6 volunteer moderators in one week.'
];
const IRIS_BODY =
	'Maya built our customer forum from nothing to 11,000 posts in a year, with answers inside 4 hours.';

/** Verified and named, from `address`; the owner works without JavaScript. */
const newMember = (
	browser: Browser,
	user: User,
	name: string,
	address: string,
	javaScriptEnabled?: boolean
) => newAccount(browser, user, { address, javaScriptEnabled, verify: true, profile: { name } });

async function endorseMaya(page: Page, body: string, organisation: string) {
	await page.goto(`/@${maya.handle}`);
	await page.getByRole('link', { name: `Endorse ${MAYA}` }).click();
	await page.getByLabel(SKILL, { exact: true }).check();
	await page.getByLabel('How you know them').selectOption({ label: 'Client' });
	await page.getByLabel('Organisation (optional)').fill(organisation);
	await page.getByLabel('Your endorsement').fill(body);
	await page.getByRole('button', { name: 'Send endorsement' }).click();
	await expect(page.getByRole('status')).toHaveText(/^Thank you\. Your endorsement is with/);
	await page.context().close();
}

/** The operator, logged in (admin.spec.ts sets the password from the link `admin grant` printed). */
async function operator(browser: Browser): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	await logIn(page, E2E_ADMIN_EMAIL, ADMIN_PASSWORD);
	await page.waitForURL((url) => url.pathname !== '/login', { timeout: 5_000 }).catch(() => {});
	if (!(await page.getByRole('link', { name: 'Admin', exact: true }).isVisible())) {
		// Run on its own: set the first admin's password as admin.spec.ts does.
		const printed = fs.readFileSync(`${ARTIFACTS}/admin-grant.log`, 'utf8');
		const link = printed.match(/https?:\/\/\S+\/reset-password\/[a-z2-7]+/)?.[0];
		await page.goto(new URL(link!).pathname);
		await page.getByLabel('New password').fill(ADMIN_PASSWORD);
		await page.getByRole('button', { name: 'Set new password' }).click();
	}
	await expect(page.getByRole('link', { name: 'Admin', exact: true })).toBeVisible();
	return page;
}

const endorsementsOn = (page: Page) => page.getByRole('region', { name: /^Endorsements/ });
const waiting = (page: Page) => page.getByRole('region', { name: /^Waiting for you \(\d+\)$/ });
const GROUP_LINE = '3 from one closely connected group, counted as 1';

test('endorsements from a group that signed up together count once, and everyone is told so', async ({
	browser
}) => {
	const owner = await newMember(browser, maya, MAYA, '10.163.40.7', false);
	await owner.getByLabel('Add a skill').fill(SKILL);
	await owner.getByRole('button', { name: 'Add skill' }).click();
	await expect(owner.getByRole('status')).toHaveText('Skill added.');

	// Three accounts from one network within minutes: the trust job's sign-up burst.
	for (const [i, user] of ring.entries())
		await endorseMaya(
			await newMember(browser, user, RING[i], `10.163.41.${10 + i}`),
			BODIES[i],
			`Quinn Studio ${i + 1}`
		);
	await endorseMaya(await newMember(browser, iris, IRIS, '10.163.42.9'), IRIS_BODY, 'Forumly');

	// The operator vouches for Iris; that queues a trust run now, not at the next schedule.
	const admin = await operator(browser);
	await admin.goto('/admin/trusted');
	await admin.getByLabel('Handle').fill(iris.handle);
	await admin.getByLabel('Reason').fill('Known client of the guild for years');
	await admin.getByRole('button', { name: 'Mark as trusted' }).click();
	await expect(admin.getByRole('status')).toHaveText(
		'Marked as trusted. Trust is being recomputed.'
	);

	// Before accepting, Maya's inbox (no JavaScript) says where each one comes from.
	await owner.goto('/dashboard/endorsements');
	const group = (name: string) =>
		waiting(owner).getByRole('article', { name: `Endorsement from ${name}`, exact: true });
	// Other runs may come first (the worker's schedule): wait for the one that knows Iris is trusted.
	await expect(async () => {
		await owner.reload();
		await expect(group(IRIS).getByTestId('provenance')).toHaveText(
			'Where it comes from: Vouched for by others this instance trusts.',
			{ timeout: 1_000 }
		);
		await expect(group(RING[0]).getByTestId('provenance')).toHaveText(
			"Where it comes from: Part of a closely connected group of 3 accounts (created or acting together): the group's endorsements count as one.",
			{ timeout: 1_000 }
		);
	}).toPass({ timeout: 120_000, intervals: [1_000, 2_000] });
	// The operator sees the run that did it.
	await admin.reload();
	await expect(admin.getByTestId('last-trust-run')).toContainText(
		/^Last trust run finished .* UTC: [\d,]+ accounts, [\d,]+\s+endorsements, trust changed for [\d,]+ in [\d.]+ m?s\.$/
	);
	for (const name of RING.slice(1))
		await expect(group(name).getByTestId('provenance')).toContainText(
			'Part of a closely connected group of 3 accounts'
		);
	await expect(
		waiting(owner)
			.getByRole('list', { name: 'Where the waiting endorsements come from' })
			.getByRole('listitem')
	).toHaveText(['1 independent endorser, 1 of them vouched for by others', GROUP_LINE]);

	// The run the operator's change queued may come after a scheduled one that already knew of
	// it: then it runs while Maya accepts, and her band is due before anyone looks.
	await admin.reload();
	const runBeforeAccepting = await admin.getByTestId('last-trust-run').textContent();
	for (const name of [...RING, IRIS]) {
		await group(name)
			.getByRole('button', { name: `Accept endorsement from ${name}` })
			.click();
		await expect(owner.getByRole('status')).toHaveText(
			'Endorsement accepted. It now appears on your profile.'
		);
	}

	// Until the next trust run, Iris's endorsement shows, but no band is claimed: checked on the
	// page as loaded, unless a run finished since the accepting began.
	const early = await (await browser.newContext()).newPage();
	await early.goto(`/@${maya.handle}`);
	const standingNow = endorsementsOn(early).getByTestId('trust-standing');
	await admin.reload();
	if ((await admin.getByTestId('last-trust-run').textContent()) === runBeforeAccepting) {
		await expect(standingNow).toContainText(
			`Endorsed by ${IRIS}, vouched for by others: not yet enough for a band.`
		);
		await expect(standingNow).toContainText('Trust: not yet.');
	}
	// The worker's schedule runs trust again once the accepted endorsements are a minute old.
	await expect(async () => {
		await early.reload();
		await expect(standingNow).toContainText('vouched for through members this instance trusts', {
			timeout: 1_000
		});
	}).toPass({ timeout: 150_000, intervals: [5_000] });
	await early.context().close();

	// Visitors, with JavaScript on and off, see the same grouping on the profile.
	for (const javaScriptEnabled of [true, false]) {
		const visitor = await (await browser.newContext({ javaScriptEnabled })).newPage();
		await visitor.goto(`/@${maya.handle}`);
		const section = endorsementsOn(visitor);
		await expect(
			section.getByRole('list', { name: 'Where the endorsements come from' }).getByRole('listitem')
		).toHaveText(['1 independent endorser, 1 of them vouched for by others', GROUP_LINE]);
		// Each endorsement carries its own tag, found by its text.
		const item = (body: string) => section.getByRole('listitem').filter({ hasText: body });
		for (const body of BODIES)
			await expect(item(body)).toContainText('From a closely connected group (counted once)');
		await expect(item(IRIS_BODY)).toContainText('Vouched for by others');
		const standing = section.getByTestId('trust-standing');
		await expect(standing).toContainText('vouched for through members this instance trusts');
		await expect(standing).toContainText(`Carried by endorsements from ${IRIS}.`);
		await visitor.context().close();
	}
});
