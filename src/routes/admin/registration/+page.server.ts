import { fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { requireAdmin } from '#lib/server/auth/guard.js';
import {
	REGISTRATION_MODES,
	getInstanceSettings,
	setRegistrationMode
} from '#lib/server/instance.js';
import {
	createInvite,
	decidePending,
	inviteSchema,
	listInvites,
	listPending,
	revokeInvite
} from '#lib/server/admin/registration.js';
import { fieldErrors, parseForm, parseId, readForm } from '#lib/server/platform/forms.js';
import { siteOrigin } from '#lib/server/platform/site.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	requireAdmin();
	const [settings, invites, pending] = await Promise.all([
		getInstanceSettings(db),
		listInvites(db),
		listPending(db)
	]);
	const created = url.searchParams.get('created');
	return {
		mode: settings.registration,
		modes: Object.entries(REGISTRATION_MODES).map(([value, label]) => ({ value, label })),
		invites: invites.map((i) => ({ ...i, link: `${siteOrigin()}/signup?invite=${i.code}` })),
		pending,
		created: created ? parseId(created) : null,
		done: url.searchParams.get('done')
	};
};

export const actions = {
	mode: async ({ request }) => {
		const { user } = requireAdmin();
		const form = await readForm(request);
		const mode = form.get('mode');
		const result = await setRegistrationMode(
			db,
			{ id: user.id, label: user.handle },
			typeof mode === 'string' ? mode : ''
		);
		if (!result.ok) return fail(result.status, { action: 'mode', errors: result.errors });
		redirect(303, '/admin/registration?done=mode');
	},

	invite: async ({ request }) => {
		const { user } = requireAdmin();
		const parsed = parseForm(inviteSchema, await readForm(request));
		if (!parsed.ok)
			return fail(400, { action: 'invite', errors: parsed.errors, values: parsed.values });
		const invite = await createInvite(db, { id: user.id, label: user.handle }, parsed.data);
		redirect(303, `/admin/registration?created=${invite.id}`);
	},

	revoke: async ({ request }) => {
		const { user } = requireAdmin();
		const id = parseId((await readForm(request)).get('id'));
		if (id === null)
			return fail(400, {
				action: 'revoke',
				errors: fieldErrors({ form: 'That invite does not exist.' })
			});
		const result = await revokeInvite(db, { id: user.id, label: user.handle }, id);
		if (!result.ok) return fail(result.status, { action: 'revoke', errors: result.errors });
		redirect(303, '/admin/registration?done=revoke');
	},

	decide: async ({ request }) => {
		const { user } = requireAdmin();
		const form = await readForm(request);
		const ids = form.getAll('id').map(parseId);
		if (ids.some((id) => id === null))
			return fail(400, {
				action: 'decide',
				errors: fieldErrors({ form: 'Some of those sign-ups do not exist.' })
			});
		const decision = form.get('decision');
		const result = await decidePending(
			db,
			{ id: user.id, label: user.handle },
			{
				ids: ids as number[],
				decision: typeof decision === 'string' ? decision : '',
				origin: siteOrigin()
			}
		);
		if (!result.ok) return fail(result.status, { action: 'decide', errors: result.errors });
		redirect(303, `/admin/registration?done=${decision}`);
	}
} satisfies Actions;
