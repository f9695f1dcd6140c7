import { expect, test, type Locator, type Page } from '@playwright/test';
import sharp from 'sharp';
import {
	addWorkItem,
	editWorkItem,
	fillProfile,
	newUser,
	seriousViolations,
	signUpToProfile,
	type User
} from './helpers';

// Issue 14: a case study is previewed as the public page will show it, with everything typed kept
// and nothing saved until Save, with JavaScript on and off.

test.use({ extraHTTPHeaders: { 'X-Forwarded-For': '10.147.0.1' } });
test.describe.configure({ timeout: 90_000 });

const PORT = Number(process.env.E2E_PORT || 4173);
const BASE = `http://localhost:${PORT}`;

async function signUpNamed(page: Page, user: User) {
	await signUpToProfile(page, user);
	await fillProfile(page, { name: 'Cy Preview' });
}

/** A work item with a saved case study and one gallery image; returns the edit page's path. */
async function workWithImage(page: Page, title: string, imagePath: string): Promise<string> {
	await addWorkItem(page, { title, caseStudy: 'The saved version.' });
	await editWorkItem(page, title);
	await sharp({ create: { width: 900, height: 600, channels: 3, background: '#0f766e' } })
		.jpeg()
		.toFile(imagePath);
	await page.getByLabel('Gallery image', { exact: true }).setInputFiles(imagePath);
	await page.getByLabel('Gallery image alt text').fill('Jars on the counter');
	await page.getByRole('button', { name: 'Add to gallery' }).click();
	await expect(page.getByRole('status')).toHaveText('Image added to the gallery.');
	return new URL(page.url()).pathname;
}

const caseStudy = (image: string) =>
	`## Results\n\nThree weeks of launch posts.\n\n| | Before | After |\n| --- | ---: | ---: |\n| Followers | 1,200 | 14,000 |\n\n${image}\n\n> Best launch we have had.`;

/** What a reader sees of a rendered table cell and quote: rules, padding, the quote's bar. */
async function articleLook(root: Locator) {
	const cell = await root
		.getByRole('cell', { name: '14,000' })
		.evaluate((el) => getComputedStyle(el))
		.then((s) => ({ padding: s.paddingLeft, border: s.borderTopWidth, align: s.textAlign }));
	const quote = await root
		.getByText('Best launch we have had.')
		.evaluate((el) => getComputedStyle(el.closest('blockquote')!).borderLeftWidth);
	return { cell, quote };
}

async function expectPreview(page: Page) {
	const preview = page.getByRole('region', { name: 'Preview of the case study' });
	await expect(preview.getByRole('heading', { level: 2, name: 'Results' })).toBeVisible();
	await expect(preview.getByRole('cell', { name: '14,000' })).toBeVisible();
	await expect(preview.getByRole('columnheader', { name: 'After' })).toBeVisible();
	await expect(preview.getByRole('rowheader', { name: 'Followers' })).toBeVisible();
	const image = preview.getByRole('img', { name: 'Jars on the counter' });
	await expect(image).toHaveAttribute('src', /^\/media\/\d+\/\d+\.webp\?v=\w+$/);
	await image.scrollIntoViewIfNeeded();
	// Sized before it loads, offered in every stored width, and drawn (not a broken-image icon).
	await expect(image).toHaveAttribute('width', '900');
	await expect(image).toHaveAttribute('height', '600');
	await expect(image).toHaveAttribute(
		'srcset',
		/320\.webp.* 320w, .*640\.webp.* 640w, .*900\.webp.* 900w/
	);
	await expect
		.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth))
		.toBeGreaterThan(0);
	await expect(preview.getByText('Best launch we have had.')).toBeVisible();
	await expect(preview.getByText('Not saved yet')).toBeVisible();
	return preview;
}

