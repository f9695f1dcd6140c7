import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit/hooks';
import { sequence } from '@sveltejs/kit/hooks';
import {
	DATABASE_URL,
	FETCH_ALLOW_ADDRESSES,
	FETCH_REWRITE,
	FETCH_USER_AGENT,
	GITHUB_TOKEN,
	JOBS_IN_PROCESS,
	MAIL_FROM,
	PUBLIC_URL,
	SMTP_URL
} from '$app/env/private';
import { db, engine } from '#lib/server/db/index.js';
import { migrateToLatest } from '#lib/server/db/migrate.js';
import { isInvalidInputError } from '#lib/server/db/errors.js';
import { configureMail } from '#lib/server/platform/mail.js';
import { logger } from '#lib/server/platform/log.js';
import { SESSION_COOKIE, validateSessionToken } from '#lib/server/auth/session.js';
import { deleteSessionCookie, setSessionCookie } from '#lib/server/auth/cookies.js';
import {
	cacheSession,
	getCachedSession,
	invalidateSessionCache
} from '#lib/server/auth/session-cache.js';
import {
	getCachedPage,
	invalidateProfilePages,
	setHitListener,
	storePage
} from '#lib/server/http/page-cache.js';
import { isLikelyBot, recordView } from '#lib/server/views.js';
import { installFastPath } from '#lib/server/http/fast-path.js';
import { createFetcher, fetcherOptionsFromEnv } from '#lib/server/platform/fetcher.js';
import { startJobs, type Jobs } from '#lib/server/jobs.js';
import { setGithubToken } from '#lib/server/adapters/github.js';

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
	setHitListener(countView);
	installFastPath(countView);
	setGithubToken(GITHUB_TOKEN);
	let jobs: Jobs | undefined;
	try {
		jobs = await startJobs({
			db,
			databaseUrl: DATABASE_URL,
			fetcher: createFetcher(
				fetcherOptionsFromEnv({ FETCH_ALLOW_ADDRESSES, FETCH_REWRITE, FETCH_USER_AGENT })
			),
			// The embedded database lives in this process, so only this process can run its jobs.
			work: engine === 'pglite' || JOBS_IN_PROCESS,
			publicUrl: PUBLIC_URL,
			onChange: invalidateProfilePages
		});
	} catch (error) {
		// Pages still serve; checks and previews wait until the queue starts again.
		logger.error({ err: error }, 'the job queue did not start');
	}
	process.once('sveltekit:shutdown', async () => {
		await jobs?.stop().catch((error) => logger.error({ err: error }, 'stopping jobs failed'));
		db.destroy().catch((error) => logger.error({ err: error }, 'closing the database failed'));
	});
};

const handleAuth: Handle = async ({ event, resolve }) => {
	const token = event.cookies.get(SESSION_COOKIE);
	event.locals.user = null;
	event.locals.session = null;
	if (token) {
		let validated = getCachedSession(token);
		if (!validated) {
			validated = await validateSessionToken(db, token);
			cacheSession(token, validated);
		}
		const { session, user } = validated;
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
		// Pages for a signed-in person are theirs alone; files that say how to cache them (versioned
		// images, public feeds) are the same for everyone and keep their own rule.
		if (event.locals.user && !headers.has('Cache-Control'))
			headers.set('Cache-Control', 'private, no-store');
	} catch {
		// immutable headers
	}
	return response;
};

function countView(profileId: number, userAgent: string | null, viewerId?: number) {
	if (profileId !== viewerId && !isLikelyBot(userAgent)) recordView(db, profileId);
}

const PROFILE_PAGE = /^\/@[a-z0-9_]{3,30}\/?$/;
const PROFILE_ID_HEADER = 'x-proofwork-profile-id';

/**
 * Profile pages: counts a view for each page shown to someone other than its owner (bots and
 * link previewers aside), and serves signed-out visitors from a short-lived cache.
 */
const handleProfilePages: Handle = async ({ event, resolve }) => {
	if (event.request.method !== 'GET' && event.request.method !== 'HEAD') {
		// Every write goes through a form action; once it has committed, cached pages and sessions may be stale.
		const written = await resolve(event);
		invalidateProfilePages();
		invalidateSessionCache();
		return written;
	}
	if (!PROFILE_PAGE.test(event.url.pathname)) return resolve(event);
	const cacheable = !event.locals.user && event.url.search === '' && !event.isDataRequest;
	const key = event.url.pathname;
	const userAgent = event.request.headers.get('user-agent');
	const cached = cacheable ? getCachedPage(key, userAgent) : undefined;
	if (cached) return cached;
	const response = await resolve(event);
	const profileId = Number(response.headers.get(PROFILE_ID_HEADER));
	if (response.status !== 200 || !profileId) return response;
	countView(profileId, userAgent, event.locals.user?.id);
	if (cacheable) return storePage(key, profileId, response);
	response.headers.delete(PROFILE_ID_HEADER);
	return response;
};

export const handle = sequence(handleAuth, handleProfilePages, handleSecurityHeaders);

export const handleError: HandleServerError = ({ kind, error, event }) => {
	// Errors the app raised on purpose (error(...)) and Kit's own 404s keep their messages.
	if (kind !== 'unknown') return;
	// Last resort: input is checked before any query, but a value PostgreSQL refuses (SQLSTATE
	// class 22) is still the request's fault, not ours. Logged, so the missing check gets added.
	if (isInvalidInputError(error)) {
		logger.warn({ err: error, path: event.url.pathname }, 'the database refused a request value');
		return { status: 400, message: 'That request carried a value we cannot read.' };
	}
	logger.error({ err: error, path: event.url.pathname }, 'request failed');
	return { message: 'Something went wrong on our side.' };
};
