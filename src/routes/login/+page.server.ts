import { fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { clientAddress } from '#lib/server/http/client-address.js';
import * as accounts from '#lib/server/accounts/index.js';
import { DEVICE_COOKIE, setDeviceCookie, setSessionCookie } from '#lib/server/auth/cookies.js';
import { safeRedirectTarget } from '#lib/server/auth/guard.js';
import { loginSchema } from '#lib/server/auth/validation.js';
import { readForm, parseForm } from '#lib/server/platform/forms.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, safeRedirectTarget(url.searchParams.get('redirectTo')));
	return { reset: url.searchParams.has('reset') };
};

export const actions = {
	default: async (event) => {
		const parsed = parseForm(loginSchema, await readForm(event.request));
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });

		const result = await accounts.logIn(db, {
			...parsed.data,
			ip: clientAddress(event),
			deviceToken: event.cookies.get(DEVICE_COOKIE)
		});
		if (!result.ok) return fail(result.status, { errors: result.errors, values: parsed.values });

		setSessionCookie(event.cookies, event.url, result.value.token, result.value.expiresAt);
		setDeviceCookie(event.cookies, event.url, result.value.deviceToken);
		redirect(303, safeRedirectTarget(event.url.searchParams.get('redirectTo')));
	}
} satisfies Actions;
