import { createHash, randomBytes } from 'node:crypto';
import type { RequestEvent } from '@sveltejs/kit';
import type { Handle } from '@sveltejs/kit/hooks';
import type { Executor } from '#lib/server/db/connect.js';
import { getCachedSession } from '#lib/server/auth/session-cache.js';
import { isLikelyBot, recordView } from '#lib/server/views.js';

// Everything about /@handle pages at the HTTP edge, in one place: which requests are profile
// pages, the short-lived page cache (key, TTL, fresh CSP nonce per copy), who counts as a view,
// and the bridge that lets src/server.js answer cached pages before SvelteKit runs.
//
// Any form post empties the cache once it has committed (hooks.server.ts); other app servers serve
// pages at most TTL_MS old.

export const TTL_MS = 10_000;
const MAX_ENTRIES = 2_000;
// Visitors already counted today: enough for a busy instance; the oldest are forgotten first.
const MAX_COUNTED = 200_000;
const PROFILE_PAGE = /^\/@[a-z0-9_]{3,30}$/;
const SESSION_COOKIE = /(?:^|;\s*)pw_session=([^;]+)/;
const HEADER_START = '<div id="site-header">';
const HEADER_END = '</div>';
const DROPPED_HEADERS = new Set(['set-cookie', 'etag', 'x-proofwork-cache']);

interface Entry {
	body: string;
	headers: Record<string, string>;
	nonce: string | null;
	expires: number;
	profileId: number;
}

export interface CachedPage {
	headers: Record<string, string>;
	body: string;
}

/** Who asked for a page, as far as counting a view needs to know. */
export interface Visitor {
	userId: number | null;
	address: string;
	userAgent: string | null;
	accept: string | null;
	fetchDest: string | null;
}

/** What src/server.js hands over for each GET or HEAD request, before SvelteKit sees it. */
export interface BridgeRequest {
	path: string;
	cookie: string | null;
	userAgent: string | null;
	accept: string | null;
	fetchDest: string | null;
	address: string;
}

/** Installed on globalThis for src/server.js (typed in app.d.ts). */
export interface ProfileCacheBridge {
	lookup(request: BridgeRequest): CachedPage | undefined;
}

type RenderHeader = (user: { handle: string; emailVerified: boolean }) => string;

const entries = new Map<string, Entry>();
const data = new Map<string, { value: unknown; expires: number }>();
const counted = new Map<string, true>();
let countedDay = '';

/** The cache key of a profile page, or null for any other path. */
export function profilePageKey(pathname: string): string | null {
	return PROFILE_PAGE.test(pathname) ? pathname : null;
}

export function invalidateProfilePages(): void {
	entries.clear();
	data.clear();
}

function evictIfFull(map: Map<string, unknown>, max = MAX_ENTRIES): void {
	if (map.size >= max) map.delete(map.keys().next().value!);
}

/** A value computed at most once per TTL (and again after any write), e.g. a profile's page data. */
export async function remember<T>(
	key: string,
	compute: () => Promise<T>,
	now = Date.now()
): Promise<T> {
	const hit = data.get(key);
	if (hit && hit.expires > now) return hit.value as T;
	const value = await compute();
	evictIfFull(data);
	data.set(key, { value, expires: now + TTL_MS });
	return value;
}

/** A cached page with a fresh nonce, and whose profile it is. */
export function peekPage(
	key: string,
	now = Date.now()
): (CachedPage & { profileId: number }) | undefined {
	const entry = entries.get(key);
	if (!entry) return undefined;
	if (entry.expires <= now) {
		entries.delete(key);
		return undefined;
	}
	const headers: Record<string, string> = { ...entry.headers, 'x-proofwork-cache': 'hit' };
	let body = entry.body;
	if (entry.nonce) {
		const fresh = randomBytes(16).toString('base64');
		body = body.replaceAll(entry.nonce, fresh);
		const csp = headers['content-security-policy'];
		if (csp) headers['content-security-policy'] = csp.replaceAll(entry.nonce, fresh);
	}
	return { headers, body, profileId: entry.profileId };
}

/** A cached page for a signed-out visitor as a Response; counts the view when a visitor is given. */
export function getCachedPage(
	key: string,
	visitor: Visitor | null,
	now = Date.now()
): Response | undefined {
	const hit = peekPage(key, now);
	if (!hit) return undefined;
	if (visitor && state) countView(state.db, hit.profileId, visitor, new Date(now));
	return new Response(hit.body, { status: 200, headers: hit.headers });
}

/** Stores a rendered page and returns a response to send in its place (the body is consumed). */
export async function storePage(
	key: string,
	profileId: number,
	response: Response,
	now = Date.now()
): Promise<Response> {
	const body = await response.text();
	const headers: Record<string, string> = {};
	response.headers.forEach((value, name) => {
		if (!DROPPED_HEADERS.has(name)) headers[name] = value;
	});
	const nonce = /'nonce-([^']+)'/.exec(headers['content-security-policy'] ?? '')?.[1] ?? null;
	evictIfFull(entries);
	entries.set(key, { body, headers, nonce, expires: now + TTL_MS, profileId });
	return new Response(body, {
		status: response.status,
		headers: { ...headers, 'x-proofwork-cache': 'miss' }
	});
}

