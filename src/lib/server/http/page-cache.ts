import { randomBytes } from 'node:crypto';

// Rendered /@handle pages for signed-out visitors, kept for a few seconds. Any form post empties the
// cache once it has committed (hooks.server.ts); other app servers serve pages at most TTL_MS old.
// Every hit gets a fresh CSP nonce, so no two responses share one.
export const TTL_MS = 10_000;
const MAX_ENTRIES = 2_000;
const DROPPED_HEADERS = new Set([
	'set-cookie',
	'etag',
	'x-proofwork-cache',
	'x-proofwork-profile-id'
]);

interface Entry {
	body: string;
	headers: Record<string, string>;
	nonce: string | null;
	expires: number;
	profileId: number;
}

interface Hit {
	headers: Record<string, string>;
	body: string;
}

const entries = new Map<string, Entry>();
const data = new Map<string, { value: unknown; expires: number }>();
let onHit: ((profileId: number, userAgent: string | null) => void) | null = null;

export function invalidateProfilePages(): void {
	entries.clear();
	data.clear();
}

/** Called for every page served from the cache, e.g. to count the view. */
export function setHitListener(
	listener: (profileId: number, userAgent: string | null) => void
): void {
	onHit = listener;
}

function evictIfFull(map: Map<string, unknown>): void {
	if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
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

/** A cached page with a fresh nonce, without counting a view (the caller decides). */
export function peekPage(key: string, now = Date.now()): (Hit & { profileId: number }) | undefined {
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

/** A cached page for a signed-out visitor; counts the view. */
export function servePage(
	key: string,
	userAgent: string | null,
	now = Date.now()
): Hit | undefined {
	const hit = peekPage(key, now);
	if (hit) onHit?.(hit.profileId, userAgent);
	return hit;
}

export function getCachedPage(
	key: string,
	userAgent: string | null,
	now = Date.now()
): Response | undefined {
	const hit = servePage(key, userAgent, now);
	return hit && new Response(hit.body, { status: 200, headers: hit.headers });
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
