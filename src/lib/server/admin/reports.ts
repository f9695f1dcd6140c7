import * as v from 'valibot';
import type { Db, Executor } from '#lib/server/db/connect.js';
import type { ReportCategory, ReportTargetKind } from '#lib/server/db/schema.js';
import * as rateLimit from '#lib/server/platform/rate-limit.js';
import type { FieldErrors } from '#lib/server/platform/forms.js';
import { recordAudit, type Actor } from '#lib/server/admin/audit.js';

// Reports members file about a profile, an endorsement or a message, and the admins' queue.

export const REPORTS_PER_MEMBER: rateLimit.BucketPolicy = {
	capacity: 10,
	refillPerSecond: 10 / 3600
};

export const REPORT_CATEGORIES: Record<ReportCategory, string> = {
	spam: 'Spam',
	rules: 'Breaks the rules',
	other: 'Other'
};

export const REPORT_KINDS: ReportTargetKind[] = ['profile', 'endorsement', 'message'];

export const reportFormSchema = v.object({
	category: v.picklist(
		Object.keys(REPORT_CATEGORIES) as ReportCategory[],
		'Choose what is wrong: spam, breaks the rules or other.'
	),
	comment: v.pipe(v.string(), v.trim(), v.maxLength(1000, 'Use at most 1,000 characters.'))
});

/** What the reporter saw, as the report keeps it. */
export interface ReportTarget {
	kind: ReportTargetKind;
	id: number;
	accountId: number;
	/** A line naming it for the reporter ("the profile of @ann"). */
	title: string;
	snapshot: Record<string, unknown>;
}

/**
 * The thing a member may report, as they may see it: a profile they can open (not their own), an
 * endorsement shown on a profile (or one of themselves), a message written to them. Anything else
 * is undefined, so the form answers 404 and says nothing of what exists.
 */
export async function findReportTarget(
	db: Executor,
	reporterId: number,
	kind: string,
	id: number
): Promise<ReportTarget | undefined> {
	if (kind === 'profile') {
		const row = await db
			.selectFrom('users')
			.innerJoin('profiles', 'profiles.user_id', 'users.id')
			.select([
				'users.id',
				'users.handle',
				'profiles.display_name',
				'profiles.headline',
				'profiles.bio_md'
			])
			.where('users.id', '=', id)
			.where('users.status', '=', 'active')
			.where('profiles.visibility', '!=', 'private')
			.executeTakeFirst();
		if (!row || row.id === reporterId) return undefined;
		return {
			kind,
			id,
			accountId: row.id,
			title: `the profile of @${row.handle}`,
			snapshot: {
				handle: row.handle,
				name: row.display_name,
				headline: row.headline,
				bio: row.bio_md.slice(0, 4000)
			}
		};
	}
	if (kind === 'endorsement') {
		const row = await db
			.selectFrom('endorsements as e')
			.innerJoin('users as author', 'author.id', 'e.endorser_id')
			.innerJoin('users as subject', 'subject.id', 'e.subject_id')
			.select([
				'e.id',
				'e.endorser_id',
				'e.subject_id',
				'e.status',
				'e.body',
				'e.relationship',
				'author.handle as author',
				'subject.handle as subject'
			])
			.where('e.id', '=', id)
			.where('author.status', '=', 'active')
			.executeTakeFirst();
		if (!row || row.endorser_id === reporterId) return undefined;
		if (row.status !== 'accepted' && row.subject_id !== reporterId) return undefined;
		return {
			kind,
			id,
			accountId: row.endorser_id,
			title: `the endorsement of @${row.subject} by @${row.author}`,
			snapshot: {
				author: row.author,
				subject: row.subject,
				relationship: row.relationship,
				body: row.body
			}
		};
	}
	if (kind === 'message') {
		const row = await db
			.selectFrom('conversation_messages as m')
			.innerJoin('conversations as c', 'c.id', 'm.conversation_id')
			.innerJoin('users as author', 'author.id', 'm.author_id')
			.select([
				'm.id',
				'm.author_id',
				'm.body',
				'm.created_at',
				'c.subject',
				'author.handle as author'
			])
			.where('m.id', '=', id)
			.where('m.hidden_at', 'is', null)
			.where((eb) =>
				eb.or([eb('c.sender_id', '=', reporterId), eb('c.recipient_id', '=', reporterId)])
			)
			.executeTakeFirst();
		if (!row || row.author_id === reporterId) return undefined;
		return {
			kind,
			id,
			accountId: row.author_id,
			title: `a message from @${row.author}`,
			snapshot: {
				author: row.author,
				conversation: row.subject,
				body: row.body,
				sentAt: row.created_at.toISOString()
			}
		};
	}
	return undefined;
}

export type FileResult =
	{ ok: true; id: number } | { ok: false; status: 404 | 429; errors: FieldErrors };

