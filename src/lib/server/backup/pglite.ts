import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { databaseOn, openPglite } from '#lib/server/db/connect.js';
import { lastAppliedMigration } from '#lib/server/db/migrate.js';
import { tableSummaries, type TableSummary } from '#lib/server/backup/manifest.js';

// The embedded database is backed up with PGlite's own data-directory dump (a gzipped tar). Only
// one process may open the directory, so the app must be stopped while this runs.

/** PGlite keeps this file while the directory is open, and leaves it behind if it was killed. */
export function pgliteInUse(dir: string): boolean {
	return fs.existsSync(path.join(dir, 'postmaster.pid'));
}

export const IN_USE_MESSAGE = (dir: string) =>
	`The embedded database in ${dir} is open in another process (or was not shut down cleanly). ` +
	'Stop Proofwork (npm start, npm run worker) first; if it is stopped, start and stop it once so it can recover.';

/** Dumps the data directory to `file` and returns the figures of what it holds. */
export async function dumpPglite(
	dir: string,
	file: string
): Promise<{ tables: Record<string, TableSummary>; lastMigration: string | null }> {
	if (!fs.existsSync(path.join(dir, 'PG_VERSION')))
		throw new Error(`No embedded database in ${dir}.`);
	if (pgliteInUse(dir)) throw new Error(IN_USE_MESSAGE(dir));
	const pglite = await openPglite(dir);
	const db = databaseOn(pglite);
	try {
		const tables = await db.transaction().execute((trx) => tableSummaries(trx));
		const lastMigration = await lastAppliedMigration(db);
		const dump = await pglite.dumpDataDir('gzip');
		await pipeline(Readable.fromWeb(dump.stream() as never), fs.createWriteStream(file));
		return { tables, lastMigration };
	} finally {
		await db.destroy();
	}
}

/**
 * Unpacks a dump into `dir`, which must not exist yet, and opens it: the caller checks it,
 * migrates it and closes it before putting it in place.
 */
export async function loadPglite(file: string, dir: string) {
	const pglite = await openPglite(dir, { loadDataDir: await fs.openAsBlob(file) });
	return databaseOn(pglite);
}
