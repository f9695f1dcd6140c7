import type { Executor } from '#lib/server/db/connect.js';
import type { Visibility } from '#lib/server/db/schema.js';
import { avatarUrl } from '#lib/server/avatar-url.js';
import { isHandleShaped } from '#lib/server/auth/validation.js';
import { findRenamedHandle } from '#lib/server/profiles.js';

// Every /@handle route starts here: one query says whether the handle is someone's (as this viewer
// may see them), moved to a new handle, or nobody's. Routes that need more load it by user id.

/** What any page about a person shows of them: enough for a header card. */
export interface ProfileCard {
	userId: number;
	handle: string;
	name: string;
	headline: string | null;
	visibility: Visibility;
	allowContact: boolean;
	avatar: { large: string; small: string; uploaded: boolean };
	updatedAt: Date;
}

export type HandleLookup =
	| { kind: 'found'; card: ProfileCard; isOwner: boolean }
	| { kind: 'moved'; handle: string }
	| { kind: 'missing' };

/** The person at /@handle as `viewerId` may see them: private profiles exist only for their owner. */
export async function resolveHandle(
	db: Executor,
	handle: string,
	viewerId: number | null
): Promise<HandleLookup> {
	// Not a handle anyone could have had (a NUL byte, a 5,000-character name): no query needed.
	if (!isHandleShaped(handle)) return { kind: 'missing' };
	const row = await db
		.selectFrom('users')
		.innerJoin('profiles', 'profiles.user_id', 'users.id')
		.leftJoin('avatars', 'avatars.user_id', 'users.id')
		.select([
			'users.id',
			'users.handle',
			'profiles.display_name',
			'profiles.headline',
			'profiles.visibility',
			'profiles.allow_contact',
			'profiles.updated_at',
			'avatars.etag',
			'users.status'
		])
		.where((eb) => eb(eb.fn('lower', ['users.handle']), '=', handle.toLowerCase()))
		.executeTakeFirst();
	if (!row) {
		const renamed = await findRenamedHandle(db, handle);
		return renamed ? { kind: 'moved', handle: renamed } : { kind: 'missing' };
	}
	// Suspended and not-yet-approved accounts have no pages at all (their data is kept).
	if (row.status !== 'active') return { kind: 'missing' };
	if (row.handle !== handle) return { kind: 'moved', handle: row.handle };
	const isOwner = row.id === viewerId;
	if (row.visibility === 'private' && !isOwner) return { kind: 'missing' };
	return {
		kind: 'found',
		isOwner,
		card: {
			userId: row.id,
			handle: row.handle,
			name: row.display_name ?? row.handle,
			headline: row.headline,
			visibility: row.visibility,
			allowContact: row.allow_contact,
			avatar: {
				large: avatarUrl(row.id, row.etag, 'large'),
				small: avatarUrl(row.id, row.etag, 'small'),
				uploaded: row.etag !== null
			},
			updatedAt: row.updated_at
		}
	};
}
