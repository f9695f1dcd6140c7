import type { Executor } from '#lib/server/db/connect.js';
import type { User } from '#lib/server/db/schema.js';
import { hashPassword } from '#lib/server/auth/password.js';
import type { FieldErrors } from '#lib/server/platform/forms.js';

// Looking accounts up, and whether a handle is free.

export const EMAIL_VERIFICATION_TTL_MS = 48 * 60 * 60 * 1000;
export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;

// Compared against when no account matches, so an unknown login costs the same as a wrong password.
export const DUMMY_HASH = hashPassword('proofwork-dummy-password-for-timing');

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
