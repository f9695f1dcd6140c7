import type { Db } from '#lib/server/db/connect.js';
import type { User } from '#lib/server/db/schema.js';
import { verifyPasswordHash } from '#lib/server/auth/password.js';
import * as rateLimit from '#lib/server/platform/rate-limit.js';
import { createSession } from '#lib/server/auth/session.js';
import { isKnownDevice, rememberDevice } from '#lib/server/auth/devices.js';
import {
	type AccountResult,
	DUMMY_HASH,
	findUserByEmail,
	findUserByHandle
} from '#lib/server/accounts/users.js';

// Logging in: limits per address, per account and address, and per account, before any hash.

export interface LoginInput {
	identifier: string;
	password: string;
	ip: string;
	/** The browser's device cookie, when it has one (see auth/devices.ts). */
	deviceToken?: string | null;
	now?: Date;
}

export const loginKeys = (account: string | number, ip: string) => ({
	global: `login:account:${account}`,
	fromIp: `login:account:${account}:ip:${ip}`
});

/**
 * Checks the password and opens a session. Attempts are throttled before any hash is computed:
 * per IP, per account and IP (5, one back a minute), and per account from anywhere (100, refilled
 * over an hour). A browser that logged in to the account before skips the last limit, so
 * strangers cannot lock its owner out by failing on purpose.
 */
export async function logIn(
	db: Db,
	input: LoginInput
): Promise<AccountResult<{ user: User; token: string; expiresAt: Date; deviceToken: string }>> {
	const now = input.now ?? new Date();
	const throttled = {
		ok: false,
		status: 429,
		errors: { form: 'Too many attempts. Wait a minute and try again, or reset your password.' }
	} as const;
	if (!(await rateLimit.consume(db, `login:ip:${input.ip}`, rateLimit.LOGIN_PER_IP, now)))
		return throttled;

	const identifier = input.identifier.trim();
	const user = identifier.includes('@')
		? await findUserByEmail(db, identifier)
		: await findUserByHandle(db, identifier);
	const keys = loginKeys(user ? user.id : identifier.toLowerCase(), input.ip);
	if (!(await rateLimit.consume(db, keys.fromIp, rateLimit.LOGIN_PER_ACCOUNT_AND_IP, now)))
		return throttled;
	const known = user ? await isKnownDevice(db, user.id, input.deviceToken) : false;
	if (!known && !(await rateLimit.consume(db, keys.global, rateLimit.LOGIN_PER_ACCOUNT, now)))
		return throttled;

	const valid = await verifyPasswordHash(user?.password_hash ?? (await DUMMY_HASH), input.password);
	if (!user || !valid) {
		return {
			ok: false,
			status: 400,
			errors: { form: 'That email or handle and password do not match an account.' }
		};
	}
	// Told only to someone who knows the password, so it reveals nothing to a stranger.
	if (user.status === 'suspended')
		return {
			ok: false,
			status: 400,
			errors: { form: 'This account is suspended. Contact the instance administrators.' }
		};
	if (user.status === 'pending')
		return {
			ok: false,
			status: 400,
			errors: {
				form: 'Your request to join is waiting for an administrator. We will mail you once it is approved.'
			}
		};
	// Only this address's bucket: the account-wide one refills by itself, so a log-in by its owner
	// never hands an attacker a fresh hundred attempts.
	await rateLimit.reset(db, keys.fromIp);
	const session = await createSession(db, user.id, now);
	const deviceToken = await rememberDevice(db, user.id, input.deviceToken, now);
	return { ok: true, value: { user, ...session, deviceToken } };
}
