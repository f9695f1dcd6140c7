import { createHash, randomFillSync } from 'node:crypto';
import type { RequestEvent } from '@sveltejs/kit';
import type { Handle } from '@sveltejs/kit/hooks';
import type { Executor } from '#lib/server/db/connect.js';
import { clientAddress } from '#lib/server/http/client-address.js';
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

// A stored page is kept encoded, cut where the CSP nonce and the site header go, so serving a copy
// is a few buffer copies: no scanning or re-encoding of the page per request.
type Piece = Buffer | typeof NONCE | typeof HEADER;
const NONCE = 0;
const HEADER = 1;

interface Entry {
	pieces: Piece[];
	/** The signed-out site header, where HEADER stands; null when the page has none to swap. */
	header: Buffer | null;
	/** The body length without nonces and header. */
	fixedLength: number;
	nonceCount: number;
	headers: Record<string, string>;
	nonce: string | null;
	expires: number;
	profileId: number;
	/** The signed-out answer, once assembled, for a page without a nonce. */
	signedOut?: CachedPage;
}

export interface CachedPage {
	headers: Record<string, string>;
	body: Buffer;
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

type HeaderUser = { handle: string; emailVerified: boolean };
type RenderHeader = (user: HeaderUser | null) => string;

const entries = new Map<string, Entry>();
// Rendered site headers by visitor: a handful of strings per signed-in person.
const headersByUser = new Map<string, Buffer>();
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

// Nonces are cut from one buffer of random bytes, refilled when used up: one system call per 256.
const noncePool = Buffer.alloc(16 * 256);
let noncePoolUsed = noncePool.length;

/** 16 fresh random bytes, base64: a CSP nonce no other response carries. */
function freshNonce(): string {
	if (noncePoolUsed === noncePool.length) {
		randomFillSync(noncePool);
		noncePoolUsed = 0;
	}
	noncePoolUsed += 16;
	return noncePool.toString('base64', noncePoolUsed - 16, noncePoolUsed);
}

function assemble(entry: Entry, nonce: string | null, header: Buffer | null): Buffer {
	const nonceBytes = nonce === null ? null : Buffer.from(nonce, 'latin1');
	const parts: Buffer[] = [];
	let length = entry.fixedLength + (header?.length ?? 0);
	for (const piece of entry.pieces) {
		if (piece === HEADER) parts.push(header!);
		else if (piece === NONCE) parts.push(nonceBytes!);
		else parts.push(piece);
	}
	if (nonceBytes) length += nonceBytes.length * entry.nonceCount;
	return Buffer.concat(parts, length);
}

/** A page's bytes as a Response body, without copying them. */
function asBody(bytes: Buffer): Uint8Array<ArrayBuffer> {
	return new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length);
}

function liveEntry(key: string, now: number): Entry | undefined {
	const entry = entries.get(key);
	if (!entry) return undefined;
	if (entry.expires <= now) {
		entries.delete(key);
		return undefined;
	}
	return entry;
}

/**
 * A cached page with a fresh nonce, and whose profile it is; with `header`, that site header in
 * place of the signed-out one.
 */
export function peekPage(
	key: string,
	now = Date.now(),
	header?: Buffer
): (CachedPage & { profileId: number }) | undefined {
	const entry = liveEntry(key, now);
	if (!entry) return undefined;
	// A page without a nonce (a profile page ships no script) is the same bytes for every
	// signed-out visitor: assembled once. Callers copy the headers before changing them.
	if (!entry.nonce && !header) {
		entry.signedOut ??= assembled(entry, null, entry.header);
		return { ...entry.signedOut, profileId: entry.profileId };
	}
	return {
		...assembled(entry, entry.nonce ? freshNonce() : null, header ?? entry.header),
		profileId: entry.profileId
	};
}

function assembled(entry: Entry, fresh: string | null, header: Buffer | null): CachedPage {
	const headers: Record<string, string> = { ...entry.headers, 'x-proofwork-cache': 'hit' };
	if (entry.nonce && fresh) {
		const csp = headers['content-security-policy'];
		if (csp) headers['content-security-policy'] = csp.replaceAll(entry.nonce, fresh);
	}
	const body = assemble(entry, fresh, header);
	headers['content-length'] = String(body.length);
	return { headers, body };
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
	return new Response(asBody(hit.body), { status: 200, headers: hit.headers });
}

/** The header element alone, without the markers Svelte puts around a component rendered on its own. */
function headerMarkup(rendered: string): string {
	const start = rendered.indexOf(HEADER_START);
	const end = rendered.lastIndexOf(HEADER_END);
	return start === -1 || end < start ? rendered : rendered.slice(start, end + HEADER_END.length);
}

