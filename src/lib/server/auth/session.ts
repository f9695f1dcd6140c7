import { constantTimeEqual } from '@oslojs/crypto/subtle';
import type { Executor } from '#lib/server/db/connect.js';
import { generateSecureRandomString, hashSecret } from '#lib/server/auth/random.js';

// After the Lucia guide: the cookie carries "<id>.<secret>"; only SHA-256 of the secret is stored.
export const SESSION_COOKIE = 'pw_session';
export const IDLE_TIMEOUT_MS = 10 * 24 * 60 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 30 * 24 * 60 * 60 * 1000;
export const REFRESH_INTERVAL_MS = 60 * 60 * 1000;

export interface SessionUser {
	id: number;
	handle: string;
	email: string;
	emailVerified: boolean;
	isAdmin: boolean;
}

export interface ValidSession {
	id: string;
	userId: number;
	expiresAt: Date;
	/** True when this validation extended the expiry, so the cookie must be sent again. */
	refreshed: boolean;
}

export type SessionValidationResult =
	{ session: ValidSession; user: SessionUser } | { session: null; user: null };

function expiryFrom(now: Date, createdAt: Date): Date {
	return new Date(
		Math.min(now.getTime() + IDLE_TIMEOUT_MS, createdAt.getTime() + ABSOLUTE_TIMEOUT_MS)
	);
}

export async function createSession(
	db: Executor,
	userId: number,
	now = new Date()
): Promise<{ token: string; expiresAt: Date }> {
	const id = generateSecureRandomString();
	const secret = generateSecureRandomString();
	const expiresAt = expiryFrom(now, now);
	await db
		.insertInto('sessions')
		.values({
			id,
			user_id: userId,
			secret_hash: hashSecret(secret),
			created_at: now,
			refreshed_at: now,
			expires_at: expiresAt
		})
		.execute();
	return { token: `${id}.${secret}`, expiresAt };
}

export async function validateSessionToken(
	db: Executor,
	token: string,
	now = new Date()
): Promise<SessionValidationResult> {
	const none = { session: null, user: null } as const;
	const [id, secret, ...rest] = token.split('.');
	if (!id || !secret || rest.length > 0 || id.length > 64 || secret.length > 64) return none;

	const row = await db
		.selectFrom('sessions')
		.innerJoin('users', 'users.id', 'sessions.user_id')
		.select([
			'sessions.id',
			'sessions.user_id',
			'sessions.secret_hash',
			'sessions.created_at',
			'sessions.refreshed_at',
			'sessions.expires_at',
			'users.handle',
			'users.email',
			'users.email_verified_at',
			'users.role'
		])
		.where('sessions.id', '=', id)
		// A suspended (or not yet approved) account's sessions stop working at once.
		.where('users.status', '=', 'active')
		.executeTakeFirst();
	if (!row) return none;
	if (!constantTimeEqual(new Uint8Array(row.secret_hash), hashSecret(secret))) return none;
	if (now.getTime() >= row.expires_at.getTime()) {
		await db.deleteFrom('sessions').where('id', '=', id).execute();
		return none;
	}

	let expiresAt = row.expires_at;
	let refreshed = false;
	if (now.getTime() - row.refreshed_at.getTime() >= REFRESH_INTERVAL_MS) {
		expiresAt = expiryFrom(now, row.created_at);
		refreshed = true;
		await db
			.updateTable('sessions')
			.set({ refreshed_at: now, expires_at: expiresAt })
			.where('id', '=', id)
			.execute();
	}
	return {
		session: { id: row.id, userId: row.user_id, expiresAt, refreshed },
		user: {
			id: row.user_id,
			handle: row.handle,
			email: row.email,
			emailVerified: row.email_verified_at !== null,
			isAdmin: row.role === 'admin'
		}
	};
}

export async function invalidateSession(db: Executor, sessionId: string): Promise<void> {
	await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

/** Ends every session of the user, or every one but `keepSessionId`. */
export async function invalidateUserSessions(
	db: Executor,
	userId: number,
	keepSessionId?: string
): Promise<void> {
	let query = db.deleteFrom('sessions').where('user_id', '=', userId);
	if (keepSessionId) query = query.where('id', '!=', keepSessionId);
	await query.execute();
}
