import { expect, test } from '@playwright/test';
import { logIn, logOut, mailedLink, newUser, PASSWORD, signUp } from './helpers';

test('sign up, verify the email, log out and log back in', async ({ page }) => {
	const user = newUser('ann');
	await signUp(page, user);
	await expect(page.getByText('Please verify your email address')).toBeVisible();

	await page.goto(await mailedLink(user.email, 'verify-email'));
	await page.getByRole('button', { name: 'Verify my email address' }).click();
	await expect(page.getByText(`Your address ${user.email} is verified.`)).toBeVisible();
	await expect(page.getByText('Please verify your email address')).toHaveCount(0);

	await logOut(page);
	await logIn(page, user.email, user.password);
	await expect(page.getByRole('link', { name: `@${user.handle}` })).toBeVisible();
});

test('a used verification link does not work twice', async ({ page }) => {
	const user = newUser('bea');
	await signUp(page, user);
	const link = await mailedLink(user.email, 'verify-email');
	await page.goto(link);
	await page.getByRole('button', { name: 'Verify my email address' }).click();
	await page.goto(link);
	await page.getByRole('button', { name: 'Verify my email address' }).click();
	await expect(page.getByRole('alert')).toContainText('expired or was already used');
});

test('a wrong password says so and keeps what was typed in the other field', async ({ page }) => {
	const user = newUser('cyd');
	await signUp(page, user);
	await logOut(page);
	await logIn(page, user.handle, 'not my password at all');
	await expect(page.getByRole('alert')).toHaveText(
		'That email or handle and password do not match an account.'
	);
	await expect(page.getByLabel('Email or handle')).toHaveValue(user.handle);
	await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();
});

test('sign-up mistakes are shown next to their fields, the input kept', async ({ page }) => {
	await page.goto('/signup');
	await page.getByLabel('Email').fill('not-an-email');
	await page.getByLabel('Handle').fill('admin');
	await page.getByLabel('Password').fill('password');
	await page.getByRole('button', { name: 'Sign up' }).click();
	await expect(page.getByText('Enter an email address like name@example.com.')).toBeVisible();
	await expect(page.getByText('This handle is reserved. Choose another.')).toBeVisible();
	await expect(
		page.getByText('This password is on a list of commonly used passwords.')
	).toBeVisible();
	await expect(page.getByLabel('Email')).toHaveValue('not-an-email');
	await expect(page.getByLabel('Handle')).toHaveAttribute('aria-invalid', 'true');
});

test('changing the password ends the other session', async ({ browser }) => {
	const user = newUser('dee');
	const laptop = await browser.newPage();
	await signUp(laptop, user);
	const phone = await browser.newPage();
	await logIn(phone, user.handle, user.password);
	await expect(phone.getByRole('link', { name: `@${user.handle}` })).toBeVisible();

	await laptop.goto('/settings/account');
	await laptop.getByLabel('Current password').first().fill(user.password);
	await laptop.getByLabel('New password').fill('a completely new passphrase');
	await laptop.getByRole('button', { name: 'Change password' }).click();
	await expect(laptop.getByRole('status')).toHaveText(
		'Password changed. Every other session was logged out.'
	);

	await phone.reload();
	await expect(phone.getByRole('link', { name: 'Log in' })).toBeVisible();
	await laptop.reload();
	await expect(laptop.getByRole('link', { name: `@${user.handle}` })).toBeVisible();

	await logIn(phone, user.handle, PASSWORD);
	await expect(phone.getByRole('alert')).toContainText('do not match');
	await logIn(phone, user.handle, 'a completely new passphrase');
	await expect(phone.getByRole('link', { name: `@${user.handle}` })).toBeVisible();
	await laptop.close();
	await phone.close();
});

