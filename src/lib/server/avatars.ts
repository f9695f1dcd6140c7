import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import { AVATAR_MAX_BYTES, processAvatar } from '#lib/server/platform/images.js';
import { touchProfile } from '#lib/server/profiles.js';
import type { AvatarSize } from '#lib/server/avatar-url.js';

export async function saveAvatar(
	db: Executor,
	userId: number,
	file: File | null,
	now = new Date()
): Promise<{ ok: true } | { ok: false; error: string }> {
	if (!file || file.size === 0) return { ok: false, error: 'Choose an image to upload.' };
	if (file.size > AVATAR_MAX_BYTES)
		return { ok: false, error: 'The image is larger than 5 MB. Choose a smaller one.' };
	const result = await processAvatar(new Uint8Array(await file.arrayBuffer()));
	if (!result.ok) return result;
	await withTransaction(db, async (trx) => {
		await trx
			.insertInto('avatars')
			.values({
				user_id: userId,
				large: result.large,
				small: result.small,
				etag: result.etag,
				updated_at: now
			})
			.onConflict((oc) =>
				oc.column('user_id').doUpdateSet({
					large: result.large,
					small: result.small,
					etag: result.etag,
					updated_at: now
				})
			)
			.execute();
		await touchProfile(trx, userId, now);
	});
	return { ok: true };
}

export async function removeAvatar(db: Executor, userId: number): Promise<void> {
	await withTransaction(db, async (trx) => {
		await trx.deleteFrom('avatars').where('user_id', '=', userId).execute();
		await touchProfile(trx, userId);
	});
}

export async function getAvatar(db: Executor, userId: number, size: AvatarSize) {
	const row = await db
		.selectFrom('avatars')
		.select([size, 'etag'])
		.where('user_id', '=', userId)
		.executeTakeFirst();
	return row ? { bytes: row[size] as Uint8Array, etag: row.etag } : undefined;
}
