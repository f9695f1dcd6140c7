import { sql } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';
import { logger } from '#lib/server/platform/log.js';

// Crawlers, link unfurlers and tools: their fetches are not people looking at a profile.
const BOT_PATTERN =
	/bot|crawl|spider|slurp|fetch|preview|facebookexternalhit|embedly|curl|wget|python|httpclient|java\/|go-http|node-fetch|axios|headless|lighthouse|monitor|scan|autocannon/i;

export function isLikelyBot(userAgent: string | null): boolean {
	return !userAgent || BOT_PATTERN.test(userAgent);
}

function dayOf(date: Date): string {
	return date.toISOString().slice(0, 10);
}

// Views are counted in memory and written in one statement every few seconds, so a busy profile
// costs one upsert per flush instead of one write per view.
const pending = new Map<string, number>();
const pendingAppearances = new Map<string, number>();
let flushTimer: NodeJS.Timeout | null = null;
let flushDb: Executor | null = null;

export function recordView(db: Executor, userId: number, now = new Date()): void {
	const key = `${userId}|${dayOf(now)}`;
	pending.set(key, (pending.get(key) ?? 0) + 1);
	scheduleFlush(db);
}

/** Counts one search appearance for each profile shown on a results page. */
export function recordAppearances(db: Executor, userIds: number[], now = new Date()): void {
	for (const userId of userIds) {
		const key = `${userId}|${dayOf(now)}`;
		pendingAppearances.set(key, (pendingAppearances.get(key) ?? 0) + 1);
	}
	if (userIds.length) scheduleFlush(db);
}

function scheduleFlush(db: Executor): void {
	flushDb = db;
	if (!flushTimer) {
		flushTimer = setTimeout(() => {
			flushTimer = null;
			flushViews(db).catch((error) => logger.error({ err: error }, 'saving profile views failed'));
		}, 2000);
		flushTimer.unref();
	}
}

function drain(map: Map<string, number>) {
	const rows = [...map.entries()].map(([key, count]) => {
		const [userId, day] = key.split('|');
		return { user_id: Number(userId), day, count };
	});
	map.clear();
	return rows;
}

export async function flushViews(db: Executor | null = flushDb): Promise<void> {
	if (!db) return;
	const views = drain(pending);
	const appearances = drain(pendingAppearances);
	if (views.length) {
		await db
			.insertInto('profile_views')
			.values(views.map(({ count, ...row }) => ({ ...row, views: count })))
			.onConflict((oc) =>
				oc
					.columns(['user_id', 'day'])
					.doUpdateSet({ views: sql`profile_views.views + excluded.views` })
			)
			.execute();
	}
	if (appearances.length) {
		await db
			.insertInto('search_appearances')
			.values(appearances.map(({ count, ...row }) => ({ ...row, appearances: count })))
			.onConflict((oc) =>
				oc
					.columns(['user_id', 'day'])
					.doUpdateSet({ appearances: sql`search_appearances.appearances + excluded.appearances` })
			)
			.execute();
	}
}

/** Search appearances over the last `span` days. */
export async function countAppearances(
	db: Executor,
	userId: number,
	span = 90,
	now = new Date()
): Promise<number> {
	const since = new Date(now.getTime() - (span - 1) * 86_400_000);
	const row = await db
		.selectFrom('search_appearances')
		.select((eb) => eb.fn.sum<string | number | null>('appearances').as('n'))
		.where('user_id', '=', userId)
		.where('day', '>=', dayOf(since))
		.executeTakeFirst();
	return Number(row?.n ?? 0);
}

export interface ViewStats {
	days: { day: string; views: number }[];
	total: number;
	last7: number;
}

/** One entry per day for the last `span` days (today included), zeros where nobody looked. */
export async function getViewStats(
	db: Executor,
	userId: number,
	span = 90,
	now = new Date()
): Promise<ViewStats> {
	const since = new Date(now.getTime() - (span - 1) * 86_400_000);
	const rows = await db
		.selectFrom('profile_views')
		.select([sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'), 'views'])
		.where('user_id', '=', userId)
		.where('day', '>=', dayOf(since))
		.execute();
	const byDay = new Map(rows.map((r) => [r.day, r.views]));
	const days = Array.from({ length: span }, (_, i) => {
		const day = dayOf(new Date(since.getTime() + i * 86_400_000));
		return { day, views: byDay.get(day) ?? 0 };
	});
	const total = days.reduce((sum, d) => sum + d.views, 0);
	const last7 = days.slice(-7).reduce((sum, d) => sum + d.views, 0);
	return { days, total, last7 };
}
