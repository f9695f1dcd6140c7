import { fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { requireUser } from '#lib/server/auth/guard.js';
import { parseForm, readForm } from '#lib/server/platform/forms.js';
import * as shortlists from '#lib/server/shortlists/index.js';
import type { Actions, PageServerLoad } from './$types';

const SAVED: Record<string, string> = {
	created: 'Shortlist created.',
	deleted: 'Shortlist deleted.'
};

export const load: PageServerLoad = async ({ url }) => {
	const { user } = requireUser();
	return {
		lists: await shortlists.listShortlists(db, user.id),
		saved: SAVED[url.searchParams.get('saved') ?? ''] ?? null
	};
};

export const actions = {
	create: async ({ request }) => {
		const { user } = requireUser();
		const parsed = parseForm(shortlists.nameSchema, await readForm(request));
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });
		const result = await shortlists.createShortlist(db, user.id, parsed.data.name);
		if (!result.ok) return fail(result.status, { errors: result.errors, values: parsed.values });
		redirect(303, '/shortlists?saved=created');
	}
} satisfies Actions;
