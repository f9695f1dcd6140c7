import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit/hooks';
import { sequence } from '@sveltejs/kit/hooks';
import { render } from 'svelte/server';
import {
	DATABASE_URL,
	FETCH_ALLOW_ADDRESSES,
	FETCH_REWRITE,
	FETCH_USER_AGENT,
	GITHUB_TOKEN,
	JOBS_IN_PROCESS,
	LISTEN_ORIGIN,
	MAIL_FROM,
	PUBLIC_URL,
	S3_ACCESS_KEY_ID,
	S3_BUCKET,
	S3_ENDPOINT,
	S3_FORCE_PATH_STYLE,
	S3_REGION,
	S3_SECRET_ACCESS_KEY,
	S3_URL,
	SMTP_URL
} from '$app/env/private';
import { db, engine } from '#lib/server/db/index.js';
import { migrateToLatest } from '#lib/server/db/migrate.js';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '#lib/server/db/health.js';
import { isInvalidInputError } from '#lib/server/db/errors.js';
import { configureMail } from '#lib/server/platform/mail.js';
import { configureMediaStore } from '#lib/server/platform/media-config.js';
import { purgeMedia } from '#lib/server/platform/media-store.js';
import { S3ConfigError } from '#lib/server/platform/s3-config.js';
import { loggablePath, logger } from '#lib/server/platform/log.js';
import { configureSiteOrigin } from '#lib/server/platform/site.js';
import { SESSION_COOKIE, validateSessionToken } from '#lib/server/auth/session.js';
import { deleteSessionCookie, setSessionCookie } from '#lib/server/auth/cookies.js';
import {
	cacheSession,
	getCachedSession,
	invalidateSessionCache
} from '#lib/server/auth/session-cache.js';
import {
	handleProfilePages,
	installProfileCache,
	invalidateProfilePages
} from '#lib/server/http/profile-cache.js';
import { createFetcher, fetcherOptionsFromEnv } from '#lib/server/platform/fetcher.js';
import { startJobs, type Jobs } from '#lib/server/jobs.js';
import { setGithubToken } from '#lib/server/adapters/github.js';
import SiteHeader from '#lib/components/SiteHeader.svelte';

export const init: ServerInit = async () => {
	configureMail({ smtpUrl: SMTP_URL, from: MAIL_FROM });
	configureSiteOrigin(PUBLIC_URL, LISTEN_ORIGIN);
	for (let attempt = 1; ; attempt++) {
		try {
			await migrateToLatest(db);
			break;
		} catch (error) {
			// A database that is away (restarting, failing over) is waited for: src/server.js answers
			// 503 meanwhile. A migration that fails must not serve: say why and stop.
			if (isDatabaseUnavailable(error)) {
				logger.warn({ err: error, attempt }, 'the database is unavailable; trying again');
				await new Promise((resolve) => setTimeout(resolve, Math.min(attempt, 5) * 1000));
				continue;
			}
			logger.fatal(error instanceof Error ? error.message : String(error));
			await db.destroy().catch(() => {});
			process.exit(1);
		}
	}
	logger.info({ engine, mail: SMTP_URL ? 'smtp' : 'outbox' }, 'database ready');
	try {
		const store = await configureMediaStore({
			S3_URL,
			S3_ENDPOINT,
			S3_BUCKET,
			S3_REGION,
			S3_ACCESS_KEY_ID,
			S3_SECRET_ACCESS_KEY,
			S3_FORCE_PATH_STYLE
		});
		// Deletions a crash or a bucket outage left undone.
		if (store.kind === 's3') await purgeMedia(db);
	} catch (error) {
		// Settings that cannot work must not serve: say which and stop.
		if (!(error instanceof S3ConfigError)) throw error;
		logger.fatal(error.message);
		await db.destroy().catch(() => {});
		process.exit(1);
	}
	// The cache renders the site header itself to personalise cached pages for signed-in visitors.
	installProfileCache({ db, renderHeader: (user) => render(SiteHeader, { props: { user } }).body });
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

// Errors handleError found to be the database being away, by the request's locals.
const outages = new WeakSet<App.Locals>();

/** While the database is away, requests get 503 with Retry-After instead of a 500. */
const handleDatabaseOutage: Handle = async ({ event, resolve }) => {
	let response: Response;
	try {
		response = await resolve(event);
	} catch (error) {
		if (!isDatabaseUnavailable(error)) throw error;
		logger.warn({ err: error, path: event.url.pathname }, 'the database is unavailable');
		return new Response('The service is briefly unavailable. Try again in a few seconds.\n', {
			status: 503,
			headers: {
				'Content-Type': 'text/plain; charset=utf-8',
				'Retry-After': String(RETRY_AFTER_SECONDS),
				'Cache-Control': 'no-store'
			}
		});
	}
	if (response.status !== 500 || !outages.has(event.locals)) return response;
	const headers = new Headers(response.headers);
	headers.set('Retry-After', String(RETRY_AFTER_SECONDS));
	headers.set('Cache-Control', 'no-store');
	return new Response(response.body, { status: 503, headers });
};

const handleAuth: Handle = async ({ event, resolve }) => {
	// Liveness never touches the database, whatever cookies the prober sends.
	if (event.url.pathname === '/healthz') return resolve(event);
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

/**
 * Every /admin load and action calls requireAdmin() itself; this only makes a POST from anyone
 * else to an /admin page without actions answer 404 like the rest, rather than Kit's 405.
 */
const handleAdminArea: Handle = async ({ event, resolve }) => {
	const { pathname } = event.url;
	if (
		event.request.method !== 'GET' &&
		event.request.method !== 'HEAD' &&
		(pathname === '/admin' || pathname.startsWith('/admin/')) &&
		!event.locals.user?.isAdmin
	)
		return new Response('Not found\n', {
			status: 404,
			headers: { 'Content-Type': 'text/plain; charset=utf-8' }
		});
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

/** Every write goes through a form action; once it has committed, cached pages and sessions may be stale. */
const handleWrites: Handle = async ({ event, resolve }) => {
	if (event.request.method === 'GET' || event.request.method === 'HEAD') return resolve(event);
	const written = await resolve(event);
	invalidateProfilePages();
	invalidateSessionCache();
	// Media a write deleted leave an S3 bucket now that it has committed (nothing to do for the
	// database). Not awaited: a slow bucket must not hold the answer, and the sweep retries.
	void purgeMedia(db, { ifPending: true });
	return written;
};

export const handle = sequence(
	handleDatabaseOutage,
	handleAuth,
	handleAdminArea,
	handleWrites,
	handleProfilePages,
	handleSecurityHeaders
);

export const handleError: HandleServerError = ({ kind, error, event }) => {
	// Errors the app raised on purpose (error(...)) and Kit's own 404s keep their messages.
	if (kind !== 'unknown') return;
	if (isDatabaseUnavailable(error)) {
		outages.add(event.locals);
		logger.warn(
			{ err: error, path: loggablePath(event.url.pathname) },
			'the database is unavailable'
		);
		return { message: 'The service is briefly unavailable. Try again in a few seconds.' };
	}
	// Last resort: input is checked before any query, but a value PostgreSQL refuses (SQLSTATE
	// class 22) is still the request's fault, not ours. Logged, so the missing check gets added.
	if (isInvalidInputError(error)) {
		logger.warn(
			{ err: error, path: loggablePath(event.url.pathname) },
			'the database refused a request value'
		);
		return { status: 400, message: 'That request carried a value we cannot read.' };
	}
	logger.error({ err: error, path: loggablePath(event.url.pathname) }, 'request failed');
	return { message: 'Something went wrong on our side.' };
};