/**
 * A page navigation by a person: browsers ask for a page as a document that accepts HTML. An image
 * tag pointing at a profile (`![x](/@someone)` in a bio) or a script's fetch does not count.
 */
function isPageNavigation(visitor: Visitor): boolean {
	if (!visitor.accept?.includes('text/html')) return false;
	return visitor.fetchDest === null || visitor.fetchDest === 'document';
}

/**
 * Counts at most one view per visitor, profile and day: a signed-in visitor by account, anyone else
 * by address and browser. The owner, bots and non-page requests never count. Returns whether it
 * counted. Each app server remembers its own visitors, so with N servers a visitor counts at most N
 * times a day.
 */
export function countView(
	db: Executor,
	profileId: number,
	visitor: Visitor,
	now = new Date()
): boolean {
	if (visitor.userId === profileId || isLikelyBot(visitor.userAgent)) return false;
	if (!isPageNavigation(visitor)) return false;
	const day = now.toISOString().slice(0, 10);
	if (day !== countedDay) {
		counted.clear();
		countedDay = day;
	}
	const who =
		visitor.userId !== null ? `u:${visitor.userId}` : `a:${visitor.address}|${visitor.userAgent}`;
	// Hashed, so that the set keeps no addresses in memory and every key has the same small size.
	const key = createHash('sha256').update(`${profileId}|${who}`).digest('base64url').slice(0, 22);
	if (counted.has(key)) return false;
	evictIfFull(counted, MAX_COUNTED);
	counted.set(key, true);
	recordView(db, profileId, now);
	return true;
}

function visitorOf(event: RequestEvent): Visitor {
	let address = '';
	try {
		address = event.getClientAddress();
	} catch {
		// Not every adapter knows the address (e.g. during prerendering).
	}
	return {
		userId: event.locals.user?.id ?? null,
		address,
		userAgent: event.request.headers.get('user-agent'),
		accept: event.request.headers.get('accept'),
		fetchDest: event.request.headers.get('sec-fetch-dest')
	};
}

/** Swaps the signed-out site header of a cached page for the visitor's own. */
export function personalise(
	body: string,
	user: { handle: string; emailVerified: boolean },
	renderHeader: RenderHeader
): string | undefined {
	const start = body.indexOf(HEADER_START);
	// The signed-out header holds no <div>, so the first closing tag after it is the wrapper's own.
	const end = start === -1 ? -1 : body.indexOf(HEADER_END, start);
	if (end === -1) return undefined;
	return body.slice(0, start) + renderHeader(user) + body.slice(end + HEADER_END.length);
}

let state: { db: Executor; renderHeader: RenderHeader } | null = null;

/**
 * Starts the cache: views are written to `db`, and src/server.js may answer cached pages. A
 * signed-in visitor whose session was validated moments ago gets the cached page with the site
 * header rendered for them: on a profile page (which ships no JavaScript) that header is the only
 * part that depends on who is looking, unless it is the owner, who always gets a fresh page.
 */
export function installProfileCache(options: { db: Executor; renderHeader: RenderHeader }): void {
	state = options;
	globalThis.proofworkProfileCache = { lookup };
}

function lookup(request: BridgeRequest): CachedPage | undefined {
	if (!state) return undefined;
	const key = profilePageKey(request.path);
	if (!key) return undefined;
	const token = request.cookie ? (SESSION_COOKIE.exec(request.cookie)?.[1] ?? null) : null;
	const session = token ? getCachedSession(token) : undefined;
	if (token && !session?.user) return undefined;
	const hit = peekPage(key);
	if (!hit) return undefined;
	const user = session?.user ?? null;
	let body = hit.body;
	let headers = hit.headers;
	if (user) {
		if (hit.profileId === user.id) return undefined;
		const personal = personalise(hit.body, user, state.renderHeader);
		if (!personal) return undefined;
		body = personal;
		headers = { ...hit.headers, 'cache-control': 'private, no-store' };
	}
	countView(state.db, hit.profileId, { ...request, userId: user?.id ?? null });
	return { body, headers };
}

/**
 * Profile pages through SvelteKit: counts the view of each page shown to someone other than its
 * owner and serves signed-out visitors from the cache. The route tells which profile it rendered
 * through `event.locals.profileId`.
 */
export const handleProfilePages: Handle = async ({ event, resolve }) => {
	const method = event.request.method;
	const key = method === 'GET' || method === 'HEAD' ? profilePageKey(event.url.pathname) : null;
	if (!key) return resolve(event);
	const cacheable = !event.locals.user && event.url.search === '' && !event.isDataRequest;
	const visitor = visitorOf(event);
	const cached = cacheable ? getCachedPage(key, visitor) : undefined;
	if (cached) return cached;
	const response = await resolve(event);
	const profileId = event.locals.profileId;
	if (response.status !== 200 || !profileId) return response;
	if (state) countView(state.db, profileId, visitor);
	return cacheable ? storePage(key, profileId, response) : response;
};
