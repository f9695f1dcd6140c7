import type { Db, Executor } from '#lib/server/db/connect.js';
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
import { getInstanceSettings } from '#lib/server/instance.js';
import { isInviteUsable, redeemInvite } from '#lib/server/admin/registration.js';

// Creating an account.

export interface SignupInput {
	email: string;
	handle: string;
	password: string;
	ip: string;
	origin: string;
	/** An invite code from an invite link, when the person came by one. */
	invite?: string;
	/** Their answer to "why are you joining?" (asked while sign-ups need approval). */
	joinReason?: string;
	now?: Date;
}

export type SignupValue =
	| { user: User; pending: false; token: string; expiresAt: Date }
	| { user: User; pending: true; token: null; expiresAt: null };

const INVITE_REFUSED =
	'This invite link was revoked, has expired or is used up. Ask for a new one.';

class InviteRefused extends Error {}

/**
 * Creates the account and its first session, and mails a link to verify the address. The
 * instance's registration mode decides who may: anyone (open), anyone who says why, waiting for
 * an admin (approval), or nobody (closed); a valid invite lets its holder in at once in every mode.
 */
export async function signUp(db: Db, input: SignupInput): Promise<AccountResult<SignupValue>> {
	const now = input.now ?? new Date();
	const invite = input.invite?.trim() ?? '';
	const { registration } = await getInstanceSettings(db);
	if (invite) {
		if (!(await isInviteUsable(db, invite, now)))
			return { ok: false, status: 400, errors: { invite: INVITE_REFUSED } };
	} else if (registration === 'closed') {
		return {
			ok: false,
			status: 400,
			errors: { form: 'Sign-ups are closed on this instance. You need an invite link to join.' }
		};
	}
	const pending = !invite && registration === 'approval';
	const joinReason = input.joinReason?.trim() ?? '';
	if (pending && !joinReason)
		return {
			ok: false,
			status: 400,
			errors: { joinReason: 'Tell the administrators why you are joining.' }
		};
	if (joinReason.length > 1000)
		return { ok: false, status: 400, errors: { joinReason: 'Use at most 1,000 characters.' } };
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
					status: pending ? 'pending' : 'active',
					join_reason: pending ? joinReason : null,
					invite_id: invite ? await takeInvite(trx, invite, now) : null,
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
			await startEmailVerification(trx, user, input.origin, now);
			if (pending) return { user, pending, token: null, expiresAt: null };
			const session = await createSession(trx, user.id, now);
			return { user, pending, ...session };
		});
		logger.info({ userId: result.user.id, pending }, 'account created');
		return { ok: true, value: result };
	} catch (error) {
		// The invite's last use went to someone else between the check and the transaction.
		if (error instanceof InviteRefused)
			return { ok: false, status: 400, errors: { invite: INVITE_REFUSED } };
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

async function takeInvite(trx: Executor, code: string, now: Date): Promise<number> {
	const id = await redeemInvite(trx, code, now);
	if (id === undefined) throw new InviteRefused();
	return id;
}
