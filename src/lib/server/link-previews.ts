import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { Parser } from 'htmlparser2';
import sharp from 'sharp';
import type { Db, Executor } from '#lib/server/db/connect.js';
import type { LinkPreviewStatus } from '#lib/server/db/schema.js';
import { FetchError, type FetchErrorCode, type Fetcher } from '#lib/server/platform/fetcher.js';
import { detectImageFormat } from '#lib/server/platform/images.js';
import { DAY_MS } from '#lib/server/platform/time.js';

export const REFRESH_DAYS = 7;
const FAILED_RETRY_DAYS = 1;

const MAX_TITLE = 200;
const MAX_DESCRIPTION = 500;
const MAX_SITE_NAME = 100;

const IMAGE_MAX_SIDE = 600;
const IMAGE_QUALITY = 80;
// A 1 MB file can still declare an enormous canvas; decoding cost follows pixels, not bytes.
const IMAGE_MAX_PIXELS = 40_000_000;

const PAGE_ACCEPT = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1';
const IMAGE_ACCEPT = 'image/webp,image/png,image/jpeg,image/gif;q=0.9';

// Errors that another attempt a few minutes later will not change.
const PERMANENT_FETCH_ERRORS = new Set<FetchErrorCode>([
	'invalid_url',
	'blocked_address',
	'too_large',
	'too_many_redirects'
]);

const FETCH_ERROR_SENTENCES: Record<FetchErrorCode, string> = {
	invalid_url: 'The link is not a web address that can be fetched.',
	blocked_address: 'The link points to a private network address, so it is not fetched.',
	dns: 'The site’s name could not be found.',
	timeout: 'The site did not answer in time.',
	too_large: 'The page is too large to read.',
	too_many_redirects: 'The link redirects too many times.',
	network: 'The site could not be reached.'
};

export interface PreviewView {
	status: LinkPreviewStatus;
	title: string | null;
	description: string | null;
	siteName: string | null;
	imageUrl: string | null;
	imageWidth: number | null;
	imageHeight: number | null;
	failingSince: Date | null;
	lastOkAt: Date | null;
}

export type FetchOutcome = 'ok' | 'failed' | 'retry' | 'gone';

interface PageMetadata {
	title: string | null;
	description: string | null;
	siteName: string | null;
	imageUrl: string | null;
}

interface PreviewImage {
	image: Uint8Array;
	etag: string;
	width: number;
	height: number;
}

export function previewImageUrl(workItemId: number, etag: string): string {
	return `/previews/${workItemId}/${etag}.webp`;
}

/** Called in the transaction that saves a work item: a new or changed link starts a fresh preview. */
export async function schedulePreview(
	db: Executor,
	workItemId: number,
	url: string | null,
	now = new Date()
): Promise<void> {
	if (url === null) {
		await db.deleteFrom('link_previews').where('work_item_id', '=', workItemId).execute();
		return;
	}
	const fresh = {
		url,
		status: 'pending' as const,
		title: null,
		description: null,
		site_name: null,
		image: null,
		image_etag: null,
		image_width: null,
		image_height: null,
		fetched_at: null,
		last_ok_at: null,
		failing_since: null,
		last_error: null,
		next_fetch_at: now
	};
	// The where clause makes an unchanged link a no-op, so saving other fields never refetches.
	await db
		.insertInto('link_previews')
		.values({ work_item_id: workItemId, ...fresh })
		.onConflict((oc) =>
			oc.column('work_item_id').doUpdateSet(fresh).where('link_previews.url', '<>', url)
		)
		.execute();
}

/** The background job: fetches the work item's link and records what it found. */
export async function fetchPreview(
	db: Db,
	fetcher: Fetcher,
	workItemId: number,
	options: { now?: Date; finalAttempt?: boolean } = {}
): Promise<FetchOutcome> {
	const now = options.now ?? new Date();
	const finalAttempt = options.finalAttempt ?? false;
	const row = await db
		.selectFrom('link_previews')
		.innerJoin('work_items', 'work_items.id', 'link_previews.work_item_id')
		.select(['link_previews.url', 'work_items.url as work_url'])
		.where('link_previews.work_item_id', '=', workItemId)
		.executeTakeFirst();
	if (!row || row.url !== row.work_url) return 'gone';
	const url = row.url;

	let page;
	try {
		page = await fetcher.fetch(url, { accept: PAGE_ACCEPT });
	} catch (error) {
		if (!(error instanceof FetchError)) throw error;
		if (!finalAttempt && !PERMANENT_FETCH_ERRORS.has(error.code)) return 'retry';
		return recordFailure(db, workItemId, url, FETCH_ERROR_SENTENCES[error.code], now);
	}
	if (page.status < 200 || page.status >= 300) {
		if (!finalAttempt && isTransientStatus(page.status)) return 'retry';
		return recordFailure(db, workItemId, url, statusSentence(page.status), now);
	}

	let metadata: PageMetadata = { title: null, description: null, siteName: null, imageUrl: null };
	let image: PreviewImage | null = null;
	if (isHtml(page.contentType)) {
		metadata = readPageMetadata(page.text(), page.url);
		if (metadata.imageUrl) image = await fetchPreviewImage(fetcher, metadata.imageUrl);
	} else if (page.contentType.toLowerCase().startsWith('image/')) {
		// A link straight to a picture is its own preview.
		image = await processPreviewImage(page.body);
	}

	const written = await db
		.updateTable('link_previews')
		.set({
			status: 'ok',
			title: metadata.title,
			description: metadata.description,
			site_name: metadata.siteName ?? hostOf(url),
			image: image?.image ?? null,
			image_etag: image?.etag ?? null,
			image_width: image?.width ?? null,
			image_height: image?.height ?? null,
			fetched_at: now,
			last_ok_at: now,
			failing_since: null,
			last_error: null,
			next_fetch_at: new Date(now.getTime() + REFRESH_DAYS * DAY_MS)
		})
		.where('work_item_id', '=', workItemId)
		.where('url', '=', url)
		.executeTakeFirst();
	return written.numUpdatedRows > 0n ? 'ok' : 'gone';
}

