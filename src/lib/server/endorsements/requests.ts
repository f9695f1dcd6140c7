import * as v from 'valibot';
import type { Executor } from '#lib/server/db/connect.js';
import { generateSecureRandomString } from '#lib/server/auth/random.js';
import { optionalText } from '#lib/server/platform/forms.js';

// Requests: a link a practitioner sends to a client or colleague to ask for an endorsement.

export const requestSchema = v.object({
	workItemId: v.pipe(
		v.string(),
		v.regex(/^\d{1,9}$/, 'Choose the piece of work to be endorsed for.'),
		v.transform(Number)
	),
	invitee: optionalText(120, 'Who you are asking')
});

export async function createRequest(
	db: Executor,
	ownerId: number,
	workItemId: number,
	invitee: string | null
): Promise<{ ok: true; token: string } | { ok: false; error: string }> {
	const work = await db
		.selectFrom('work_items')
		.select('id')
		.where('id', '=', workItemId)
		.where('user_id', '=', ownerId)
		.executeTakeFirst();
	if (!work) return { ok: false, error: 'Choose a piece of work from your profile.' };
	const token = generateSecureRandomString();
	await db
		.insertInto('endorsement_requests')
		.values({ owner_id: ownerId, work_item_id: workItemId, invitee, token })
		.execute();
	return { ok: true, token };
}

export async function listRequests(db: Executor, ownerId: number) {
	return db
		.selectFrom('endorsement_requests as r')
		.innerJoin('work_items as w', 'w.id', 'r.work_item_id')
		.select(['r.id', 'r.token', 'r.invitee', 'r.status', 'r.created_at', 'w.title as work_title'])
		.where('r.owner_id', '=', ownerId)
		.where('r.status', '!=', 'revoked')
		.orderBy('r.created_at', 'desc')
		.execute();
}

export async function revokeRequest(db: Executor, ownerId: number, id: number): Promise<boolean> {
	const row = await db
		.updateTable('endorsement_requests')
		.set({ status: 'revoked' })
		.where('id', '=', id)
		.where('owner_id', '=', ownerId)
		.returning('id')
		.executeTakeFirst();
	return !!row;
}

/** An open request by its link token, with where it leads. */
export async function findOpenRequest(db: Executor, token: string) {
	if (!/^[a-z2-7]{16,64}$/.test(token)) return undefined;
	return db
		.selectFrom('endorsement_requests as r')
		.innerJoin('users as u', 'u.id', 'r.owner_id')
		.select(['r.id', 'r.owner_id', 'r.work_item_id', 'r.invitee', 'u.handle'])
		.where('r.token', '=', token)
		.where('r.status', '=', 'open')
		.executeTakeFirst();
}
