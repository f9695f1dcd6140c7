import { error } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { requireUser } from '#lib/server/auth/guard.js';
import * as shortlists from '#lib/server/shortlists/index.js';
import type { RequestHandler } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';

export const GET: RequestHandler = async ({ params }) => {
	const { user } = requireUser();
	const id = Number(params.id);
	const valid = Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647;
	const list = valid ? await shortlists.getShortlist(db, user.id, id) : undefined;
	const entries = list ? await shortlists.listEntries(db, user.id, id) : undefined;
	if (!list || !entries) error(404, 'Shortlist not found');
	const file = shortlists.csvFileName(list.name);
	return new Response(shortlists.toCsv(entries, siteOrigin()), {
		headers: {
			'Content-Type': 'text/csv; charset=utf-8',
			'Content-Disposition': `attachment; filename="${file}"`,
			'Cache-Control': 'private, no-store'
		}
	});
};
