import { error } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { getAvatar } from '#lib/server/avatars.js';
import { renderPlaceholderSvg } from '#lib/server/platform/images.js';
import { getOwnProfile } from '#lib/server/profiles.js';
import type { RequestHandler } from './$types';
import { parseId } from '#lib/server/platform/forms.js';

// /avatars/<user id>/<large|small>.webp?v=<etag>, or .svg for the generated placeholder.
export const GET: RequestHandler = async ({ params, request, url }) => {
	const id = parseId(params.id);
	const match = /^(large|small)\.(webp|svg)$/.exec(params.file);
	if (!id || !match) error(404, 'Not found');
	const [, size, format] = match as unknown as [string, 'large' | 'small', 'webp' | 'svg'];

	const profile = await getOwnProfile(db, id);
	// A private profile's picture is not served to anyone by this public URL.
	if (!profile || profile.visibility === 'private') error(404, 'Not found');

	if (format === 'svg') {
		return new Response(renderPlaceholderSvg(profile.displayName ?? profile.handle, id), {
			headers: {
				'Content-Type': 'image/svg+xml',
				'Cache-Control': 'public, max-age=3600',
				'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'"
			}
		});
	}
	const avatar = await getAvatar(db, id, size);
	if (!avatar) error(404, 'Not found');
	const etag = `"${avatar.etag}-${size}"`;
	const cacheControl =
		url.searchParams.get('v') === avatar.etag
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
