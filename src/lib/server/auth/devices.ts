import type { Executor } from '#lib/server/db/connect.js';
import { generateSecureRandomString, hashToken } from '#lib/server/auth/random.js';

/**
 * Browsers that have logged in to an account before. The cookie holds a random value; the
 * database keeps its hash per account, so one browser can be known to several accounts.
 */
export async function isKnownDevice(
	db: Executor,
	userId: number,
	deviceToken: string | null | undefined
): Promise<boolean> {
	if (!deviceToken || !/^[a-z2-7]{32}$/.test(deviceToken)) return false;
	const row = await db
		.selectFrom('known_devices')
		.select('user_id')
		.where('user_id', '=', userId)
		.where('token_hash', '=', hashToken(deviceToken))
		.executeTakeFirst();
	return row !== undefined;
}

/** Remembers this browser for the account; returns the value its cookie must hold. */
export async function rememberDevice(
	db: Executor,
	userId: number,
	deviceToken: string | null | undefined,
	now = new Date()
): Promise<string> {
	const token =
		deviceToken && /^[a-z2-7]{32}$/.test(deviceToken) ? deviceToken : generateSecureRandomString();
	await db
		.insertInto('known_devices')
		.values({ user_id: userId, token_hash: hashToken(token), created_at: now, last_used_at: now })
		.onConflict((oc) => oc.columns(['user_id', 'token_hash']).doUpdateSet({ last_used_at: now }))
		.execute();
	return token;
}
