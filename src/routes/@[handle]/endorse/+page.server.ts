import { fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { requireUser } from '#lib/server/auth/guard.js';
import { findUserById } from '#lib/server/accounts/index.js';
import { findOpenRequest } from '#lib/server/endorsements/requests.js';
import { findOwnEndorsement } from '#lib/server/endorsements/views.js';
import { endorsementSchema } from '#lib/server/endorsements/rules.js';
import { submitEndorsement, withdrawEndorsement } from '#lib/server/endorsements/submit.js';
import { parseForm, readForm, fieldErrors } from '#lib/server/platform/forms.js';
import type { ProfileCard } from '#lib/server/handles.js';
import { requireProfileCard } from '#lib/server/http/profile-route.js';
import { listProfileSkills } from '#lib/server/skills.js';
import { listWorkTitles, skillIdsFrom } from '#lib/server/work.js';
import type { Actions, PageServerLoad } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';

async function subjectFor(handle: string, viewerId: number): Promise<ProfileCard> {
	return (await requireProfileCard(handle, viewerId, '/endorse')).card;
}

export const load: PageServerLoad = async ({ params, url }) => {
	const { user } = requireUser();
	const subject = await subjectFor(params.handle, user.id);
	const request = url.searchParams.get('request');
	const open = request ? await findOpenRequest(db, request) : undefined;
	const existing = await findOwnEndorsement(db, user.id, subject.userId);
	return {
		subject: {
			handle: subject.handle,
			name: subject.name,
			headline: subject.headline,
			avatar: subject.avatar.small,
			work: await listWorkTitles(db, subject.userId)
		},
		skillOptions: await listProfileSkills(db, subject.userId),
		self: subject.userId === user.id,
		emailVerified: user.emailVerified,
		request:
			open && open.owner_id === subject.userId
				? { token: request!, workItemId: open.work_item_id, invitee: open.invitee }
				: null,
		existing: existing
			? {
					relationship: existing.relationship,
					organisation: existing.organisation ?? '',
					period: existing.period ?? '',
					workItemId: existing.work_item_id === null ? '' : String(existing.work_item_id),
					body: existing.body,
					status: existing.status,
					skillIds: existing.skillIds
				}
			: null,
		saved: url.searchParams.get('saved')
	};
};

export const actions = {
	save: async ({ request, params }) => {
		const { user } = requireUser();
		const subject = await subjectFor(params.handle, user.id);
		const form = await readForm(request);
		const parsed = parseForm(endorsementSchema, form);
		const selected = skillIdsFrom(form);
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values, selected });
		const account = await findUserById(db, user.id);
		const result = await submitEndorsement(db, {
			endorser: { id: user.id, createdAt: account!.created_at, emailVerified: user.emailVerified },
			subjectId: subject.userId,
			input: parsed.data,
			skillIds: selected,
			requestToken: String(form.get('request') ?? '') || null,
			origin: siteOrigin()
		});
		if (!result.ok)
			return fail(result.status, { errors: result.errors, values: parsed.values, selected });
		redirect(303, `/@${subject.handle}/endorse?saved=${result.edited ? 'edited' : 'sent'}`);
	},

	withdraw: async ({ params }) => {
		const { user } = requireUser();
		const subject = await subjectFor(params.handle, user.id);
		if (!(await withdrawEndorsement(db, user.id, subject.userId)))
			return fail(404, {
				errors: fieldErrors({ form: 'You have no endorsement of this person to withdraw.' })
			});
		redirect(303, `/@${subject.handle}/endorse?saved=withdrawn`);
	}
} satisfies Actions;
