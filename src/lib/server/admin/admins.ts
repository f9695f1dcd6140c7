import type { Db } from '#lib/server/db/connect.js';
import { hashPassword } from '#lib/server/auth/password.js';
import { generateSecureRandomString } from '#lib/server/auth/random.js';
import { HANDLE_PATTERN, RESERVED_HANDLES } from '#lib/server/auth/validation.js';
import { invalidateUserSessions } from '#lib/server/auth/session.js';
import { findUserByEmail, isHandleTaken } from '#lib/server/accounts/users.js';
import { issueToken } from '#lib/server/accounts/tokens.js';
import { refreshSearchDocuments } from '#lib/server/search/projection.js';
import { recordAudit, type Actor } from '#lib/server/admin/audit.js';

// Who is an admin: only ever granted here (`npm run admin -- grant`), never by signing up.

/** How long the set-password link printed for a new admin account works. */
export const ADMIN_LINK_TTL_MS = 24 * 60 * 60 * 1000;

export type GrantResult =
	| { ok: true; outcome: 'created'; handle: string; link: string }
	| { ok: true; outcome: 'promoted' | 'already'; handle: string }
	| { ok: false; error: string };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Makes the account with this address an admin, or creates it (with a random password nobody
 * knows) and returns a one-time link to set one. Running it again changes nothing.
 */
export async function grantAdmin(
	db: Db,
	actor: Actor,
	input: { email: string; origin: string; now?: Date }
): Promise<GrantResult> {
	const now = input.now ?? new Date();
	const email = input.email.trim();
	if (!EMAIL.test(email) || email.length > 254)
		return { ok: false, error: 'Give the address as --email name@example.com.' };
	const existing = await findUserByEmail(db, email);
	if (existing?.role === 'admin') return { ok: true, outcome: 'already', handle: existing.handle };
	if (existing) {
		await db.transaction().execute(async (trx) => {
			await trx
				.updateTable('users')
				.set({ role: 'admin', updated_at: now })
				.where('id', '=', existing.id)
				.execute();
			await recordAudit(
				trx,
				actor,
				{
					action: 'admin.grant',
					targetKind: 'account',
					targetId: existing.id,
					targetLabel: existing.handle
				},
				now
			);
		});
		return { ok: true, outcome: 'promoted', handle: existing.handle };
	}
	const handle = await freeHandleFor(db, email, now);
	const passwordHash = await hashPassword(generateSecureRandomString());
	const token = await db.transaction().execute(async (trx) => {
		const user = await trx
			.insertInto('users')
			.values({
				email,
				handle,
				password_hash: passwordHash,
				role: 'admin',
				created_at: now,
				updated_at: now
			})
			.returningAll()
			.executeTakeFirstOrThrow();
		await trx
			.insertInto('profiles')
			.values({ user_id: user.id, created_at: now, updated_at: now })
			.execute();
		await refreshSearchDocuments(trx, [user.id]);
		await recordAudit(
			trx,
			actor,
			{
				action: 'admin.grant',
				targetKind: 'account',
				targetId: user.id,
				targetLabel: handle,
				metadata: { created: true }
			},
			now
		);
		// Setting the password through the link also proves the address.
		return issueToken(trx, 'password_reset_tokens', user, email, ADMIN_LINK_TTL_MS, now);
	});
	return { ok: true, outcome: 'created', handle, link: `${input.origin}/reset-password/${token}` };
}

export type RevokeResult = { ok: true; handle: string } | { ok: false; error: string };

/** Makes an admin a member again; the last admin stays, so the instance always has one. */
export async function revokeAdmin(
	db: Db,
	actor: Actor,
	input: { email: string; now?: Date }
): Promise<RevokeResult> {
	const now = input.now ?? new Date();
	return db.transaction().execute(async (trx): Promise<RevokeResult> => {
		// Locks every admin row, so two revokes at once cannot both see "another admin is left".
		const admins = await trx
			.selectFrom('users')
			.select(['id', 'email', 'handle'])
			.where('role', '=', 'admin')
			.forUpdate()
			.execute();
		const target = admins.find((a) => a.email.toLowerCase() === input.email.trim().toLowerCase());
		if (!target) return { ok: false, error: `${input.email} is not an admin.` };
		if (admins.length === 1)
			return { ok: false, error: `@${target.handle} is the last admin; grant another one first.` };
		await trx
			.updateTable('users')
			.set({ role: 'member', updated_at: now })
			.where('id', '=', target.id)
			.execute();
		// Admin pages opened in another tab stop working at once.
		await invalidateUserSessions(trx, target.id);
		await recordAudit(
			trx,
			actor,
			{
				action: 'admin.revoke',
				targetKind: 'account',
				targetId: target.id,
				targetLabel: target.handle
			},
			now
		);
		return { ok: true, handle: target.handle };
	});
}

/** A handle from the address's local part, with digits added until nobody has it. */
async function freeHandleFor(db: Db, email: string, now: Date): Promise<string> {
	let base = email
		.split('@')[0]
		.toLowerCase()
		.replace(/[^a-z0-9_]/g, '_')
		.slice(0, 24);
	if (base.length < 3 || RESERVED_HANDLES.has(base)) base = `admin_${base}`.slice(0, 24);
	for (let n = 0; ; n++) {
		const candidate = n === 0 ? base : `${base}_${n}`;
		if (
			HANDLE_PATTERN.test(candidate) &&
			!RESERVED_HANDLES.has(candidate) &&
			!(await isHandleTaken(db, candidate, { now }))
		)
			return candidate;
	}
}
