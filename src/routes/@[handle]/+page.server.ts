import { error, fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { remember } from '#lib/server/http/profile-cache.js';
import { lookUpProfilePage } from '#lib/server/public-profile.js';
import { requireVerifiedUser } from '#lib/server/auth/guard.js';
import { reportEndorsement } from '#lib/server/endorsements/moderation.js';
import { reportSchema } from '#lib/server/endorsements/rules.js';
import { parseId, readForm, parseForm } from '#lib/server/platform/forms.js';
import type { Actions, PageServerLoad } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';

// A public profile is complete as server-rendered HTML; it ships no JavaScript at all (its few
// forms, such as log out, are plain form posts).
export const csr = false;

export const load: PageServerLoad = async ({ params, locals, url, setHeaders }) => {
	const viewerId = locals.user?.id ?? null;
	// What anyone may see is computed once per cache period; only a private profile's owner misses.
	let found = await remember(`profile:${params.handle}`, () =>
		lookUpProfilePage(db, params.handle, null)
	);
	if (found.kind === 'found') found = { ...found, isOwner: found.profile.userId === viewerId };
	else if (found.kind === 'missing' && viewerId !== null)
		found = await lookUpProfilePage(db, params.handle, viewerId);
	if (found.kind === 'moved') redirect(301, `/@${found.handle}${url.search}`);
	if (found.kind === 'missing') error(404, 'Profile not found');

	const { profile, isOwner } = found;
	// Read by the profile cache (http/profile-cache.ts), which counts the view and keeps the page.
	locals.profileId = profile.userId;
	if (profile.visibility !== 'public') setHeaders({ 'X-Robots-Tag': 'noindex' });
	if (profile.visibility === 'private') setHeaders({ 'Cache-Control': 'private, no-store' });
	return { profile, isOwner, origin: siteOrigin(), reported: url.searchParams.has('reported') };
};

export const actions = {
	report: async ({ request, params }) => {
		// Reports reach other people's pages, so throwaway unverified accounts cannot make them.
		const { user } = requireVerifiedUser();
		const form = await readForm(request);
		const parsed = parseForm(reportSchema, form);
		if (!parsed.ok) error(400, parsed.errors.reason ?? 'Say briefly what is wrong with it.');
		const result = await reportEndorsement(
			db,
			user.id,
			parseId(form.get('id')) ?? 0,
			parsed.data.reason
		);
		if (!result.ok) return fail(result.status, { error: result.error });
		redirect(303, `/@${params.handle}?reported=1`);
	}
} satisfies Actions;
