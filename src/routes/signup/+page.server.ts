import { fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { clientAddress } from '#lib/server/http/client-address.js';
import * as accounts from '#lib/server/accounts/index.js';
import { setSessionCookie } from '#lib/server/auth/cookies.js';
import { safeRedirectTarget } from '#lib/server/auth/guard.js';
import { signupSchema } from '#lib/server/auth/validation.js';
import { getInstanceSettings } from '#lib/server/instance.js';
import { isInviteUsable } from '#lib/server/admin/registration.js';
import { readForm, parseForm } from '#lib/server/platform/forms.js';
import type { Actions, PageServerLoad } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';

export const load: PageServerLoad = async ({ locals, url }) => {
	const redirectTo = safeRedirectTarget(url.searchParams.get('redirectTo'), '');
	if (locals.user) redirect(303, redirectTo || '/');
	const settings = await getInstanceSettings(db);
	const invite = (url.searchParams.get('invite') ?? '').slice(0, 100);
	return {
		redirectTo,
		invite,
		inviteValid: invite ? await isInviteUsable(db, invite) : false,
		pending: url.searchParams.has('pending'),
		instance: {
			name: settings.name,
			description: settings.description,
			rulesHtml: settings.rulesHtml,
			registration: settings.registration
		}
	};
};

export const actions = {
	default: async (event) => {
		const parsed = parseForm(signupSchema, await readForm(event.request));
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });

		const result = await accounts.signUp(db, {
			...parsed.data,
			ip: clientAddress(event),
			origin: siteOrigin()
		});
		if (!result.ok) return fail(result.status, { errors: result.errors, values: parsed.values });
		if (result.value.pending) redirect(303, '/signup?pending=1');

		setSessionCookie(event.cookies, event.url, result.value.token, result.value.expiresAt);
		redirect(
			303,
			safeRedirectTarget(event.url.searchParams.get('redirectTo'), '/settings/profile')
		);
	}
} satisfies Actions;
