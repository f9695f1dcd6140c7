import { error, redirect } from '@sveltejs/kit';
import { getRequestEvent } from '$app/server';
import type { SessionUser, ValidSession } from '#lib/server/auth/session.js';

/**
 * The signed-in user, or a redirect to the log-in page that comes back here afterwards.
 * Call it on the first line of every load and action that needs a user: layouts do not protect actions.
 */
export function requireUser(): { user: SessionUser; session: ValidSession } {
	const { locals, url } = getRequestEvent();
	if (!locals.user || !locals.session) {
		const back = url.pathname + url.search;
		redirect(303, `/login?redirectTo=${encodeURIComponent(back)}`);
	}
	return { user: locals.user, session: locals.session };
}

/** As requireUser, and the address must be verified: for actions that reach other people. */
export function requireVerifiedUser(): { user: SessionUser; session: ValidSession } {
	const signedIn = requireUser();
	if (!signedIn.user.emailVerified) {
		error(403, 'Verify your email address first: we sent you a link when you signed up.');
	}
	return signedIn;
}

/** Only same-site paths are followed after log-in, never another host. */
export function safeRedirectTarget(value: string | null | undefined, fallback = '/'): string {
	if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\'))
		return fallback;
	return value;
}
