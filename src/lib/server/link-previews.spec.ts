import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '#lib/server/db/connect.js';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import * as accounts from '#lib/server/accounts/index.js';
import { createFetcher } from '#lib/server/platform/fetcher.js';
import * as previews from '#lib/server/link-previews.js';
import * as work from '#lib/server/work.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const routes = new Map<string, Handler>();
let server: Server;
let origin: string;
let closedOrigin: string;

function html(body: string, status = 200): Handler {
	return (_req, res) => {
		res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
		res.end(`<!doctype html><html><head>${body}</head><body><p>Hello</p></body></html>`);
	};
}

function bytes(contentType: string, data: Uint8Array | string): Handler {
	return (_req, res) => {
		res.writeHead(200, { 'Content-Type': contentType });
		res.end(data);
	};
}

function escapeAttr(text: string): string {
	return text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
}

beforeAll(async () => {
	server = createServer((req, res) => {
		const handler = routes.get(new URL(req.url!, 'http://x').pathname);
		if (!handler) {
			res.writeHead(404, { 'Content-Type': 'text/plain' }).end('missing');
			return;
		}
		void Promise.resolve(handler(req, res)).catch(() => res.destroy());
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	// A port nobody listens on: the connection is refused at once.
	const closed = createServer();
	await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
	closedOrigin = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
	await new Promise((resolve) => closed.close(resolve));
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const fetcher = () => createFetcher({ allowAddresses: ['127.0.0.1'], hostIntervalMs: 0 });

const input = (title: string, url: string) =>
	v.parse(work.workSchema, { title, url, role: '', outcome: '', happenedOn: '', caseStudy: '' });

let ipCounter = 0;
async function signUp(db: Db, handle: string) {
	const result = await accounts.signUp(db, {
		email: `${handle}@example.com`,
		handle,
		password: 'a long passphrase',
		ip: `10.9.0.${++ipCounter}`,
		origin: 'http://x.test'
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	return result.value.user;
}

const T0 = new Date('2026-12-01T10:00:00Z');
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);

describe.each(testEngines())('link previews on $name', (engine) => {
	let t: TestDatabase;
	let userId: number;
	let jpeg: Buffer;
	beforeAll(async () => {
		t = await engine.create();
		userId = (await signUp(t.db, `previewer${engine.name}`)).id;
		jpeg = await sharp({
			create: { width: 1200, height: 630, channels: 3, background: '#336699' }
		})
			.jpeg()
			.withExif({ IFD0: { Copyright: 'Do not leak me' } })
			.toBuffer();
	});
	afterAll(() => t.drop());

	async function addWork(title: string, url: string, now = T0) {
		const created = await work.createWork(t.db, userId, input(title, url), [], now);
		if (!created.ok) throw new Error(created.error);
		return created.item.id;
	}

	async function view(id: number) {
		return (await previews.listPreviews(t.db, [id])).get(id);
	}

	async function row(id: number) {
		return t.db
			.selectFrom('link_previews')
			.selectAll()
			.where('work_item_id', '=', id)
			.executeTakeFirst();
	}

	it('reads OpenGraph tags and stores the picture re-encoded as WebP', async () => {
		const path = `/${engine.name}/og`;
		routes.set(
			path,
			html(`<title>Fallback title</title>
				<meta property="og:title" content="  Rebuilt the   checkout  ">
				<meta property="og:description" content="Cut drop-off by a third.">
				<meta property="og:site_name" content="Acme Shop">
				<meta property="og:image" content="img/cover.jpg">
				<meta name="twitter:title" content="Not this one">`)
		);
		routes.set(`/${engine.name}/img/cover.jpg`, bytes('image/jpeg', jpeg));
		const id = await addWork('Checkout', `${origin}${path}`);

		expect(await previews.duePreviews(t.db, T0, 100)).toContain(id);
		expect(await previews.fetchPreview(t.db, fetcher(), id, { now: T0 })).toBe('ok');

		const shown = await view(id);
		expect(shown).toMatchObject({
			status: 'ok',
			title: 'Rebuilt the checkout',
			description: 'Cut drop-off by a third.',
			siteName: 'Acme Shop',
			imageWidth: 600,
			imageHeight: 315,
			failingSince: null,
			lastOkAt: T0
		});
		const stored = await previews.getPreviewImage(t.db, id);
		expect(shown!.imageUrl).toBe(previews.previewImageUrl(id, stored!.etag));
		expect(shown!.imageUrl).toBe(`/previews/${id}/${stored!.etag}.webp`);
		const metadata = await sharp(stored!.image).metadata();
		expect(metadata).toMatchObject({ format: 'webp', width: 600, height: 315 });
		expect(metadata.exif).toBeUndefined();
		expect(Buffer.from(stored!.image).equals(jpeg)).toBe(false);

		// Refreshed after a week, not before.
		expect(await previews.duePreviews(t.db, hours(24 * 7 - 1), 100)).not.toContain(id);
		expect(await previews.duePreviews(t.db, hours(24 * 7), 100)).toContain(id);
	});

	it('falls back to Twitter card tags, then <title>, the meta description and the host', async () => {
		routes.set(
			`/${engine.name}/twitter`,
			html(`<title>Page title</title>
				<meta name="twitter:title" content="Card title">
				<meta name="twitter:description" content="Card description">
				<meta name="twitter:image" content="${origin}/${engine.name}/card.jpg">`)
		);
		routes.set(`/${engine.name}/card.jpg`, bytes('image/jpeg', jpeg));
		routes.set(
			`/${engine.name}/plain`,
			html(`<svg><title>Icon</title></svg><title>Plain &amp; simple</title>
				<meta name="description" content="Just a page.">`)
		);
		const twitter = await addWork('Twitter', `${origin}/${engine.name}/twitter`);
		const plain = await addWork('Plain', `${origin}/${engine.name}/plain`);

		expect(await previews.fetchPreview(t.db, fetcher(), twitter, { now: T0 })).toBe('ok');
		expect(await previews.fetchPreview(t.db, fetcher(), plain, { now: T0 })).toBe('ok');
		expect(await view(twitter)).toMatchObject({
			title: 'Card title',
			description: 'Card description',
			siteName: '127.0.0.1',
			imageWidth: 600
		});
		expect(await view(plain)).toMatchObject({
			title: 'Plain & simple',
			description: 'Just a page.',
			siteName: '127.0.0.1',
			imageUrl: null
		});
	});

	it('keeps markup in tags as text, caps lengths and drops a picture that is not one', async () => {
		// U+202E would flip what follows it: "moc.elgoog" shown as "google.com".
		const title = '<b>Bold</b> & <script>\u202Ealert(1)</script> ' + 'x'.repeat(300);
		routes.set(
			`/${engine.name}/long`,
			html(`<meta property="og:title" content="${escapeAttr(title)}">
				<meta property="og:description" content="${'d'.repeat(2000)}">
				<meta property="og:site_name" content="${'s'.repeat(300)}">
				<meta property="og:image" content="/${engine.name}/fake.png">`)
		);
		routes.set(
			`/${engine.name}/fake.png`,
			bytes('image/png', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
		);
		const id = await addWork('Long', `${origin}/${engine.name}/long`);

		expect(await previews.fetchPreview(t.db, fetcher(), id, { now: T0 })).toBe('ok');
		const shown = await view(id);
		expect(shown!.status).toBe('ok');
		expect(shown!.title!.startsWith('<b>Bold</b> & <script>alert(1)</script> xxx')).toBe(true);
		expect(Array.from(shown!.title!)).toHaveLength(200);
		expect(Array.from(shown!.description!)).toHaveLength(500);
		expect(Array.from(shown!.siteName!)).toHaveLength(100);
		expect(shown!.imageUrl).toBeNull();
		expect(await previews.getPreviewImage(t.db, id)).toBeUndefined();
	});

	it('marks a link that stopped answering, keeps what it had and clears the mark on recovery', async () => {
		const path = `/${engine.name}/flaky`;
		routes.set(path, html('<meta property="og:title" content="Still here">'));
		const id = await addWork('Flaky', `${origin}${path}`);
		expect(await previews.fetchPreview(t.db, fetcher(), id, { now: T0 })).toBe('ok');

		routes.set(path, html('<title>Gone</title>', 404));
		expect(await previews.fetchPreview(t.db, fetcher(), id, { now: hours(1) })).toBe('failed');
		expect(await view(id)).toMatchObject({
			status: 'failed',
			title: 'Still here',
			failingSince: hours(1),
			lastOkAt: T0
		});
		expect((await row(id))!.last_error).toBe('The link answered 404 Not Found.');
		expect((await row(id))!.next_fetch_at).toEqual(hours(25));

		// A later failure keeps the date it first failed.
		routes.delete(path);
		expect(await previews.fetchPreview(t.db, fetcher(), id, { now: hours(25) })).toBe('failed');
		expect((await view(id))!.failingSince).toEqual(hours(1));

		routes.set(path, html('<meta property="og:title" content="Back again">'));
		expect(await previews.fetchPreview(t.db, fetcher(), id, { now: hours(49) })).toBe('ok');
		expect(await view(id)).toMatchObject({
			status: 'ok',
			title: 'Back again',
			failingSince: null,
			lastOkAt: hours(49)
		});
		expect((await row(id))!.last_error).toBeNull();
	});

	it('asks for a retry on a 503 or an unreachable site, and records the final attempt', async () => {
		const path = `/${engine.name}/busy`;
		routes.set(path, html('busy', 503));
		const id = await addWork('Busy', `${origin}${path}`);
		const before = await row(id);

		expect(await previews.fetchPreview(t.db, fetcher(), id, { now: T0 })).toBe('retry');
		expect(await row(id)).toEqual(before);
		expect(await previews.fetchPreview(t.db, fetcher(), id, { now: T0, finalAttempt: true })).toBe(
			'failed'
		);
		expect(await view(id)).toMatchObject({ status: 'failed', failingSince: T0 });
		expect((await row(id))!.last_error).toBe('The link answered 503 Service Unavailable.');

		const down = await addWork('Down', `${closedOrigin}/anything`);
		const pending = await row(down);
		expect(await previews.fetchPreview(t.db, fetcher(), down, { now: T0 })).toBe('retry');
		expect(await row(down)).toEqual(pending);
		expect(
			await previews.fetchPreview(t.db, fetcher(), down, { now: T0, finalAttempt: true })
		).toBe('failed');
		expect((await row(down))!.last_error).toBe('The site could not be reached.');
	});

	it('starts over when the link changes, and forgets the preview when the link is removed', async () => {
		const first = `/${engine.name}/first`;
		const second = `/${engine.name}/second`;
		routes.set(first, html('<meta property="og:title" content="First">'));
		routes.set(`/${engine.name}/first.jpg`, bytes('image/jpeg', jpeg));
		const id = await addWork('Moving', `${origin}${first}`);
		expect(await previews.fetchPreview(t.db, fetcher(), id, { now: T0 })).toBe('ok');

		// Saving other fields leaves a fetched preview alone.
		await work.updateWork(t.db, userId, id, input('Moving on', `${origin}${first}`), [], hours(1));
		expect((await view(id))!.title).toBe('First');
		expect(await previews.duePreviews(t.db, hours(1), 100)).not.toContain(id);

		await work.updateWork(t.db, userId, id, input('Moving on', `${origin}${second}`), [], hours(2));
		expect(await view(id)).toMatchObject({
			status: 'pending',
			title: null,
			imageUrl: null,
			lastOkAt: null
		});
		expect((await row(id))!.url).toBe(`${origin}${second}`);
		expect(await previews.duePreviews(t.db, hours(2), 100)).toContain(id);

		await work.updateWork(t.db, userId, id, input('Moving on', ''), [], hours(3));
		expect(await view(id)).toBeUndefined();
		expect(await previews.fetchPreview(t.db, fetcher(), id, { now: hours(3) })).toBe('gone');
	});

	it('writes nothing when the link changed or the work was deleted while the page was fetched', async () => {
		const path = `/${engine.name}/racing`;
		const later = `${origin}/${engine.name}/elsewhere`;
		let id = 0;
		routes.set(path, async (req, res) => {
			await work.updateWork(t.db, userId, id, input('Racing', later), [], T0);
			await html('<meta property="og:title" content="Stale">')(req, res);
		});
		id = await addWork('Racing', `${origin}${path}`);

		expect(await previews.fetchPreview(t.db, fetcher(), id, { now: T0 })).toBe('gone');
		expect(await row(id)).toMatchObject({ url: later, status: 'pending', title: null });

		await work.deleteWork(t.db, userId, id);
		expect(await previews.fetchPreview(t.db, fetcher(), id, { now: T0 })).toBe('gone');
		expect(await previews.listPreviews(t.db, [id])).toEqual(new Map());
	});
});
