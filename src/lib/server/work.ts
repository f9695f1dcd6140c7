import * as v from 'valibot';
import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import type { WorkItem } from '#lib/server/db/schema.js';
import { schedulePreview } from '#lib/server/link-previews.js';
import { safeHttpUrl } from '#lib/server/networks.js';
import { touchProfile } from '#lib/server/profiles.js';
import { parseId } from '#lib/server/platform/forms.js';
import { mediaStore } from '#lib/server/platform/media-store.js';
import { removeStoredMedia } from '#lib/server/work-media-keys.js';

export const MAX_WORK_ITEMS = 100;

const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/;

export const workSchema = v.object({
	title: v.pipe(
		v.string(),
		v.trim(),
		v.nonEmpty('Give the work a title.'),
		v.maxLength(120, 'Title: use at most 120 characters.')
	),
	url: v.pipe(
		v.string(),
		v.trim(),
		v.maxLength(2000, 'Link: use at most 2,000 characters.'),
		v.check(
			(value) => value === '' || safeHttpUrl(value) !== null,
			'Enter a link that starts with http:// or https://.'
		),
		v.transform((value) => (value === '' ? null : safeHttpUrl(value)!.href))
	),
	role: v.pipe(v.string(), v.trim(), v.maxLength(120, 'Role: use at most 120 characters.')),
	outcome: v.pipe(v.string(), v.trim(), v.maxLength(500, 'Outcome: use at most 500 characters.')),
	happenedOn: v.pipe(
		v.string(),
		v.trim(),
		v.check(
			(value) => value === '' || DATE_PATTERN.test(value),
			'Enter a date as YYYY-MM or YYYY-MM-DD.'
		),
		v.transform((value) => (value === '' ? null : value))
	),
	caseStudy: v.pipe(
		v.string(),
		v.trim(),
		v.maxLength(20_000, 'Case study: use at most 20,000 characters.')
	)
});
export type WorkInput = v.InferOutput<typeof workSchema>;

export interface WorkWithSkills extends WorkItem {
	skills: { id: number; name: string }[];
}

/** The skill ids ticked in a work form (checkboxes named "skills"). */
export function skillIdsFrom(form: FormData): number[] {
	return form
		.getAll('skills')
		.map(parseId)
		.filter((id) => id !== null);
}

export function slugify(title: string): string {
	const slug = title
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 60)
		.replace(/-+$/g, '');
	return slug || 'work';
}

