import { error } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { requireUser } from '#lib/server/auth/guard.js';
import * as shortlists from '#lib/server/shortlists/index.js';
import type { RequestHandler } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';
import { parseId } from '#lib/server/platform/forms.js';

export const GET: RequestHandler = async ({ params }) => {
	const { user } = requireUser();
	const id = parseId(params.id);
	const list = id ? await shortlists.getShortlist(db, user.id, id) : undefined;
	const entries = list && id ? await shortlists.listEntries(db, user.id, id) : undefined;
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
