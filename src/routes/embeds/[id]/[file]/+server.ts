import { error } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { embedThumbnailKey, findEmbedThumbnail } from '#lib/server/embeds/work-embeds.js';
import { mediaStore } from '#lib/server/platform/media-store.js';
import { parseId } from '#lib/server/platform/forms.js';
import { getOwnProfile, isListed } from '#lib/server/profiles.js';
import type { RequestHandler } from './$types';

// /embeds/<id>/thumbnail.webp?v=<version>: the copy of a video's or post's picture, served from
// here so that a visitor's browser asks the provider for nothing until they click play.
export const GET: RequestHandler = async ({ params, url, request, locals }) => {
	const id = parseId(params.id);
	if (!id || params.file !== 'thumbnail.webp') error(404, 'Not found');
	const embed = await findEmbedThumbnail(db, id);
	if (!embed?.thumbnail_version) error(404, 'Not found');
	const profile = await getOwnProfile(db, embed.user_id);
	if (!profile) error(404, 'Not found');
	const isOwner = locals.user?.id === embed.user_id;
	const version = url.searchParams.get('v');
	if (profile.visibility === 'private' && !isOwner) error(404, 'Not found');
	if (!isListed(profile) && !isOwner && version !== embed.thumbnail_version)
		error(404, 'Not found');
	const stored = await mediaStore().get(db, embedThumbnailKey(embed, embed.thumbnail_version));
	if (!stored) error(404, 'Not found');
	const etag = `"${embed.thumbnail_version}"`;
	const cacheControl = !isListed(profile)
		? 'private, no-store'
		: version === embed.thumbnail_version
			? 'public, max-age=31536000, immutable'
			: 'public, max-age=300, must-revalidate';
	const headers = { ETag: etag, 'Cache-Control': cacheControl, 'Content-Type': 'image/webp' };
	if (request.headers.get('if-none-match') === etag)
		return new Response(null, { status: 304, headers });
	return new Response(stored.bytes as Uint8Array<ArrayBuffer>, { headers });
};
