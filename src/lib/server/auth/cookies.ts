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

// Marks a browser that logged in before (src/lib/server/auth/devices.ts); it proves nothing alone.
export const DEVICE_COOKIE = 'pw_device';
const DEVICE_COOKIE_MS = 365 * 24 * 60 * 60 * 1000;

export function setDeviceCookie(cookies: Cookies, url: URL, token: string): void {
	cookies.set(DEVICE_COOKIE, token, {
		httpOnly: true,
		sameSite: 'lax',
		path: '/',
		secure: url.protocol === 'https:' || url.hostname === 'localhost',
		expires: new Date(Date.now() + DEVICE_COOKIE_MS)
	});
}
