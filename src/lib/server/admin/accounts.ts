import * as v from 'valibot';
import type { Db, Executor } from '#lib/server/db/connect.js';
import { invalidateUserSessions } from '#lib/server/auth/session.js';
import { removeAccount } from '#lib/server/accounts/deletion.js';
import { refreshSearchDocuments } from '#lib/server/search/projection.js';
import { sendMail } from '#lib/server/platform/mail.js';
import type { FieldErrors } from '#lib/server/platform/forms.js';
import { recordAudit, type Actor } from '#lib/server/admin/audit.js';
import { resolveReportsAbout } from '#lib/server/admin/reports.js';

// What admins do to an account: warn, limit, suspend, unsuspend, delete, and hide one endorsement
// or message. Each change, its audit row and the reports it resolves commit together.

export type AdminActor = Actor & { id: number };

export const reasonField = v.pipe(
	v.string(),
	v.trim(),
	v.nonEmpty('Give a reason (it is kept in the audit log).'),
	v.maxLength(1000, 'Use at most 1,000 characters.')
);

export const ACCOUNT_ACTIONS = [
	'warn',
	'limit',
	'unlimit',
	'suspend',
	'unsuspend',
	'delete'
] as const;
export type AccountAction = (typeof ACCOUNT_ACTIONS)[number];

export const accountActionSchema = v.object({
	reason: reasonField,
	notify: v.optional(v.string(), '')
});

export const hideSchema = v.object({
	reason: reasonField,
	itemId: v.pipe(
		v.string(),
		v.trim(),
		v.regex(/^[1-9][0-9]{0,9}$/, 'Give the number of the endorsement or message.'),
		v.transform(Number),
		v.maxValue(2_147_483_647, 'Give the number of the endorsement or message.')
	)
});

const MAIL_SUBJECT: Record<AccountAction, string> = {
	warn: 'A warning about your account',
	limit: 'Your profile no longer appears in search',
	unlimit: 'Your profile appears in search again',
	suspend: 'Your account is suspended',
	unsuspend: 'Your account is active again',
	delete: 'Your account was deleted'
};

export async function searchAccounts(db: Executor, query: string) {
	const q = query.trim().replace(/^@/, '').toLowerCase();
	let select = db
		.selectFrom('users')
		.select(['id', 'handle', 'email', 'role', 'status', 'limited_at', 'created_at'])
		.orderBy('id', 'desc')
		.limit(50);
	if (q) {
		const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
		select = select.where((eb) =>
			eb.or([
				eb(eb.fn('lower', ['handle']), 'like', pattern),
				eb(eb.fn('lower', ['email']), 'like', pattern)
			])
		);
	}
	return (await select.execute()).map((r) => ({
		id: r.id,
		handle: r.handle,
		email: r.email,
		isAdmin: r.role === 'admin',
		status: r.status,
		limited: r.limited_at !== null,
		createdAt: r.created_at
	}));
}

export async function getAccount(db: Executor, id: number) {
	const row = await db
		.selectFrom('users')
		.leftJoin('profiles', 'profiles.user_id', 'users.id')
		.leftJoin('trusted_members', 'trusted_members.user_id', 'users.id')
		.select([
			'users.id',
			'users.handle',
			'users.email',
			'users.email_verified_at',
			'users.role',
			'users.status',
			'users.limited_at',
			'users.join_reason',
			'users.created_at',
			'profiles.display_name',
			'profiles.visibility',
			'trusted_members.reason as trusted_reason',
			'trusted_members.created_at as trusted_at'
		])
		.where('users.id', '=', id)
		.executeTakeFirst();
	if (!row) return undefined;
	return {
		id: row.id,
		handle: row.handle,
		email: row.email,
		emailVerified: row.email_verified_at !== null,
		isAdmin: row.role === 'admin',
		status: row.status,
		limited: row.limited_at !== null,
		joinReason: row.join_reason,
		name: row.display_name ?? row.handle,
		visibility: row.visibility,
		trusted: row.trusted_at ? { reason: row.trusted_reason ?? '', since: row.trusted_at } : null,
		createdAt: row.created_at
	};
}

export type ActionResult = { ok: true } | { ok: false; status: 400; errors: FieldErrors };

const refuse = (form: string): ActionResult => ({ ok: false, status: 400, errors: { form } });

/**
 * Applies one action with its reason, resolves the open reports about the account, records it,
 * and mails the member when asked to. Refuses what makes no sense in the account's state.
 */
