import { redirect } from '@sveltejs/kit';
import { Readable } from 'node:stream';
import { db } from '#lib/server/db/index.js';
import { requireUser } from '#lib/server/auth/guard.js';
import { exportArchive } from '#lib/server/data-export/archive.js';
import { releaseDownload, startDownload } from '#lib/server/data-export/limits.js';
import { siteOrigin } from '#lib/server/platform/site.js';
import type { RequestHandler } from './$types';

// The zip of "Download my data", for the signed-in member only and only right after they asked
// for it on /settings/account (a POST, which holds the once-a-day limit).
export const GET: RequestHandler = async () => {
	const { user } = requireUser();
	const download = await startDownload(db, user.id);
	if (!download) redirect(303, '/settings/account?export=lapsed#export');
	let stream;
	try {
		stream = await exportArchive(db, user.id, { origin: siteOrigin() });
	} catch (error) {
		// Nothing was sent (the database went away, say): the member may try again at once.
		await releaseDownload(db, download).catch(() => {});
		throw error;
	}
	const day = new Date().toISOString().slice(0, 10);
	const name = user.handle.replace(/[^A-Za-z0-9_-]/g, '_');
	return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, {
		headers: {
			'Content-Type': 'application/zip',
			'Content-Disposition': `attachment; filename="proofwork-${name}-${day}.zip"`,
			'Cache-Control': 'private, no-store'
		}
	});
};
