import * as v from 'valibot';
import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import type { WorkMedia, WorkMediaRole } from '#lib/server/db/schema.js';
import { processPhoto, type PhotoEncoding } from '#lib/server/platform/image-variants.js';
import type { KnownImage } from '#lib/server/platform/markdown.js';
import {
	withMediaWrites,
	type MediaStore,
	type StoredObject
} from '#lib/server/platform/media-store.js';
import { getOwnProfile, isListed, touchProfile } from '#lib/server/profiles.js';
import { keyPrefix, objectKey } from '#lib/server/work-media-keys.js';

export { objectKey, removeStoredMedia } from '#lib/server/work-media-keys.js';

// A work item's cover and gallery: uploads re-encoded to responsive sizes, described, ordered.

export type { WorkMediaRole };

export const MAX_GALLERY_IMAGES = 12;
const GALLERY_FULL = `A gallery holds up to ${MAX_GALLERY_IMAGES} images. Remove one before adding another.`;
const NOT_FOUND = 'That image is not on your work.';

export const altSchema = v.object({
	alt: v.pipe(v.string(), v.trim(), v.maxLength(300, 'Alt text: use at most 300 characters.'))
});

/** What a page needs to draw one image: a fallback src and a srcset per format. */
export interface Picture {
	id: number;
	alt: string;
	width: number;
	height: number;
	src: string;
	srcset: Record<PhotoEncoding, string>;
}

export interface WorkPictures {
	cover: Picture | null;
	gallery: Picture[];
}

export type MediaResult = { ok: true } | { ok: false; error: string };

export function mediaUrl(
	media: Pick<WorkMedia, 'id' | 'version'>,
	width: number,
	format: PhotoEncoding
) {
	return `/media/${media.id}/${width}.${format}?v=${media.version}`;
}

export function toPicture(media: WorkMedia): Picture {
	const srcset = (format: PhotoEncoding) =>
		media.widths.map((w) => `${mediaUrl(media, w, format)} ${w}w`).join(', ');
	// The fallback is the middle size: most browsers take the srcset, and this one is cheap.
	const fallback = media.widths[Math.min(1, media.widths.length - 1)];
	return {
		id: media.id,
		alt: media.alt,
		width: media.width,
		height: media.height,
		src: mediaUrl(media, fallback, 'webp'),
		srcset: { avif: srcset('avif'), webp: srcset('webp') }
	};
}

// A case study is read at the article's width: 48rem, or the screen's on a phone.
const CASE_STUDY_SIZES = '(min-width: 768px) 768px, 100vw';

/**
 * For renderMarkdown: the sizes of a case-study image that is one of these pictures at the size
 * the editor hands out (its largest), so a phone fetches a phone-sized copy and the page keeps
 * its height before it loads. Any other image is left as written.
 */
export function caseStudyImages(pictures: Picture[]): (src: string) => KnownImage | null {
	const byPath = new Map(
		pictures.map((p) => [p.srcset.webp.split(', ').at(-1)?.split(' ')[0].split('?')[0], p])
	);
	return (src) => {
		const picture = byPath.get(src.split('?')[0]);
		if (!picture) return null;
		return {
			srcset: picture.srcset.webp,
			sizes: CASE_STUDY_SIZES,
			width: picture.width,
			height: picture.height
		};
	};
}

async function ownsWork(db: Executor, userId: number, workId: number): Promise<boolean> {
	const row = await db
		.selectFrom('work_items')
		.select('id')
		.where('id', '=', workId)
		.where('user_id', '=', userId)
		.executeTakeFirst();
	return !!row;
}

async function galleryCount(db: Executor, workId: number): Promise<number> {
	const row = await db
		.selectFrom('work_media')
		.select((eb) => eb.fn.countAll<string | number>().as('n'))
		.where('work_item_id', '=', workId)
		.where('role', '=', 'gallery')
		.executeTakeFirstOrThrow();
	return Number(row.n);
}

/**
 * Adds an uploaded photo (already streamed to `path`) to a work item the user owns: as its cover,
 * replacing any earlier one, or at the end of its gallery. Nothing changes when it is refused.
 */
