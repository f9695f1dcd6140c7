import { error, fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { clientAddress } from '#lib/server/http/client-address.js';
import * as accounts from '#lib/server/accounts/index.js';
import { setSessionCookie } from '#lib/server/auth/cookies.js';
import { resetPasswordSchema } from '#lib/server/auth/validation.js';
import { parseForm, readForm } from '#lib/server/platform/forms.js';
import type { Actions, PageServerLoad } from './$types';

const EXPIRED = 'This reset link has expired or was already used. Ask for a new one.';

export const load: PageServerLoad = async ({ params }) => {
	if (!(await accounts.isPasswordResetTokenValid(db, params.token))) error(400, EXPIRED);
};

export const actions = {
	default: async (event) => {
		const parsed = parseForm(resetPasswordSchema, await readForm(event.request));
		if (!parsed.ok) return fail(400, { errors: parsed.errors });
		const result = await accounts.resetPassword(db, {
			token: event.params.token,
			newPassword: parsed.data.newPassword,
			ip: clientAddress(event)
		});
		if (!result.ok) return fail(result.status, { errors: result.errors });
		setSessionCookie(event.cookies, event.url, result.value.token, result.value.expiresAt);
		redirect(303, '/settings/account?saved=password');
	}
} satisfies Actions;
