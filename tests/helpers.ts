import fs from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

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

export async function signUp(
	page: Page,
	user: { email: string; handle: string; password: string }
) {
	await page.goto('/signup');
	await page.getByLabel('Email').fill(user.email);
	await page.getByLabel('Handle').fill(user.handle);
	await page.getByLabel('Password').fill(user.password);
	await page.getByRole('button', { name: 'Sign up' }).click();
	await expect(page.getByRole('link', { name: `@${user.handle}` })).toBeVisible();
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
