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

/**
 * The signed-in admin. Everyone else (anonymous, members, suspended accounts, whose sessions no
 * longer validate) gets a 404, on GET and POST alike, so the admin area does not say it exists.
 * Call it on the first line of every /admin load, action and endpoint: layouts do not protect actions.
 */
export function requireAdmin(): { user: SessionUser; session: ValidSession } {
	const { locals } = getRequestEvent();
	if (!locals.user || !locals.session || !locals.user.isAdmin) error(404, 'Not found');
	return { user: locals.user, session: locals.session };
}

const SAFE_PATH_BASE = 'http://proofwork.invalid';

/**
 * Only same-site paths are followed after log-in, never another host: a single leading '/', no
 * backslash, whitespace or control character anywhere (browsers drop tabs and newlines from URLs,
 * so '/\t/evil.example' would become '//evil.example'), and a path that still resolves to this
 * site. The answer is re-serialised, so it is always a valid, percent-encoded header value.
 */
export function safeRedirectTarget(value: string | null | undefined, fallback = '/'): string {
	if (!value || value.length > 2000 || !/^\/(?![/\\])[^\\\s\p{Cc}]*$/u.test(value)) return fallback;
	const url = URL.parse(value, SAFE_PATH_BASE);
	if (!url || url.origin !== SAFE_PATH_BASE || url.pathname.startsWith('//')) return fallback;
	return url.pathname + url.search + url.hash;
}
