import type { Db } from '#lib/server/db/connect.js';
import type { FieldErrors } from '#lib/server/platform/forms.js';
import { markTrusted, unmarkTrusted } from '#lib/server/trust/members.js';
import { recordAudit } from '#lib/server/admin/audit.js';
import type { AdminActor } from '#lib/server/admin/accounts.js';

// Marking trusted members from the admin area: the same seeds as `npm run trust -- mark`, plus an
// audit row. The admin page then queues a trust run, which spreads the change.

export type TrustResult = { ok: true } | { ok: false; status: 400; errors: FieldErrors };

export async function setTrusted(
	db: Db,
	actor: AdminActor,
	input: { handle: string; trusted: boolean; reason: string; now?: Date }
): Promise<TrustResult> {
	const now = input.now ?? new Date();
	const reason = input.reason.trim();
	if (!reason)
		return {
			ok: false,
			status: 400,
			errors: { reason: 'Give a reason (it is kept in the audit log).' }
		};
	if (reason.length > 300)
		return { ok: false, status: 400, errors: { reason: 'Use at most 300 characters.' } };
	return db.transaction().execute(async (trx): Promise<TrustResult> => {
		const user = await trx
			.selectFrom('users')
			.select(['id', 'handle', 'status'])
			.where((eb) =>
				eb(eb.fn('lower', ['handle']), '=', input.handle.trim().replace(/^@/, '').toLowerCase())
			)
			.executeTakeFirst();
		if (!user) return { ok: false, status: 400, errors: { handle: 'No member has that handle.' } };
		if (input.trusted) {
			if (user.status !== 'active')
				return {
					ok: false,
					status: 400,
					errors: { handle: 'Only active accounts can be trusted.' }
				};
			const marked = await markTrusted(trx, user.handle, reason, actor.id, now);
			if (!marked.ok) return { ok: false, status: 400, errors: { reason: marked.error } };
		} else if (!(await unmarkTrusted(trx, user.handle))) {
			return {
				ok: false,
				status: 400,
				errors: { handle: `@${user.handle} is not a trusted member.` }
			};
		}
		await recordAudit(
			trx,
			actor,
			{
				action: input.trusted ? 'trust.mark' : 'trust.unmark',
				targetKind: 'account',
				targetId: user.id,
				targetLabel: user.handle,
				reason
			},
			now
		);
		return { ok: true };
	});
}

/** The last trust run, for the operator: when, over how much, and how many people's trust moved. */
export async function lastTrustRun(db: Db) {
	return db
		.selectFrom('trust_runs')
		.select(['finished_at', 'nodes', 'edges', 'changed', 'ms', 'reason'])
		.orderBy('id', 'desc')
		.limit(1)
		.executeTakeFirst();
}
