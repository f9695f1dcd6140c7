import { fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { requireAdmin } from '#lib/server/auth/guard.js';
import { getInstanceSettings, saveInstanceSettings, settingsSchema } from '#lib/server/instance.js';
import { parseForm, readForm } from '#lib/server/platform/forms.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	requireAdmin();
	const s = await getInstanceSettings(db);
	return {
		settings: {
			name: s.name,
			description: s.description,
			contactEmail: s.contactEmail,
			rulesMd: s.rulesMd
		},
		saved: url.searchParams.has('saved')
	};
};

export const actions = {
	save: async ({ request }) => {
		const { user } = requireAdmin();
		const parsed = parseForm(settingsSchema, await readForm(request));
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });
		await saveInstanceSettings(db, { id: user.id, label: user.handle }, parsed.data);
		redirect(303, '/admin/settings?saved=1');
	}
} satisfies Actions;
