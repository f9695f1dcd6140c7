import type { Executor } from '#lib/server/db/connect.js';
import type { WorkMedia } from '#lib/server/db/schema.js';
import type { PhotoEncoding } from '#lib/server/platform/image-variants.js';
import type { MediaStore } from '#lib/server/platform/media-store.js';

// Where a work image's sizes are kept in the media store; apart from work-media.ts so that account
// deletion can remove them without importing the profile code (which imports accounts).

/** Key prefix of every stored size of one upload; the version makes each upload's keys new. */
export function keyPrefix(media: Pick<WorkMedia, 'id'>): string {
	return `work-media/${media.id}/`;
}

export function objectKey(
	media: Pick<WorkMedia, 'id' | 'version'>,
	width: number,
	format: PhotoEncoding
): string {
	return `${keyPrefix(media)}${media.version}/${width}.${format}`;
}

/** Deletes the stored bytes of a work item's or a whole account's images, before their rows go. */
export async function removeStoredMedia(
	db: Executor,
	store: MediaStore,
	owner: { workId: number } | { userId: number }
): Promise<void> {
	const rows = await db
		.selectFrom('work_media')
		.select('id')
		.where(
			'workId' in owner ? 'work_item_id' : 'user_id',
			'=',
			'workId' in owner ? owner.workId : owner.userId
		)
		.execute();
	const embeds = await db
		.selectFrom('work_embeds')
		.select('id')
		.where(
			'workId' in owner ? 'work_item_id' : 'user_id',
			'=',
			'workId' in owner ? owner.workId : owner.userId
		)
		.execute();
	await store.removePrefixes(db, [
		...rows.map(keyPrefix),
		...embeds.map((e) => `work-embed/${e.id}/`)
	]);
}