export async function addWorkImage(
	db: Executor,
	store: MediaStore,
	input: { userId: number; workId: number; role: WorkMediaRole; path: string; alt: string },
	now = new Date()
): Promise<MediaResult> {
	if (!(await ownsWork(db, input.userId, input.workId)))
		return { ok: false, error: 'That work item is not on your profile.' };
	// Checked before the costly re-encoding, and again under lock below.
	if (input.role === 'gallery' && (await galleryCount(db, input.workId)) >= MAX_GALLERY_IMAGES)
		return { ok: false, error: GALLERY_FULL };
	const photo = await processPhoto(input.path);
	if (!photo.ok) return photo;

	let removed: WorkMedia[] = [];
	const result = await withMediaWrites<MediaResult>(db, store, async (trx, put) => {
		// Locks the work item so two uploads at once cannot both take the 12th place.
		const item = await trx
			.selectFrom('work_items')
			.select('id')
			.where('id', '=', input.workId)
			.where('user_id', '=', input.userId)
			.forUpdate()
			.executeTakeFirst();
		if (!item) return { ok: false, error: 'That work item is not on your profile.' };
		if (input.role === 'gallery' && (await galleryCount(trx, input.workId)) >= MAX_GALLERY_IMAGES)
			return { ok: false, error: GALLERY_FULL };
		if (input.role === 'cover') {
			removed = await trx
				.deleteFrom('work_media')
				.where('work_item_id', '=', input.workId)
				.where('role', '=', 'cover')
				.returningAll()
				.execute();
		}
		const last = await trx
			.selectFrom('work_media')
			.select((eb) => eb.fn.max<number | null>('position').as('max'))
			.where('work_item_id', '=', input.workId)
			.where('role', '=', input.role)
			.executeTakeFirst();
		const media = await trx
			.insertInto('work_media')
			.values({
				work_item_id: input.workId,
				user_id: input.userId,
				role: input.role,
				position: (last?.max ?? -1) + 1,
				alt: input.alt,
				width: photo.width,
				height: photo.height,
				widths: [...new Set(photo.variants.map((p) => p.width))],
				version: photo.version,
				created_at: now
			})
			.returningAll()
			.executeTakeFirstOrThrow();
		// The database store writes in this transaction; a bucket at once, and withMediaWrites
		// deletes the objects again if the transaction fails.
		await put(
			photo.variants.map((p) => ({
				key: objectKey(media, p.width, p.format),
				bytes: p.bytes,
				contentType: `image/${p.format}`
			}))
		);
		if (removed.length) await store.removePrefixes(trx, removed.map(keyPrefix));
		await touchProfile(trx, input.userId, now);
		return { ok: true };
	});
	return result;
}

/** Sets an image's alt text; an image with none is shown to its owner only. */
export async function describeImage(
	db: Executor,
	userId: number,
	mediaId: number,
	alt: string
): Promise<MediaResult> {
	return withTransaction<MediaResult>(db, async (trx) => {
		const row = await trx
			.updateTable('work_media')
			.set({ alt })
			.where('id', '=', mediaId)
			.where('user_id', '=', userId)
			.returning('id')
			.executeTakeFirst();
		if (!row) return { ok: false, error: NOT_FOUND };
		await touchProfile(trx, userId);
		return { ok: true };
	});
}

export async function removeImage(
	db: Executor,
	store: MediaStore,
	userId: number,
	mediaId: number
): Promise<MediaResult> {
	return withTransaction<MediaResult>(db, async (trx) => {
		const row = await trx
			.deleteFrom('work_media')
			.where('id', '=', mediaId)
			.where('user_id', '=', userId)
			.returningAll()
			.executeTakeFirst();
		if (!row) return { ok: false, error: NOT_FOUND };
		await store.removePrefixes(trx, [keyPrefix(row)]);
		await touchProfile(trx, userId);
		return { ok: true };
	});
}

/** Moves a gallery image one place earlier or later, renumbering the gallery. */
export async function moveImage(
	db: Executor,
	userId: number,
	mediaId: number,
	direction: 'up' | 'down'
): Promise<MediaResult> {
	return withTransaction<MediaResult>(db, async (trx) => {
		const media = await trx
			.selectFrom('work_media')
			.select(['work_item_id'])
			.where('id', '=', mediaId)
			.where('user_id', '=', userId)
			.where('role', '=', 'gallery')
			.executeTakeFirst();
		if (!media) return { ok: false, error: NOT_FOUND };
		const rows = await trx
			.selectFrom('work_media')
			.select('id')
			.where('work_item_id', '=', media.work_item_id)
			.where('role', '=', 'gallery')
			.orderBy('position')
			.orderBy('id')
			.forUpdate()
			.execute();
		const index = rows.findIndex((r) => r.id === mediaId);
		const target = direction === 'up' ? index - 1 : index + 1;
		if (target >= 0 && target < rows.length)
			[rows[index], rows[target]] = [rows[target], rows[index]];
		for (const [position, row] of rows.entries()) {
			await trx.updateTable('work_media').set({ position }).where('id', '=', row.id).execute();
		}
		await touchProfile(trx, userId);
		return { ok: true };
	});
}

/**
 * Covers and galleries of the given work items. The public sees only described images; the
 * owner's editor (`includeUndescribed`) sees every one.
 */
