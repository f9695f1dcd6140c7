import { expect, test } from '@playwright/test';
import { logIn, newUser } from './helpers';

test.use({ javaScriptEnabled: false });

test('sign up, log out and log in with JavaScript disabled', async ({ page }) => {
	const user = newUser('nojs');
	await page.goto('/signup');
	await page.getByLabel('Email').fill(user.email);
	await page.getByLabel('Handle').fill('x');
	await page.getByLabel('Password').fill(user.password);
	await page.getByRole('button', { name: 'Sign up' }).click();
	await expect(page.getByText('Use at least 3 characters.')).toBeVisible();
	await expect(page.getByLabel('Email')).toHaveValue(user.email);

	await page.getByLabel('Handle').fill(user.handle);
	await page.getByLabel('Password').fill(user.password);
	await page.getByRole('button', { name: 'Sign up' }).click();
	await expect(page.getByRole('link', { name: `@${user.handle}` })).toBeVisible();
	await expect(page.getByText('Please verify your email address')).toBeVisible();

	await page.getByRole('button', { name: 'Log out' }).click();
	await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();

	await logIn(page, user.handle, 'wrong password!');
	await expect(page.getByRole('alert')).toContainText('do not match an account');
	await logIn(page, user.email, user.password);
	await expect(page.getByRole('link', { name: `@${user.handle}` })).toBeVisible();
});
