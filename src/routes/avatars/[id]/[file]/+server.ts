import { error } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { getAvatar } from '#lib/server/avatars.js';
import { getOwnProfile, isListed } from '#lib/server/profiles.js';
import type { RequestHandler } from './$types';
import { parseId } from '#lib/server/platform/forms.js';

// /avatars/<user id>/<large|small>.webp?v=<etag>. People without a picture get one generic
// placeholder (AVATAR_PLACEHOLDER), never a URL that names them or carries their id.
export const GET: RequestHandler = async ({ params, request, url, locals }) => {
	const id = parseId(params.id);
	const match = /^(large|small)\.webp$/.exec(params.file);
	if (!id || !match) error(404, 'Not found');
	const size = match[1] as 'large' | 'small';

	const profile = await getOwnProfile(db, id);
	if (!profile?.avatarEtag) error(404, 'Not found');
	const isOwner = locals.user?.id === id;
	const version = url.searchParams.get('v');
	// A private profile's picture is its owner's alone. Any other profile that is not listed shows
	// its picture to those its page was shown to: they have the etag, which walking ids cannot guess.
	if (profile.visibility === 'private' && !isOwner) error(404, 'Not found');
	if (!isListed(profile) && !isOwner && version !== profile.avatarEtag) error(404, 'Not found');

	const avatar = await getAvatar(db, id, size);
	if (!avatar) error(404, 'Not found');
	const etag = `"${avatar.etag}-${size}"`;
	// Not listed: no shared cache keeps it, so that making the profile private takes effect.
	const cacheControl = !isListed(profile)
		? profile.visibility === 'private' || version !== avatar.etag
			? 'private, no-store'
			: 'private, max-age=86400'
		: version === avatar.etag
			? 'public, max-age=31536000, immutable'
			: 'public, max-age=300, must-revalidate';
	if (request.headers.get('if-none-match') === etag) {
		return new Response(null, {
			status: 304,
			headers: { ETag: etag, 'Cache-Control': cacheControl }
		});
	}
	return new Response(avatar.bytes as Uint8Array<ArrayBuffer>, {
		headers: { 'Content-Type': 'image/webp', ETag: etag, 'Cache-Control': cacheControl }
	});
};
