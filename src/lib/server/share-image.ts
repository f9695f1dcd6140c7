import sharp from 'sharp';
import type { Executor } from '#lib/server/db/connect.js';
import { getAvatar } from '#lib/server/avatars.js';
import { renderOgImage } from '#lib/server/platform/og-image.js';
import type { ProfileCard } from '#lib/server/handles.js';
import { listProfileSkills } from '#lib/server/skills.js';

/** The profile's share image, rendered once per profile version and kept in the database. */
export async function getOgImage(
	db: Executor,
	profile: ProfileCard
): Promise<{ png: Uint8Array; version: string }> {
	const version = profile.updatedAt.getTime().toString(36);
	const cached = await db
		.selectFrom('og_images')
		.select(['png', 'version'])
		.where('user_id', '=', profile.userId)
		.executeTakeFirst();
	if (cached && cached.version === version) return { png: cached.png, version };

	const avatar = await getAvatar(db, profile.userId, 'large');
	const avatarPng = avatar ? new Uint8Array(await sharp(avatar.bytes).png().toBuffer()) : null;
	const png = await renderOgImage({
		name: profile.name,
		handle: profile.handle,
		headline: profile.headline,
		skills: (await listProfileSkills(db, profile.userId)).slice(0, 5).map((s) => s.name),
		avatarPng,
		// One colour per person for the initials circle of a person without a photo.
		placeholderSeed: profile.userId
	});
	await db
		.insertInto('og_images')
		.values({ user_id: profile.userId, version, png })
		.onConflict((oc) => oc.column('user_id').doUpdateSet({ version, png }))
		.execute();
	return { png, version };
}
