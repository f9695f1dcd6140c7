import { sql } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';

export interface BucketPolicy {
	/** Most tokens the bucket holds (the burst). */
	capacity: number;
	/** Tokens added back per second. */
	refillPerSecond: number;
}

// Wrong passwords for one account from one address: the brute-force limit.
export const LOGIN_PER_ACCOUNT_AND_IP: BucketPolicy = { capacity: 5, refillPerSecond: 1 / 60 };
// Every attempt on one account from anywhere: far above what one address may try, so strangers
// need many addresses to reach it, and a known browser is let through even then.
export const LOGIN_PER_ACCOUNT: BucketPolicy = { capacity: 100, refillPerSecond: 100 / 3600 };
// Re-entering the current password while signed in (change password or email, delete).
export const CONFIRM_PER_ACCOUNT: BucketPolicy = { capacity: 5, refillPerSecond: 1 / 60 };
// Posts of a new password from a reset link, each of which costs an argon2 hash.
export const RESET_PER_IP: BucketPolicy = { capacity: 10, refillPerSecond: 1 / 60 };
export const LOGIN_PER_IP: BucketPolicy = { capacity: 30, refillPerSecond: 1 / 6 };
export const SIGNUP_PER_IP: BucketPolicy = { capacity: 20, refillPerSecond: 1 / 60 };
export const MAIL_PER_IP: BucketPolicy = { capacity: 10, refillPerSecond: 1 / 120 };
// Sixty searches at once and one a second after that: more than a person paging ever needs.
export const SEARCH_PER_IP: BucketPolicy = { capacity: 60, refillPerSecond: 1 };

/**
 * Takes one token from a bucket kept in the database, so every app server shares it. The refill
 * and the take happen in one statement, which the row lock makes atomic under concurrency.
 * Returns false (and takes nothing) when the bucket is empty.
 */
export async function consume(
	db: Executor,
	key: string,
	policy: BucketPolicy,
	now = new Date()
): Promise<boolean> {
	const refilled = sql<number>`least(${policy.capacity}::double precision,
		rate_limit_buckets.tokens + greatest(0, extract(epoch from (${now}::timestamptz - rate_limit_buckets.updated_at)))::double precision * ${policy.refillPerSecond}::double precision)`;
	const row = await db
		.insertInto('rate_limit_buckets')
		.values({ key, tokens: policy.capacity - 1, updated_at: now })
		.onConflict((oc) =>
			oc
				.column('key')
				.doUpdateSet({ tokens: sql`${refilled} - 1`, updated_at: now })
				.where(refilled, '>=', 1)
		)
		.returning('tokens')
		.executeTakeFirst();
	return row !== undefined;
}

/** Forgets a bucket, e.g. the per-account login bucket after a successful log-in. */
export async function reset(db: Executor, key: string): Promise<void> {
	await db.deleteFrom('rate_limit_buckets').where('key', '=', key).execute();
}