test('a forgotten password is reset through the mailed link', async ({ page }) => {
	const user = newUser('eve');
	await signUp(page, user);
	await logOut(page);
	await page.goto('/login');
	await page.getByRole('link', { name: 'Forgot your password?' }).click();
	// The link navigates client-side; until the new page shows, 'Email' would match the log-in
	// form's 'Email or handle' field (a CI run typed the address there and sent an empty form).
	await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
	await page.getByLabel('Email', { exact: true }).fill(user.email);
	await page.getByRole('button', { name: 'Send reset link' }).click();
	await expect(page.getByRole('status')).toContainText('If an account uses that address');

	await page.goto(await mailedLink(user.email, 'reset-password'));
	await page.getByLabel('New password').fill('my fresh passphrase');
	await page.getByRole('button', { name: 'Set new password' }).click();
	await expect(page.getByRole('link', { name: `@${user.handle}` })).toBeVisible();
	await logOut(page);
	await logIn(page, user.email, 'my fresh passphrase');
	await expect(page.getByRole('link', { name: `@${user.handle}` })).toBeVisible();
});

test('deleting the account needs the password, then the account is gone', async ({ page }) => {
	const user = newUser('fay');
	await signUp(page, user);
	await page.goto('/settings/account');
	const deleteForm = page.getByRole('region', { name: 'Delete account' });
	await deleteForm.getByLabel('Your password').fill('wrong password here');
	await deleteForm.getByLabel('Type “delete” to confirm').fill('delete');
	await deleteForm.getByRole('button', { name: 'Delete my account' }).click();
	await expect(deleteForm.getByText('That is not your current password.')).toBeVisible();
	await expect(deleteForm.getByLabel('Type “delete” to confirm')).toHaveValue('delete');

	await deleteForm.getByLabel('Your password').fill(user.password);
	await deleteForm.getByRole('button', { name: 'Delete my account' }).click();
	await expect(page.getByRole('link', { name: 'Sign up' })).toBeVisible();

	await logIn(page, user.handle, user.password);
	await expect(page.getByRole('alert')).toContainText('do not match an account');
});

test('too many wrong passwords are refused with 429 before any check', async ({ page }) => {
	const user = newUser('gus');
	await signUp(page, user);
	await logOut(page);
	for (let i = 0; i < 5; i++) {
		await logIn(page, user.handle, `wrong guess ${i}`);
		await expect(page.getByRole('alert')).toContainText('do not match an account');
	}
	const response = page.waitForResponse(
		(r) => r.request().method() === 'POST' && r.url().includes('/login')
	);
	await logIn(page, user.handle, user.password);
	expect((await response).status()).toBe(429);
	await expect(page.getByRole('alert')).toContainText('Too many attempts');
});

test('a stranger failing on purpose from elsewhere does not lock the owner out', async ({
	page,
	request
}) => {
	const user = newUser('hal');
	await signUp(page, user);
	await logOut(page);
	// Someone else, on another network, tries the public handle until they are refused.
	const statuses: number[] = [];
	for (let i = 0; i < 8; i++) {
		const response = await request.post('/login', {
			headers: {
				Origin: new URL(page.url()).origin,
				Accept: 'text/html',
				'X-Forwarded-For': '198.51.100.77'
			},
			form: { identifier: user.handle, password: `wrong guess ${i}` },
			maxRedirects: 0
		});
		statuses.push(response.status());
	}
	expect(statuses.slice(5)).toEqual([429, 429, 429]);
	// The owner still gets in, and the browser is remembered for next time.
	await logIn(page, user.handle, user.password);
	await expect(page.getByRole('link', { name: `@${user.handle}` })).toBeVisible();
	const device = (await page.context().cookies()).find((c) => c.name === 'pw_device');
	expect(device?.httpOnly).toBe(true);
});

test('settings need a signed-in user and come back after log-in', async ({ page }) => {
	const user = newUser('hal');
	await signUp(page, user);
	await logOut(page);
	await page.goto('/settings/account');
	await expect(page).toHaveURL(/\/login\?redirectTo=%2Fsettings%2Faccount/);
	await page.getByLabel('Email or handle').fill(user.handle);
	await page.getByLabel('Password').fill(user.password);
	await page.getByRole('button', { name: 'Log in' }).click();
	await expect(page.getByRole('heading', { name: 'Account settings' })).toBeVisible();
});
