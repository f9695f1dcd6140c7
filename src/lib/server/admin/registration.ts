import * as v from 'valibot';
import type { Db, Executor } from '#lib/server/db/connect.js';
import { generateSecureRandomString } from '#lib/server/auth/random.js';
import { removeAccount } from '#lib/server/accounts/deletion.js';
import { refreshSearchDocuments } from '#lib/server/search/projection.js';
import { sendMail } from '#lib/server/platform/mail.js';
import type { FieldErrors } from '#lib/server/platform/forms.js';
import { recordAudit } from '#lib/server/admin/audit.js';
import type { AdminActor } from '#lib/server/admin/accounts.js';

// Invite links and the approval queue. An invite works in every registration mode and lets its
// holder in at once; a revoked, expired or used-up one is refused in every mode.

const DAY_MS = 24 * 60 * 60 * 1000;
export const INVITE_CODE = /^[a-z2-7]{16,64}$/;

export const inviteSchema = v.object({
	maxUses: v.pipe(
		v.string(),
		v.trim(),
		v.regex(/^[1-9][0-9]{0,3}$/, 'Allow between 1 and 9,999 uses.'),
		v.transform(Number)
	),
	expiresInDays: v.pipe(
		v.string(),
		v.trim(),
		v.regex(/^([1-9][0-9]{0,2})?$/, 'Give a number of days between 1 and 999, or leave it empty.'),
		v.transform((value) => (value === '' ? null : Number(value)))
	),
	note: v.pipe(v.string(), v.trim(), v.maxLength(200, 'Use at most 200 characters.'))
});

export type InviteInput = v.InferOutput<typeof inviteSchema>;

