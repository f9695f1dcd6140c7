import { fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { requireUser } from '#lib/server/auth/guard.js';
import { formValues, type FieldErrors } from '#lib/server/forms.js';
import * as accounts from '#lib/server/network-accounts.js';
import { NETWORK_LABELS, NETWORKS } from '#lib/server/networks.js';
import type { Actions, PageServerLoad } from './$types';

const SAVED: Record<string, string> = {
	added: 'Account added to your profile.',
	followers: 'Follower count saved.',
	removed: 'Account removed.'
};

export const load: PageServerLoad = async ({ url }) => {
	const { user } = requireUser();
	return {
		accounts: await accounts.listAccounts(db, user.id),
		networks: NETWORKS.map((value) => ({ value, label: NETWORK_LABELS[value] })),
		saved: SAVED[url.searchParams.get('saved') ?? ''] ?? null
	};
};

export const actions = {
	add: async ({ request }) => {
		const { user } = requireUser();
		const values = formValues(await request.formData(), ['network', 'address', 'followers']);
		const result = await accounts.addAccount(db, user.id, values);
		if (!result.ok)
			return fail(400, { action: 'add', errors: result.errors as FieldErrors, values });
		redirect(303, '/settings/networks?saved=added');
	},

	followers: async ({ request }) => {
		const { user } = requireUser();
		const values = formValues(await request.formData(), ['id', 'followers']);
		const result = await accounts.updateFollowers(
			db,
			user.id,
			Number(values.id) || 0,
			values.followers
		);
		if (!result.ok)
			return fail(result.status, {
				action: 'followers',
				id: Number(values.id),
				errors: { followers: result.error } as FieldErrors,
				values
			});
		redirect(303, '/settings/networks?saved=followers');
	},

	remove: async ({ request }) => {
		const { user } = requireUser();
		const id = Number((await request.formData()).get('id')) || 0;
		if (!(await accounts.removeAccount(db, user.id, id)))
			return fail(404, {
				action: 'remove',
				errors: { form: 'That account is not on your profile.' } as FieldErrors
			});
		redirect(303, '/settings/networks?saved=removed');
	}
} satisfies Actions;
