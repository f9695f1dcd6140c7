import { error, fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import * as accounts from '#lib/server/accounts.js';
import { setSessionCookie } from '#lib/server/auth/cookies.js';
import { resetPasswordSchema } from '#lib/server/auth/validation.js';
import { readForm, parseForm, type FieldErrors } from '#lib/server/platform/forms.js';
import type { Actions, PageServerLoad } from './$types';

const EXPIRED = 'This reset link has expired or was already used. Ask for a new one.';

export const load: PageServerLoad = async ({ params }) => {
	if (!(await accounts.isPasswordResetTokenValid(db, params.token))) error(400, EXPIRED);
};

export const actions = {
	default: async (event) => {
		const parsed = parseForm(resetPasswordSchema, await readForm(event.request));
		if (!parsed.ok) return fail(400, { errors: parsed.errors });
		const result = await accounts.resetPassword(db, event.params.token, parsed.data.newPassword);
		if (!result) return fail(400, { errors: { form: EXPIRED } as FieldErrors });
		setSessionCookie(event.cookies, event.url, result.token, result.expiresAt);
		redirect(303, '/settings/account?saved=password');
	}
} satisfies Actions;
