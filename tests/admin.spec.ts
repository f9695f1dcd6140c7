import fs from 'node:fs';
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { ARTIFACTS, E2E_ADMIN_EMAIL } from '../playwright.config';
import { ADMIN_PASSWORD, logIn, mailedLink, newUser, seriousViolations, signUp } from './helpers';

// Issue 13: an operator runs the instance from the browser after one command (`npm run admin --
// grant`, run by playwright.config.ts before the app starts): rules and registration, a report
// acted on end to end, trusted members, the audit log. JavaScript on and off; axe on /admin pages.
test.use({ extraHTTPHeaders: { 'X-Forwarded-For': '10.130.0.1' } });
// The operator's path is long (two dozen pages, axe on each admin page): minutes, not seconds.
test.describe.configure({ mode: 'serial', timeout: 240_000 });

async function newMember(
	browser: Browser,
	user: { email: string; handle: string; password: string },
	{ javaScriptEnabled = true, verify = true, name = '' } = {}
): Promise<Page> {
	const page = await (await browser.newContext({ javaScriptEnabled })).newPage();
	await signUp(page, user);
	if (verify) {
		await page.goto(await mailedLink(user.email, 'verify-email'));
		await page.getByRole('button', { name: 'Verify my email address' }).click();
		await expect(page.getByText(`Your address ${user.email} is verified.`)).toBeVisible();
	}
	if (name) {
		await page.goto('/settings/profile');
		await page.getByLabel('Display name').fill(name);
		await page.getByLabel('Headline').fill('Bookkeeper for small shops');
		await page.getByRole('button', { name: 'Save profile' }).click();
		await expect(page.getByRole('status')).toHaveText('Profile saved.');
	}
	return page;
}

async function adminPage(browser: Browser, javaScriptEnabled: boolean): Promise<Page> {
	const page = await (await browser.newContext({ javaScriptEnabled })).newPage();
	await logIn(page, E2E_ADMIN_EMAIL, ADMIN_PASSWORD);
	await expect(page.getByRole('link', { name: 'Admin', exact: true })).toBeVisible();
	return page;
}

async function expectNoSeriousViolations(page: Page) {
	expect(await seriousViolations(page), page.url()).toEqual([]);
}

