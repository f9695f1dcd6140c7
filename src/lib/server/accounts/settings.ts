import type { Db } from '#lib/server/db/connect.js';
import type { User } from '#lib/server/db/schema.js';
import { isUniqueViolation } from '#lib/server/db/errors.js';
import { hashPassword, verifyPasswordHash } from '#lib/server/auth/password.js';
import * as rateLimit from '#lib/server/platform/rate-limit.js';
import { invalidateUserSessions } from '#lib/server/auth/session.js';
import { sendMail } from '#lib/server/platform/mail.js';
import { logger } from '#lib/server/platform/log.js';
import { type AccountResult, findUserByEmail, findUserById } from '#lib/server/accounts/users.js';
import { startEmailVerification } from '#lib/server/accounts/tokens.js';

// Changing one's password or email address.

export async function checkCurrentPassword(
	db: Db,
	userId: number,
	password: string,
	now: Date
): Promise<AccountResult<User>> {
	const key = `confirm:account:${userId}`;
	if (!(await rateLimit.consume(db, key, rateLimit.CONFIRM_PER_ACCOUNT, now))) {
		return {
			ok: false,
			status: 429,
			errors: { currentPassword: 'Too many attempts. Wait a minute and try again.' }
		};
	}
	const user = await findUserById(db, userId);
	if (!user || !(await verifyPasswordHash(user.password_hash, password))) {
		return {
			ok: false,
			status: 400,
			errors: { currentPassword: 'That is not your current password.' }
		};
	}
	await rateLimit.reset(db, key);
	return { ok: true, value: user };
}

/** Changes the password and ends every other session of the account. */
export async function changePassword(
	db: Db,
	input: {
		userId: number;
		sessionId: string;
		currentPassword: string;
		newPassword: string;
		now?: Date;
	}
): Promise<AccountResult<null>> {
	const now = input.now ?? new Date();
	const checked = await checkCurrentPassword(db, input.userId, input.currentPassword, now);
	if (!checked.ok) return checked;
	const passwordHash = await hashPassword(input.newPassword);
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('users')
			.set({ password_hash: passwordHash, updated_at: now })
			.where('id', '=', input.userId)
			.execute();
		await trx.deleteFrom('password_reset_tokens').where('user_id', '=', input.userId).execute();
		await invalidateUserSessions(trx, input.userId, input.sessionId);
	});
	logger.info({ userId: input.userId }, 'password changed; other sessions ended');
	return { ok: true, value: null };
}

/** Hides most of an address in a notice, so a stolen mailbox does not learn the new one whole. */
function maskAddress(email: string): string {
	const [local, domain] = email.split('@');
	return `${local.slice(0, 1)}${'*'.repeat(Math.max(local.length - 1, 2))}@${domain}`;
}

/**
 * Moves the account to a new address, which starts unverified and gets a verification mail. The
 * old address is told what changed and when; every other session of the account ends.
 */
export async function changeEmail(
	db: Db,
	input: {
		userId: number;
		sessionId: string;
		email: string;
		currentPassword: string;
		origin: string;
		now?: Date;
	}
): Promise<AccountResult<null>> {
	const now = input.now ?? new Date();
	const checked = await checkCurrentPassword(db, input.userId, input.currentPassword, now);
	if (!checked.ok) return checked;
	const user = checked.value;
	if (user.email.toLowerCase() === input.email.toLowerCase()) {
		return { ok: false, status: 400, errors: { email: 'This is already your email address.' } };
	}
	const unusable = {
		ok: false,
		status: 400,
		errors: { email: 'This email cannot be used. Choose another.' }
	} as const;
	if (await findUserByEmail(db, input.email)) return unusable;
	try {
		await db.transaction().execute(async (trx) => {
			const updated = await trx
				.updateTable('users')
				.set({ email: input.email, email_verified_at: null, updated_at: now })
				.where('id', '=', input.userId)
				.returningAll()
				.executeTakeFirstOrThrow();
			await trx.deleteFrom('password_reset_tokens').where('user_id', '=', input.userId).execute();
			await invalidateUserSessions(trx, input.userId, input.sessionId);
			await startEmailVerification(trx, updated, input.origin, now);
			await sendMail(trx, {
				to: user.email,
				userId: user.id,
				subject: 'The email address of your Proofwork account was changed',
				text: [
					`Hello @${user.handle},`,
					'',
					`On ${now.toUTCString()} the email address of your Proofwork account was changed from this address to ${maskAddress(input.email)}.`,
					'Every other device signed in to the account was signed out.',
					'',
					'If this was you, there is nothing to do.',
					`If it was not you, someone knows your password: reset it at ${input.origin}/reset-password with this address while you can, or answer this mail to reach the site's administrator.`
				].join('\n')
			});
		});
	} catch (error) {
		if (isUniqueViolation(error, 'users_email_lower_key')) return unusable;
		throw error;
	}
	logger.info(
		{ userId: input.userId },
		'email changed; old address notified, other sessions ended'
	);
	return { ok: true, value: null };
}