/** Cuts a page into encoded pieces at its nonces and around its site header. */
function compile(body: string, nonce: string | null) {
	const start = body.indexOf(HEADER_START);
	const end = start === -1 ? -1 : body.indexOf(HEADER_END, start);
	const parts: (string | typeof HEADER)[] =
		end === -1 ? [body] : [body.slice(0, start), HEADER, body.slice(end + HEADER_END.length)];
	const header = end === -1 ? null : Buffer.from(body.slice(start, end + HEADER_END.length));
	const pieces: Piece[] = [];
	let fixedLength = 0;
	let nonceCount = 0;
	for (const part of parts) {
		if (part === HEADER) {
			pieces.push(HEADER);
			continue;
		}
		const cuts = nonce ? part.split(nonce) : [part];
		cuts.forEach((cut, i) => {
			if (i > 0) {
				pieces.push(NONCE);
				nonceCount++;
			}
			const bytes = Buffer.from(cut);
			fixedLength += bytes.length;
			pieces.push(bytes);
		});
	}
	return { pieces, header, fixedLength, nonceCount };
}

/**
 * Stores a signed-out page and returns a response to send in its place (the body is consumed).
 * With `signedIn`, the page was rendered for that visitor: the copy kept has their site header
 * swapped for the signed-out one, and is kept only if the header found is exactly theirs, so
 * nothing of theirs can reach anyone else; the response keeps their header.
 */
export async function storePage(
	key: string,
	profileId: number,
	response: Response,
	now = Date.now(),
	signedIn?: { user: { handle: string; emailVerified: boolean }; renderHeader: RenderHeader }
): Promise<Response> {
	const rendered = await response.text();
	const headers: Record<string, string> = {};
	response.headers.forEach((value, name) => {
		if (!DROPPED_HEADERS.has(name)) headers[name] = value;
	});
	let body: string | undefined = rendered;
	if (signedIn) {
		const own = headerMarkup(signedIn.renderHeader(signedIn.user));
		const start = rendered.indexOf(HEADER_START);
		body =
			start !== -1 && rendered.startsWith(own, start)
				? rendered.slice(0, start) +
					headerMarkup(signedIn.renderHeader(null)) +
					rendered.slice(start + own.length)
				: undefined;
		// The signed-in answer is private to them; the signed-out copy is not.
		delete headers['cache-control'];
	}
	if (body !== undefined) {
		const nonce = /'nonce-([^']+)'/.exec(headers['content-security-policy'] ?? '')?.[1] ?? null;
		evictIfFull(entries);
		entries.set(key, { ...compile(body, nonce), headers, nonce, expires: now + TTL_MS, profileId });
	}
	// The visitor's own answer keeps its cookies (a refreshed session); a signed-out one never has any.
	const sent = signedIn ? new Headers(response.headers) : new Headers(headers);
	sent.set('x-proofwork-cache', 'miss');
	return new Response(rendered, { status: response.status, headers: sent });
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
	return {
		userId: event.locals.user?.id ?? null,
		address: clientAddress(event),
		userAgent: event.request.headers.get('user-agent'),
		accept: event.request.headers.get('accept'),
		fetchDest: event.request.headers.get('sec-fetch-dest')
	};
}

let state: { db: Executor; renderHeader: RenderHeader } | null = null;

/** The visitor's site header, rendered once and kept while they browse. */
function headerFor(user: HeaderUser): Buffer {
	const key = `${user.emailVerified ? 'v' : 'u'}${user.handle}`;
	let header = headersByUser.get(key);
	if (!header) {
		header = Buffer.from(headerMarkup(state!.renderHeader(user)));
		evictIfFull(headersByUser, MAX_ENTRIES);
		headersByUser.set(key, header);
	}
	return header;
}

/**
 * The cached page with the site header rendered for a signed-in visitor: on a profile page (which
 * ships no JavaScript) that header is the only part that depends on who is looking. Never for the
 * profile's owner, who gets a fresh page with their own controls.
 */
export function getPersonalisedPage(
	key: string,
	user: HeaderUser & { id: number },
	now = Date.now()
): (CachedPage & { profileId: number }) | undefined {
	if (!state) return undefined;
	const entry = liveEntry(key, now);
	if (!entry || entry.header === null || entry.profileId === user.id) return undefined;
	const hit = peekPage(key, now, headerFor(user))!;
	hit.headers['cache-control'] = 'private, no-store';
	return hit;
}

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
	const user = session?.user ?? null;
	const hit = user ? getPersonalisedPage(key, user) : peekPage(key);
	if (!hit) return undefined;
	countView(state.db, hit.profileId, { ...request, userId: user?.id ?? null });
	return { body: hit.body, headers: hit.headers };
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
	const user = event.locals.user;
	const cacheable = event.url.search === '' && !event.isDataRequest;
	const visitor = visitorOf(event);
	if (cacheable) {
		const cached = user ? getPersonalisedPage(key, user) : getCachedPage(key, visitor);
		if (cached instanceof Response) return cached;
		if (cached) {
			if (state) countView(state.db, cached.profileId, visitor);
			return new Response(asBody(cached.body), { status: 200, headers: cached.headers });
		}
	}
	const response = await resolve(event);
	const profileId = event.locals.profileId;
	if (response.status !== 200 || !profileId) return response;
	if (state) countView(state.db, profileId, visitor);
	if (!cacheable || !state) return response;
	// The owner's page carries their own controls; anyone else's render is the page everyone gets.
	if (user && user.id === profileId) return response;
	return storePage(
		key,
		profileId,
		response,
		Date.now(),
		user
			? {
					user: { handle: user.handle, emailVerified: user.emailVerified },
					renderHeader: state.renderHeader
				}
			: undefined
	);
};
