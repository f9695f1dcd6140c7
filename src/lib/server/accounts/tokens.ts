import type { Db, Executor } from '#lib/server/db/connect.js';
import type { User } from '#lib/server/db/schema.js';
import { hashPassword } from '#lib/server/auth/password.js';
import { generateSecureRandomString, hashToken } from '#lib/server/auth/random.js';
import * as rateLimit from '#lib/server/platform/rate-limit.js';
import { createSession, invalidateUserSessions } from '#lib/server/auth/session.js';
import { sendMail } from '#lib/server/platform/mail.js';
import { loginKeys } from '#lib/server/accounts/login.js';
import {
	type AccountResult,
	EMAIL_VERIFICATION_TTL_MS,
	PASSWORD_RESET_TTL_MS,
	findUserByEmail
} from '#lib/server/accounts/users.js';

// Links mailed to people: email verification and password resets.

export async function issueToken(
	db: Executor,
	table: 'email_verification_tokens' | 'password_reset_tokens',
	user: Pick<User, 'id'>,
	email: string,
	ttlMs: number,
	now: Date
): Promise<string> {
	const token = generateSecureRandomString();
	await db.deleteFrom(table).where('user_id', '=', user.id).execute();
	await db
		.insertInto(table)
		.values({
			user_id: user.id,
			email,
			token_hash: hashToken(token),
			expires_at: new Date(now.getTime() + ttlMs),
			created_at: now
		})
		.execute();
	return token;
}

/** Takes a token out of its table: a token works once, and only before it expires. */
export async function redeemToken(
	db: Executor,
	table: 'email_verification_tokens' | 'password_reset_tokens',
	token: string,
	now: Date
) {
	if (!/^[a-z2-7]{16,64}$/.test(token)) return undefined;
	const row = await db
		.deleteFrom(table)
		.where('token_hash', '=', hashToken(token))
		.returning(['user_id', 'email', 'expires_at'])
		.executeTakeFirst();
	if (!row || row.expires_at.getTime() <= now.getTime()) return undefined;
	return row;
}

export async function startEmailVerification(
	db: Executor,
	user: Pick<User, 'id' | 'email' | 'handle'>,
	origin: string,
	now = new Date()
): Promise<void> {
	const token = await issueToken(
		db,
		'email_verification_tokens',
		user,
		user.email,
		EMAIL_VERIFICATION_TTL_MS,
		now
	);
	await sendMail(db, {
		to: user.email,
		userId: user.id,
		subject: 'Verify your email address for Proofwork',
		text: [
			`Hello @${user.handle},`,
			'',
			'Confirm that this address is yours by opening this link:',
			`${origin}/verify-email/${token}`,
			'',
			'The link works once and expires in 48 hours. If you did not sign up for Proofwork, ignore this mail.'
		].join('\n')
	});
}

/** Marks the address verified when the token is valid and the account still uses that address. */
export async function verifyEmail(
	db: Db,
	token: string,
	now = new Date()
): Promise<User | undefined> {
	return db.transaction().execute(async (trx) => {
		const row = await redeemToken(trx, 'email_verification_tokens', token, now);
		if (!row) return undefined;
		return trx
			.updateTable('users')
			.set({ email_verified_at: now, updated_at: now })
			.where('id', '=', row.user_id)
			.where((eb) => eb(eb.fn('lower', ['email']), '=', row.email.toLowerCase()))
			.returningAll()
			.executeTakeFirst();
	});
}

/** Mails a reset link when an account uses the address; says nothing either way to the caller. */
export async function requestPasswordReset(
	db: Db,
	input: { email: string; ip: string; origin: string; now?: Date }
): Promise<AccountResult<null>> {
	const now = input.now ?? new Date();
	if (!(await rateLimit.consume(db, `mail:ip:${input.ip}`, rateLimit.MAIL_PER_IP, now))) {
		return {
			ok: false,
			status: 429,
			errors: { form: 'Too many requests. Try again in a few minutes.' }
		};
	}
	const user = await findUserByEmail(db, input.email);
	if (!user) return { ok: true, value: null };
	await db.transaction().execute(async (trx) => {
		const token = await issueToken(
			trx,
			'password_reset_tokens',
			user,
			user.email,
			PASSWORD_RESET_TTL_MS,
			now
		);
		await sendMail(trx, {
			to: user.email,
			userId: user.id,
			subject: 'Reset your Proofwork password',
			text: [
				`Hello @${user.handle},`,
				'',
				'Someone asked to reset the password of your Proofwork account. To choose a new one, open:',
				`${input.origin}/reset-password/${token}`,
				'',
				'The link works once and expires in 1 hour. If it was not you, ignore this mail; your password stays as it is.'
			].join('\n')
		});
	});
	return { ok: true, value: null };
}

export async function isPasswordResetTokenValid(
	db: Executor,
	token: string,
	now = new Date()
): Promise<boolean> {
	if (!/^[a-z2-7]{16,64}$/.test(token)) return false;
	const row = await db
		.selectFrom('password_reset_tokens')
		.select('expires_at')
		.where('token_hash', '=', hashToken(token))
		.executeTakeFirst();
	return !!row && row.expires_at.getTime() > now.getTime();
}

const RESET_EXPIRED = 'This reset link has expired or was already used. Ask for a new one.';

/**
 * Sets a new password from a reset link, ends every session and opens a fresh one. Posts are
 * throttled per IP, and the link is checked before the password is hashed: only a live link
 * costs an argon2 hash.
 */
export async function resetPassword(
	db: Db,
	input: { token: string; newPassword: string; ip: string; now?: Date }
): Promise<AccountResult<{ user: User; token: string; expiresAt: Date }>> {
	const now = input.now ?? new Date();
	if (!(await rateLimit.consume(db, `reset:ip:${input.ip}`, rateLimit.RESET_PER_IP, now))) {
		return {
			ok: false,
			status: 429,
			errors: { form: 'Too many attempts. Wait a few minutes and try again.' }
		};
	}
	const expired = { ok: false, status: 400, errors: { form: RESET_EXPIRED } } as const;
	if (!(await isPasswordResetTokenValid(db, input.token, now))) return expired;
	const passwordHash = await hashPassword(input.newPassword);
	const result = await db.transaction().execute(async (trx) => {
		const row = await redeemToken(trx, 'password_reset_tokens', input.token, now);
		if (!row) return undefined;
		const user = await trx
			.updateTable('users')
			// The mail reached the person, which proves the address too.
			.set({ password_hash: passwordHash, email_verified_at: now, updated_at: now })
			.where('id', '=', row.user_id)
			.where((eb) => eb(eb.fn('lower', ['email']), '=', row.email.toLowerCase()))
			.returningAll()
			.executeTakeFirst();
		if (!user) return undefined;
		await invalidateUserSessions(trx, user.id);
		// Proving the address lifts the account-wide log-in limit at once.
		await rateLimit.reset(trx, loginKeys(user.id, '').global);
		const session = await createSession(trx, user.id, now);
		return { user, ...session };
	});
	return result ? { ok: true, value: result } : expired;
}
