import { readFile, writeFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import {
	addWorkItem,
	editWorkItem,
	fillProfile,
	newUser,
	seriousViolations,
	signUp,
	signUpToProfile
} from './helpers';

// Issue 14: a work item shown with its images, built with JavaScript on and off, then seen by a
// signed-out visitor.

const COLOURS = ['#b91c1c', '#1d4ed8', '#15803d', '#a21caf', '#c2410c', '#0f766e', '#334155'];

async function image(path: string, colour: string, width = 1800, height = 1200) {
	await sharp({ create: { width, height, channels: 3, background: colour } })
		.jpeg()
		.withExif({ IFD0: { Copyright: 'Taken at 51.5072 N, 0.1276 W' } })
		.toFile(path);
	return path;
}

const buildProfile = (page: Page, name: string) =>
	fillProfile(page, { name, headline: 'Social media manager for food brands' });

async function addWork(page: Page, title: string) {
	await addWorkItem(page, {
		title,
		outcome: 'Sold out the first batch in 3 days',
		caseStudy: '## What we did\n\nA week of launch posts.'
	});
	await editWorkItem(page, title);
}

async function buildImages(page: Page, dir: (name: string) => string, title: string, axe: boolean) {
	await addWork(page, title);

	// Refusals come back next to the field, with the alt text kept and nothing stored.
	const svg = dir('drawing.svg');
	await import('node:fs/promises').then((fs) =>
		fs.writeFile(svg, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
	);
	await page.getByLabel('Cover image').setInputFiles(svg);
	await page.getByLabel('Cover alt text').fill('Jars on a shelf');
	await page.getByRole('button', { name: 'Upload cover' }).click();
	await expect(page.getByLabel('Cover image')).toHaveAccessibleDescription(
		/SVG drawings are not accepted/
	);
	await expect(page.getByLabel('Cover alt text')).toHaveValue('Jars on a shelf');

	const empty = dir('empty.jpg');
	await import('node:fs/promises').then((fs) => fs.writeFile(empty, ''));
	await page.getByLabel('Cover image').setInputFiles(empty);
	await page.getByRole('button', { name: 'Upload cover' }).click();
	await expect(page.getByLabel('Cover image')).toHaveAccessibleDescription(/The file is empty/);

	await page.getByLabel('Cover image').setInputFiles(await image(dir('cover.jpg'), COLOURS[0]));
	await page.getByLabel('Cover alt text').fill('Jars on a shelf');
	await page.getByRole('button', { name: 'Upload cover' }).click();
	await expect(page.getByRole('status')).toHaveText('Cover image saved.');

	for (let i = 1; i <= 7; i++) {
		await page
			.getByLabel('Gallery image', { exact: true })
			.setInputFiles(await image(dir(`g${i}.jpg`), COLOURS[i - 1], 900, 1200));
		// The fourth is left undescribed: it stays off the public page until described.
		await page.getByLabel('Gallery image alt text').fill(i === 4 ? '' : `Launch post ${i}`);
		await page.getByRole('button', { name: 'Add to gallery' }).click();
		await expect(page.getByRole('heading', { name: `Gallery (${i} of 12)` })).toBeVisible();
	}
	await expect(page.getByRole('status')).toHaveText('Image added to the gallery.');
	await expect(page.getByText('Hidden from your profile until it has alt text.')).toHaveCount(1);

	await page.getByRole('button', { name: 'Move image 2 earlier' }).click();
	await expect(page.getByRole('status')).toHaveText('Gallery order saved.');
	await expect(page.getByLabel('Alt text for image 1')).toHaveValue('Launch post 2');
	await page.getByRole('button', { name: 'Remove image 7' }).click();
	await expect(page.getByRole('status')).toHaveText('Image removed.');
	await expect(page.getByRole('heading', { name: 'Gallery (6 of 12)' })).toBeVisible();
	await page.getByLabel('Alt text for image 4').fill('Launch post 4');
	await page
		.getByRole('listitem')
		.filter({ has: page.getByLabel('Alt text for image 4') })
		.getByRole('button', { name: 'Save alt text' })
		.click();
	await expect(page.getByRole('status')).toHaveText('Alt text saved.');
	await expect(page.getByText('Hidden from your profile until it has alt text.')).toHaveCount(0);
	if (axe) expect(await seriousViolations(page)).toEqual([]);
	await addVideosAndCaseStudy(page);
}

const FAKES = `http://127.0.0.1:${Number(process.env.E2E_FAKE_PORT_BASE || 4181) + 3}`;

async function serve(path: string, type: string, body: Buffer) {
	const response = await fetch(`${FAKES}/__fake/website`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ path, type, base64: body.toString('base64') })
	});
	expect(response.status).toBe(204);
}

