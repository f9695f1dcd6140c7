import type { Db, Executor } from '#lib/server/db/connect.js';
import type { User } from '#lib/server/db/schema.js';
import { isUniqueViolation } from '#lib/server/db/errors.js';
import { hashPassword, verifyPasswordHash } from '#lib/server/auth/password.js';
import { generateSecureRandomString, hashToken } from '#lib/server/auth/random.js';
import * as rateLimit from '#lib/server/platform/rate-limit.js';
import { createSession, invalidateUserSessions } from '#lib/server/auth/session.js';
import { isKnownDevice, rememberDevice } from '#lib/server/auth/devices.js';
import { sendMail } from '#lib/server/platform/mail.js';
import { signupNetworkOf } from '#lib/server/trust/signup-network.js';
import { refreshSearchDocuments } from '#lib/server/search/projection.js';
import { logger } from '#lib/server/platform/log.js';
import type { FieldErrors } from '#lib/server/platform/forms.js';

export const EMAIL_VERIFICATION_TTL_MS = 48 * 60 * 60 * 1000;
export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;

// Compared against when no account matches, so an unknown login costs the same as a wrong password.
const DUMMY_HASH = hashPassword('proofwork-dummy-password-for-timing');

export type AccountResult<T> =
	{ ok: true; value: T } | { ok: false; status: 400 | 429; errors: FieldErrors };

export async function findUserByEmail(db: Executor, email: string): Promise<User | undefined> {
	return db
		.selectFrom('users')
		.selectAll()
		.where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
		.executeTakeFirst();
}

export async function findUserByHandle(db: Executor, handle: string): Promise<User | undefined> {
	return db
		.selectFrom('users')
		.selectAll()
		.where((eb) => eb(eb.fn('lower', ['handle']), '=', handle.toLowerCase()))
		.executeTakeFirst();
}

export async function findUserById(db: Executor, id: number): Promise<User | undefined> {
	return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export const HANDLE_HOLD_MS = 90 * 24 * 60 * 60 * 1000;

/**
 * A handle is taken when an account uses it, or when another account gave it up less than 90
 * days ago (its old links still redirect there).
 */
export async function isHandleTaken(
	db: Executor,
	handle: string,
	options: { exceptUserId?: number; now?: Date } = {}
): Promise<boolean> {
	const user = await findUserByHandle(db, handle);
	if (user && user.id !== options.exceptUserId) return true;
	const now = options.now ?? new Date();
	let held = db
		.selectFrom('handle_history')
		.select('user_id')
		.where('handle', '=', handle.toLowerCase())
		.where('released_at', '>', new Date(now.getTime() - HANDLE_HOLD_MS));
	// Rows of deleted accounts (user_id null) hold the handle for everyone.
	if (options.exceptUserId !== undefined) {
		const except = options.exceptUserId;
		held = held.where((eb) => eb.or([eb('user_id', 'is', null), eb('user_id', '!=', except)]));
	}
	return (await held.executeTakeFirst()) !== undefined;
}

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

export interface LoginInput {
	identifier: string;
	password: string;
	ip: string;
	/** The browser's device cookie, when it has one (see auth/devices.ts). */
	deviceToken?: string | null;
	now?: Date;
}

const loginKeys = (account: string | number, ip: string) => ({
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
	// Only this address's bucket: the account-wide one refills by itself, so a log-in by its owner
	// never hands an attacker a fresh hundred attempts.
	await rateLimit.reset(db, keys.fromIp);
	const session = await createSession(db, user.id, now);
	const deviceToken = await rememberDevice(db, user.id, input.deviceToken, now);
	return { ok: true, value: { user, ...session, deviceToken } };
}

async function issueToken(
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
async function redeemToken(
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

async function checkCurrentPassword(
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

/**
 * Deletes the account and everything it owns (sessions, tokens, devices, throttling state, mail
 * about it, skills nobody else uses), in one transaction. Its handles stay held for 90 days, as
 * renamed ones are, so nobody can step into its links or its network accounts' back-links at once.
 */
export async function deleteAccount(
	db: Db,
	input: { userId: number; currentPassword: string; now?: Date }
): Promise<AccountResult<null>> {
	const now = input.now ?? new Date();
	const checked = await checkCurrentPassword(db, input.userId, input.currentPassword, now);
	if (!checked.ok) return checked;
	const user = checked.value;
	await db.transaction().execute(async (trx) => {
		const skillIds = await skillsUsedBy(trx, user.id);
		await trx
			.insertInto('handle_history')
			.values({ handle: user.handle.toLowerCase(), user_id: null, released_at: now })
			.onConflict((oc) => oc.column('handle').doUpdateSet({ user_id: null, released_at: now }))
			.execute();
		// Its earlier handles keep their hold from when they were released, owned by nobody.
		await trx
			.updateTable('handle_history')
			.set({ user_id: null })
			.where('user_id', '=', user.id)
			.execute();
		// Rows that reference the user (sessions, tokens, devices, profile, network accounts and
		// their checks, mail about the account) go with it by cascade.
		await trx.deleteFrom('users').where('id', '=', user.id).execute();
		await trx
			.deleteFrom('rate_limit_buckets')
			.where((eb) =>
				eb.or([
					eb('key', '=', `login:account:${user.id}`),
					eb('key', 'like', `login:account:${user.id}:%`),
					eb('key', '=', `confirm:account:${user.id}`)
				])
			)
			.execute();
		// Mail written before mail carried its account (or to the address by someone else).
		await trx
			.deleteFrom('outbox')
			.where((eb) => eb(eb.fn('lower', ['to_address']), '=', user.email.toLowerCase()))
			.execute();
		await deleteUnusedSkills(trx, skillIds);
	});
	logger.info({ userId: user.id }, 'account deleted');
	return { ok: true, value: null };
}

async function skillsUsedBy(db: Executor, userId: number): Promise<number[]> {
	const rows = await db
		.selectFrom('profile_skills')
		.select('skill_id')
		.where('user_id', '=', userId)
		.union(
			db
				.selectFrom('work_item_skills')
				.innerJoin('work_items', 'work_items.id', 'work_item_skills.work_item_id')
				.select('work_item_skills.skill_id')
				.where('work_items.user_id', '=', userId)
		)
		.execute();
	return rows.map((row) => row.skill_id);
}

/** Skill names are shared; one that no profile, work item or endorsement uses any more goes. */
async function deleteUnusedSkills(db: Executor, skillIds: number[]): Promise<void> {
	if (skillIds.length === 0) return;
	await db
		.deleteFrom('skills')
		.where('id', 'in', skillIds)
		.where(({ not, exists, selectFrom }) =>
			not(
				exists(
					selectFrom('profile_skills')
						.select('skill_id')
						.whereRef('profile_skills.skill_id', '=', 'skills.id')
						.union(
							selectFrom('work_item_skills')
								.select('skill_id')
								.whereRef('work_item_skills.skill_id', '=', 'skills.id')
						)
						.union(
							selectFrom('endorsement_skills')
								.select('skill_id')
								.whereRef('endorsement_skills.skill_id', '=', 'skills.id')
						)
				)
			)
		)
		.execute();
}
