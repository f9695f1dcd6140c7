import { error } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { getPreviewImage } from '#lib/server/link-previews.js';
import { getOwnProfile } from '#lib/server/profiles.js';
import type { RequestHandler } from './$types';
import { parseId } from '#lib/server/platform/forms.js';

// /previews/<work item id>/<etag>.webp: the name changes with the image, so a match is cached for good.
export const GET: RequestHandler = async ({ params, request, locals }) => {
	const id = parseId(params.id);
	const match = /^([0-9a-f]{16})\.webp$/.exec(params.file);
	if (!id || !match) error(404, 'Not found');

	const preview = await getPreviewImage(db, id);
	// A stale name is not served: its bytes were promised never to change.
	if (!preview || preview.etag !== match[1]) error(404, 'Not found');
	const profile = await getOwnProfile(db, preview.userId);
	if (!profile) error(404, 'Not found');
	// A private profile's work is seen by its owner only, and never kept in shared caches.
	const isPrivate = profile.visibility === 'private';
	if (isPrivate && locals.user?.id !== preview.userId) error(404, 'Not found');

	const etag = `"${preview.etag}"`;
	const cacheControl = isPrivate ? 'private, no-store' : 'public, max-age=31536000, immutable';
	if (request.headers.get('if-none-match') === etag) {
		return new Response(null, {
			status: 304,
			headers: { ETag: etag, 'Cache-Control': cacheControl }
		});
	}
	return new Response(preview.image as Uint8Array<ArrayBuffer>, {
		headers: { 'Content-Type': 'image/webp', ETag: etag, 'Cache-Control': cacheControl }
	});
};