async function addVideosAndCaseStudy(page: Page) {
	await serve(
		'/oembed',
		'application/json',
		Buffer.from(
			JSON.stringify({
				title: 'Jam launch film',
				author_name: 'Jam Co',
				thumbnail_url: 'https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg'
			})
		)
	);
	await serve(
		'/vi/dQw4w9WgXcQ/hqdefault.jpg',
		'image/jpeg',
		await sharp({ create: { width: 480, height: 360, channels: 3, background: '#cc0000' } })
			.jpeg()
			.toBuffer()
	);
	await page.getByLabel('Video or post link').fill('https://example.com/not-a-video');
	await page.getByRole('button', { name: 'Add video or post' }).click();
	await expect(page.getByLabel('Video or post link')).toHaveAccessibleDescription(
		/Paste a link to a YouTube or Vimeo video/
	);
	await page.getByLabel('Video or post link').fill('https://youtu.be/dQw4w9WgXcQ');
	await page.getByRole('button', { name: 'Add video or post' }).click();
	await expect(page.getByRole('heading', { name: 'Videos and posts (1 of 6)' })).toBeVisible();
	await page
		.getByLabel('Video or post link')
		.fill('https://www.tiktok.com/@jamco/video/7312345678901234567');
	await page.getByRole('button', { name: 'Add video or post' }).click();
	await expect(page.getByRole('heading', { name: 'Videos and posts (2 of 6)' })).toBeVisible();
	// The title arrives from the (fake) provider in the background.
	await expect(async () => {
		await page.reload();
		await expect(page.getByText('YouTube · Jam Co · ready')).toBeVisible({ timeout: 1000 });
	}).toPass({ timeout: 30_000 });

	const first = await page.getByLabel('Markdown for image 1').inputValue();
	const second = await page.getByLabel('Markdown for image 2').inputValue();
	await page
		.getByLabel('Case study')
		.fill(
			`## What we did\n\nA week of launch posts.\n\n${first}\n\n| | Before | After |\n| --- | ---: | ---: |\n| Followers | 1,200 | 14,000 |\n\n> Best launch we have had.\n\n${second}\n\n![remote](https://evil.example/track.gif)`
		);
	await page.getByRole('button', { name: 'Save work' }).click();
	await expect(page.getByRole('status')).toHaveText('Work saved.');
}

