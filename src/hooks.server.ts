import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit/hooks';
import { sequence } from '@sveltejs/kit/hooks';
import { MAIL_FROM, SMTP_URL } from '$app/env/private';
import { db, engine } from '#lib/server/db/index.js';
import { migrateToLatest } from '#lib/server/db/migrate.js';
import { configureMail } from '#lib/server/mail.js';
import { logger } from '#lib/server/log.js';
import { SESSION_COOKIE, validateSessionToken } from '#lib/server/auth/session.js';
import { deleteSessionCookie, setSessionCookie } from '#lib/server/auth/cookies.js';

export const init: ServerInit = async () => {
	configureMail({ smtpUrl: SMTP_URL, from: MAIL_FROM });
	try {
		await migrateToLatest(db);
	} catch (error) {
		// A half-migrated app must not serve: say why and stop.
		logger.fatal(error instanceof Error ? error.message : String(error));
		await db.destroy().catch(() => {});
		process.exit(1);
	}
	logger.info({ engine, mail: SMTP_URL ? 'smtp' : 'outbox' }, 'database ready');
	process.once('sveltekit:shutdown', () => {
		db.destroy().catch((error) => logger.error({ err: error }, 'closing the database failed'));
	});
};

const handleAuth: Handle = async ({ event, resolve }) => {
	const token = event.cookies.get(SESSION_COOKIE);
	event.locals.user = null;
	event.locals.session = null;
	if (token) {
		const { session, user } = await validateSessionToken(db, token);
		if (session) {
			if (session.refreshed) setSessionCookie(event.cookies, event.url, token, session.expiresAt);
			event.locals.session = session;
			event.locals.user = user;
		} else {
			deleteSessionCookie(event.cookies);
		}
	}
	return resolve(event);
};

const handleSecurityHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	const headers = response.headers;
	// Responses such as redirects from fetch() may be immutable; those need no extra headers.
	try {
		headers.set('X-Content-Type-Options', 'nosniff');
		headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
		headers.set('X-Frame-Options', 'DENY');
		headers.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
		if (event.url.protocol === 'https:') {
			headers.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
		}
		if (event.locals.user) headers.set('Cache-Control', 'private, no-store');
	} catch {
		// immutable headers
	}
	return response;
};

export const handle = sequence(handleAuth, handleSecurityHeaders);

export const handleError: HandleServerError = ({ kind, error, event }) => {
	// Errors the app raised on purpose (error(...)) and Kit's own 404s keep their messages.
	if (kind !== 'unknown') return;
	logger.error({ err: error, path: event.url.pathname }, 'request failed');
	return { message: 'Something went wrong on our side.' };
};