/** Work item ids whose preview is due, oldest first. */
export async function duePreviews(db: Executor, now: Date, limit: number): Promise<number[]> {
	const rows = await db
		.selectFrom('link_previews')
		.select('work_item_id')
		.where('next_fetch_at', '<=', now)
		.orderBy('next_fetch_at')
		.orderBy('work_item_id')
		.limit(limit)
		.execute();
	return rows.map((r) => r.work_item_id);
}

/** The host each work item's link points at: the queue runs one host's previews one at a time. */
export async function previewHosts(
	db: Executor,
	workItemIds: number[]
): Promise<Map<number, string>> {
	const hosts = new Map<number, string>();
	if (workItemIds.length === 0) return hosts;
	const rows = await db
		.selectFrom('link_previews')
		.select(['work_item_id', 'url'])
		.where('work_item_id', 'in', workItemIds)
		.execute();
	for (const row of rows) {
		const host = URL.parse(row.url)?.hostname;
		if (host) hosts.set(row.work_item_id, host);
	}
	return hosts;
}

export async function listPreviews(
	db: Executor,
	workItemIds: number[]
): Promise<Map<number, PreviewView>> {
	const previews = new Map<number, PreviewView>();
	if (workItemIds.length === 0) return previews;
	const rows = await db
		.selectFrom('link_previews')
		.select([
			'work_item_id',
			'status',
			'title',
			'description',
			'site_name',
			'image_etag',
			'image_width',
			'image_height',
			'failing_since',
			'last_ok_at'
		])
		.where('work_item_id', 'in', workItemIds)
		.execute();
	for (const row of rows) {
		previews.set(row.work_item_id, {
			status: row.status,
			title: row.title,
			description: row.description,
			siteName: row.site_name,
			imageUrl: row.image_etag ? previewImageUrl(row.work_item_id, row.image_etag) : null,
			imageWidth: row.image_width,
			imageHeight: row.image_height,
			failingSince: row.failing_since,
			lastOkAt: row.last_ok_at
		});
	}
	return previews;
}

/** The stored image with its owner, so the caller can decide whether the owner's profile is visible. */
export async function getPreviewImage(
	db: Executor,
	workItemId: number
): Promise<{ image: Uint8Array; etag: string; userId: number } | undefined> {
	const row = await db
		.selectFrom('link_previews')
		.innerJoin('work_items', 'work_items.id', 'link_previews.work_item_id')
		.select(['link_previews.image', 'link_previews.image_etag', 'work_items.user_id'])
		.where('link_previews.work_item_id', '=', workItemId)
		.executeTakeFirst();
	if (!row?.image || !row.image_etag) return undefined;
	return { image: row.image, etag: row.image_etag, userId: row.user_id };
}

async function recordFailure(
	db: Db,
	workItemId: number,
	url: string,
	error: string,
	now: Date
): Promise<FetchOutcome> {
	// Title and image from an earlier success stay: a link that is down for a day keeps its card.
	const written = await db
		.updateTable('link_previews')
		.set((eb) => ({
			status: 'failed',
			fetched_at: now,
			last_error: error,
			failing_since: eb.fn.coalesce('failing_since', eb.val(now)),
			next_fetch_at: new Date(now.getTime() + FAILED_RETRY_DAYS * DAY_MS)
		}))
		.where('work_item_id', '=', workItemId)
		.where('url', '=', url)
		.executeTakeFirst();
	return written.numUpdatedRows > 0n ? 'failed' : 'gone';
}

function isTransientStatus(status: number): boolean {
	return status === 408 || status === 429 || status >= 500;
}

function statusSentence(status: number): string {
	const reason = STATUS_CODES[status];
	return reason ? `The link answered ${status} ${reason}.` : `The link answered ${status}.`;
}

