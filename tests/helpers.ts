import fs from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Browser, type Page } from '@playwright/test';

/** axe-core findings a person would be blocked by: serious and critical ones. */
export async function seriousViolations(page: Page) {
	const results = await new AxeBuilder({ page }).analyze();
	return results.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export const PASSWORD = 'a long passphrase';
/** The first admin's password, set by admin.spec.ts from the link `npm run admin -- grant` prints. */
export const ADMIN_PASSWORD = 'operator passphrase here';

let counter = 0;
export function newUser(prefix = 'user') {
	const id = `${prefix}_${Date.now().toString(36)}${(counter++).toString(36)}`.slice(0, 30);
	return { handle: id, email: `${id}@example.com`, password: PASSWORD };
}

export type User = { email: string; handle: string; password: string };

async function submitSignUp(page: Page, user: User) {
	await page.goto('/signup');
	await page.getByLabel('Email').fill(user.email);
	await page.getByLabel('Handle').fill(user.handle);
	await page.getByLabel('Password').fill(user.password);
	await page.getByRole('button', { name: 'Sign up' }).click();
}

export async function signUp(page: Page, user: User) {
	await submitSignUp(page, user);
	await expect(page.getByRole('link', { name: `@${user.handle}` })).toBeVisible();
}

/** Signs up and lands where a new member does: on the profile form. */
export async function signUpToProfile(page: Page, user: User) {
	await submitSignUp(page, user);
	await expect(page.getByRole('heading', { name: 'Your profile' })).toBeVisible();
}

export async function verifyEmail(page: Page, email: string) {
	await page.goto(await mailedLink(email, 'verify-email'));
	await page.getByRole('button', { name: 'Verify my email address' }).click();
	await expect(page.getByText(`Your address ${email} is verified.`)).toBeVisible();
}

async function openProfileSettings(page: Page) {
	if (new URL(page.url()).pathname !== '/settings/profile') await page.goto('/settings/profile');
}

export interface ProfileFields {
	name: string;
	headline?: string;
	bio?: string;
	location?: string;
	openToWork?: boolean;
	private?: boolean;
}

/** Fills and saves the profile form (Settings → Profile, opened unless already there); stays there. */
export async function fillProfile(page: Page, profile: ProfileFields) {
	await openProfileSettings(page);
	await page.getByLabel('Display name').fill(profile.name);
	if (profile.headline) await page.getByLabel('Headline').fill(profile.headline);
	if (profile.bio) await page.getByLabel('Bio').fill(profile.bio);
	if (profile.location) await page.getByLabel('Location').fill(profile.location);
	if (profile.openToWork) await page.getByLabel('Open to work').check();
	if (profile.private) await page.getByLabel('Private', { exact: true }).check();
	await page.getByRole('button', { name: 'Save profile' }).click();
	await expect(page.getByRole('status')).toHaveText('Profile saved.');
}

/** Adds a skill on Settings → Profile; stays on that page. */
export async function addSkill(page: Page, skill: string) {
	await openProfileSettings(page);
	await page.getByLabel('Add a skill').fill(skill);
	await page.getByRole('button', { name: 'Add skill' }).click();
	await expect(page.getByRole('button', { name: `Remove ${skill}` })).toBeVisible();
}

/**
 * A signed-up member in a browser context of its own. `address` is the client address the server
 * sees (X-Forwarded-For); without it, and without `javaScriptEnabled`, the test's own settings hold.
 */
export async function newAccount(
	browser: Browser,
	user: User,
	options: {
		address?: string;
		javaScriptEnabled?: boolean;
		verify?: boolean;
		profile?: ProfileFields;
	} = {}
): Promise<Page> {
	const { address, javaScriptEnabled, verify = false, profile } = options;
	const context = await browser.newContext({
		...(javaScriptEnabled !== undefined && { javaScriptEnabled }),
		...(address && { extraHTTPHeaders: { 'X-Forwarded-For': address } })
	});
	const page = await context.newPage();
	await signUp(page, user);
	if (verify) await verifyEmail(page, user.email);
	if (profile) await fillProfile(page, profile);
	return page;
}

export interface WorkFields {
	title: string;
	role?: string;
	outcome?: string;
	caseStudy?: string;
	skills?: string[];
}

/** Adds a work item on Settings → Work; stays on that page, which lists it. */
export async function addWorkItem(page: Page, work: WorkFields) {
	await page.goto('/settings/work');
	await page.getByLabel('Title', { exact: true }).fill(work.title);
	if (work.role) await page.getByLabel('Role', { exact: true }).fill(work.role);
	if (work.outcome) await page.getByLabel('Outcome', { exact: true }).fill(work.outcome);
	if (work.caseStudy) await page.getByLabel('Case study', { exact: true }).fill(work.caseStudy);
	for (const skill of work.skills ?? []) await page.getByLabel(skill, { exact: true }).check();
	await page.getByRole('button', { name: 'Add work' }).click();
	await expect(page.getByRole('status')).toHaveText('Work added to your profile.');
}

/** From Settings → Work, opens a work item's edit page. */
export async function editWorkItem(page: Page, title: string) {
	await page.getByRole('link', { name: `Edit ${title}` }).click();
	await expect(page.getByRole('heading', { name: 'Edit work' })).toBeVisible();
}

export async function logIn(page: Page, identifier: string, password: string) {
	await page.goto('/login');
	await page.getByLabel('Email or handle').fill(identifier);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Log in' }).click();
}

export async function logOut(page: Page) {
	await page.getByRole('button', { name: 'Log out' }).click();
	await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();
}

/** The newest link of the given kind mailed to `to`, read from the server log (no SMTP in tests). */
export async function mailedLink(
	to: string,
	path: 'verify-email' | 'reset-password'
): Promise<string> {
	let link: string | undefined;
	await expect
		.poll(() => {
			const log = fs.readFileSync('tests/.artifacts/e2e/server.log', 'utf8');
			for (const line of log.split('\n')) {
				if (!line.startsWith('{')) continue;
				const entry = JSON.parse(line) as { outbox?: { to: string }; msg?: string };
				if (entry.outbox?.to !== to) continue;
				const match = entry.msg?.match(new RegExp(`https?://[^\\s]+/${path}/[a-z2-7]+`));
				if (match) link = match[0];
			}
			return link;
		})
		.toBeTruthy();
	return new URL(link!).pathname;
}
