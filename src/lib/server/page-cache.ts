import { randomBytes } from 'node:crypto';

// Rendered /@handle pages for signed-out visitors, kept for a few seconds. A profile write in this
// process empties the cache at once; other app servers serve at most TTL_MS-old pages. Every hit
// gets a fresh CSP nonce, so no two responses share one.
export const TTL_MS = 10_000;
const MAX_ENTRIES = 2_000;

interface Entry {
	body: string;
	headers: [string, string][];
	nonce: string | null;
	expires: number;
}

const entries = new Map<string, Entry>();

export function invalidateProfilePages(): void {
	entries.clear();
}

export function getCachedPage(key: string, now = Date.now()): Response | undefined {
	const entry = entries.get(key);
	if (!entry) return undefined;
	if (entry.expires <= now) {
		entries.delete(key);
		return undefined;
	}
	const headers = new Headers(entry.headers);
	let body = entry.body;
	if (entry.nonce) {
		const fresh = randomBytes(16).toString('base64');
		body = body.replaceAll(entry.nonce, fresh);
		const csp = headers.get('content-security-policy');
		if (csp) headers.set('content-security-policy', csp.replaceAll(entry.nonce, fresh));
	}
	headers.set('x-proofwork-cache', 'hit');
	return new Response(body, { status: 200, headers });
}

/** Stores a rendered page and returns a response to send in its place (the body is consumed). */
export async function storePage(
	key: string,
	response: Response,
	now = Date.now()
): Promise<Response> {
	const body = await response.text();
	const headers = [...response.headers.entries()].filter(
		([name]) => name !== 'set-cookie' && name !== 'etag' && name !== 'x-proofwork-cache'
	);
	const csp = response.headers.get('content-security-policy') ?? '';
	const nonce = /'nonce-([^']+)'/.exec(csp)?.[1] ?? null;
	if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
	entries.set(key, { body, headers, nonce, expires: now + TTL_MS });
	const fresh = new Headers(response.headers);
	fresh.set('x-proofwork-cache', 'miss');
	return new Response(body, { status: response.status, headers: fresh });
}
