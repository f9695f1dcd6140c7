import type { Executor } from '#lib/server/db/connect.js';

// The audit log: one row per admin action, written in the action's own transaction, so a change
// and its record commit or roll back together. The database refuses UPDATE and DELETE on it.

/** Who acted: an admin (by id and handle) or the command line (id null). */
export interface Actor {
	id: number | null;
	label: string;
}

export const COMMAND_LINE: Actor = { id: null, label: 'command line' };

export interface AuditEntry {
	action: string;
	targetKind: 'account' | 'report' | 'endorsement' | 'message' | 'invite' | 'settings';
	targetId: number | null;
	targetLabel?: string;
	reason?: string;
	metadata?: Record<string, unknown>;
}

export async function recordAudit(
	trx: Executor,
	actor: Actor,
	entry: AuditEntry,
	now = new Date()
): Promise<void> {
	await trx
		.insertInto('audit_log')
		.values({
			actor_id: actor.id,
			actor_label: actor.label,
			action: entry.action,
			target_kind: entry.targetKind,
			target_id: entry.targetId,
			target_label: entry.targetLabel ?? '',
			reason: entry.reason ?? '',
			metadata: JSON.stringify(entry.metadata ?? {}),
			created_at: now
		})
		.execute();
}

export interface AuditFilters {
	actor?: string;
	action?: string;
	target?: string;
}

export const AUDIT_PAGE = 100;

/**
 * The newest entries first. `actor` matches the admin's handle (or 'command line'), `target` the
 * target's label or `kind:id` (account:12), `action` the action name.
 */
export async function listAudit(db: Executor, filters: AuditFilters = {}) {
	let query = db
		.selectFrom('audit_log')
		.select([
			'id',
			'actor_label',
			'action',
			'target_kind',
			'target_id',
			'target_label',
			'reason',
			'metadata',
			'created_at'
		])
		.orderBy('id', 'desc')
		.limit(AUDIT_PAGE);
	const actor = filters.actor?.trim().replace(/^@/, '').toLowerCase();
	if (actor) query = query.where((eb) => eb(eb.fn('lower', ['actor_label']), '=', actor));
	const action = filters.action?.trim();
	if (action) query = query.where('action', '=', action);
	const target = filters.target?.trim().replace(/^@/, '');
	if (target) {
		const ref = /^([a-z]+):([1-9][0-9]{0,9})$/.exec(target);
		query = ref
			? query.where('target_kind', '=', ref[1]).where('target_id', '=', Number(ref[2]))
			: query.where((eb) => eb(eb.fn('lower', ['target_label']), '=', target.toLowerCase()));
	}
	const rows = await query.execute();
	return rows.map((r) => ({
		id: r.id,
		actor: r.actor_label,
		action: r.action,
		targetKind: r.target_kind,
		targetId: r.target_id,
		targetLabel: r.target_label,
		reason: r.reason,
		metadata: r.metadata,
		createdAt: r.created_at
	}));
}

export async function listAuditActions(db: Executor): Promise<string[]> {
	const rows = await db
		.selectFrom('audit_log')
		.select('action')
		.distinct()
		.orderBy('action')
		.execute();
	return rows.map((r) => r.action);
}
