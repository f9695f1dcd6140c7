import { db } from '#lib/server/db/index.js';
import { requireProfileCard } from '#lib/server/http/profile-route.js';
import { getOgImage } from '#lib/server/share-image.js';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params }) => {
	const { card } = await requireProfileCard(params.handle, null, '/og.png');
	const { png, version } = await getOgImage(db, card);
	return new Response(png as Uint8Array<ArrayBuffer>, {
		headers: {
			'Content-Type': 'image/png',
			ETag: `"${version}"`,
			'Cache-Control': 'public, max-age=600'
		}
	});
};
