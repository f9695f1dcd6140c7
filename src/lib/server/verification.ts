// Proven network presence: each account on a profile is verified by a link back to the profile
// on the account's own page, re-checked weekly and on demand, with a dated history of checks.
import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import { sql } from 'kysely';
import { HANDLE_HOLD_MS } from '#lib/server/accounts/index.js';
import { consume, type BucketPolicy } from '#lib/server/platform/rate-limit.js';
import type {
	CheckOutcome,
	NetworkAccountCheck,
	VerificationStatus
} from '#lib/server/db/schema.js';
import type { Fetcher } from '#lib/server/platform/fetcher.js';
import { FetchError } from '#lib/server/platform/fetcher.js';
import type { Network } from '#lib/server/networks.js';
import { touchProfile } from '#lib/server/profiles.js';
import {
	adapterFor,
	type AdapterAccount,
	type AdapterCheck,
	type AdapterInstructions
} from '#lib/server/adapters/index.js';
import { DAY_MS } from '#lib/server/platform/time.js';

export const RECHECK_INTERVAL_DAYS = 7;
export const CHECK_COOLDOWN_SECONDS = 60;
// "Check now" per person, across all their accounts: enough to fix a link a few times an hour,
// not enough to spend a network's anonymous API quota for everyone else.
export const CHECKS_PER_USER: BucketPolicy = { capacity: 20, refillPerSecond: 20 / 3600 };
// A verified account the network has not let us check for this long is no longer proven.
export const UNREACHABLE_LAPSE_DAYS = 28;
// Checks kept per account: two years of weekly re-checks, and a bound on what spam can write.
export const HISTORY_LIMIT = 100;

export type CheckResult = CheckOutcome | 'retry' | 'gone';

export type CheckView = Pick<
	NetworkAccountCheck,
	'id' | 'checked_at' | 'outcome' | 'detail' | 'profile_url' | 'followers' | 'source'
>;

export interface ReachSnapshot {
	at: Date;
	followers: number;
	source: string | null;
}

function profileUrl(origin: string, handle: string): string {
	return `${new URL(origin).origin}/@${handle}`;
}

/**
 * The addresses a back-link may point to: the current handle first, then earlier handles that
 * still redirect to the profile.
 */
export async function profileUrlsFor(
	db: Executor,
	userId: number,
	origin: string
): Promise<string[]> {
	const user = await db
		.selectFrom('users')
		.select('handle')
		.where('id', '=', userId)
		.executeTakeFirst();
	if (!user) return [];
	// Only old handles that still redirect here: held for 90 days and taken by nobody since.
	const previous = await db
		.selectFrom('handle_history as h')
		.select('h.handle')
		.where('h.user_id', '=', userId)
		.where('h.released_at', '>', new Date(Date.now() - HANDLE_HOLD_MS))
		.where(({ not, exists, selectFrom }) =>
			not(
				exists(
					selectFrom('users as u')
						.select('u.id')
						.whereRef(sql`lower(u.handle)`, '=', 'h.handle')
				)
			)
		)
		.orderBy('h.released_at', 'desc')
		.execute();
	const handles = [user.handle, ...previous.map((row) => row.handle)];
	return handles.map((handle) => profileUrl(origin, handle));
}

/** Asks for a check of one of the user's own accounts as soon as the worker gets to it. */
export async function requestCheck(
	db: Executor,
	userId: number,
	accountId: number,
	now = new Date()
): Promise<'queued' | 'too_soon' | 'too_many' | 'not_found'> {
	const account = await db
		.selectFrom('network_accounts')
		.select(['id', 'last_checked_at'])
		.where('id', '=', accountId)
		.where('user_id', '=', userId)
		.executeTakeFirst();
	if (!account) return 'not_found';
	if (
		account.last_checked_at &&
		now.getTime() - account.last_checked_at.getTime() < CHECK_COOLDOWN_SECONDS * 1000
	)
		return 'too_soon';
	if (!(await consume(db, `checks:user:${userId}`, CHECKS_PER_USER, now))) return 'too_many';
	await db
		.updateTable('network_accounts')
		.set({ next_check_at: now })
		.where('id', '=', accountId)
		.execute();
	return 'queued';
}

async function runAdapter(
	fetcher: Fetcher,
	account: AdapterAccount,
	profileUrls: string[]
): Promise<AdapterCheck> {
	const adapter = adapterFor(account.network);
	try {
		return await adapter.check(fetcher, account, profileUrls);
	} catch (error) {
		// Adapters turn fetch failures into outcomes themselves; this catches any that slip through.
		if (!(error instanceof FetchError)) throw error;
		return {
			outcome: 'unreachable',
			detail: `The network did not answer (${error.code}).`,
			followers: null,
			source: adapter.source
		};
	}
}

