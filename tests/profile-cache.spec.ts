import { expect, test } from '@playwright/test';
import { logOut, newUser, seriousViolations, signUp } from './helpers';

// Issue 15: signed-in visitors are served profile pages from the page cache with their own site
// header. Whoever fills the cache, everyone sees their own header, and the owner their own page.
test.use({ extraHTTPHeaders: { 'X-Forwarded-For': '10.115.0.1' } });

const owner = newUser('pco');
const ann = newUser('pca');
const bo = newUser('pcb');

test('every visitor of a cached profile sees their own header, the owner their own page', async ({
	browser
}) => {
	const pages = await Promise.all(
		[owner, ann, bo].map(async (user) => {
			const page = await (await browser.newContext()).newPage();
			await signUp(page, user);
			return page;
		})
	);
	const [ownerPage, annPage, boPage] = pages;
	const profile = `/@${owner.handle}`;
	const nav = (page: (typeof pages)[number]) => page.getByRole('navigation', { name: 'Main' });

	// Ann's visit renders the page and fills the cache; a stranger's and Bo's come from it. The
	// three visits follow each other at once: the cache keeps a page for 10 s.
	await annPage.goto(profile);
	const stranger = await (await browser.newContext()).newPage();
	const signedOut = await stranger.goto(profile);
	const answer = await boPage.goto(profile);
	expect(signedOut!.headers()['x-proofwork-cache']).toBe('hit');
	expect(answer!.headers()['x-proofwork-cache']).toBe('hit');
	expect(answer!.headers()['cache-control']).toBe('private, no-store');

	await expect(nav(annPage).getByRole('link', { name: `@${ann.handle}` })).toBeVisible();
	await expect(nav(stranger).getByRole('link', { name: 'Log in' })).toBeVisible();
	await expect(nav(stranger).getByRole('button', { name: 'Log out' })).toHaveCount(0);
	await expect(stranger.getByText(`@${ann.handle}`)).toHaveCount(0);
	await expect(nav(boPage).getByRole('link', { name: `@${bo.handle}` })).toBeVisible();
	await expect(nav(boPage).getByRole('link', { name: `@${ann.handle}` })).toHaveCount(0);
	expect(await seriousViolations(boPage)).toEqual([]);

	// The owner never gets the cached copy: theirs says it is their profile.
	const own = await ownerPage.goto(profile);
	expect(own!.headers()['x-proofwork-cache']).not.toBe('hit');
	await expect(ownerPage.getByRole('complementary', { name: 'Your profile' })).toBeVisible();
	await expect(boPage.getByRole('complementary', { name: 'Your profile' })).toHaveCount(0);

	// Logging out works from a page served from the cache, and the next look is signed out.
	await logOut(boPage);
	await boPage.goto(profile);
	await expect(nav(boPage).getByRole('link', { name: 'Log in' })).toBeVisible();
});