async function uniqueSlug(db: Executor, userId: number, title: string): Promise<string> {
	const base = slugify(title);
	const taken = new Set(
		(
			await db
				.selectFrom('work_items')
				.select('slug')
				.where('user_id', '=', userId)
				.where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
				.execute()
		).map((r) => r.slug)
	);
	if (!taken.has(base)) return base;
	for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

async function attachSkills(db: Executor, items: WorkItem[]): Promise<WorkWithSkills[]> {
	if (items.length === 0) return [];
	const rows = await db
		.selectFrom('work_item_skills')
		.innerJoin('skills', 'skills.id', 'work_item_skills.skill_id')
		.select(['work_item_skills.work_item_id', 'skills.id', 'skills.name'])
		.where(
			'work_item_skills.work_item_id',
			'in',
			items.map((i) => i.id)
		)
		.orderBy('skills.name')
		.execute();
	return items.map((item) => ({
		...item,
		skills: rows.filter((r) => r.work_item_id === item.id).map((r) => ({ id: r.id, name: r.name }))
	}));
}

/** The person's work, pinned first, then in their chosen order. */
export async function listWork(db: Executor, userId: number): Promise<WorkWithSkills[]> {
	const items = await db
		.selectFrom('work_items')
		.selectAll()
		.where('user_id', '=', userId)
		.orderBy('pinned', 'desc')
		.orderBy('position')
		.orderBy('id', 'desc')
		.execute();
	return attachSkills(db, items);
}

/** Titles of a person's work, in profile order, for pickers such as the endorsement form. */
export async function listWorkTitles(
	db: Executor,
	userId: number
): Promise<{ id: number; title: string }[]> {
	return db
		.selectFrom('work_items')
		.select(['id', 'title'])
		.where('user_id', '=', userId)
		.orderBy('pinned', 'desc')
		.orderBy('position')
		.orderBy('id', 'desc')
		.execute();
}

export async function getWork(
	db: Executor,
	userId: number,
	id: number
): Promise<WorkWithSkills | undefined> {
	const item = await db
		.selectFrom('work_items')
		.selectAll()
		.where('user_id', '=', userId)
		.where('id', '=', id)
		.executeTakeFirst();
	return item ? (await attachSkills(db, [item]))[0] : undefined;
}

export async function getWorkBySlug(
	db: Executor,
	userId: number,
	slug: string
): Promise<WorkWithSkills | undefined> {
	// slugify() only ever writes these characters; anything else (NUL bytes included) is no slug.
	if (!/^[a-z0-9-]{1,80}$/.test(slug)) return undefined;
	const item = await db
		.selectFrom('work_items')
		.selectAll()
		.where('user_id', '=', userId)
		.where('slug', '=', slug)
		.executeTakeFirst();
	return item ? (await attachSkills(db, [item]))[0] : undefined;
}

/** Only skills the profile lists may be cited; anything else in the form is ignored. */
async function ownSkillIds(db: Executor, userId: number, requested: number[]): Promise<number[]> {
	if (requested.length === 0) return [];
	const rows = await db
		.selectFrom('profile_skills')
		.select('skill_id')
		.where('user_id', '=', userId)
		.where('skill_id', 'in', requested)
		.execute();
	return rows.map((r) => r.skill_id);
}

async function replaceWorkSkills(db: Executor, userId: number, workId: number, skillIds: number[]) {
	await db.deleteFrom('work_item_skills').where('work_item_id', '=', workId).execute();
	const ids = await ownSkillIds(db, userId, skillIds);
	if (ids.length) {
		await db
			.insertInto('work_item_skills')
			.values(ids.map((skillId) => ({ work_item_id: workId, skill_id: skillId })))
			.execute();
	}
}

export type CreateWorkResult = { ok: true; item: WorkItem } | { ok: false; error: string };

export async function createWork(
	db: Executor,
	userId: number,
	input: WorkInput,
	skillIds: number[] = [],
	now = new Date()
): Promise<CreateWorkResult> {
	return withTransaction<CreateWorkResult>(db, async (trx) => {
		const count = await trx
			.selectFrom('work_items')
			.select((eb) => eb.fn.countAll<string | number>().as('n'))
			.where('user_id', '=', userId)
			.executeTakeFirstOrThrow();
		if (Number(count.n) >= MAX_WORK_ITEMS)
			return { ok: false, error: `You can list up to ${MAX_WORK_ITEMS} pieces of work.` };
		const last = await trx
			.selectFrom('work_items')
			.select((eb) => eb.fn.max<number | null>('position').as('max'))
			.where('user_id', '=', userId)
			.executeTakeFirst();
		const item = await trx
			.insertInto('work_items')
			.values({
				user_id: userId,
				title: input.title,
				url: input.url,
				role: input.role,
				outcome: input.outcome,
				happened_on: input.happenedOn,
				case_study_md: input.caseStudy,
				slug: await uniqueSlug(trx, userId, input.title),
				position: (last?.max ?? -1) + 1,
				created_at: now,
				updated_at: now
			})
			.returningAll()
			.executeTakeFirstOrThrow();
		await replaceWorkSkills(trx, userId, item.id, skillIds);
		await schedulePreview(trx, item.id, item.url, now);
		await touchProfile(trx, userId, now);
		return { ok: true, item };
	});
}

/** Updates a work item the user owns; false when there is no such item of theirs. */
export async function updateWork(
	db: Executor,
	userId: number,
	id: number,
	input: WorkInput,
	skillIds: number[] = [],
	now = new Date()
): Promise<boolean> {
	return withTransaction(db, async (trx) => {
		const updated = await trx
			.updateTable('work_items')
			.set({
				title: input.title,
				url: input.url,
				role: input.role,
				outcome: input.outcome,
				happened_on: input.happenedOn,
				case_study_md: input.caseStudy,
				updated_at: now
			})
			.where('user_id', '=', userId)
			.where('id', '=', id)
			.returning('id')
			.executeTakeFirst();
		if (!updated) return false;
		await replaceWorkSkills(trx, userId, id, skillIds);
		// Compares with the preview's own link, so saving other fields never refetches the page.
		await schedulePreview(trx, id, input.url, now);
		await touchProfile(trx, userId, now);
		return true;
	});
}

export async function deleteWork(db: Executor, userId: number, id: number): Promise<boolean> {
	return withTransaction(db, async (trx) => {
		if (
			!(await trx
				.selectFrom('work_items')
				.select('id')
				.where('user_id', '=', userId)
				.where('id', '=', id)
				.executeTakeFirst())
		)
			return false;
		await removeStoredMedia(trx, mediaStore(), { workId: id });
		const deleted = await trx
			.deleteFrom('work_items')
			.where('user_id', '=', userId)
			.where('id', '=', id)
			.returning('id')
			.executeTakeFirst();
		if (deleted) await touchProfile(trx, userId);
		return !!deleted;
	});
}

export async function setPinned(
	db: Executor,
	userId: number,
	id: number,
	pinned: boolean
): Promise<boolean> {
	return withTransaction(db, async (trx) => {
		const row = await trx
			.updateTable('work_items')
			.set({ pinned })
			.where('user_id', '=', userId)
			.where('id', '=', id)
			.returning('id')
			.executeTakeFirst();
		if (row) await touchProfile(trx, userId);
		return !!row;
	});
}

/** Moves an item one place up or down within its group (pinned or not), renumbering the list. */
export async function moveWork(
	db: Executor,
	userId: number,
	id: number,
	direction: 'up' | 'down'
): Promise<boolean> {
	return withTransaction(db, async (trx) => {
		const items = await trx
			.selectFrom('work_items')
			.select(['id', 'pinned'])
			.where('user_id', '=', userId)
			.orderBy('pinned', 'desc')
			.orderBy('position')
			.orderBy('id', 'desc')
			.forUpdate()
			.execute();
		const index = items.findIndex((i) => i.id === id);
		if (index === -1) return false;
		const target = direction === 'up' ? index - 1 : index + 1;
		if (target >= 0 && target < items.length && items[target].pinned === items[index].pinned) {
			[items[index], items[target]] = [items[target], items[index]];
		}
		for (const [position, item] of items.entries()) {
			await trx.updateTable('work_items').set({ position }).where('id', '=', item.id).execute();
		}
		await touchProfile(trx, userId);
		return true;
	});
}