function nextStatus(
	current: VerificationStatus,
	outcome: CheckOutcome,
	verifiedAt: Date | null,
	now: Date
): VerificationStatus {
	if (outcome === 'verified') return 'verified';
	if (outcome === 'unreachable') {
		// One outage never takes a badge away; four weeks without a successful check do.
		const stale =
			verifiedAt !== null && now.getTime() - verifiedAt.getTime() > UNREACHABLE_LAPSE_DAYS * DAY_MS;
		return current === 'verified' && stale ? 'lapsed' : current;
	}
	return current === 'verified' ? 'lapsed' : current;
}

/**
 * Checks one account's back-link and records the result. An unreachable network changes nothing
 * unless this is the last attempt, and even then never takes a badge away.
 */
export async function checkAccount(
	db: Executor,
	fetcher: Fetcher,
	accountId: number,
	options: { origin: string; now?: Date; finalAttempt?: boolean }
): Promise<CheckResult> {
	const account = await db
		.selectFrom('network_accounts')
		.select(['id', 'user_id', 'network', 'identifier', 'url'])
		.where('id', '=', accountId)
		.executeTakeFirst();
	if (!account) return 'gone';
	const profileUrls = await profileUrlsFor(db, account.user_id, options.origin);
	if (profileUrls.length === 0) return 'gone';
	const check = await runAdapter(
		fetcher,
		{ network: account.network as Network, identifier: account.identifier, url: account.url },
		profileUrls
	);
	if (check.outcome === 'unreachable' && !options.finalAttempt) return 'retry';
	return recordCheck(db, accountId, check, {
		profileUrl: profileUrls[0],
		now: options.now ?? new Date()
	});
}

/**
 * Records the result of one back-link check (what checkAccount read from the network) and moves the
 * badge accordingly. An unreachable network never takes a badge away before four weeks.
 */
export async function recordCheck(
	db: Executor,
	accountId: number,
	check: AdapterCheck,
	options: { profileUrl: string; now: Date }
): Promise<CheckResult> {
	const { now } = options;
	const profileUrls = [options.profileUrl];
	const account = await db
		.selectFrom('network_accounts')
		.select(['user_id'])
		.where('id', '=', accountId)
		.executeTakeFirst();
	if (!account) return 'gone';
	return withTransaction<CheckResult>(db, async (trx) => {
		// Re-read under a lock: the owner may have removed the account while the network answered.
		const current = await trx
			.selectFrom('network_accounts')
			.select([
				'verification_status',
				'verified_at',
				'lapsed_at',
				'reach_followers',
				'reach_source'
			])
			.where('id', '=', accountId)
			.forUpdate()
			.executeTakeFirst();
		if (!current) return 'gone' as const;
		const status = nextStatus(current.verification_status, check.outcome, current.verified_at, now);
		const reach = status === 'verified' && check.followers !== null;
		await trx
			.insertInto('network_account_checks')
			.values({
				account_id: accountId,
				checked_at: now,
				outcome: check.outcome,
				detail: check.detail,
				profile_url: profileUrls[0],
				followers: check.followers,
				source: check.source
			})
			.execute();
		await trx
			.deleteFrom('network_account_checks')
			.where('account_id', '=', accountId)
			.where(
				'id',
				'not in',
				trx
					.selectFrom('network_account_checks')
					.select('id')
					.where('account_id', '=', accountId)
					.orderBy('checked_at', 'desc')
					.orderBy('id', 'desc')
					.limit(HISTORY_LIMIT)
			)
			.execute();
		await trx
			.updateTable('network_accounts')
			.set({
				verification_status: status,
				// The profile shows "last verified <date>": the latest check that found the back-link.
				verified_at: check.outcome === 'verified' ? now : current.verified_at,
				lapsed_at: status === 'lapsed' ? (current.lapsed_at ?? now) : null,
				last_checked_at: now,
				last_check_outcome: check.outcome,
				last_check_detail: check.detail,
				// A verified account is re-checked weekly, or daily while its network does not answer.
				next_check_at:
					status !== 'verified'
						? null
						: new Date(
								now.getTime() +
									(check.outcome === 'unreachable' ? 1 : RECHECK_INTERVAL_DAYS) * DAY_MS
							),
				...(reach
					? { reach_followers: check.followers, reach_checked_at: now, reach_source: check.source }
					: {}),
				...(check.outcome === 'verified' && check.accountCreatedAt
					? { network_created_at: check.accountCreatedAt }
					: {})
			})
			.where('id', '=', accountId)
			.execute();
		const reachChanged =
			reach &&
			(current.reach_followers !== check.followers || current.reach_source !== check.source);
		if (status !== current.verification_status || reachChanged)
			await touchProfile(trx, account.user_id, now);
		return check.outcome;
	});
}

