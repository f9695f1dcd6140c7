import { fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { requireUser } from '#lib/server/auth/guard.js';
import { parseForm, readForm } from '#lib/server/platform/forms.js';
import type { ProfileCard } from '#lib/server/handles.js';
import { requireProfileCard } from '#lib/server/http/profile-route.js';
import * as shortlists from '#lib/server/shortlists/index.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, url }) => {
	const { user } = requireUser();
	const subject = await subjectFor(params.handle, user.id);
	const [lists, holding] = await Promise.all([
		shortlists.listShortlists(db, user.id),
		shortlists.listsHolding(db, user.id, subject.userId)
	]);
	const savedTo = lists.find((l) => String(l.id) === url.searchParams.get('saved'));
	return {
		subject: {
			handle: subject.handle,
			name: subject.name,
			headline: subject.headline,
			avatar: subject.avatar.small
		},
		self: subject.userId === user.id,
		lists: lists.map((l) => ({ id: l.id, name: l.name, holds: holding.includes(l.id) })),
		savedTo: savedTo ? { id: savedTo.id, name: savedTo.name } : null
	};
};

export const actions = {
	save: async ({ request, params }) => {
		const { user } = requireUser();
		const subject = await subjectFor(params.handle, user.id);
		const parsed = parseForm(shortlists.saveSchema, await readForm(request));
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });
		const result = await shortlists.saveToShortlist(db, user.id, subject.userId, parsed.data);
		if (!result.ok) return fail(result.status, { errors: result.errors, values: parsed.values });
		redirect(303, `/@${subject.handle}/shortlist?saved=${result.shortlist.id}`);
	}
} satisfies Actions;

// Private profiles do not exist for anyone but their owner, so they cannot be saved either.
async function subjectFor(handle: string, viewerId: number): Promise<ProfileCard> {
	return (await requireProfileCard(handle, viewerId, '/shortlist')).card;
}