export async function listWorkMedia(
	db: Executor,
	workIds: number[],
	{ includeUndescribed = false } = {}
): Promise<Map<number, { cover: WorkMedia | null; gallery: WorkMedia[] }>> {
	const map = new Map<number, { cover: WorkMedia | null; gallery: WorkMedia[] }>();
	if (workIds.length === 0) return map;
	let query = db
		.selectFrom('work_media')
		.selectAll()
		.where('work_item_id', 'in', workIds)
		.orderBy('position')
		.orderBy('id');
	if (!includeUndescribed) query = query.where('alt', '<>', '');
	for (const row of await query.execute()) {
		const entry = map.get(row.work_item_id) ?? { cover: null, gallery: [] };
		if (row.role === 'cover') entry.cover = row;
		else entry.gallery.push(row);
		map.set(row.work_item_id, entry);
	}
	return map;
}

/** Pictures of the given work items, as the public sees them. */
export async function listWorkPictures(
	db: Executor,
	workIds: number[]
): Promise<Map<number, WorkPictures>> {
	const media = await listWorkMedia(db, workIds);
	return new Map(
		[...media].map(([id, m]) => [
			id,
			{ cover: m.cover ? toPicture(m.cover) : null, gallery: m.gallery.map(toPicture) }
		])
	);
}

export interface ServedImage {
	stored: StoredObject;
	etag: string;
	cacheControl: string;
}

/**
 * One stored size of a work image as /media/<id>/<width>.<format>?v=<version> serves it to
 * `viewerId` (undefined: signed out), or undefined for a 404. The version is a hash of the image,
 * so a versioned URL's bytes never change and a listed profile's may be cached for a year.
 */
export async function readServedImage(
	db: Executor,
	store: MediaStore,
	request: {
		mediaId: number;
		width: number;
		format: PhotoEncoding;
		version: string | null;
		viewerId: number | undefined;
	}
): Promise<ServedImage | undefined> {
	const { width, format, version } = request;
	const media = await findServedMedia(db, request.mediaId);
	if (!media || !media.widths.includes(width)) return undefined;
	const isOwner = request.viewerId === media.user_id;
	// Undescribed images are not published yet: their owner alone sees them, in the editor.
	if (!media.alt && !isOwner) return undefined;
	const profile = await getOwnProfile(db, media.user_id);
	if (!profile) return undefined;
	// A private profile's images are its owner's alone. An unlisted one's are shown to those its
	// page was shown to: they hold the version, which walking ids cannot guess.
	if (profile.visibility === 'private' && !isOwner) return undefined;
	if (!isListed(profile) && !isOwner && version !== media.version) return undefined;

	const stored = await store.get(db, objectKey(media, width, format));
	if (!stored) return undefined;
	// Not listed, or not yet described: no shared cache keeps it, so a change of mind takes effect.
	const cacheControl =
		!isListed(profile) || !media.alt
			? profile.visibility === 'private' || !media.alt || version !== media.version
				? 'private, no-store'
				: 'private, max-age=86400'
			: version === media.version
				? 'public, max-age=31536000, immutable'
				: 'public, max-age=300, must-revalidate';
	return { stored, etag: `"${media.version}-${width}-${format}"`, cacheControl };
}

/** The image behind /media/<id>/…, with its owner, for the route that serves it. */
export async function findServedMedia(db: Executor, mediaId: number) {
	return db
		.selectFrom('work_media')
		.select(['id', 'user_id', 'version', 'widths', 'alt'])
		.where('id', '=', mediaId)
		.executeTakeFirst();
}

/**
 * One cover per person, for search results: that of their first work item (pinned first, then
 * in their order) whose cover is described. One query for a page of results.
 */
export async function listProfileCovers(
	db: Executor,
	userIds: number[]
): Promise<Map<number, Picture & { workTitle: string }>> {
	if (userIds.length === 0) return new Map();
	const rows = await db
		.selectFrom('work_media')
		.innerJoin('work_items', 'work_items.id', 'work_media.work_item_id')
		.distinctOn('work_media.user_id')
		.selectAll('work_media')
		.select('work_items.title as work_title')
		.where('work_media.user_id', 'in', userIds)
		.where('work_media.role', '=', 'cover')
		.where('work_media.alt', '<>', '')
		.orderBy('work_media.user_id')
		.orderBy('work_items.pinned', 'desc')
		.orderBy('work_items.position')
		.orderBy('work_items.id', 'desc')
		.execute();
	return new Map(
		rows.map(({ work_title, ...media }) => [
			media.user_id,
			{ ...toPicture(media), workTitle: work_title }
		])
	);
}
