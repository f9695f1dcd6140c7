import type { Db, Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import type { WorkEmbed } from '#lib/server/db/schema.js';
import { FetchError, type Fetcher } from '#lib/server/platform/fetcher.js';
import { withMediaWrites, type MediaStore } from '#lib/server/platform/media-store.js';
import { DAY_MS } from '#lib/server/platform/time.js';
import { processPreviewImage, readPageMetadata } from '#lib/server/link-previews.js';
import { touchProfile } from '#lib/server/profiles.js';
import {
	PROVIDER_NAMES,
	metadataSource,
	parseEmbedUrl,
	playerUrl,
	type Provider
} from '#lib/server/embeds/providers.js';

// Videos and posts on a work item: the link is stored at once, its title, author and thumbnail
// are read by a background job (never in a request), and re-read weekly to notice deleted posts.

export const MAX_EMBEDS = 6;
const REFRESH_DAYS = 7;
const RETRY_HOURS = 6;
const MAX_TEXT = 200;
const NOT_FOUND = 'That video or post is not on your work.';

export type EmbedResult = { ok: true; id: number } | { ok: false; error: string };

/** What a page needs to draw one embed: a facade until clicked, a plain link without JavaScript. */
export interface EmbedView {
	id: number;
	provider: Provider;
	providerName: string;
	url: string;
	playerUrl: string | null;
	title: string | null;
	author: string | null;
	thumbnail: { src: string; width: number; height: number } | null;
	status: WorkEmbed['status'];
	goneSince: Date | null;
}

export function embedThumbnailKey(embed: Pick<WorkEmbed, 'id'>, version: string): string {
	return `work-embed/${embed.id}/${version}.webp`;
}

export function toEmbedView(row: WorkEmbed): EmbedView {
	const provider = row.provider as Provider;
	return {
		id: row.id,
		provider,
		providerName: PROVIDER_NAMES[provider],
		url: row.url,
		playerUrl: playerUrl({ provider, externalId: row.external_id }),
		title: row.title,
		author: row.author,
		thumbnail:
			row.thumbnail_version && row.thumbnail_width && row.thumbnail_height
				? {
						src: `/embeds/${row.id}/thumbnail.webp?v=${row.thumbnail_version}`,
						width: row.thumbnail_width,
						height: row.thumbnail_height
					}
				: null,
		status: row.status,
		goneSince: row.gone_since
	};
}

export async function addEmbed(
	db: Executor,
	userId: number,
	workId: number,
	link: string,
	now = new Date()
): Promise<EmbedResult> {
	const parsed = parseEmbedUrl(link);
	if (!parsed)
		return {
			ok: false,
			error:
				'Paste a link to a YouTube or Vimeo video, a TikTok, an Instagram post or reel, or a Bluesky or Mastodon post.'
		};
	return withTransaction<EmbedResult>(db, async (trx) => {
		const item = await trx
			.selectFrom('work_items')
			.select('id')
			.where('id', '=', workId)
			.where('user_id', '=', userId)
			.forUpdate()
			.executeTakeFirst();
		if (!item) return { ok: false, error: 'That work item is not on your profile.' };
		const existing = await trx
			.selectFrom('work_embeds')
			.select(['url', 'position'])
			.where('work_item_id', '=', workId)
			.execute();
		if (existing.some((e) => e.url === parsed.url))
			return { ok: false, error: 'That video or post is already on this work.' };
		if (existing.length >= MAX_EMBEDS)
			return {
				ok: false,
				error: `A work item shows up to ${MAX_EMBEDS} videos or posts. Remove one before adding another.`
			};
		const row = await trx
			.insertInto('work_embeds')
			.values({
				work_item_id: workId,
				user_id: userId,
				position: Math.max(-1, ...existing.map((e) => e.position)) + 1,
				url: parsed.url,
				provider: parsed.provider,
				external_id: parsed.externalId,
				next_fetch_at: now,
				created_at: now
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await touchProfile(trx, userId, now);
		return { ok: true, id: row.id };
	});
}

export async function removeEmbed(
	db: Executor,
	store: MediaStore,
	userId: number,
	embedId: number
): Promise<{ ok: true } | { ok: false; error: string }> {
	return withTransaction(db, async (trx) => {
		const row = await trx
			.deleteFrom('work_embeds')
			.where('id', '=', embedId)
			.where('user_id', '=', userId)
			.returningAll()
			.executeTakeFirst();
		if (!row) return { ok: false as const, error: NOT_FOUND };
		await store.removePrefixes(trx, [`work-embed/${row.id}/`]);
		await touchProfile(trx, userId);
		return { ok: true as const };
	});
}

export async function listEmbeds(
	db: Executor,
	workIds: number[]
): Promise<Map<number, EmbedView[]>> {
	const map = new Map<number, EmbedView[]>();
	if (workIds.length === 0) return map;
	const rows = await db
		.selectFrom('work_embeds')
		.selectAll()
		.where('work_item_id', 'in', workIds)
		.orderBy('position')
		.orderBy('id')
		.execute();
	for (const row of rows)
		map.set(row.work_item_id, [...(map.get(row.work_item_id) ?? []), toEmbedView(row)]);
	return map;
}

/** Embed ids due a (re-)read, oldest first, with the host each is read from. */
export async function dueEmbeds(
	db: Executor,
	now: Date,
	limit: number
): Promise<{ id: number; host: string }[]> {
	const rows = await db
		.selectFrom('work_embeds')
		.select(['id', 'provider', 'url'])
		.where('next_fetch_at', '<=', now)
		.orderBy('next_fetch_at')
		.limit(limit)
		.execute();
	return rows.map((r) => ({ id: r.id, host: new URL(metadataSource(r).url).host }));
}

export type EmbedFetchOutcome = 'ok' | 'gone' | 'failed' | 'retry' | 'missing';

interface Found {
	title: string | null;
	author: string | null;
	thumbnailUrl: string | null;
}

/** The background job: reads the embed's title, author and thumbnail from its provider. */
export async function fetchEmbed(
	db: Db,
	store: MediaStore,
	fetcher: Fetcher,
	embedId: number,
	options: { now?: Date; finalAttempt?: boolean } = {}
): Promise<EmbedFetchOutcome> {
	const now = options.now ?? new Date();
	const row = await db
		.selectFrom('work_embeds')
		.selectAll()
		.where('id', '=', embedId)
		.executeTakeFirst();
	if (!row) return 'missing';
	const source = metadataSource(row);
	let found: Found;
	try {
		const result = await fetcher.fetch(source.url, {
			accept: source.kind === 'oembed' ? 'application/json' : 'text/html'
		});
		// Deleted, private or never there: the providers answer 404, 410, 401 or 403.
		if ([401, 403, 404, 410].includes(result.status)) return markGone(db, row, now);
		if (result.status < 200 || result.status >= 300) {
			if (!options.finalAttempt && result.status >= 500) return 'retry';
			return markFailed(db, row, now);
		}
		found =
			source.kind === 'oembed'
				? readOembed(result.json())
				: readOpenGraph(result.text(), result.url);
	} catch (error) {
		if (!(error instanceof FetchError) && !(error instanceof SyntaxError)) throw error;
		if (!options.finalAttempt && error instanceof FetchError && error.code !== 'blocked_address')
			return 'retry';
		return markFailed(db, row, now);
	}

	let thumbnail = null;
	if (found.thumbnailUrl) {
		try {
			const image = await fetcher.fetch(found.thumbnailUrl, {
				accept: 'image/webp,image/jpeg,image/png'
			});
			if (image.status >= 200 && image.status < 300)
				thumbnail = await processPreviewImage(image.body);
		} catch (error) {
			// A missing picture costs only the picture.
			if (!(error instanceof FetchError)) throw error;
		}
	}
	await withMediaWrites(db, store, async (trx, put) => {
		// The same picture as last time is stored already (its key is its hash).
		if (thumbnail && row.thumbnail_version !== thumbnail.etag) {
			await put([
				{
					key: embedThumbnailKey(row, thumbnail.etag),
					bytes: thumbnail.image,
					contentType: 'image/webp'
				}
			]);
			if (row.thumbnail_version)
				await store.removePrefixes(trx, [embedThumbnailKey(row, row.thumbnail_version)]);
		}
		await trx
			.updateTable('work_embeds')
			.set({
				status: 'ok',
				title: found.title ?? row.title,
				author: found.author ?? row.author,
				...(thumbnail
					? {
							thumbnail_version: thumbnail.etag,
							thumbnail_width: thumbnail.width,
							thumbnail_height: thumbnail.height
						}
					: {}),
				gone_since: null,
				fetched_at: now,
				next_fetch_at: new Date(now.getTime() + REFRESH_DAYS * DAY_MS)
			})
			.where('id', '=', row.id)
			.execute();
		await touchProfile(trx, row.user_id, now);
	});
	return 'ok';
}

/** A post that went away keeps its title and last thumbnail; the page says since when. */
async function markGone(db: Db, row: WorkEmbed, now: Date): Promise<EmbedFetchOutcome> {
	await withTransaction(db, async (trx) => {
		await trx
			.updateTable('work_embeds')
			.set({
				status: 'gone',
				gone_since: row.gone_since ?? now,
				fetched_at: now,
				next_fetch_at: new Date(now.getTime() + REFRESH_DAYS * DAY_MS)
			})
			.where('id', '=', row.id)
			.execute();
		await touchProfile(trx, row.user_id, now);
	});
	return 'gone';
}

async function markFailed(db: Db, row: WorkEmbed, now: Date): Promise<EmbedFetchOutcome> {
	await db
		.updateTable('work_embeds')
		// A post once read stays 'ok' through a provider's bad day; only a new one shows 'failed'.
		.set({
			status: row.status === 'pending' ? 'failed' : row.status,
			fetched_at: now,
			next_fetch_at: new Date(now.getTime() + RETRY_HOURS * 3_600_000)
		})
		.where('id', '=', row.id)
		.execute();
	return 'failed';
}

function text(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	const cleaned = value.replace(/\s+/g, ' ').trim();
	return cleaned ? Array.from(cleaned).slice(0, MAX_TEXT).join('') : null;
}

function readOembed(json: unknown): Found {
	const data = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
	const thumb = text(data.thumbnail_url);
	return {
		title: text(data.title),
		author: text(data.author_name),
		thumbnailUrl: thumb && /^https?:\/\//i.test(thumb) ? thumb : null
	};
}

function readOpenGraph(html: string, pageUrl: string): Found {
	const meta = readPageMetadata(html, pageUrl);
	return {
		title: text(meta.description) ?? text(meta.title),
		author: text(meta.title),
		thumbnailUrl: meta.imageUrl
	};
}

/** The stored thumbnail of an embed, with its owner, for the route that serves it. */
export async function findEmbedThumbnail(db: Executor, embedId: number) {
	return db
		.selectFrom('work_embeds')
		.select(['id', 'user_id', 'thumbnail_version'])
		.where('id', '=', embedId)
		.executeTakeFirst();
}
