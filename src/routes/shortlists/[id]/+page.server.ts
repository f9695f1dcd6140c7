import { error, fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { requireUser } from '#lib/server/auth/guard.js';
import { type FieldErrors, parseForm, parseId, readForm } from '#lib/server/platform/forms.js';
import * as shortlists from '#lib/server/shortlists/index.js';
import type { Actions, PageServerLoad } from './$types';

const SAVED: Record<string, string> = {
	renamed: 'Shortlist renamed.',
	note: 'Note saved.',
	removed: 'Profile removed from this shortlist.'
};

export const load: PageServerLoad = async ({ params, url }) => {
	const { user } = requireUser();
	const id = listId(params.id);
	const [list, entries] = await Promise.all([
		shortlists.getShortlist(db, user.id, id),
		shortlists.listEntries(db, user.id, id)
	]);
	if (!list || !entries) notFound();
	return { list, entries, saved: SAVED[url.searchParams.get('saved') ?? ''] ?? null };
};

export const actions = {
	rename: async ({ request, params }) => {
		const { user } = requireUser();
		const id = listId(params.id);
		const parsed = parseForm(shortlists.nameSchema, await readForm(request));
		if (!parsed.ok)
			return fail(400, { action: 'rename', errors: parsed.errors, values: parsed.values });
		const result = await shortlists.renameShortlist(db, user.id, id, parsed.data.name);
		if (!result.ok && result.status === 404) notFound();
		if (!result.ok)
			return fail(result.status, {
				action: 'rename',
				errors: result.errors,
				values: parsed.values
			});
		redirect(303, `/shortlists/${id}?saved=renamed`);
	},

	delete: async ({ params }) => {
		const { user } = requireUser();
		if (!(await shortlists.deleteShortlist(db, user.id, listId(params.id)))) notFound();
		redirect(303, '/shortlists?saved=deleted');
	},

	note: async ({ request, params }) => {
		const { user } = requireUser();
		const id = listId(params.id);
		const form = await readForm(request);
		const profileId = profileIdFrom(form);
		const parsed = parseForm(shortlists.noteSchema, form);
		if (!(await shortlists.getShortlist(db, user.id, id))) notFound();
		if (!parsed.ok)
			return fail(400, { action: 'note', profileId, errors: parsed.errors, values: parsed.values });
		if (!(await shortlists.updateNote(db, user.id, id, profileId, parsed.data.note))) return gone();
		redirect(303, `/shortlists/${id}?saved=note`);
	},

	remove: async ({ request, params }) => {
		const { user } = requireUser();
		const id = listId(params.id);
		const profileId = profileIdFrom(await readForm(request));
		if (!(await shortlists.getShortlist(db, user.id, id))) notFound();
		if (!(await shortlists.removeEntry(db, user.id, id, profileId))) return gone();
		redirect(303, `/shortlists/${id}?saved=removed`);
	}
} satisfies Actions;

// Someone else's list answers exactly like one that does not exist.
function notFound(): never {
	error(404, 'Shortlist not found');
}

function listId(param: string): number {
	const id = parseId(param);
	if (!id) notFound();
	return id;
}

function profileIdFrom(form: FormData): number {
	return parseId(form.get('profile')) ?? 0;
}

const gone = () =>
	fail(404, {
		action: 'entry',
		errors: { form: 'That profile is no longer on this shortlist.' } as FieldErrors
	});