export async function createInvite(
	db: Db,
	actor: AdminActor,
	input: InviteInput,
	now = new Date()
): Promise<{ id: number; code: string }> {
	const code = generateSecureRandomString();
	return db.transaction().execute(async (trx) => {
		const row = await trx
			.insertInto('invites')
			.values({
				code,
				note: input.note,
				max_uses: input.maxUses,
				expires_at: input.expiresInDays
					? new Date(now.getTime() + input.expiresInDays * DAY_MS)
					: null,
				created_by: actor.id,
				created_at: now
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await recordAudit(
			trx,
			actor,
			{
				action: 'invite.create',
				targetKind: 'invite',
				targetId: row.id,
				targetLabel: input.note || `invite ${row.id}`,
				metadata: { maxUses: input.maxUses, expiresInDays: input.expiresInDays }
			},
			now
		);
		return { id: row.id, code };
	});
}

export async function revokeInvite(
	db: Db,
	actor: AdminActor,
	id: number,
	now = new Date()
): Promise<{ ok: true } | { ok: false; status: 400; errors: FieldErrors }> {
	return db.transaction().execute(async (trx) => {
		const row = await trx
			.updateTable('invites')
			.set({ revoked_at: now })
			.where('id', '=', id)
			.where('revoked_at', 'is', null)
			.returning(['id', 'note'])
			.executeTakeFirst();
		if (!row)
			return {
				ok: false,
				status: 400,
				errors: { form: 'That invite does not exist or is already revoked.' }
			} as const;
		await recordAudit(
			trx,
			actor,
			{
				action: 'invite.revoke',
				targetKind: 'invite',
				targetId: row.id,
				targetLabel: row.note || `invite ${row.id}`
			},
			now
		);
		return { ok: true } as const;
	});
}

export async function listInvites(db: Executor, now = new Date()) {
	const rows = await db
		.selectFrom('invites')
		.leftJoin('users', 'users.id', 'invites.created_by')
		.select([
			'invites.id',
			'invites.code',
			'invites.note',
			'invites.max_uses',
			'invites.uses',
			'invites.expires_at',
			'invites.revoked_at',
			'invites.created_at',
			'users.handle as creator'
		])
		.orderBy('invites.id', 'desc')
		.limit(200)
		.execute();
	return rows.map((r) => ({
		id: r.id,
		code: r.code,
		note: r.note,
		maxUses: r.max_uses,
		uses: r.uses,
		expiresAt: r.expires_at,
		creator: r.creator,
		createdAt: r.created_at,
		state: r.revoked_at
			? 'revoked'
			: r.expires_at && r.expires_at.getTime() <= now.getTime()
				? 'expired'
				: r.uses >= r.max_uses
					? 'used up'
					: 'active'
	}));
}

/** Whether the code would be accepted now (for the sign-up page: nothing is used up). */
export async function isInviteUsable(
	db: Executor,
	code: string,
	now = new Date()
): Promise<boolean> {
	if (!INVITE_CODE.test(code)) return false;
	const row = await db
		.selectFrom('invites')
		.select('id')
		.where('code', '=', code)
		.where('revoked_at', 'is', null)
		.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
		.where((eb) => eb('uses', '<', eb.ref('max_uses')))
		.executeTakeFirst();
	return !!row;
}

/**
 * Takes one use of the invite inside the sign-up's transaction: a single conditional UPDATE, so
 * two sign-ups racing for the last use cannot both get it. Undefined when it is not usable.
 */
export async function redeemInvite(
	trx: Executor,
	code: string,
	now: Date
): Promise<number | undefined> {
	if (!INVITE_CODE.test(code)) return undefined;
	const row = await trx
		.updateTable('invites')
		.set((eb) => ({ uses: eb('uses', '+', 1) }))
		.where('code', '=', code)
		.where('revoked_at', 'is', null)
		.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
		.where((eb) => eb('uses', '<', eb.ref('max_uses')))
		.returning('id')
		.executeTakeFirst();
	return row?.id;
}

export async function listPending(db: Executor) {
	const rows = await db
		.selectFrom('users')
		.select(['id', 'handle', 'email', 'join_reason', 'created_at'])
		.where('status', '=', 'pending')
		.orderBy('created_at')
		.limit(500)
		.execute();
	return rows.map((r) => ({
		id: r.id,
		handle: r.handle,
		email: r.email,
		joinReason: r.join_reason ?? '',
		createdAt: r.created_at
	}));
}

export type DecideResult =
	{ ok: true; count: number } | { ok: false; status: 400; errors: FieldErrors };

/**
 * Approves (the account becomes active, and is told by mail) or rejects (the account is deleted
 * the way a self-deletion deletes it) every chosen pending sign-up, all or nothing.
 */
export async function decidePending(
	db: Db,
	actor: AdminActor,
	input: { ids: number[]; decision: string; origin: string; now?: Date }
): Promise<DecideResult> {
	const now = input.now ?? new Date();
	if (input.decision !== 'approve' && input.decision !== 'reject')
		return { ok: false, status: 400, errors: { form: 'Choose approve or reject.' } };
	if (input.ids.length === 0)
		return { ok: false, status: 400, errors: { form: 'Tick at least one sign-up.' } };
	return db.transaction().execute(async (trx): Promise<DecideResult> => {
		const users = await trx
			.selectFrom('users')
			.select(['id', 'handle', 'email'])
			.where('id', 'in', input.ids)
			.where('status', '=', 'pending')
			.forUpdate()
			.execute();
		if (users.length !== new Set(input.ids).size)
			return {
				ok: false,
				status: 400,
				errors: { form: 'Some of those sign-ups are no longer waiting. Reload the page.' }
			};
		for (const user of users) {
			if (input.decision === 'approve') {
				await trx
					.updateTable('users')
					.set({ status: 'active', updated_at: now })
					.where('id', '=', user.id)
					.execute();
				await refreshSearchDocuments(trx, [user.id]);
				await sendMail(
					trx,
					{
						to: user.email,
						userId: user.id,
						subject: 'Your account is approved',
						text: `Hello @${user.handle},\n\nAn administrator approved your account. Log in at ${input.origin}/login`
					},
					now
				);
			} else {
				await removeAccount(trx, user, now);
			}
			await recordAudit(
				trx,
				actor,
				{
					action: `signup.${input.decision}`,
					targetKind: 'account',
					targetId: user.id,
					targetLabel: user.handle
				},
				now
			);
		}
		return { ok: true, count: users.length };
	});
}
