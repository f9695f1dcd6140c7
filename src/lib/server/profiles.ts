import * as v from 'valibot';
import { withTransaction, type Executor } from '#lib/server/db/connect.js';
import type { Availability, Visibility } from '#lib/server/db/schema.js';
import { isHandleTaken } from '#lib/server/accounts/index.js';
import { handleField } from '#lib/server/auth/validation.js';
import { optionalText, type FieldErrors } from '#lib/server/platform/forms.js';
import { refreshSearchDocuments } from '#lib/server/search/projection.js';

export const AVAILABILITY_LABELS: Record<Availability, string> = {
	open_to_work: 'Open to work',
	open_to_freelance: 'Open to freelance',
	not_looking: 'Not looking'
};

export const VISIBILITY_LABELS: Record<Visibility, string> = {
	public: 'Public',
	unlisted: 'Unlisted',
	private: 'Private'
};

export const profileSchema = v.object({
	displayName: optionalText(80, 'Display name'),
	headline: optionalText(120, 'Headline'),
	bio: v.pipe(v.string(), v.trim(), v.maxLength(5000, 'Bio: use at most 5,000 characters.')),
	location: optionalText(100, 'Location'),
	availability: v.picklist(
		Object.keys(AVAILABILITY_LABELS) as Availability[],
		'Choose one of the availability options.'
	),
	visibility: v.picklist(
		Object.keys(VISIBILITY_LABELS) as Visibility[],
		'Choose one of the visibility options.'
	),
	// A checkbox: browsers send it only when ticked.
	allowContact: v.pipe(
		v.string(),
		v.transform((value) => value !== '')
	)
});
// Callers that do not mention allowContact leave the setting as it is.
export type ProfileInput = Omit<v.InferOutput<typeof profileSchema>, 'allowContact'> & {
	allowContact?: boolean;
};

export const handleChangeSchema = v.object({ handle: handleField });

export interface OwnProfile {
	userId: number;
	handle: string;
	displayName: string | null;
	headline: string | null;
	bio: string;
	location: string | null;
	availability: Availability;
	visibility: Visibility;
	allowContact: boolean;
	avatarEtag: string | null;
	updatedAt: Date;
}

export async function getOwnProfile(db: Executor, userId: number): Promise<OwnProfile | undefined> {
	const row = await db
		.selectFrom('profiles')
		.innerJoin('users', 'users.id', 'profiles.user_id')
		.leftJoin('avatars', 'avatars.user_id', 'profiles.user_id')
		.select([
			'profiles.user_id',
			'users.handle',
			'profiles.display_name',
			'profiles.headline',
			'profiles.bio_md',
			'profiles.location',
			'profiles.availability',
			'profiles.visibility',
			'profiles.allow_contact',
			'profiles.updated_at',
			'avatars.etag'
		])
		.where('profiles.user_id', '=', userId)
		.executeTakeFirst();
	if (!row) return undefined;
	return {
		userId: row.user_id,
		handle: row.handle,
		displayName: row.display_name,
		headline: row.headline,
		bio: row.bio_md,
		location: row.location,
		availability: row.availability,
		visibility: row.visibility,
		allowContact: row.allow_contact,
		avatarEtag: row.etag,
		updatedAt: row.updated_at
	};
}

/** Marks the profile changed, which invalidates cached pages and the share image. */
export async function touchProfile(db: Executor, userId: number, now = new Date()): Promise<void> {
	await db.updateTable('profiles').set({ updated_at: now }).where('user_id', '=', userId).execute();
	await refreshSearchDocuments(db, [userId]);
}

export async function updateProfile(
	db: Executor,
	userId: number,
	input: ProfileInput,
	now = new Date()
): Promise<void> {
	await db
		.updateTable('profiles')
		.set({
			display_name: input.displayName,
			headline: input.headline,
			bio_md: input.bio,
			location: input.location,
			availability: input.availability,
			visibility: input.visibility,
			...(input.allowContact === undefined ? {} : { allow_contact: input.allowContact }),
			updated_at: now
		})
		.where('user_id', '=', userId)
		.execute();
	await refreshSearchDocuments(db, [userId]);
}

/**
 * Moves the profile to a new handle. The old one keeps redirecting to the new one, and nobody
 * else can take it for 90 days; its owner can take it back at any time.
 */
export type ChangeHandleResult =
	{ ok: true; oldHandle: string } | { ok: false; errors: FieldErrors };

export async function changeHandle(
	db: Executor,
	userId: number,
	newHandle: string,
	now = new Date()
): Promise<ChangeHandleResult> {
	return withTransaction<ChangeHandleResult>(db, async (trx) => {
		const current = await trx
			.selectFrom('users')
			.select('handle')
			.where('id', '=', userId)
			.executeTakeFirstOrThrow();
		if (current.handle === newHandle)
			return { ok: false, errors: { handle: 'This is already your handle.' } };
		if (await isHandleTaken(trx, newHandle, { exceptUserId: userId, now }))
			return { ok: false, errors: { handle: 'This handle is taken. Choose another.' } };
		await trx
			.insertInto('handle_history')
			.values({ handle: current.handle, user_id: userId, released_at: now })
			.onConflict((oc) => oc.column('handle').doUpdateSet({ user_id: userId, released_at: now }))
			.execute();
		await trx.deleteFrom('handle_history').where('handle', '=', newHandle).execute();
		await trx
			.updateTable('users')
			.set({ handle: newHandle, updated_at: now })
			.where('id', '=', userId)
			.execute();
		await touchProfile(trx, userId, now);
		return { ok: true, oldHandle: current.handle };
	});
}

/** Where an old handle now lives, if its owner changed it (and nobody has taken it since). */
export async function findRenamedHandle(
	db: Executor,
	oldHandle: string
): Promise<string | undefined> {
	const row = await db
		.selectFrom('handle_history')
		.innerJoin('users', 'users.id', 'handle_history.user_id')
		.select('users.handle')
		.where('handle_history.handle', '=', oldHandle.toLowerCase())
		.executeTakeFirst();
	return row?.handle;
}

/** Listed profiles (public, with a name and a headline) for the sitemap. */
export async function listListedProfiles(db: Executor, limit = 50_000) {
	return (
		db
			.selectFrom('profiles')
			.innerJoin('users', 'users.id', 'profiles.user_id')
			.select(['users.handle', 'profiles.updated_at'])
			.where('profiles.visibility', '=', 'public')
			.where('profiles.display_name', 'is not', null)
			.where('profiles.headline', 'is not', null)
			// Limited and suspended accounts are left out, as search leaves them out.
			.where('users.status', '=', 'active')
			.where('users.limited_at', 'is', null)
			.orderBy('profiles.user_id')
			.limit(limit)
			.execute()
	);
}

export function isListed(
	profile: Pick<OwnProfile, 'visibility' | 'displayName' | 'headline'>
): boolean {
	return profile.visibility === 'public' && !!profile.displayName && !!profile.headline;
}
