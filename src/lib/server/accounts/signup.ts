import type { Db } from '#lib/server/db/connect.js';
import type { User } from '#lib/server/db/schema.js';
import { isUniqueViolation } from '#lib/server/db/errors.js';
import { hashPassword } from '#lib/server/auth/password.js';
import * as rateLimit from '#lib/server/platform/rate-limit.js';
import { createSession } from '#lib/server/auth/session.js';
import { signupNetworkOf } from '#lib/server/trust/signup-network.js';
import { refreshSearchDocuments } from '#lib/server/search/projection.js';
import { logger } from '#lib/server/platform/log.js';
import type { FieldErrors } from '#lib/server/platform/forms.js';
import { type AccountResult, findUserByEmail, isHandleTaken } from '#lib/server/accounts/users.js';
import { startEmailVerification } from '#lib/server/accounts/tokens.js';

// Creating an account.

export interface SignupInput {
	email: string;
	handle: string;
	password: string;
	ip: string;
	origin: string;
	now?: Date;
}

/** Creates the account and its first session, and mails a link to verify the address. */
export async function signUp(
	db: Db,
	input: SignupInput
): Promise<AccountResult<{ user: User; token: string; expiresAt: Date }>> {
	const now = input.now ?? new Date();
	if (!(await rateLimit.consume(db, `signup:ip:${input.ip}`, rateLimit.SIGNUP_PER_IP, now))) {
		return {
			ok: false,
			status: 429,
			errors: { form: 'Too many sign-ups from your network. Try again in a few minutes.' }
		};
	}
	const errors: FieldErrors = {};
	if (await isHandleTaken(db, input.handle, { now }))
		errors.handle = 'This handle is taken. Choose another.';
	if (await findUserByEmail(db, input.email))
		errors.email =
			'This email cannot be used for a new account. If it is yours, log in or reset your password.';
	if (Object.keys(errors).length) return { ok: false, status: 400, errors };

	const passwordHash = await hashPassword(input.password);
	try {
		const result = await db.transaction().execute(async (trx) => {
			const user = await trx
				.insertInto('users')
				.values({
					email: input.email,
					handle: input.handle,
					password_hash: passwordHash,
					signup_network: await signupNetworkOf(trx, input.ip),
					created_at: now,
					updated_at: now
				})
				.returningAll()
				.executeTakeFirstOrThrow();
			// A handle given up more than 90 days ago is theirs now: it no longer redirects to, or
			// proves anything for, the account that held it before.
			await trx
				.deleteFrom('handle_history')
				.where('handle', '=', user.handle.toLowerCase())
				.execute();
			// The profile exists from sign-up on, showing the handle until a name is set.
			await trx
				.insertInto('profiles')
				.values({ user_id: user.id, created_at: now, updated_at: now })
				.execute();
			await refreshSearchDocuments(trx, [user.id]);
			const session = await createSession(trx, user.id, now);
			await startEmailVerification(trx, user, input.origin, now);
			return { user, ...session };
		});
		logger.info({ userId: result.user.id }, 'account created');
		return { ok: true, value: result };
	} catch (error) {
		// Two sign-ups racing for the same handle or address: the unique index decides.
		if (isUniqueViolation(error, 'users_handle_lower_key'))
			return {
				ok: false,
				status: 400,
				errors: { handle: 'This handle is taken. Choose another.' }
			};
		if (isUniqueViolation(error, 'users_email_lower_key'))
			return {
				ok: false,
				status: 400,
				errors: {
					email:
						'This email cannot be used for a new account. If it is yours, log in or reset your password.'
				}
			};
		throw error;
	}
}
