import { error, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { resolveHandle, type ProfileCard } from '#lib/server/handles.js';

/**
 * The person a /@handle/... route is about, or the HTTP answer instead: 301 to the same page under
 * the new handle after a rename (`rest` is what follows the handle), 404 for nobody or a private
 * profile seen by someone else.
 */
export async function requireProfileCard(
	handle: string,
	viewerId: number | null,
	rest = ''
): Promise<{ card: ProfileCard; isOwner: boolean }> {
	const found = await resolveHandle(db, handle, viewerId);
	if (found.kind === 'moved') redirect(301, `/@${found.handle}${rest}`);
	if (found.kind === 'missing') error(404, 'Profile not found');
	return found;
}
