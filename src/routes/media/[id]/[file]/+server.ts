import { error } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { mediaStore } from '#lib/server/platform/media-store.js';
import { parseId } from '#lib/server/platform/forms.js';
import { getOwnProfile, isListed } from '#lib/server/profiles.js';
import { findServedMedia, objectKey } from '#lib/server/work-media.js';
import type { RequestHandler } from './$types';

// /media/<image id>/<width>.<webp|avif>?v=<version>: one stored size of a work image. The version
// is a hash of the image, so a versioned URL's bytes never change and may be cached for a year.
export const GET: RequestHandler = async ({ params, url, request, locals }) => {
	const id = parseId(params.id);
	const match = /^([1-9][0-9]{0,3})\.(webp|avif)$/.exec(params.file);
	if (!id || !match) error(404, 'Not found');
	const width = Number(match[1]);
	const format = match[2] as 'webp' | 'avif';

	const media = await findServedMedia(db, id);
	if (!media || !media.widths.includes(width)) error(404, 'Not found');
	const isOwner = locals.user?.id === media.user_id;
	// Undescribed images are not published yet: their owner alone sees them, in the editor.
	if (!media.alt && !isOwner) error(404, 'Not found');
	const profile = await getOwnProfile(db, media.user_id);
	if (!profile) error(404, 'Not found');
	const version = url.searchParams.get('v');
	// A private profile's images are its owner's alone. An unlisted one's are shown to those its
	// page was shown to: they hold the version, which walking ids cannot guess.
	if (profile.visibility === 'private' && !isOwner) error(404, 'Not found');
	if (!isListed(profile) && !isOwner && version !== media.version) error(404, 'Not found');

	const stored = await mediaStore().get(db, objectKey(media, width, format));
	if (!stored) error(404, 'Not found');
	const etag = `"${media.version}-${width}-${format}"`;
	// Not listed, or not yet described: no shared cache keeps it, so a change of mind takes effect.
	const cacheControl =
		!isListed(profile) || !media.alt
			? profile.visibility === 'private' || !media.alt || version !== media.version
				? 'private, no-store'
				: 'private, max-age=86400'
			: version === media.version
				? 'public, max-age=31536000, immutable'
				: 'public, max-age=300, must-revalidate';
	const headers = {
		ETag: etag,
		'Cache-Control': cacheControl,
		'Content-Type': stored.contentType,
		'X-Content-Type-Options': 'nosniff'
	};
	if (request.headers.get('if-none-match') === etag)
		return new Response(null, { status: 304, headers });
	return new Response(stored.bytes as Uint8Array<ArrayBuffer>, { headers });
};
