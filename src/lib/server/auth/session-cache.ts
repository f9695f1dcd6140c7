import type { SessionValidationResult } from '#lib/server/auth/session.js';

// Validated sessions are remembered for a few seconds so that a signed-in page view costs no
// database round trip. Any form post in this process (log out, password change, ...) empties it
// after it commits; a session ended on another app server stays usable here for at most TTL_MS.
export const SESSION_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

const entries = new Map<string, { result: SessionValidationResult; until: number }>();

export function getCachedSession(
	token: string,
	now = Date.now()
): SessionValidationResult | undefined {
	const entry = entries.get(token);
	if (!entry) return undefined;
	if (entry.until <= now) {
		entries.delete(token);
		return undefined;
	}
	return entry.result;
}

export function cacheSession(
	token: string,
	result: SessionValidationResult,
	now = Date.now()
): void {
	if (!result.session) return;
	if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
	const until = Math.min(now + SESSION_CACHE_TTL_MS, result.session.expiresAt.getTime());
	entries.set(token, {
		result: { ...result, session: { ...result.session, refreshed: false } },
		until
	});
}

export function invalidateSessionCache(): void {
	entries.clear();
}