export async function actOnAccount(
	db: Db,
	actor: AdminActor,
	input: { accountId: number; action: string; reason: string; notify: boolean; now?: Date }
): Promise<ActionResult> {
	const now = input.now ?? new Date();
	if (!(ACCOUNT_ACTIONS as readonly string[]).includes(input.action))
		return refuse('Choose one of the actions on this page.');
	const action = input.action as AccountAction;
	if (input.accountId === actor.id && action !== 'warn')
		return refuse(`You cannot ${action} your own account.`);
	return db.transaction().execute(async (trx): Promise<ActionResult> => {
		const user = await trx
			.selectFrom('users')
			.select(['id', 'handle', 'email', 'status', 'limited_at', 'role'])
			.where('id', '=', input.accountId)
			.forUpdate()
			.executeTakeFirst();
		if (!user) return refuse('There is no account with that number.');
		const set = async (change: { status?: 'active' | 'suspended'; limited_at?: Date | null }) => {
			await trx
				.updateTable('users')
				.set({ ...change, updated_at: now })
				.where('id', '=', user.id)
				.execute();
			await refreshSearchDocuments(trx, [user.id]);
		};
		switch (action) {
			case 'warn':
				break;
			case 'limit':
				if (user.limited_at) return refuse('This account is already limited.');
				await set({ limited_at: now });
				break;
			case 'unlimit':
				if (!user.limited_at) return refuse('This account is not limited.');
				await set({ limited_at: null });
				break;
			case 'suspend':
				if (user.status === 'suspended') return refuse('This account is already suspended.');
				if (user.status === 'pending')
					return refuse('This account is waiting for approval: reject it instead.');
				await set({ status: 'suspended' });
				await invalidateUserSessions(trx, user.id);
				break;
			case 'unsuspend':
				if (user.status !== 'suspended') return refuse('This account is not suspended.');
				await set({ status: 'active' });
				break;
			case 'delete':
				await removeAccount(trx, user, now);
				break;
		}
		const resolved = await resolveReportsAbout(
			trx,
			actor.id,
			user.id,
			`${action}: ${input.reason}`,
			now
		);
		await recordAudit(
			trx,
			actor,
			{
				action: `account.${action}`,
				targetKind: 'account',
				targetId: user.id,
				targetLabel: user.handle,
				reason: input.reason,
				metadata: { notified: input.notify, resolvedReports: resolved }
			},
			now
		);
		if (input.notify) {
			await sendMail(
				trx,
				{
					to: user.email,
					// Mail about a deleted account must not name it: the row would point nowhere.
					userId: action === 'delete' ? null : user.id,
					subject: MAIL_SUBJECT[action],
					text: [
						`Hello @${user.handle},`,
						'',
						`An administrator of this instance took this action on your account: ${action}.`,
						'',
						'Reason given:',
						input.reason
					].join('\n')
				},
				now
			);
		}
		return { ok: true };
	});
}

/** Hides one endorsement (written by or about the account) or one message the account wrote. */
export async function hideItem(
	db: Db,
	actor: AdminActor,
	input: {
		accountId: number;
		kind: 'endorsement' | 'message';
		itemId: number;
		reason: string;
		now?: Date;
	}
): Promise<ActionResult> {
	const now = input.now ?? new Date();
	return db.transaction().execute(async (trx): Promise<ActionResult> => {
		const user = await trx
			.selectFrom('users')
			.select(['id', 'handle'])
			.where('id', '=', input.accountId)
			.executeTakeFirst();
		if (!user) return refuse('There is no account with that number.');
		let subjectId: number | null = null;
		if (input.kind === 'endorsement') {
			const row = await trx
				.updateTable('endorsements')
				.set({ status: 'hidden', decided_at: now, flags: ['moderator'] })
				.where('id', '=', input.itemId)
				.where((eb) => eb.or([eb('endorser_id', '=', user.id), eb('subject_id', '=', user.id)]))
				.where('status', '!=', 'hidden')
				.returning('subject_id')
				.executeTakeFirst();
			if (!row) return refuse(`This account has no shown endorsement number ${input.itemId}.`);
			subjectId = row.subject_id;
			await refreshSearchDocuments(trx, [row.subject_id]);
		} else {
			const row = await trx
				.updateTable('conversation_messages')
				.set({ hidden_at: now })
				.where('id', '=', input.itemId)
				.where('author_id', '=', user.id)
				.where('hidden_at', 'is', null)
				.returning('id')
				.executeTakeFirst();
			if (!row) return refuse(`This account wrote no shown message number ${input.itemId}.`);
		}
		const resolved = await trx
			.updateTable('reports')
			.set({
				status: 'resolved',
				resolution: `hidden: ${input.reason}`,
				resolved_by: actor.id,
				resolved_at: now
			})
			.where('target_kind', '=', input.kind)
			.where('target_id', '=', input.itemId)
			.where('status', '=', 'open')
			.returning('id')
			.execute();
		await recordAudit(
			trx,
			actor,
			{
				action: `${input.kind}.hide`,
				targetKind: input.kind,
				targetId: input.itemId,
				targetLabel: user.handle,
				reason: input.reason,
				metadata: { accountId: user.id, subjectId, resolvedReports: resolved.map((r) => r.id) }
			},
			now
		);
		return { ok: true };
	});
}

/** What the account wrote that an admin may hide: recent endorsements and messages. */
export async function listAccountContent(db: Executor, accountId: number) {
	const [endorsements, messages] = await Promise.all([
		db
			.selectFrom('endorsements as e')
			.innerJoin('users as s', 's.id', 'e.subject_id')
			.select(['e.id', 'e.body', 'e.status', 's.handle as subject'])
			.where('e.endorser_id', '=', accountId)
			.orderBy('e.id', 'desc')
			.limit(20)
			.execute(),
		db
			.selectFrom('conversation_messages as m')
			.select(['m.id', 'm.body', 'm.hidden_at', 'm.created_at'])
			.where('m.author_id', '=', accountId)
			.orderBy('m.id', 'desc')
			.limit(20)
			.execute()
	]);
	return {
		endorsements: endorsements.map((e) => ({
			id: e.id,
			body: e.body,
			status: e.status,
			subject: e.subject
		})),
		messages: messages.map((m) => ({
			id: m.id,
			body: m.body,
			hidden: m.hidden_at !== null,
			createdAt: m.created_at
		}))
	};
}
