import { sql } from 'kysely';
import { withTransaction, type Executor } from '#lib/server/db/connect.js';
import { touchProfile } from '#lib/server/profiles.js';
import { searchRowsVersion } from '#lib/server/search/projection.js';
import { forgetTerms } from '#lib/server/search/statistics.js';

export const MAX_SKILLS = 50;
export const MAX_SKILL_LENGTH = 40;

/** Trims and collapses spaces; returns an error message when the skill cannot be used. */
export function normalizeSkill(
	input: string
): { ok: true; name: string } | { ok: false; error: string } {
	const name = input.normalize('NFC').replace(/\s+/g, ' ').trim();
	if (!name) return { ok: false, error: 'Enter a skill.' };
	if ([...name].length > MAX_SKILL_LENGTH)
		return { ok: false, error: `Keep a skill to ${MAX_SKILL_LENGTH} characters.` };
	if (/[<>{}]/.test(name)) return { ok: false, error: 'A skill cannot contain < > { or }.' };
	return { ok: true, name };
}

/** The skill's id, creating it when nobody has used it yet (names are unique without regard to case). */
async function ensureSkill(db: Executor, name: string): Promise<number> {
	await db
		.insertInto('skills')
		.values({ name })
		.onConflict((oc) => oc.expression(sql`lower(name)`).doNothing())
		.execute();
	// A search may have cached the skills spelled like its words.
	forgetTerms();
	const row = await db
		.selectFrom('skills')
		.select('id')
		.where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
		.executeTakeFirstOrThrow();
	return row.id;
}

export interface ProfileSkill {
	id: number;
	name: string;
}

export async function listProfileSkills(db: Executor, userId: number): Promise<ProfileSkill[]> {
	return db
		.selectFrom('profile_skills')
		.innerJoin('skills', 'skills.id', 'profile_skills.skill_id')
		.select(['skills.id', 'skills.name'])
		.where('profile_skills.user_id', '=', userId)
		.orderBy('profile_skills.position')
		.execute();
}

export type AddSkillResult = { ok: true } | { ok: false; error: string };

export async function addSkill(
	db: Executor,
	userId: number,
	input: string
): Promise<AddSkillResult> {
	const normalized = normalizeSkill(input);
	if (!normalized.ok) return normalized;
	return withTransaction<AddSkillResult>(db, async (trx) => {
		const current = await listProfileSkills(trx, userId);
		if (current.some((s) => s.name.toLowerCase() === normalized.name.toLowerCase()))
			return { ok: false, error: 'You already list this skill.' };
		if (current.length >= MAX_SKILLS)
			return { ok: false, error: `You can list up to ${MAX_SKILLS} skills.` };
		const skillId = await ensureSkill(trx, normalized.name);
		await trx
			.insertInto('profile_skills')
			.values({ user_id: userId, skill_id: skillId, position: current.length })
			.onConflict((oc) => oc.columns(['user_id', 'skill_id']).doNothing())
			.execute();
		await touchProfile(trx, userId);
		return { ok: true };
	});
}

/** Replaces the whole list (used by JSON Resume import); keeps the first 50 distinct skills. */
export async function setSkills(db: Executor, userId: number, names: string[]): Promise<void> {
	await withTransaction(db, (trx) => replaceSkills(trx, userId, names));
}

async function replaceSkills(db: Executor, userId: number, names: string[]): Promise<void> {
	const seen = new Set<string>();
	const ids: number[] = [];
	for (const input of names) {
		const normalized = normalizeSkill(input);
		if (!normalized.ok || seen.has(normalized.name.toLowerCase())) continue;
		seen.add(normalized.name.toLowerCase());
		ids.push(await ensureSkill(db, normalized.name));
		if (ids.length === MAX_SKILLS) break;
	}
	await db.deleteFrom('profile_skills').where('user_id', '=', userId).execute();
	if (ids.length) {
		await db
			.insertInto('profile_skills')
			.values(ids.map((skillId, position) => ({ user_id: userId, skill_id: skillId, position })))
			.execute();
	}
	await touchProfile(db, userId);
}

export async function removeSkill(db: Executor, userId: number, skillId: number): Promise<void> {
	await withTransaction(db, (trx) => deleteSkill(trx, userId, skillId));
}

async function deleteSkill(db: Executor, userId: number, skillId: number): Promise<void> {
	await db
		.deleteFrom('profile_skills')
		.where('user_id', '=', userId)
		.where('skill_id', '=', skillId)
		.execute();
	// Work items cannot cite a skill the profile no longer lists.
	await db
		.deleteFrom('work_item_skills')
		.where('skill_id', '=', skillId)
		.where('work_item_id', 'in', (eb) =>
			eb.selectFrom('work_items').select('id').where('user_id', '=', userId)
		)
		.execute();
	await touchProfile(db, userId);
}

/**
 * Skills that public, listed profiles hold, most held first, for suggestions: a skill only private,
 * unlisted, unnamed or deleted profiles hold is never shown to anyone.
 */
export async function suggestSkills(db: Executor, limit = 200): Promise<string[]> {
	const rows = await db
		.selectFrom('skills')
		.innerJoin('profile_skills', 'profile_skills.skill_id', 'skills.id')
		.innerJoin('profile_search', 'profile_search.user_id', 'profile_skills.user_id')
		.select(['skills.name', (eb) => eb.fn.countAll<number>().as('uses')])
		.where('profile_search.listed', '=', true)
		.groupBy(['skills.id', 'skills.name'])
		.orderBy('uses', 'desc')
		.orderBy('skills.name')
		.limit(limit)
		.execute();
	return rows.map((r) => r.name);
}

// Counting every listed holder of every skill reads all of profile_skills (some 150 ms at 100,000
// profiles): the search page's popular skills are counted again only after this process changed a
// search row, or a minute on (for changes made by other app servers, and deleted accounts).
const POPULAR_FOR_MS = 60_000;
const popular = new WeakMap<
	Executor,
	{ at: number; version: number; limit: number; names: Promise<string[]> }
>();

/** suggestSkills as the search page shows them, counted again after a change or a minute. */
export function popularSkills(db: Executor, limit: number, now = Date.now()): Promise<string[]> {
	const kept = popular.get(db);
	const version = searchRowsVersion();
	if (kept && kept.limit === limit && kept.version === version && now - kept.at < POPULAR_FOR_MS)
		return kept.names;
	const names = suggestSkills(db, limit);
	popular.set(db, { at: now, version, limit, names });
	// A failed count is not kept: the next search counts again.
	names.catch(() => {
		if (popular.get(db)?.names === names) popular.delete(db);
	});
	return names;
}
