import { expect, test } from '@playwright/test';
import { newUser, seriousViolations, signUp } from './helpers';

for (const scheme of ['light', 'dark'] as const) {
	test(`public pages have no serious accessibility violations (${scheme})`, async ({ page }) => {
		await page.emulateMedia({ colorScheme: scheme });
		for (const path of ['/', '/signup', '/login', '/reset-password', '/search', '/missing-page']) {
			await page.goto(path);
			expect(await seriousViolations(page), path).toEqual([]);
		}
		// A form showing its errors.
		await page.goto('/signup');
		await page.getByRole('button', { name: 'Sign up' }).click();
		await expect(page.getByText('Enter your email address.')).toBeVisible();
		expect(await seriousViolations(page)).toEqual([]);
	});

	test(`signed-in pages have no serious accessibility violations (${scheme})`, async ({ page }) => {
		await page.emulateMedia({ colorScheme: scheme });
		await signUp(page, newUser(`a11y${scheme}`));
		for (const path of ['/', '/settings/account', '/verify-email']) {
			await page.goto(path);
			expect(await seriousViolations(page), path).toEqual([]);
		}
	});
}
