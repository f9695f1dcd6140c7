import type { Transaction } from 'kysely';
import type { Db, Executor } from '#lib/server/db/connect.js';
import type { Database, User } from '#lib/server/db/schema.js';
import { logger } from '#lib/server/platform/log.js';
import { type AccountResult } from '#lib/server/accounts/users.js';
import { checkCurrentPassword } from '#lib/server/accounts/settings.js';
import { mediaStore } from '#lib/server/platform/media-store.js';
import { removeStoredMedia } from '#lib/server/work-media-keys.js';
import { forgetTerms } from '#lib/server/search/statistics.js';

// Deleting an account and everything that names it.

/**
 * Deletes the account and everything it owns (sessions, tokens, devices, throttling state, mail
 * about it, skills nobody else uses), in one transaction. Its handles stay held for 90 days, as
 * renamed ones are, so nobody can step into its links or its network accounts' back-links at once.
 */
export async function deleteAccount(
	db: Db,
	input: { userId: number; currentPassword: string; now?: Date }
): Promise<AccountResult<null>> {
	const now = input.now ?? new Date();
	const checked = await checkCurrentPassword(db, input.userId, input.currentPassword, now);
	if (!checked.ok) return checked;
	const user = checked.value;
	await db.transaction().execute((trx) => removeAccount(trx, user, now));
	logger.info({ userId: user.id }, 'account deleted');
	return { ok: true, value: null };
}

/**
 * The deletion itself, inside the caller's transaction: self-deletion above and an admin's
 * deletion (admin/accounts.ts) run exactly this.
 */
export async function removeAccount(
	trx: Transaction<Database>,
	user: Pick<User, 'id' | 'handle' | 'email'>,
	now: Date
): Promise<void> {
	const skillIds = await skillsUsedBy(trx, user.id);
	await trx
		.insertInto('handle_history')
		.values({ handle: user.handle.toLowerCase(), user_id: null, released_at: now })
		.onConflict((oc) => oc.column('handle').doUpdateSet({ user_id: null, released_at: now }))
		.execute();
	// Its earlier handles keep their hold from when they were released, owned by nobody.
	await trx
		.updateTable('handle_history')
		.set({ user_id: null })
		.where('user_id', '=', user.id)
		.execute();
	// Uploaded images' bytes are keyed by image, not by user, so no cascade reaches them.
	await removeStoredMedia(trx, mediaStore(), { userId: user.id });
	// Rows that reference the user (sessions, tokens, devices, profile, network accounts and
	// their checks, mail about the account) go with it by cascade.
	await trx.deleteFrom('users').where('id', '=', user.id).execute();
	await trx
		.deleteFrom('rate_limit_buckets')
		.where((eb) =>
			eb.or([
				eb('key', '=', `login:account:${user.id}`),
				eb('key', 'like', `login:account:${user.id}:%`),
				eb('key', '=', `confirm:account:${user.id}`)
			])
		)
		.execute();
	// Mail written before mail carried its account (or to the address by someone else).
	await trx
		.deleteFrom('outbox')
		.where((eb) => eb(eb.fn('lower', ['to_address']), '=', user.email.toLowerCase()))
		.execute();
	await deleteUnusedSkills(trx, skillIds);
}

async function skillsUsedBy(db: Executor, userId: number): Promise<number[]> {
	const rows = await db
		.selectFrom('profile_skills')
		.select('skill_id')
		.where('user_id', '=', userId)
		.union(
			db
				.selectFrom('work_item_skills')
				.innerJoin('work_items', 'work_items.id', 'work_item_skills.work_item_id')
				.select('work_item_skills.skill_id')
				.where('work_items.user_id', '=', userId)
		)
		.execute();
	return rows.map((row) => row.skill_id);
}

/** Skill names are shared; one that no profile, work item or endorsement uses any more goes. */
async function deleteUnusedSkills(db: Executor, skillIds: number[]): Promise<void> {
	if (skillIds.length === 0) return;
	await db
		.deleteFrom('skills')
		.where('id', 'in', skillIds)
		.where(({ not, exists, selectFrom }) =>
			not(
				exists(
					selectFrom('profile_skills')
						.select('skill_id')
						.whereRef('profile_skills.skill_id', '=', 'skills.id')
						.union(
							selectFrom('work_item_skills')
								.select('skill_id')
								.whereRef('work_item_skills.skill_id', '=', 'skills.id')
						)
						.union(
							selectFrom('endorsement_skills')
								.select('skill_id')
								.whereRef('endorsement_skills.skill_id', '=', 'skills.id')
						)
				)
			)
		)
		.execute();
	// A search may have cached the skills spelled like its words.
	forgetTerms();
}