/** Accounts whose check is due (asked for, or a verified one's weekly re-check), oldest first. */
export async function dueChecks(db: Executor, now: Date, limit: number): Promise<number[]> {
	const rows = await db
		.selectFrom('network_accounts')
		.select('id')
		.where('next_check_at', '<=', now)
		.orderBy('next_check_at')
		.orderBy('id')
		.limit(limit)
		.execute();
	return rows.map((row) => row.id);
}

/**
 * The host each account's check fetches from, so the queue can keep one host's checks from
 * running side by side (and a slow host from holding more than one worker).
 */
export async function checkHosts(db: Executor, accountIds: number[]): Promise<Map<number, string>> {
	const hosts = new Map<number, string>();
	if (accountIds.length === 0) return hosts;
	const rows = await db
		.selectFrom('network_accounts')
		.select(['id', 'network', 'identifier', 'url'])
		.where('id', 'in', accountIds)
		.execute();
	for (const row of rows) {
		const account = { network: row.network as Network, identifier: row.identifier, url: row.url };
		const adapter = adapterFor(row.network);
		const host = adapter.host?.(account) ?? URL.parse(row.url)?.hostname;
		if (host) hosts.set(row.id, host.toLowerCase());
	}
	return hosts;
}

/** The latest checks of one of the user's own accounts, newest first. */
export async function listChecks(
	db: Executor,
	userId: number,
	accountId: number,
	limit = 10
): Promise<CheckView[]> {
	return (await listRecentChecks(db, userId, limit, [accountId])).get(accountId) ?? [];
}

/**
 * The latest `perAccount` checks of each of the user's own accounts (or of those given), newest
 * first, in one query however many accounts there are.
 */
export async function listRecentChecks(
	db: Executor,
	userId: number,
	perAccount: number,
	accountIds?: number[]
): Promise<Map<number, CheckView[]>> {
	if (accountIds?.length === 0) return new Map();
	const rows = await db
		.selectFrom((eb) =>
			eb
				.selectFrom('network_account_checks as c')
				.innerJoin('network_accounts as a', 'a.id', 'c.account_id')
				.select([
					'c.account_id',
					'c.id',
					'c.checked_at',
					'c.outcome',
					'c.detail',
					'c.profile_url',
					'c.followers',
					'c.source',
					sql<number>`row_number() over (partition by c.account_id order by c.checked_at desc, c.id desc)`.as(
						'rank'
					)
				])
				.where('a.user_id', '=', userId)
				.$if(accountIds !== undefined, (qb) => qb.where('a.id', 'in', accountIds!))
				.as('r')
		)
		.selectAll()
		.where('r.rank', '<=', perAccount)
		.orderBy('r.account_id')
		.orderBy('r.rank')
		.execute();
	const checks = new Map<number, CheckView[]>();
	for (const row of rows) {
		const list = checks.get(row.account_id) ?? [];
		list.push(row);
		checks.set(row.account_id, list);
	}
	return checks;
}

/** Follower counts read with successful checks since `since`, oldest first, per account given. */
export async function reachHistory(
	db: Executor,
	accountIds: number[],
	since: Date
): Promise<Map<number, ReachSnapshot[]>> {
	const history = new Map<number, ReachSnapshot[]>(accountIds.map((id) => [id, []]));
	if (accountIds.length === 0) return history;
	const rows = await db
		.selectFrom('network_account_checks')
		.select(['account_id', 'checked_at', 'followers', 'source'])
		.where('account_id', 'in', accountIds)
		.where('checked_at', '>=', since)
		.where('followers', 'is not', null)
		.where('outcome', '=', 'verified')
		.orderBy('checked_at')
		.orderBy('id')
		.execute();
	for (const row of rows)
		history
			.get(row.account_id)!
			.push({ at: row.checked_at, followers: row.followers!, source: row.source });
	return history;
}

/** Where to put the profile link on this account's network, and exactly what to paste. */
export function instructionsFor(
	account: { network: string; identifier: string; url: string },
	profileUrl: string
): AdapterInstructions {
	return adapterFor(account.network).instructions(
		{ ...account, network: account.network as Network },
		profileUrl
	);
}
