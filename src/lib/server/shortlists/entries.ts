import { isUniqueViolation } from '#lib/server/db/errors.js';
import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import { avatarUrl } from '#lib/server/avatar-url.js';
import {
	getShortlist,
	insertShortlist,
	MAX_ENTRIES,
	nameTaken,
	NAME_INDEX,
	type EntryView,
	type Failure,
	type SaveInput
} from '#lib/server/shortlists/lists.js';

// What a shortlist holds: each entry reached only through a list its owner holds.

export async function listEntries(
	db: Executor,
	ownerId: number,
	shortlistId: number
): Promise<EntryView[] | undefined> {
	if (!(await getShortlist(db, ownerId, shortlistId))) return undefined;
	const rows = await db
		.selectFrom('shortlist_entries')
		.innerJoin('users', 'users.id', 'shortlist_entries.profile_id')
		.leftJoin('profiles', 'profiles.user_id', 'shortlist_entries.profile_id')
		.leftJoin('avatars', 'avatars.user_id', 'shortlist_entries.profile_id')
		.select([
			'shortlist_entries.profile_id',
			'shortlist_entries.note',
			'shortlist_entries.created_at',
			'users.handle',
			'profiles.display_name',
			'profiles.headline',
			'profiles.location',
			'profiles.visibility',
			'avatars.etag'
		])
		.where('shortlist_entries.shortlist_id', '=', shortlistId)
		.orderBy('shortlist_entries.created_at', 'desc')
		.orderBy('shortlist_entries.profile_id', 'desc')
		.execute();
	return rows.map((r) => ({
		profileId: r.profile_id,
		note: r.note,
		addedAt: r.created_at,
		// Unlisted profiles stay: whoever has the link may see them, and the owner saved the link.
		profile:
			r.visibility === null || r.visibility === 'private'
				? null
				: {
						handle: r.handle,
						name: r.display_name ?? r.handle,
						headline: r.headline,
						location: r.location,
						avatar: avatarUrl(r.profile_id, r.etag, 'small')
					}
	}));
}

/**
 * Saves a profile to one of the owner's lists, or to a new list created in the same transaction.
 * Only a profile the owner could open may be saved: their own, private and deleted ones may not.
 */
export async function saveToShortlist(
	db: Executor,
	ownerId: number,
	profileId: number,
	input: SaveInput,
	now = new Date()
): Promise<{ ok: true; shortlist: { id: number; name: string } } | Failure> {
	if (input.shortlist === 'new' && input.newName === '')
		return { ok: false, status: 400, errors: { newName: 'Name the new shortlist.' } };
	if (input.shortlist !== 'new' && input.newName !== '')
		return {
			ok: false,
			status: 400,
			errors: {
				newName: 'To start a new shortlist, choose “A new shortlist” above; or clear this name.'
			}
		};
	try {
		return await withTransaction(
			db,
			async (trx): Promise<Awaited<ReturnType<typeof saveToShortlist>>> => {
				const profile = await trx
					.selectFrom('profiles')
					.select('user_id')
					.where('user_id', '=', profileId)
					.where('visibility', '<>', 'private')
					.executeTakeFirst();
				if (!profile || profileId === ownerId)
					return {
						ok: false,
						status: 404,
						errors: { form: 'This profile cannot be shortlisted.' }
					};

				let shortlist: { id: number; name: string };
				if (input.shortlist === 'new') {
					const created = await insertShortlist(trx, ownerId, input.newName, now);
					if (!created.ok) return { ok: false, status: 400, errors: { newName: created.error } };
					shortlist = { id: created.id, name: created.name };
				} else {
					const found = await trx
						.selectFrom('shortlists')
						.select(['id', 'name'])
						.where('owner_id', '=', ownerId)
						.where('id', '=', Number(input.shortlist))
						.forUpdate()
						.executeTakeFirst();
					if (!found)
						return {
							ok: false,
							status: 404,
							errors: { shortlist: 'Choose one of your shortlists.' }
						};
					shortlist = found;
					const count = await trx
						.selectFrom('shortlist_entries')
						.select((eb) => eb.fn.countAll<string | number>().as('n'))
						.where('shortlist_id', '=', shortlist.id)
						.executeTakeFirstOrThrow();
					if (Number(count.n) >= MAX_ENTRIES)
						return {
							ok: false,
							status: 400,
							errors: { shortlist: `A shortlist holds up to ${MAX_ENTRIES} profiles.` }
						};
				}

				const added = await trx
					.insertInto('shortlist_entries')
					.values({
						shortlist_id: shortlist.id,
						profile_id: profileId,
						note: input.note,
						created_at: now
					})
					.onConflict((oc) => oc.columns(['shortlist_id', 'profile_id']).doNothing())
					.returning('profile_id')
					.executeTakeFirst();
				if (!added)
					return {
						ok: false,
						status: 400,
						errors: { shortlist: `Already on “${shortlist.name}”: edit its note there.` }
					};
				return { ok: true, shortlist };
			}
		);
	} catch (error) {
		if (isUniqueViolation(error, NAME_INDEX))
			return { ok: false, status: 400, errors: { newName: nameTaken(input.newName) } };
		throw error;
	}
}

/** Ids of the owner's lists, as a subquery: entries are reached only through a list the owner holds. */
function ownedBy(db: Executor, ownerId: number, shortlistId: number) {
	return db
		.selectFrom('shortlists')
		.select('id')
		.where('owner_id', '=', ownerId)
		.where('id', '=', shortlistId);
}

export async function updateNote(
	db: Executor,
	ownerId: number,
	shortlistId: number,
	profileId: number,
	note: string
): Promise<boolean> {
	const row = await db
		.updateTable('shortlist_entries')
		.set({ note })
		.where('shortlist_id', 'in', ownedBy(db, ownerId, shortlistId))
		.where('profile_id', '=', profileId)
		.returning('profile_id')
		.executeTakeFirst();
	return !!row;
}

export async function removeEntry(
	db: Executor,
	ownerId: number,
	shortlistId: number,
	profileId: number
): Promise<boolean> {
	const row = await db
		.deleteFrom('shortlist_entries')
		.where('shortlist_id', 'in', ownedBy(db, ownerId, shortlistId))
		.where('profile_id', '=', profileId)
		.returning('profile_id')
		.executeTakeFirst();
	return !!row;
}
