import { error, fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { queueDue } from '#lib/server/jobs.js';
import { requireUser } from '#lib/server/auth/guard.js';
import { parseId, readForm, parseForm } from '#lib/server/platform/forms.js';
import { listProfileSkills } from '#lib/server/skills.js';
import * as work from '#lib/server/work.js';
import type { Actions, PageServerLoad } from './$types';

function idFrom(param: string): number {
	const id = parseId(param);
	if (!id) error(404, 'Work not found');
	return id;
}

export const load: PageServerLoad = async ({ params }) => {
	const { user } = requireUser();
	const item = await work.getWork(db, user.id, idFrom(params.id));
	if (!item) error(404, 'Work not found');
	return { item, skills: await listProfileSkills(db, user.id) };
};

export const actions = {
	save: async ({ request, params }) => {
		const { user } = requireUser();
		const id = idFrom(params.id);
		const form = await readForm(request);
		const parsed = parseForm(work.workSchema, form);
		const selected = work.skillIdsFrom(form);
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values, selected });
		if (!(await work.updateWork(db, user.id, id, parsed.data, selected)))
			error(404, 'Work not found');
		// A changed link's preview is due now; queue it rather than wait for the minute's sweep.
		await queueDue();
		redirect(303, '/settings/work?saved=updated');
	}
} satisfies Actions;