function isHtml(contentType: string): boolean {
	const type = contentType.split(';')[0].trim().toLowerCase();
	// Servers that send no type at all are mostly serving HTML.
	return type === '' || type === 'text/html' || type === 'application/xhtml+xml';
}

function hostOf(url: string): string | null {
	try {
		return new URL(url).hostname.replace(/^www\./, '') || null;
	} catch {
		return null;
	}
}

/** Reads OpenGraph and Twitter card tags, falling back to <title> and the meta description. */
export function readPageMetadata(html: string, pageUrl: string): PageMetadata {
	const meta = new Map<string, string>();
	let base: string | null = null;
	let documentTitle: string | null = null;
	let titleText: string | null = null;
	let svgDepth = 0;

	const parser = new Parser(
		{
			onopentag(name, attribs) {
				if (name === 'svg') svgDepth++;
				else if (name === 'title' && svgDepth === 0 && documentTitle === null) titleText = '';
				else if (name === 'base' && base === null && attribs.href) base = attribs.href;
				else if (name === 'meta') {
					const key = (attribs.property || attribs.name || '').trim().toLowerCase();
					// The first tag wins, as it does for the sites that consume these tags.
					if (key && attribs.content !== undefined && !meta.has(key))
						meta.set(key, attribs.content);
				}
			},
			ontext(text) {
				if (titleText !== null) titleText += text;
			},
			onclosetag(name) {
				if (name === 'svg' && svgDepth > 0) svgDepth--;
				else if (name === 'title' && titleText !== null) {
					documentTitle = titleText;
					titleText = null;
				}
			}
		},
		{ decodeEntities: true }
	);
	parser.write(html);
	parser.end();

	const first = (...keys: string[]) => {
		for (const key of keys) {
			const value = meta.get(key);
			if (value !== undefined && value.trim() !== '') return value;
		}
		return null;
	};
	const image = first(
		'og:image',
		'og:image:url',
		'og:image:secure_url',
		'twitter:image',
		'twitter:image:src'
	);
	return {
		title: cleanText(first('og:title', 'twitter:title') ?? documentTitle, MAX_TITLE),
		description: cleanText(
			first('og:description', 'twitter:description', 'description'),
			MAX_DESCRIPTION
		),
		siteName: cleanText(first('og:site_name', 'application-name'), MAX_SITE_NAME),
		imageUrl: image ? resolveHttpUrl(image, base, pageUrl) : null
	};
}

function resolveHttpUrl(value: string, base: string | null, pageUrl: string): string | null {
	try {
		const baseUrl = base ? new URL(base, pageUrl) : new URL(pageUrl);
		const url = new URL(value.trim(), baseUrl);
		return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
	} catch {
		return null;
	}
}

/** Plain text on one line, cut to `max` characters; null when nothing is left. */
function cleanText(value: string | null, max: number): string | null {
	if (value === null) return null;
	// Bidirectional controls would let a page's title display as something else; emoji joiners stay.
	const text = value
		.replace(/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, '')
		.replace(/[\s\p{Cc}]+/gu, ' ')
		.trim();
	if (text === '') return null;
	const chars = Array.from(text);
	return chars.length <= max
		? text
		: `${chars
				.slice(0, max - 1)
				.join('')
				.trimEnd()}…`;
}

async function fetchPreviewImage(fetcher: Fetcher, url: string): Promise<PreviewImage | null> {
	try {
		const result = await fetcher.fetch(url, { accept: IMAGE_ACCEPT });
		if (result.status < 200 || result.status >= 300) return null;
		return await processPreviewImage(result.body);
	} catch (error) {
		// A missing picture costs only the picture; the rest of the preview still stands.
		if (error instanceof FetchError) return null;
		throw error;
	}
}

/** Re-encodes a JPEG, PNG, WebP or GIF as a metadata-free WebP at most 600 px on a side. */
export async function processPreviewImage(input: Uint8Array): Promise<PreviewImage | null> {
	const format = detectImageFormat(input);
	// Checked before sharp sees the bytes, so SVG, PDF and the like never reach their decoders.
	if (!format) return null;
	try {
		const metadata = await sharp(input, { limitInputPixels: false }).metadata();
		if (metadata.format !== format) return null;
		// For animations `height` is one frame; only the first frame is ever decoded.
		if (metadata.width * (metadata.pageHeight ?? metadata.height) > IMAGE_MAX_PIXELS) return null;
		const { data, info } = await sharp(input, {
			limitInputPixels: IMAGE_MAX_PIXELS,
			failOn: 'error',
			pages: 1
		})
			.rotate()
			.resize(IMAGE_MAX_SIDE, IMAGE_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
			.webp({ quality: IMAGE_QUALITY })
			.toBuffer({ resolveWithObject: true });
		const image = new Uint8Array(data);
		const etag = createHash('sha256').update(image).digest('hex').slice(0, 16);
		return { image, etag, width: info.width, height: info.height };
	} catch {
		return null;
	}
}
