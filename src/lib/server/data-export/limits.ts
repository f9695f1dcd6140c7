import { sql } from 'kysely';
import type { Db, Executor } from '#lib/server/db/connect.js';
import { DAY_MS, MINUTE_MS } from '#lib/server/platform/time.js';

// "Download my data" may run once a day per account: the zip reads everything the member has,
// media included. Asking (a POST) opens a short window in which the download (a GET) may start.

/** How long after asking the download may start. */
export const DOWNLOAD_WINDOW_MS = 10 * MINUTE_MS;

export type ExportRequest =
	{ ok: true; id: number } | { ok: false; status: 429; lastDownloadAt: Date; nextAllowedAt: Date };

/** When the member last downloaded their data, and when they may again; null if never. */
export async function lastDownload(
	db: Executor,
	userId: number,
	now = new Date()
): Promise<{ at: Date; nextAllowedAt: Date | null } | null> {
	const row = await db
		.selectFrom('data_exports')
		.select('downloaded_at')
		.where('user_id', '=', userId)
		.where('downloaded_at', 'is not', null)
		.orderBy('downloaded_at', 'desc')
		.limit(1)
		.executeTakeFirst();
	if (!row?.downloaded_at) return null;
	const next = new Date(row.downloaded_at.getTime() + DAY_MS);
	return { at: row.downloaded_at, nextAllowedAt: next > now ? next : null };
}

/** Asks for a download: refused with the time of the last one when it was under a day ago. */
export async function requestExport(
	db: Db,
	userId: number,
	now = new Date()
): Promise<ExportRequest> {
	return db.transaction().execute(async (trx) => {
		await lockAccount(trx, userId);
		const last = await lastDownload(trx, userId, now);
		if (last?.nextAllowedAt)
			return { ok: false, status: 429, lastDownloadAt: last.at, nextAllowedAt: last.nextAllowedAt };
		const row = await trx
			.insertInto('data_exports')
			.values({ user_id: userId, requested_at: now })
			.returning('id')
			.executeTakeFirstOrThrow();
		return { ok: true, id: row.id };
	});
}

/**
 * Takes the newest open request (asked for in the last few minutes, not yet used) and marks it
 * downloaded, unless a download already happened in the last day. Its id, or null when there is none.
 */
export async function startDownload(
	db: Db,
	userId: number,
	now = new Date()
): Promise<number | null> {
	return db.transaction().execute(async (trx) => {
		await lockAccount(trx, userId);
		if ((await lastDownload(trx, userId, now))?.nextAllowedAt) return null;
		const open = await trx
			.selectFrom('data_exports')
			.select('id')
			.where('user_id', '=', userId)
			.where('downloaded_at', 'is', null)
			.where('requested_at', '>', new Date(now.getTime() - DOWNLOAD_WINDOW_MS))
			.where('requested_at', '<=', now)
			.orderBy('requested_at', 'desc')
			.limit(1)
			.executeTakeFirst();
		if (!open) return null;
		await trx
			.updateTable('data_exports')
			.set({ downloaded_at: now })
			.where('id', '=', open.id)
			.execute();
		return open.id;
	});
}

/** A download that failed before any byte was sent does not count: the request is open again. */
export async function releaseDownload(db: Executor, id: number): Promise<void> {
	await db.updateTable('data_exports').set({ downloaded_at: null }).where('id', '=', id).execute();
}

// Two tabs asking at once must not both get a download: the account row serialises them.
async function lockAccount(trx: Executor, userId: number): Promise<void> {
	await sql`select id from users where id = ${userId} for update`.execute(trx);
}