async function previewAndSave(page: Page, javaScript: boolean, title: string, imagePath: string) {
	const user = newUser(javaScript ? 'prevjs' : 'prevnojs');
	await signUpNamed(page, user);
	const editPath = await workWithImage(page, title, imagePath);
	const markdown = await page.getByLabel('Markdown for image 1').inputValue();
	const publicPath = `/@${user.handle}/work/${title.toLowerCase().replace(/\W+/g, '-')}`;

	await page.getByLabel('Title').fill(`${title} (final)`);
	await page.getByLabel('Outcome').fill('Sold out in 3 days');
	await page.getByLabel('Case study', { exact: true }).fill(caseStudy(markdown));
	if (javaScript) await page.evaluate(() => ((window as { kept?: boolean }).kept = true));
	await page.getByRole('button', { name: 'Preview', exact: true }).click();
	const preview = await expectPreview(page);
	if (javaScript) {
		// Same document: no reload, and the reader is taken to the preview.
		expect(await page.evaluate(() => (window as { kept?: boolean }).kept)).toBe(true);
		await expect(preview.getByRole('heading', { name: 'Preview of the case study' })).toBeFocused();
	}
	// Everything typed is still there.
	await expect(page.getByLabel('Title')).toHaveValue(`${title} (final)`);
	await expect(page.getByLabel('Outcome')).toHaveValue('Sold out in 3 days');
	await expect(page.getByLabel('Case study', { exact: true })).toHaveValue(caseStudy(markdown));
	if (javaScript) expect(await seriousViolations(page)).toEqual([]);

	// Nothing saved yet: a visitor still reads the saved version.
	const visitor = await page.context().browser()!.newPage();
	await visitor.goto(`${BASE}${publicPath}`);
	await expect(visitor.getByRole('heading', { level: 1, name: title })).toBeVisible();
	await expect(visitor.getByText('The saved version.')).toBeVisible();
	await expect(visitor.getByRole('table')).toHaveCount(0);

	const previewLook = await articleLook(preview);
	expect(previewLook.cell.padding).not.toBe('0px');
	expect(previewLook.cell.border).not.toBe('0px');
	expect(previewLook.cell.align).toBe('right');
	expect(previewLook.quote).not.toBe('0px');

	await page.getByRole('button', { name: 'Save work' }).click();
	await expect(page.getByRole('status')).toHaveText('Work saved.');
	await visitor.goto(`${BASE}${publicPath}`);
	await expect(visitor.getByRole('heading', { level: 1, name: `${title} (final)` })).toBeVisible();
	const article = visitor.locator('.e-content');
	await expect(article.getByRole('img', { name: 'Jars on the counter' })).toHaveAttribute(
		'src',
		/^\/media\//
	);
	// The preview looked the way the public page now does.
	expect(await articleLook(article)).toEqual(previewLook);
	await visitor.close();
	return { editPath, user };
}

test.describe('with JavaScript', () => {
	test('preview a case study with a table and an image, then save it', async ({ page }, info) => {
		const { editPath } = await previewAndSave(
			page,
			true,
			'Jam launch',
			info.outputPath('jars.jpg')
		);
		await expect(page).toHaveURL('/settings/work?saved=updated');

		// Someone else's work cannot be previewed through its form action.
		await page.context().clearCookies();
		await page.context().setExtraHTTPHeaders({ 'X-Forwarded-For': '10.147.0.2' });
		const other = newUser('prevother');
		await page.goto('/signup');
		await page.getByLabel('Email').fill(other.email);
		await page.getByLabel('Handle').fill(other.handle);
		await page.getByLabel('Password').fill(other.password);
		await page.getByRole('button', { name: 'Sign up' }).click();
		await expect(page.getByRole('heading', { name: 'Your profile' })).toBeVisible();
		const response = await page.request.post(`${editPath}?/preview`, {
			headers: { Origin: BASE, Accept: 'text/html' },
			form: { title: 'Mine now', caseStudy: 'Hello' },
			maxRedirects: 0
		});
		expect(response.status()).toBe(404);
	});
});

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false, extraHTTPHeaders: { 'X-Forwarded-For': '10.147.0.3' } });

	test('the same with plain form posts', async ({ page }, info) => {
		await previewAndSave(page, false, 'Marmalade launch', info.outputPath('jars.jpg'));
	});

	test('a case study too long to keep is refused next to the field, input kept', async ({
		page
	}, info) => {
		await signUpNamed(page, newUser('prevlong'));
		const editPath = await workWithImage(page, 'Long read', info.outputPath('jars.jpg'));
		// The textarea's maxlength stops a browser; a hand-made post gets the message instead.
		const response = await page.request.post(`${editPath}?/preview`, {
			headers: { Origin: BASE, Accept: 'text/html' },
			form: { title: 'Long read, revised', caseStudy: 'x'.repeat(20_001) },
			maxRedirects: 0
		});
		expect(response.status()).toBe(400);
		await page.setContent(await response.text());
		await expect(page.getByLabel('Case study', { exact: true })).toHaveAccessibleDescription(
			/use at most 20,000 characters/
		);
		await expect(page.getByLabel('Title')).toHaveValue('Long read, revised');
		await expect(page.getByRole('region', { name: 'Preview of the case study' })).toHaveCount(0);
		// And nothing was saved.
		await page.goto(editPath);
		await expect(page.getByLabel('Title')).toHaveValue('Long read');
	});
});
