import { error } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { mediaStore } from '#lib/server/platform/media-store.js';
import { parseId } from '#lib/server/platform/forms.js';
import { readServedImage } from '#lib/server/work-media.js';
import type { RequestHandler } from './$types';

// /media/<image id>/<width>.<webp|avif>?v=<version>: one stored size of a work image, read from
// the media store (database or bucket) and served here, so who may see it is decided here too.
export const GET: RequestHandler = async ({ params, url, request, locals }) => {
	const id = parseId(params.id);
	const match = /^([1-9][0-9]{0,3})\.(webp|avif)$/.exec(params.file);
	if (!id || !match) error(404, 'Not found');

	const served = await readServedImage(db, mediaStore(), {
		mediaId: id,
		width: Number(match[1]),
		format: match[2] as 'webp' | 'avif',
		version: url.searchParams.get('v'),
		viewerId: locals.user?.id
	});
	if (!served) error(404, 'Not found');
	const headers = {
		ETag: served.etag,
		'Cache-Control': served.cacheControl,
		'Content-Type': served.stored.contentType,
		'X-Content-Type-Options': 'nosniff'
	};
	if (request.headers.get('if-none-match') === served.etag)
		return new Response(null, { status: 304, headers });
	return new Response(served.stored.bytes as Uint8Array<ArrayBuffer>, { headers });
};
