import * as v from 'valibot';
import { isUniqueViolation } from '#lib/server/db/errors.js';
import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import type { FieldErrors } from '#lib/server/platform/forms.js';

// Shortlists are private to their owner: every query here is scoped by owner_id, and a list or
// entry someone else owns is reported exactly like one that does not exist.

export const MAX_SHORTLISTS = 100;
export const MAX_ENTRIES = 500;
export const MAX_NAME = 80;
export const MAX_NOTE = 1000;

export const NAME_INDEX = 'shortlists_owner_name_key';

const nameField = v.pipe(
	v.string(),
	v.transform((value) => value.replace(/\s+/g, ' ').trim()),
	v.nonEmpty('Name the shortlist.'),
	v.maxLength(MAX_NAME, `Name: use at most ${MAX_NAME} characters.`)
);

const noteField = v.pipe(
	v.string(),
	// Browsers send a textarea's line breaks as CRLF; store them as the person typed them.
	v.transform((value) => value.replace(/\r\n?/g, '\n').trim()),
	v.maxLength(MAX_NOTE, 'Note: use at most 1,000 characters.')
);

export const nameSchema = v.object({ name: nameField });
export const noteSchema = v.object({ note: noteField });

/** The "save to a shortlist" form: an existing list's id, or "new" with a name for a new list. */
export const saveSchema = v.object({
	shortlist: v.pipe(
		v.string(),
		v.check(
			(value) => value === 'new' || /^[1-9]\d{0,9}$/.test(value),
			'Choose one of your shortlists.'
		)
	),
	newName: v.pipe(
		v.string(),
		v.transform((value) => value.replace(/\s+/g, ' ').trim()),
		v.maxLength(MAX_NAME, `Name: use at most ${MAX_NAME} characters.`)
	),
	note: noteField
});
export type SaveInput = v.InferOutput<typeof saveSchema>;

export type Failure = { ok: false; status: 400 | 404; errors: FieldErrors };

export interface ShortlistSummary {
	id: number;
	name: string;
	createdAt: Date;
	entries: number;
}

export interface EntryView {
	profileId: number;
	note: string;
	addedAt: Date;
	/** Null once the profile is no longer public: its details are not shown, even to the list's owner. */
	profile: {
		handle: string;
		name: string;
		headline: string | null;
		location: string | null;
		avatar: string;
	} | null;
}

export const nameTaken = (name: string) => `You already have a shortlist called “${name}”.`;

export async function listShortlists(db: Executor, ownerId: number): Promise<ShortlistSummary[]> {
	const rows = await db
		.selectFrom('shortlists')
		.leftJoin('shortlist_entries', 'shortlist_entries.shortlist_id', 'shortlists.id')
		.select((eb) => [
			'shortlists.id',
			'shortlists.name',
			'shortlists.created_at',
			eb.fn.count<string | number>('shortlist_entries.profile_id').as('entries')
		])
		.where('shortlists.owner_id', '=', ownerId)
		.groupBy(['shortlists.id', 'shortlists.name', 'shortlists.created_at'])
		.orderBy((eb) => eb.fn('lower', ['shortlists.name']))
		.orderBy('shortlists.id')
		.execute();
	return rows.map((r) => ({
		id: r.id,
		name: r.name,
		createdAt: r.created_at,
		entries: Number(r.entries)
	}));
}

export async function getShortlist(
	db: Executor,
	ownerId: number,
	id: number
): Promise<{ id: number; name: string; createdAt: Date } | undefined> {
	const row = await db
		.selectFrom('shortlists')
		.select(['id', 'name', 'created_at'])
		.where('owner_id', '=', ownerId)
		.where('id', '=', id)
		.executeTakeFirst();
	return row && { id: row.id, name: row.name, createdAt: row.created_at };
}

/** Ids of the owner's lists that already hold the profile. */
export async function listsHolding(
	db: Executor,
	ownerId: number,
	profileId: number
): Promise<number[]> {
	const rows = await db
		.selectFrom('shortlist_entries')
		.innerJoin('shortlists', 'shortlists.id', 'shortlist_entries.shortlist_id')
		.select('shortlists.id')
		.where('shortlists.owner_id', '=', ownerId)
		.where('shortlist_entries.profile_id', '=', profileId)
		.execute();
	return rows.map((r) => r.id);
}

export async function insertShortlist(
	db: Executor,
	ownerId: number,
	name: string,
	now: Date
): Promise<{ ok: true; id: number; name: string } | { ok: false; error: string }> {
	const existing = await db
		.selectFrom('shortlists')
		.select(['id', 'name'])
		.where('owner_id', '=', ownerId)
		.orderBy('id')
		.execute();
	if (existing.length >= MAX_SHORTLISTS)
		return { ok: false, error: `You can keep up to ${MAX_SHORTLISTS} shortlists.` };
	const clash = existing.find((s) => s.name.toLowerCase() === name.toLowerCase());
	if (clash) return { ok: false, error: nameTaken(clash.name) };
	const row = await db
		.insertInto('shortlists')
		.values({ owner_id: ownerId, name, created_at: now })
		.returning(['id', 'name'])
		.executeTakeFirstOrThrow();
	return { ok: true, id: row.id, name: row.name };
}

export async function createShortlist(
	db: Executor,
	ownerId: number,
	name: string,
	now = new Date()
): Promise<{ ok: true; id: number } | Failure> {
	try {
		const result = await withTransaction(db, (trx) => insertShortlist(trx, ownerId, name, now));
		if (!result.ok) return { ok: false, status: 400, errors: { name: result.error } };
		return { ok: true, id: result.id };
	} catch (error) {
		// Two tabs creating the same name at once: the unique index has the last word.
		if (isUniqueViolation(error, NAME_INDEX))
			return { ok: false, status: 400, errors: { name: nameTaken(name) } };
		throw error;
	}
}

export async function renameShortlist(
	db: Executor,
	ownerId: number,
	id: number,
	name: string
): Promise<{ ok: true } | Failure> {
	try {
		return await withTransaction(db, async (trx) => {
			const clash = await trx
				.selectFrom('shortlists')
				.select('name')
				.where('owner_id', '=', ownerId)
				.where('id', '<>', id)
				.where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
				.executeTakeFirst();
			if (clash)
				return {
					ok: false as const,
					status: 400 as const,
					errors: { name: nameTaken(clash.name) }
				};
			const row = await trx
				.updateTable('shortlists')
				.set({ name })
				.where('owner_id', '=', ownerId)
				.where('id', '=', id)
				.returning('id')
				.executeTakeFirst();
			if (!row)
				return {
					ok: false as const,
					status: 404 as const,
					errors: { form: 'No such shortlist.' } as FieldErrors
				};
			return { ok: true as const };
		});
	} catch (error) {
		if (isUniqueViolation(error, NAME_INDEX))
			return { ok: false, status: 400, errors: { name: nameTaken(name) } };
		throw error;
	}
}

/** Deletes the list and, by cascade, its entries; false when the owner has no such list. */
export async function deleteShortlist(db: Executor, ownerId: number, id: number): Promise<boolean> {
	const row = await db
		.deleteFrom('shortlists')
		.where('owner_id', '=', ownerId)
		.where('id', '=', id)
		.returning('id')
		.executeTakeFirst();
	return !!row;
}

/** The list's entries, newest first; undefined when the owner has no such list. */
