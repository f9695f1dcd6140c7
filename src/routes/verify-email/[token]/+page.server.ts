import { fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import * as accounts from '#lib/server/accounts/index.js';
import type { Actions } from './$types';

// Opening the link shows a button rather than verifying at once, so that mail scanners which
// prefetch links cannot use up the single-use token.
export const actions = {
	default: async ({ params }) => {
		const user = await accounts.verifyEmail(db, params.token);
		if (!user) {
			return fail(400, {
				error: 'This link has expired or was already used. Send a new one from your account.'
			});
		}
		redirect(303, '/verify-email');
	}
} satisfies Actions;
