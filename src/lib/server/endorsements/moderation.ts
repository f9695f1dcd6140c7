import { sql } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import type { EndorsementStatus } from '#lib/server/db/schema.js';
import { refreshSearchDocuments } from '#lib/server/search/projection.js';
import { REPORTS_TO_HIDE } from '#lib/server/endorsements/rules.js';

export type Decision = 'accept' | 'hide' | 'show';

/**
 * The owner's decision on an endorsement of them. A single conditional UPDATE, so a decision racing
 * a withdrawal either lands on the row or finds it gone; never both.
 */
export async function decideEndorsement(
	db: Executor,
	ownerId: number,
	id: number,
	decision: Decision,
	now = new Date()
): Promise<boolean> {
	const status: EndorsementStatus = decision === 'hide' ? 'hidden' : 'accepted';
	return withTransaction(db, async (trx) => {
		const row = await trx
			.updateTable('endorsements')
			.set({ status, decided_at: now })
			.where('id', '=', id)
			.where('subject_id', '=', ownerId)
			.returning('id')
			.executeTakeFirst();
		// Showing it is the owner's review of any reports: later reports start counting afresh.
		if (row && status === 'accepted') {
			await trx.deleteFrom('endorsement_reports').where('endorsement_id', '=', id).execute();
		}
		if (row) await refreshSearchDocuments(trx, [ownerId]);
		return !!row;
	});
}

export type ReportResult =
	{ ok: true; hidden: boolean } | { ok: false; status: 400 | 404; error: string };

/**
 * Records a report. The owner's report hides the endorsement at once; reports from three different
 * people hide it until the owner reviews it. The endorser cannot report their own.
 */
export async function reportEndorsement(
	db: Executor,
	reporterId: number,
	id: number,
	reason: string,
	now = new Date()
): Promise<ReportResult> {
	return withTransaction<ReportResult>(db, async (trx) => {
		const endorsement = await trx
			.selectFrom('endorsements')
			.select(['id', 'subject_id', 'endorser_id', 'status'])
			.where('id', '=', id)
			.forUpdate()
			.executeTakeFirst();
		const isOwner = endorsement?.subject_id === reporterId;
		// Others can only see, and so only report, accepted endorsements.
		if (!endorsement || (!isOwner && endorsement.status !== 'accepted'))
			return {
				ok: false,
				status: 404,
				error: 'That endorsement is not shown anywhere.'
			};
		if (endorsement.endorser_id === reporterId)
			return {
				ok: false,
				status: 400,
				error: 'You cannot report your own endorsement; withdraw it instead.'
			};
		await trx
			.insertInto('endorsement_reports')
			.values({ endorsement_id: id, reporter_id: reporterId, reason, created_at: now })
			.onConflict((oc) => oc.columns(['endorsement_id', 'reporter_id']).doUpdateSet({ reason }))
			.execute();
		const { n } = await trx
			.selectFrom('endorsement_reports')
			.select((eb) => eb.fn.count<string | number>('reporter_id').distinct().as('n'))
			.where('endorsement_id', '=', id)
			.executeTakeFirstOrThrow();
		const hide = isOwner || Number(n) >= REPORTS_TO_HIDE;
		if (hide) {
			await trx
				.updateTable('endorsements')
				.set({
					status: 'hidden',
					decided_at: now,
					flags: sql`case when 'reported' = any(flags) then flags else array_append(flags, 'reported') end`
				})
				.where('id', '=', id)
				.execute();
			await refreshSearchDocuments(trx, [endorsement.subject_id]);
		}
		return { ok: true, hidden: hide };
	});
}
