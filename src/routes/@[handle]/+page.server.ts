import { error, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { lookUpProfile } from '#lib/server/public-profile.js';
import { isLikelyBot, recordView } from '#lib/server/views.js';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, request, url, setHeaders }) => {
	const found = await lookUpProfile(db, params.handle, locals.user?.id ?? null);
	if (found.kind === 'moved') redirect(301, `/@${found.handle}${url.search}`);
	if (found.kind === 'missing') error(404, 'Profile not found');

	const { profile, isOwner } = found;
	if (!isOwner && !isLikelyBot(request.headers.get('user-agent'))) recordView(db, profile.userId);
	if (profile.visibility !== 'public') setHeaders({ 'X-Robots-Tag': 'noindex' });
	return { profile, isOwner, origin: url.origin };
};
