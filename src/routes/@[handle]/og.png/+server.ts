import { error, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { getOgImage } from '#lib/server/share-image.js';
import { lookUpProfile } from '#lib/server/public-profile.js';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params }) => {
	const found = await lookUpProfile(db, params.handle, null);
	if (found.kind === 'moved') redirect(301, `/@${found.handle}/og.png`);
	if (found.kind === 'missing') error(404, 'Not found');
	const { png, version } = await getOgImage(db, found.profile);
	return new Response(png as Uint8Array<ArrayBuffer>, {
		headers: {
			'Content-Type': 'image/png',
			ETag: `"${version}"`,
			'Cache-Control': 'public, max-age=600'
		}
	});
};