export async function fileReport(
	db: Db,
	input: {
		reporterId: number;
		kind: string;
		targetId: number;
		category: ReportCategory;
		comment: string;
		now?: Date;
	}
): Promise<FileResult> {
	const now = input.now ?? new Date();
	const target = await findReportTarget(db, input.reporterId, input.kind, input.targetId);
	if (!target)
		return { ok: false, status: 404, errors: { form: 'There is nothing here you can report.' } };
	return db.transaction().execute(async (trx): Promise<FileResult> => {
		if (
			!(await rateLimit.consume(trx, `report:account:${input.reporterId}`, REPORTS_PER_MEMBER, now))
		)
			return {
				ok: false,
				status: 429,
				errors: { form: 'You have sent 10 reports in the last hour. Try again later.' }
			};
		const row = await trx
			.insertInto('reports')
			.values({
				reporter_id: input.reporterId,
				target_kind: target.kind,
				target_id: target.id,
				account_id: target.accountId,
				category: input.category,
				comment: input.comment,
				snapshot: JSON.stringify(target.snapshot),
				created_at: now
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		return { ok: true, id: row.id };
	});
}

export interface ReportFilters {
	status?: string;
	kind?: string;
	category?: string;
	accountId?: number;
}

/** The queue: open reports first, newest first within each. */
export async function listReports(db: Executor, filters: ReportFilters = {}) {
	let query = db
		.selectFrom('reports as r')
		.innerJoin('users as reporter', 'reporter.id', 'r.reporter_id')
		.leftJoin('users as account', 'account.id', 'r.account_id')
		.leftJoin('users as resolver', 'resolver.id', 'r.resolved_by')
		.select([
			'r.id',
			'r.target_kind',
			'r.target_id',
			'r.account_id',
			'r.category',
			'r.comment',
			'r.snapshot',
			'r.status',
			'r.resolution',
			'r.resolved_at',
			'r.created_at',
			'reporter.handle as reporter',
			'account.handle as account',
			'resolver.handle as resolver'
		])
		.orderBy((eb) => eb.case().when('r.status', '=', 'open').then(0).else(1).end())
		.orderBy('r.created_at', 'desc')
		.orderBy('r.id', 'desc')
		.limit(200);
	if (filters.status === 'open' || filters.status === 'resolved')
		query = query.where('r.status', '=', filters.status);
	if (filters.kind && (REPORT_KINDS as string[]).includes(filters.kind))
		query = query.where('r.target_kind', '=', filters.kind as ReportTargetKind);
	if (filters.category && Object.hasOwn(REPORT_CATEGORIES, filters.category))
		query = query.where('r.category', '=', filters.category as ReportCategory);
	if (filters.accountId !== undefined) query = query.where('r.account_id', '=', filters.accountId);
	const rows = await query.execute();
	return rows.map((r) => ({
		id: r.id,
		kind: r.target_kind,
		targetId: r.target_id,
		accountId: r.account_id,
		account: r.account,
		reporter: r.reporter,
		category: r.category,
		categoryLabel: REPORT_CATEGORIES[r.category],
		comment: r.comment,
		snapshot: stringValues(r.snapshot),
		status: r.status,
		resolution: r.resolution,
		resolver: r.resolver,
		resolvedAt: r.resolved_at,
		createdAt: r.created_at
	}));
}

function stringValues(snapshot: Record<string, unknown>): [string, string][] {
	return Object.entries(snapshot)
		.filter(([, value]) => value !== null && value !== undefined && value !== '')
		.map(([key, value]) => [key, String(value)]);
}

export type ResolveResult = { ok: true } | { ok: false; status: 400; errors: FieldErrors };

/** Closes one report without acting on the account (dismissed, or handled elsewhere). */
export async function resolveReport(
	db: Db,
	actor: Actor & { id: number },
	input: { id: number; reason: string; now?: Date }
): Promise<ResolveResult> {
	const now = input.now ?? new Date();
	return db.transaction().execute(async (trx): Promise<ResolveResult> => {
		const row = await trx
			.updateTable('reports')
			.set({
				status: 'resolved',
				resolution: input.reason,
				resolved_by: actor.id,
				resolved_at: now
			})
			.where('id', '=', input.id)
			.where('status', '=', 'open')
			.returning(['id', 'account_id', 'target_kind'])
			.executeTakeFirst();
		if (!row) {
			const exists = await trx
				.selectFrom('reports')
				.select('id')
				.where('id', '=', input.id)
				.executeTakeFirst();
			return exists
				? { ok: false, status: 400, errors: { form: 'This report was already resolved.' } }
				: { ok: false, status: 400, errors: { form: 'There is no such report.' } };
		}
		await recordAudit(
			trx,
			actor,
			{
				action: 'report.resolve',
				targetKind: 'report',
				targetId: row.id,
				targetLabel: `report ${row.id}`,
				reason: input.reason,
				metadata: { kind: row.target_kind, accountId: row.account_id }
			},
			now
		);
		return { ok: true };
	});
}

/** Resolves every open report about an account, as part of an action on it. */
export async function resolveReportsAbout(
	trx: Executor,
	actorId: number,
	accountId: number,
	resolution: string,
	now: Date
): Promise<number[]> {
	const rows = await trx
		.updateTable('reports')
		.set({ status: 'resolved', resolution, resolved_by: actorId, resolved_at: now })
		.where('account_id', '=', accountId)
		.where('status', '=', 'open')
		.returning('id')
		.execute();
	return rows.map((r) => r.id);
}
