import type { Cookies } from '@sveltejs/kit';
import { SESSION_COOKIE } from '#lib/server/auth/session.js';

export function setSessionCookie(cookies: Cookies, url: URL, token: string, expiresAt: Date): void {
	cookies.set(SESSION_COOKIE, token, {
		httpOnly: true,
		sameSite: 'lax',
		path: '/',
		// Browsers accept Secure cookies on http://localhost, but not on other plain-http hosts.
		secure: url.protocol === 'https:' || url.hostname === 'localhost',
		expires: expiresAt
	});
}

export function deleteSessionCookie(cookies: Cookies): void {
	cookies.delete(SESSION_COOKIE, { path: '/' });
}
