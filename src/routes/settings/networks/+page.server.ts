import { fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { requireUser } from '#lib/server/auth/guard.js';
import { parseId, readForm, formValues, type FieldErrors } from '#lib/server/platform/forms.js';
import * as accounts from '#lib/server/network-accounts.js';
import * as verification from '#lib/server/verification.js';
import { queueVerification, verificationOrigin } from '#lib/server/jobs.js';
import { NETWORK_LABELS, NETWORKS } from '#lib/server/networks.js';
import type { Actions, PageServerLoad } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';

const SAVED: Record<string, string> = {
	added: 'Account added to your profile.',
	followers: 'Follower count saved.',
	removed: 'Account removed.',
	checking: 'Check started. The result appears here as soon as the network answers.'
};

const UNAVAILABLE =
	'This Proofwork server has no public address set (PUBLIC_URL), so it cannot verify accounts. Ask its administrator.';

export const load: PageServerLoad = async ({ url }) => {
	const { user } = requireUser();
	// Back-links must point at the site's configured address, never one taken from the request.
	const origin = verificationOrigin();
	const profileUrl = `${origin ?? siteOrigin()}/@${user.handle}`;
	const list = await accounts.listAccounts(db, user.id);
	const histories = await verification.listRecentChecks(db, user.id, 5);
	const now = Date.now();
	return {
		profileUrl,
		verifyUnavailable: origin ? null : UNAVAILABLE,
		accounts: list.map((account) => ({
			...account,
			instructions: verification.instructionsFor(account, profileUrl),
			checks: histories.get(account.id) ?? [],
			// Due and not yet done: a worker picks it up within seconds.
			checking: account.next_check_at !== null && account.next_check_at.getTime() <= now
		})),
		networks: NETWORKS.map((value) => ({ value, label: NETWORK_LABELS[value] })),
		saved: SAVED[url.searchParams.get('saved') ?? ''] ?? null
	};
};

export const actions = {
	add: async ({ request }) => {
		const { user } = requireUser();
		const values = formValues(await readForm(request), ['network', 'address', 'followers']);
		const result = await accounts.addAccount(db, user.id, values);
		if (!result.ok)
			return fail(400, { action: 'add', errors: result.errors as FieldErrors, values });
		redirect(303, '/settings/networks?saved=added');
	},

	followers: async ({ request }) => {
		const { user } = requireUser();
		const values = formValues(await readForm(request), ['id', 'followers']);
		const result = await accounts.updateFollowers(
			db,
			user.id,
			parseId(values.id) ?? 0,
			values.followers
		);
		if (!result.ok)
			return fail(result.status, {
				action: 'followers',
				id: parseId(values.id),
				errors: { followers: result.error } as FieldErrors,
				values
			});
		redirect(303, '/settings/networks?saved=followers');
	},

	check: async ({ request }) => {
		const { user } = requireUser();
		const id = parseId((await readForm(request)).get('id')) ?? 0;
		if (!verificationOrigin())
			return fail(409, {
				action: 'check',
				id,
				errors: { check: UNAVAILABLE } as FieldErrors
			});
		const result = await verification.requestCheck(db, user.id, id);
		if (result === 'not_found')
			return fail(404, {
				action: 'check',
				errors: { form: 'That account is not on your profile.' } as FieldErrors
			});
		if (result === 'too_soon')
			return fail(429, {
				action: 'check',
				id,
				errors: {
					check: `This account was checked less than ${verification.CHECK_COOLDOWN_SECONDS} seconds ago. Try again in a minute.`
				} as FieldErrors
			});
		if (result === 'too_many')
			return fail(429, {
				action: 'check',
				id,
				errors: {
					check: 'You have asked for many checks in the last hour. Try again later.'
				} as FieldErrors
			});
		// The worker also finds due checks on its own each minute; this only saves the wait.
		await queueVerification(id);
		redirect(303, `/settings/networks?saved=checking#account-${id}`);
	},

	remove: async ({ request }) => {
		const { user } = requireUser();
		const id = parseId((await readForm(request)).get('id')) ?? 0;
		if (!(await accounts.removeAccount(db, user.id, id)))
			return fail(404, {
				action: 'remove',
				errors: { form: 'That account is not on your profile.' } as FieldErrors
			});
		redirect(303, '/settings/networks?saved=removed');
	}
} satisfies Actions;
