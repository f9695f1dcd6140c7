import { fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { queueDue } from '#lib/server/jobs.js';
import { listPreviews } from '#lib/server/link-previews.js';
import { requireUser } from '#lib/server/auth/guard.js';
import { parseId, readForm, parseForm, type FieldErrors } from '#lib/server/platform/forms.js';
import { listProfileSkills } from '#lib/server/skills.js';
import * as work from '#lib/server/work.js';
import type { Actions, PageServerLoad } from './$types';

const SAVED: Record<string, string> = {
	created: 'Work added to your profile.',
	updated: 'Work saved.',
	deleted: 'Work deleted.',
	moved: 'Order saved.',
	pinned: 'Work pinned to the top of your profile.',
	unpinned: 'Work unpinned.'
};

export const load: PageServerLoad = async ({ url }) => {
	const { user } = requireUser();
	const [items, skills] = await Promise.all([
		work.listWork(db, user.id),
		listProfileSkills(db, user.id)
	]);
	const previews = await listPreviews(
		db,
		items.map((item) => item.id)
	);
	return {
		items: items.map((item) => ({ ...item, preview: previews.get(item.id) ?? null })),
		skills,
		saved: SAVED[url.searchParams.get('saved') ?? ''] ?? null
	};
};

function itemId(form: FormData): number | null {
	return parseId(form.get('id'));
}

const notFound = () =>
	fail(404, {
		action: 'item',
		errors: { form: 'That work item is not on your profile.' } as FieldErrors
	});

export const actions = {
	create: async ({ request }) => {
		const { user } = requireUser();
		const form = await readForm(request);
		const parsed = parseForm(work.workSchema, form);
		const selected = work.skillIdsFrom(form);
		if (!parsed.ok)
			return fail(400, {
				action: 'create',
				errors: parsed.errors,
				values: parsed.values,
				selected
			});
		const result = await work.createWork(db, user.id, parsed.data, selected);
		if (!result.ok)
			return fail(400, {
				action: 'create',
				errors: { form: result.error } as FieldErrors,
				values: parsed.values,
				selected
			});
		// A new link's preview is due now; queue it rather than wait for the minute's sweep.
		await queueDue();
		redirect(303, '/settings/work?saved=created');
	},

	delete: async ({ request }) => {
		const { user } = requireUser();
		const id = itemId(await readForm(request));
		if (!id || !(await work.deleteWork(db, user.id, id))) return notFound();
		redirect(303, '/settings/work?saved=deleted');
	},

	pin: async ({ request }) => {
		const { user } = requireUser();
		const id = itemId(await readForm(request));
		if (!id || !(await work.setPinned(db, user.id, id, true))) return notFound();
		redirect(303, '/settings/work?saved=pinned');
	},

	unpin: async ({ request }) => {
		const { user } = requireUser();
		const id = itemId(await readForm(request));
		if (!id || !(await work.setPinned(db, user.id, id, false))) return notFound();
		redirect(303, '/settings/work?saved=unpinned');
	},

	up: async ({ request }) => {
		const { user } = requireUser();
		const id = itemId(await readForm(request));
		if (!id || !(await work.moveWork(db, user.id, id, 'up'))) return notFound();
		redirect(303, '/settings/work?saved=moved');
	},

	down: async ({ request }) => {
		const { user } = requireUser();
		const id = itemId(await readForm(request));
		if (!id || !(await work.moveWork(db, user.id, id, 'down'))) return notFound();
		redirect(303, '/settings/work?saved=moved');
	}
} satisfies Actions;