test('the first admin sets a password from the printed link and finds the admin area', async ({
	browser
}) => {
	const printed = fs.readFileSync(`${ARTIFACTS}/admin-grant.log`, 'utf8');
	expect(printed).toContain(`Created the admin account`);
	const link = printed.match(/https?:\/\/\S+\/reset-password\/[a-z2-7]+/)?.[0];
	expect(link).toBeTruthy();
	const page = await (await browser.newContext()).newPage();
	await page.goto(new URL(link!).pathname);
	await page.getByLabel('New password').fill(ADMIN_PASSWORD);
	await page.getByRole('button', { name: 'Set new password' }).click();
	await expect(page).toHaveURL(/\/settings\/account/);
	await page.getByRole('link', { name: 'Admin', exact: true }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Administration' })).toBeVisible();
	await expectNoSeriousViolations(page);
	// The link worked once.
	const again = await (await browser.newContext()).newPage();
	await again.goto(new URL(link!).pathname);
	await expect(again.getByText(/expired or was already used/)).toBeVisible();
});

for (const javaScriptEnabled of [true, false]) {
	const js = javaScriptEnabled ? 'with JavaScript' : 'without JavaScript';

	test(`an operator sets rules and registration, acts on a report end to end and marks a trusted member ${js}`, async ({
		browser
	}) => {
		const admin = await adminPage(browser, javaScriptEnabled);
		// axe runs as a script in the page: the JavaScript-on run checks the same pages.
		const axe = async (page: Page) => {
			if (javaScriptEnabled) await expectNoSeriousViolations(page);
		};
		const rules = javaScriptEnabled ? 'Be kind to each other' : 'No selling of followers';
		const targetName = javaScriptEnabled ? 'Tamsin Orrick' : 'Petra Vello';

		// Settings: shown on /about, the sign-up page and the report form.
		await admin.goto('/admin/settings');
		await axe(admin);
		await admin.getByLabel('Instance name').fill('Ledger Folk');
		await admin
			.getByLabel('Rules')
			.fill(`## House rules\n\n1. ${rules}\n\n<script>alert(1)</script>`);
		await admin.getByRole('button', { name: 'Save settings' }).click();
		await expect(admin.getByRole('status')).toHaveText('Settings saved.');
		await admin.goto('/about');
		await expect(admin.getByRole('heading', { level: 1, name: 'About Ledger Folk' })).toBeVisible();
		await expect(admin.getByRole('listitem').filter({ hasText: rules })).toBeVisible();

		// Registration: approval asks why; an invite link lets its holder straight in.
		await admin.goto('/admin/registration');
		await axe(admin);
		await admin.getByRole('radio', { name: /^Approval/ }).check();
		await admin.getByRole('button', { name: 'Save registration mode' }).click();
		await expect(admin.getByRole('status')).toHaveText('Registration mode saved.');
		const stranger = await (await browser.newContext({ javaScriptEnabled })).newPage();
		await stranger.goto('/signup');
		await expect(stranger.getByText(rules)).toBeVisible();
		const hopeful = newUser('hope');
		await stranger.getByLabel('Email').fill(hopeful.email);
		await stranger.getByLabel('Handle').fill(hopeful.handle);
		await stranger.getByLabel('Password').fill(hopeful.password);
		await stranger.getByRole('button', { name: 'Sign up' }).click();
		await expect(stranger.getByText('Tell the administrators why you are joining.')).toBeVisible();
		await expect(stranger.getByLabel('Email')).toHaveValue(hopeful.email);
		await stranger.getByLabel('Password').fill(hopeful.password);
		await stranger.getByLabel('Why are you joining?').fill('I keep books for bakeries');
		await stranger.getByRole('button', { name: 'Sign up' }).click();
		await expect(stranger.getByText(/waiting for an administrator/)).toBeVisible();
		await admin.goto('/admin/registration');
		await admin.getByRole('checkbox', { name: new RegExp(`@${hopeful.handle}`) }).check();
		await admin.getByRole('button', { name: 'Approve selected' }).click();
		await expect(admin.getByRole('status')).toHaveText('Approved.');

		await admin.getByRole('radio', { name: /^Closed/ }).check();
		await admin.getByRole('button', { name: 'Save registration mode' }).click();
		await expect(admin.getByRole('status')).toHaveText('Registration mode saved.');
		await admin.getByLabel('Note').fill(`for the ${js} run`);
		await admin.getByRole('button', { name: 'Create invite link' }).click();
		await expect(admin.getByRole('status')).toHaveText('Invite created: copy its link below.');
		const inviteLink = await admin
			.getByRole('textbox', { name: 'Link', exact: true })
			.first()
			.inputValue();
		await stranger.goto('/signup');
		await expect(stranger.getByText(/Sign-ups are closed/)).toBeVisible();
		const invited = newUser('invt');
		await stranger.goto(new URL(inviteLink).pathname + new URL(inviteLink).search);
		await stranger.getByLabel('Email').fill(invited.email);
		await stranger.getByLabel('Handle').fill(invited.handle);
		await stranger.getByLabel('Password').fill(invited.password);
		await stranger.getByRole('button', { name: 'Sign up' }).click();
		await expect(stranger.getByRole('link', { name: `@${invited.handle}` })).toBeVisible();
		// Back to open, so later sign-ups (and other spec files) work as on a fresh instance.
		await admin.goto('/admin/registration');
		await admin.getByRole('radio', { name: /^Open/ }).check();
		await admin.getByRole('button', { name: 'Save registration mode' }).click();
		await expect(admin.getByRole('status')).toHaveText('Registration mode saved.');

		// A report, end to end: reported → suspended → profile 404 → unsuspended.
		const target = newUser('tgt');
		await newMember(browser, target, { javaScriptEnabled, verify: false, name: targetName });
		const reporter = await newMember(browser, newUser('rep'), { javaScriptEnabled });
		await reporter.goto(`/@${target.handle}`);
		await reporter.getByRole('link', { name: 'Report this profile' }).click();
		await expect(reporter.getByText(rules)).toBeVisible();
		await reporter.getByRole('button', { name: 'Send report' }).click();
		await expect(
			reporter.getByText('Choose what is wrong: spam, breaks the rules or other.')
		).toBeVisible();
		await reporter.getByLabel('Spam').check();
		await reporter.getByLabel('Comment (optional)').fill('Copies other profiles word for word');
		await reporter.getByRole('button', { name: 'Send report' }).click();
		await expect(reporter.getByRole('status')).toContainText('your report is recorded');

		await admin.goto('/admin/reports?status=open');
		await axe(admin);
		const report = admin.getByRole('article').filter({ hasText: `of @${target.handle}` });
		await expect(report).toContainText('Copies other profiles word for word');
		await report.getByRole('link', { name: `Act on @${target.handle}'s account` }).click();
		await axe(admin);
		await admin.getByRole('button', { name: 'Suspend', exact: true }).click();
		await expect(admin.getByText('Give a reason (it is kept in the audit log).')).toBeVisible();
		await admin.getByLabel('Reason', { exact: true }).fill('Copied profiles');
		await admin.getByRole('button', { name: 'Suspend', exact: true }).click();
		await expect(admin.getByRole('status').first()).toContainText('State: suspended');

		const visitor = await (await browser.newContext({ javaScriptEnabled })).newPage();
		expect((await visitor.goto(`/@${target.handle}`))!.status()).toBe(404);
		// The contact form is for signed-in people: the reporter finds nothing there either.
		expect((await reporter.goto(`/@${target.handle}/contact`))!.status()).toBe(404);
		await visitor.goto(`/search?q=${encodeURIComponent(targetName)}`);
		await expect(visitor.getByRole('link', { name: new RegExp(targetName) })).toHaveCount(0);
		const login = await (await browser.newContext({ javaScriptEnabled })).newPage();
		await logIn(login, target.handle, target.password);
		await expect(login.getByText('This account is suspended.', { exact: false })).toBeVisible();

		await admin.getByLabel('Reason', { exact: true }).fill('Appeal accepted');
		await admin.getByRole('button', { name: 'Unsuspend', exact: true }).click();
		await expect(admin.getByRole('status').first()).toContainText('State: active');
		expect((await visitor.goto(`/@${target.handle}`))!.status()).toBe(200);
		await admin.goto('/admin/reports?status=resolved');
		await expect(
			admin.getByRole('article').filter({ hasText: `of @${target.handle}` })
		).toContainText('suspend: Copied profiles');

		// Trusted members: marked with a reason, listed with who and when.
		await admin.goto('/admin/trusted');
		await axe(admin);
		await admin.getByLabel('Handle').fill(target.handle);
		await admin.getByRole('button', { name: 'Mark as trusted' }).click();
		await expect(admin.getByText('Give a reason (it is kept in the audit log).')).toBeVisible();
		await admin.getByLabel('Reason').fill('Met at the guild meeting');
		await admin.getByRole('button', { name: 'Mark as trusted' }).click();
		await expect(admin.getByRole('status')).toHaveText(
			'Marked as trusted. Trust is being recomputed.'
		);
		const row = admin.getByRole('row').filter({ hasText: `@${target.handle}` });
		await expect(row).toContainText('Met at the guild meeting');
		await expect(row).toContainText(/@first_admin/);

		// Every change above is in the audit log, filterable by target.
		await admin.goto(`/admin/audit?target=${target.handle}`);
		await axe(admin);
		for (const action of ['account.suspend', 'account.unsuspend', 'trust.mark'])
			await expect(admin.getByRole('cell', { name: action, exact: true })).toBeVisible();
		await admin.goto('/admin/accounts');
		await axe(admin);
		await admin.getByLabel('Handle or email').fill(target.handle);
		await admin.getByRole('button', { name: 'Search accounts' }).click();
		await expect(admin.getByRole('link', { name: `@${target.handle}` })).toBeVisible();
	});
}

type Role = 'anonymous' | 'member' | 'suspended member' | 'admin';

async function sessionCookie(page: Page): Promise<string> {
	const cookies = await page.context().cookies();
	const session = cookies.find((c) => c.name === 'pw_session');
	expect(session).toBeTruthy();
	return `pw_session=${session!.value}`;
}

test('only an admin gets past /admin: anonymous people, members and suspended members get 404 on GET and POST', async ({
	browser,
	playwright,
	baseURL
}) => {
	const member = await newMember(browser, newUser('mbr'));
	const suspendedUser = newUser('susp');
	const suspended = await newMember(browser, suspendedUser);
	const admin = await adminPage(browser, true);
	const cookies: Record<Role, string> = {
		anonymous: '',
		member: await sessionCookie(member),
		'suspended member': await sessionCookie(suspended),
		admin: await sessionCookie(admin)
	};
	await admin.goto(`/admin/accounts?q=${suspendedUser.handle}`);
	await admin.getByRole('link', { name: `@${suspendedUser.handle}` }).click();
	await admin.waitForURL(/\/admin\/accounts\/\d+$/);
	const accountPath = new URL(admin.url()).pathname;
	await admin.getByLabel('Reason', { exact: true }).fill('Access test');
	await admin.getByRole('button', { name: 'Suspend', exact: true }).click();
	await expect(admin.getByRole('status').first()).toContainText('State: suspended');

	const pages = [
		'/admin',
		'/admin/reports',
		'/admin/accounts',
		accountPath,
		'/admin/trusted',
		'/admin/registration',
		'/admin/settings',
		'/admin/audit'
	];
	const actions = [
		'/admin/reports?/resolve',
		// Pages without actions: 405 for an admin, 404 for everyone else.
		'/admin',
		'/admin/audit',
		...[
			'warn',
			'limit',
			'unlimit',
			'suspend',
			'unsuspend',
			'delete',
			'hideEndorsement',
			'hideMessage'
		].map((a) => `${accountPath}?/${a}`),
		'/admin/trusted?/mark',
		'/admin/trusted?/unmark',
		'/admin/registration?/mode',
		'/admin/registration?/invite',
		'/admin/registration?/revoke',
		'/admin/registration?/decide',
		'/admin/settings?/save'
	];
	const auditBefore = await auditRows(admin);
	for (const role of ['anonymous', 'member', 'suspended member', 'admin'] as Role[]) {
		const request: APIRequestContext = await playwright.request.newContext({
			baseURL,
			extraHTTPHeaders: {
				'X-Forwarded-For': '10.130.0.2',
				Origin: baseURL!,
				...(cookies[role] ? { Cookie: cookies[role] } : {})
			}
		});
		for (const path of pages) {
			const response = await request.get(path, { maxRedirects: 0 });
			expect(response.status(), `${role} GET ${path}`).toBe(role === 'admin' ? 200 : 404);
		}
		for (const path of actions) {
			// Empty forms: an admin is told what is missing (400), everyone else finds nothing (404).
			const response = await request.post(path, { form: {}, maxRedirects: 0 });
			const forAdmin = path.includes('?/') ? 400 : 405;
			expect(response.status(), `${role} POST ${path}`).toBe(role === 'admin' ? forAdmin : 404);
		}
		await request.dispose();
	}
	// Refused input changed nothing and wrote no audit row.
	expect(await auditRows(admin)).toBe(auditBefore);
});

async function auditRows(admin: Page): Promise<number> {
	await admin.goto('/admin/audit');
	return admin.getByRole('row').count();
}

test('bad admin input answers 400 with a message next to the field, keeps the rest, and writes no audit row', async ({
	browser,
	playwright,
	baseURL
}) => {
	const admin = await adminPage(browser, true);
	const before = await auditRows(admin);
	const adminId = await (async () => {
		await admin.goto('/admin/accounts?q=first_admin');
		await admin.getByRole('main').getByRole('link', { name: '@first_admin' }).click();
		await admin.waitForURL(/\/admin\/accounts\/\d+$/);
		return new URL(admin.url()).pathname.split('/').pop()!;
	})();
	const request = await playwright.request.newContext({
		baseURL,
		extraHTTPHeaders: {
			'X-Forwarded-For': '10.130.0.3',
			Origin: baseURL!,
			Cookie: await sessionCookie(admin)
		}
	});
	const cases: [string, Record<string, string>, RegExp][] = [
		[`/admin/accounts/${adminId}?/suspend`, { reason: 'testing' }, /cannot suspend your own/],
		[`/admin/accounts/${adminId}?/delete`, { reason: 'testing' }, /cannot delete your own/],
		['/admin/accounts/999999?/suspend', { reason: 'spam' }, /no account with that number/],
		[`/admin/accounts/${adminId}?/warn`, { reason: 'x'.repeat(1001) }, /at most 1,000/],
		[
			`/admin/accounts/${adminId}?/hideMessage`,
			{ itemId: '999999', reason: 'x' },
			/no shown message/
		],
		['/admin/registration?/mode', { mode: 'sometimes' }, /open, approval or closed/],
		['/admin/registration?/invite', { maxUses: '0', expiresInDays: '', note: '' }, /between 1 and/],
		['/admin/registration?/revoke', { id: '999999' }, /does not exist/],
		['/admin/reports?/resolve', { id: '999999', reason: 'done' }, /no such report/],
		['/admin/trusted?/mark', { handle: 'nobody_at_all', reason: 'x' }, /No member has that handle/],
		[
			'/admin/settings?/save',
			{ name: '', description: 'kept', contactEmail: 'nope', rulesMd: '' },
			/Give the instance a name/
		]
	];
	for (const [path, form, message] of cases) {
		const response = await request.post(path, { form, maxRedirects: 0 });
		expect(response.status(), path).toBe(400);
		expect(await response.text(), path).toMatch(message);
	}
	expect((await request.get('/admin/accounts/abc')).status()).toBe(404);
	await request.dispose();
	expect(await auditRows(admin)).toBe(before);

	// In the browser, the message sits next to the field and the other input stays.
	await admin.goto('/admin/settings');
	await admin.getByLabel('Instance name').fill('');
	await admin.getByLabel('Description').fill('Keep this description');
	await admin.getByRole('button', { name: 'Save settings' }).click();
	await expect(admin.getByText('Give the instance a name.')).toBeVisible();
	await expect(admin.getByLabel('Description')).toHaveValue('Keep this description');
	await expect(admin.getByLabel('Instance name')).toHaveAttribute('aria-invalid', 'true');

	// The report form: unknown targets are not found; a long comment is refused and kept.
	const member = await newMember(browser, newUser('badin'));
	for (const path of ['/report/profile/1e5', '/report/widget/1', '/report/message/999999'])
		expect((await member.goto(path))!.status(), path).toBe(404);
	await member.goto(`/@first_admin`);
	await member.getByRole('link', { name: 'Report this profile' }).click();
	await member.getByLabel('Other').check();
	// As from a browser that ignores maxlength, or a hand-made request.
	await member.getByLabel('Comment (optional)').evaluate((el) => el.removeAttribute('maxlength'));
	await member.getByLabel('Comment (optional)').fill('y'.repeat(1001));
	await member.getByRole('button', { name: 'Send report' }).click();
	await expect(member.getByText('Use at most 1,000 characters.')).toBeVisible();
	await expect(member.getByLabel('Other')).toBeChecked();
});
