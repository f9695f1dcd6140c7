import type { Executor } from '#lib/server/db/connect.js';

// Members the operator vouches for: the seeds trust flows from (`npm run trust` and /admin/trusted).

export type MarkResult = { ok: true; created: boolean } | { ok: false; error: string };

export async function markTrusted(
	db: Executor,
	handle: string,
	reason: string,
	markedBy: number | null = null,
	now = new Date()
): Promise<MarkResult> {
	const why = reason.trim();
	if (!why) return { ok: false, error: 'Say why this member is trusted (--reason).' };
	if (why.length > 300) return { ok: false, error: 'Keep the reason under 300 characters.' };
	const user = await db
		.selectFrom('users')
		.select('id')
		.where((eb) => eb(eb.fn('lower', ['handle']), '=', handle.replace(/^@/, '').toLowerCase()))
		.executeTakeFirst();
	if (!user) return { ok: false, error: `No member has the handle @${handle.replace(/^@/, '')}.` };
	const existing = await db
		.selectFrom('trusted_members')
		.select('user_id')
		.where('user_id', '=', user.id)
		.executeTakeFirst();
	await db
		.insertInto('trusted_members')
		.values({ user_id: user.id, reason: why, marked_by: markedBy, created_at: now })
		.onConflict((oc) => oc.column('user_id').doUpdateSet({ reason: why, marked_by: markedBy }))
		.execute();
	return { ok: true, created: !existing };
}

export async function unmarkTrusted(db: Executor, handle: string): Promise<boolean> {
	const row = await db
		.deleteFrom('trusted_members')
		.where('user_id', 'in', (eb) =>
			eb
				.selectFrom('users')
				.select('id')
				.where((w) => w(w.fn('lower', ['handle']), '=', handle.replace(/^@/, '').toLowerCase()))
		)
		.returning('user_id')
		.executeTakeFirst();
	return !!row;
}

export async function listTrusted(db: Executor) {
	return db
		.selectFrom('trusted_members')
		.innerJoin('users', 'users.id', 'trusted_members.user_id')
		.leftJoin('users as marker', 'marker.id', 'trusted_members.marked_by')
		.select([
			'users.id',
			'users.handle',
			'trusted_members.reason',
			'trusted_members.created_at',
			'marker.handle as marked_by'
		])
		.orderBy('trusted_members.created_at')
		.execute();
}
