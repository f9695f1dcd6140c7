import * as v from 'valibot';
import { isUniqueViolation } from '#lib/server/db/errors.js';
import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import { avatarUrl } from '#lib/server/avatar-url.js';
import type { FieldErrors } from '#lib/server/platform/forms.js';

// Shortlists are private to their owner: every query here is scoped by owner_id, and a list or
// entry someone else owns is reported exactly like one that does not exist.

export const MAX_SHORTLISTS = 100;
export const MAX_ENTRIES = 500;
export const MAX_NAME = 80;
export const MAX_NOTE = 1000;

const NAME_INDEX = 'shortlists_owner_name_key';

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

const nameTaken = (name: string) => `You already have a shortlist called “${name}”.`;

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

async function insertShortlist(
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

// A cell a spreadsheet would read as a formula (or a DDE call) is made plain text first.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
	const safe = FORMULA_START.test(value) ? `'${value}` : value;
	return `"${safe.replaceAll('"', '""')}"`;
}

export const CSV_COLUMNS = [
	'name',
	'handle',
	'profile URL',
	'headline',
	'location',
	'note',
	'added'
] as const;

/** RFC 4180 CSV, every cell quoted, with a byte-order mark so spreadsheets read it as UTF-8. */
export function toCsv(entries: EntryView[], origin: string): string {
	const rows = entries.map((e) => [
		e.profile?.name ?? 'No longer public',
		e.profile?.handle ?? '',
		e.profile ? `${origin}/@${e.profile.handle}` : '',
		e.profile?.headline ?? '',
		e.profile?.location ?? '',
		e.note,
		e.addedAt.toISOString().slice(0, 10)
	]);
	return (
		'\uFEFF' + [CSV_COLUMNS, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n'
	);
}

/** A file name for the download: the list's name in plain ASCII. */
export function csvFileName(name: string): string {
	const slug = name
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 60);
	return `shortlist-${slug || 'export'}.csv`;
}
