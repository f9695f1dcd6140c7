import { error, json, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { lookUpProfile } from '#lib/server/public-profile.js';
import { toJsonResume } from '#lib/server/resume.js';
import type { RequestHandler } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';

export const GET: RequestHandler = async ({ params, locals }) => {
	const found = await lookUpProfile(db, params.handle, locals.user?.id ?? null);
	if (found.kind === 'moved') redirect(301, `/@${found.handle}/resume.json`);
	if (found.kind === 'missing') error(404, 'Not found');
	return json(toJsonResume(found.profile, siteOrigin()), {
		headers: {
			'Content-Disposition': `inline; filename="${found.profile.handle}.resume.json"`,
			'Cache-Control':
				found.profile.visibility === 'private' ? 'private, no-store' : 'public, max-age=60',
			...(found.profile.visibility !== 'public' ? { 'X-Robots-Tag': 'noindex' } : {})
		}
	});
};
