import { redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { invalidateSession } from '#lib/server/auth/session.js';
import { deleteSessionCookie } from '#lib/server/auth/cookies.js';
import type { Actions, PageServerLoad } from './$types';

// Logging out changes state, so it is a POST only; a GET just goes home.
export const load: PageServerLoad = () => {
	redirect(303, '/');
};

export const actions = {
	default: async ({ locals, cookies }) => {
		if (locals.session) await invalidateSession(db, locals.session.id);
		deleteSessionCookie(cookies);
		redirect(303, '/');
	}
} satisfies Actions;
