import type { Executor } from '#lib/server/db/connect.js';
import { consume, SEARCH_PER_IP } from '#lib/server/platform/rate-limit.js';

// Searches per client address, counted in the database so that every app server shares them.

/** Takes one search from the address's allowance; when none is left, says how soon to retry. */
export async function allowSearch(
	db: Executor,
	address: string,
	now = new Date()
): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
	if (await consume(db, `search:ip:${address}`, SEARCH_PER_IP, now)) return { ok: true };
	return { ok: false, retryAfterSeconds: Math.ceil(1 / SEARCH_PER_IP.refillPerSecond) };
}