// axe-core runs in the page, so it is checked with JavaScript on only.
async function seeAsVisitor(page: Page, handle: string, title: string, axe: boolean) {
	await page.context().clearCookies();
	await page.goto(`/@${handle}`);
	const card = page
		.getByRole('listitem')
		.filter({ has: page.getByRole('heading', { name: title }) });
	const cover = card.getByRole('img', { name: 'Jars on a shelf' });
	await expect(cover).toBeVisible();
	// The first card's cover may be the largest thing on a wide first screen: fetched first.
	await expect(cover).toHaveAttribute('fetchpriority', 'high');
	await expect(cover).toHaveAttribute('width', '1600');
	await expect(card.getByText('6 images · Media from YouTube, TikTok')).toBeVisible();
	if (axe) expect(await seriousViolations(page)).toEqual([]);

	await page.goto(`/search?q=${encodeURIComponent(title)}`);
	const result = page.getByRole('listitem').filter({ hasText: title });
	await expect(result.getByRole('img', { name: 'Jars on a shelf' })).toBeVisible();

	await page.goto(`/@${handle}`);
	await card.getByRole('link', { name: 'Read the case study' }).click();
	await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
	const gallery = page.getByRole('region', { name: 'Gallery' }).getByRole('img');
	await expect(gallery).toHaveCount(6);
	await expect(gallery.first()).toHaveAccessibleName('Launch post 2');
	await expect(gallery.first()).toHaveAttribute('loading', 'lazy');
	await expect(gallery.nth(1)).toHaveAccessibleName('Launch post 1');
	const article = page.locator('.e-content');
	// Lazily loaded: present with a URL of this site, drawn once scrolled to.
	for (const name of ['Launch post 2', 'Launch post 1'])
		await expect(article.getByRole('img', { name })).toHaveAttribute(
			'src',
			/^\/media\/\d+\/\d+\.webp\?v=\w+$/
		);
	await expect(article.getByRole('img', { name: 'remote' })).toHaveCount(0);
	await expect(article.getByRole('cell', { name: '14,000' })).toBeVisible();
	const videos = page.getByRole('region', { name: 'Videos and posts' });
	await expect(page.locator('iframe')).toHaveCount(0);
	const play = videos.getByRole('link', { name: 'Play “Jam launch film” from YouTube' });
	await expect(play).toHaveAttribute('href', 'https://www.youtube.com/watch?v=dQw4w9WgXcQ');
	await expect(videos.getByRole('link', { name: /from TikTok/ })).toHaveAttribute(
		'href',
		'https://www.tiktok.com/@jamco/video/7312345678901234567'
	);
	if (axe) {
		await play.click();
		await expect(videos.locator('iframe')).toHaveAttribute(
			'src',
			'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1'
		);
	}
	const src = await page.getByRole('img', { name: 'Jars on a shelf' }).getAttribute('src');
	const response = await page.request.get(src!);
	expect(response.status()).toBe(200);
	expect(response.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
	const meta = await sharp(await response.body()).metadata();
	expect(meta.format).toBe('webp');
	expect(meta.exif).toBeUndefined();
	await expect(page.locator('meta[property="og:image"]')).toHaveAttribute(
		'content',
		/\/media\/\d+\/1600\.webp\?v=/
	);
	if (axe) expect(await seriousViolations(page)).toEqual([]);
}

// Each image is re-encoded to eight files (four widths, WebP and AVIF) on a shared machine.
test.describe.configure({ timeout: 120_000 });

test.describe('with JavaScript', () => {
	test('a practitioner adds a cover and gallery; a visitor sees them', async ({ page }, info) => {
		const user = newUser('mediajs');
		await signUp(page, user);
		await buildProfile(page, 'Ada Jam');
		await buildImages(page, (name) => info.outputPath(name), 'Jam launch', true);
		await seeAsVisitor(page, user.handle, 'Jam launch', true);
	});

	test('an iPhone HEIC photo becomes the cover; a damaged one is refused', async ({
		page
	}, info) => {
		await signUp(page, newUser('mediaheic'));
		await addWork(page, 'Menu shoot');
		const heic = await readFile('src/lib/server/platform/fixtures/photo.heic');
		const damaged = info.outputPath('damaged.heic');
		await writeFile(damaged, heic.subarray(0, 3000));
		await page.getByLabel('Cover image').setInputFiles(damaged);
		await page.getByLabel('Cover alt text').fill('Plated dessert');
		await page.getByRole('button', { name: 'Upload cover' }).click();
		await expect(page.getByLabel('Cover image')).toHaveAccessibleDescription(
			/This HEIC photo could not be read/
		);
		await expect(page.getByLabel('Cover alt text')).toHaveValue('Plated dessert');

		await page.getByLabel('Cover image').setInputFiles({
			name: 'IMG_0001.HEIC',
			mimeType: 'image/heic',
			buffer: heic
		});
		await page.getByRole('button', { name: 'Upload cover' }).click();
		await expect(page.getByRole('status')).toHaveText('Cover image saved.');
		const cover = page.getByRole('img', { name: 'Plated dessert' });
		await expect(cover).toHaveAttribute('width', '1200');
		await expect(cover).toHaveAttribute('height', '800');
		const response = await page.request.get((await cover.getAttribute('src'))!);
		expect(response.status()).toBe(200);
		const meta = await sharp(await response.body()).metadata();
		// The fallback src is the 640 px WebP, in the photo's 3:2 shape.
		expect(meta).toMatchObject({ format: 'webp', width: 640, height: 427 });
		expect(meta.exif).toBeUndefined();
	});
});

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false });
	test('the same with plain form posts', async ({ page }, info) => {
		const user = newUser('medianojs');
		await signUpToProfile(page, user);
		await buildProfile(page, 'Bo Jam');
		await buildImages(page, (name) => info.outputPath(name), 'Marmalade launch', false);
		await seeAsVisitor(page, user.handle, 'Marmalade launch', false);
	});
});
