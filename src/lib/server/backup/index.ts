import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { createDatabase, engineOf, type ConnectOptions } from '#lib/server/db/connect.js';
import { lastShippedMigration, migrateToLatest } from '#lib/server/db/migrate.js';
import { forEachEntry } from '#lib/server/platform/zip.js';
import {
	appVersion,
	BACKUP_FORMAT,
	BACKUP_FORMAT_VERSION,
	differingTables,
	manifestProblem,
	tableSummaries,
	type Manifest
} from '#lib/server/backup/manifest.js';
import { checkPostgresDump, dumpPostgres, restorePostgres } from '#lib/server/backup/postgres.js';
import { dumpPglite, IN_USE_MESSAGE, loadPglite, pgliteInUse } from '#lib/server/backup/pglite.js';

// `npm run backup -- <dir>` and `npm run restore -- <file> --yes-overwrite`: one zip per backup
// holding manifest.json (first) and the engine's own dump, stored uncompressed (it is already).

const DUMP_NAME = { postgres: 'database.pgdump', pglite: 'pglite-datadir.tar.gz' } as const;

export interface BackupResult {
	file: string;
	manifest: Manifest;
}

export interface RestoreResult {
	manifest: Manifest;
	migrationsApplied: string[];
	/** PGlite: where the directory that was replaced now is. */
	previousDir?: string;
}

function stamp(date: Date): string {
	return date
		.toISOString()
		.replace(/[-:]/g, '')
		.replace(/\.\d+Z$/, 'Z');
}

async function sha256(file: string): Promise<string> {
	const hash = crypto.createHash('sha256');
	await pipeline(fs.createReadStream(file), hash);
	return hash.digest('hex');
}

function pgliteDir(target: ConnectOptions): string {
	return path.resolve(target.pgliteDir ?? './data/pglite');
}

/** Writes one backup file into `dir` and returns its path and manifest. */
export async function createBackup(target: ConnectOptions, dir: string): Promise<BackupResult> {
	const engine = engineOf(target);
	const now = new Date();
	fs.mkdirSync(dir, { recursive: true });
	const name = `proofwork-${engine}-${stamp(now)}`;
	const dumpFile = path.join(dir, `.${name}.dump.partial`);
	const zipFile = path.join(dir, `${name}.zip`);
	try {
		let dumped;
		if (engine === 'postgres') {
			const db = createDatabase(target);
			try {
				dumped = await dumpPostgres(db, target.databaseUrl!, dumpFile);
			} finally {
				await db.destroy();
			}
		} else {
			dumped = await dumpPglite(pgliteDir(target), dumpFile);
		}
		const manifest: Manifest = {
			format: BACKUP_FORMAT,
			format_version: BACKUP_FORMAT_VERSION,
			app_version: appVersion(),
			engine,
			created_at: now.toISOString(),
			last_migration: dumped.lastMigration,
			database: {
				file: DUMP_NAME[engine],
				bytes: fs.statSync(dumpFile).size,
				sha256: await sha256(dumpFile)
			},
			tables: dumped.tables
		};
		const zip = new yazl.ZipFile();
		zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2) + '\n'), 'manifest.json', {
			mtime: now
		});
		zip.addFile(dumpFile, DUMP_NAME[engine], { mtime: now, compress: false });
		zip.end();
		// Written under another name first: a backup cut short never looks like a complete one.
		await pipeline(zip.outputStream, fs.createWriteStream(`${zipFile}.partial`));
		fs.renameSync(`${zipFile}.partial`, zipFile);
		return { file: zipFile, manifest };
	} finally {
		fs.rmSync(dumpFile, { force: true });
		fs.rmSync(`${zipFile}.partial`, { force: true });
	}
}

/**
 * Reads the manifest and the dump out of a backup into `workDir` and checks them: format,
 * engine, app version and the dump's checksum. Throws before anything is changed.
 */
async function unpackAndCheck(
	file: string,
	engine: 'postgres' | 'pglite',
	workDir: string
): Promise<{ manifest: Manifest; dumpFile: string }> {
	if (!fs.existsSync(file)) throw new Error(`No such file: ${file}`);
	let manifest: Manifest | undefined;
	let dumpFile: string | undefined;
	try {
		await forEachEntry(file, async (entry) => {
			if (entry.name === 'manifest.json') {
				const chunks: Buffer[] = [];
				for await (const chunk of await entry.open()) chunks.push(chunk as Buffer);
				try {
					manifest = JSON.parse(Buffer.concat(chunks).toString('utf8'));
				} catch {
					manifest = undefined;
				}
				const problem = manifestProblem(manifest, {
					engine,
					lastShippedMigration: await lastShippedMigration()
				});
				if (problem) throw new Error(problem);
			} else if (manifest && entry.name === manifest.database.file) {
				dumpFile = path.join(workDir, path.basename(entry.name));
				await pipeline(await entry.open(), fs.createWriteStream(dumpFile));
			}
		});
	} catch (error) {
		if (error instanceof Error && /end of central directory|invalid|zip/i.test(error.message))
			throw new Error(`${file} is not a readable backup (${error.message}).`, { cause: error });
		throw error;
	}
	const problem = manifestProblem(manifest, { engine, lastShippedMigration: null });
	if (problem) throw new Error(problem);
	if (!dumpFile) throw new Error(`The backup has no ${manifest!.database.file}: it is incomplete.`);
	const { bytes, sha256: expected } = manifest!.database;
	if (fs.statSync(dumpFile).size !== bytes || (await sha256(dumpFile)) !== expected)
		throw new Error(
			'The database dump in this backup does not match its manifest checksum: the file is damaged. Nothing was changed.'
		);
	return { manifest: manifest!, dumpFile };
}

/** Restores a backup over the configured database, then applies pending migrations. */
export async function restoreBackup(
	target: ConnectOptions,
	file: string,
	options: { yesOverwrite: boolean }
): Promise<RestoreResult> {
	if (!options.yesOverwrite)
		throw new Error(
			'Restoring replaces everything in the database. Run again with --yes-overwrite to go ahead.'
		);
	const engine = engineOf(target);
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofwork-restore-'));
	try {
		if (engine === 'pglite' && pgliteInUse(pgliteDir(target)))
			throw new Error(IN_USE_MESSAGE(pgliteDir(target)));
		const { manifest, dumpFile } = await unpackAndCheck(file, engine, workDir);
		return engine === 'postgres'
			? await restoreIntoPostgres(target, manifest, dumpFile)
			: await restoreIntoPglite(target, manifest, dumpFile);
	} finally {
		fs.rmSync(workDir, { recursive: true, force: true });
	}
}

async function restoreIntoPostgres(
	target: ConnectOptions,
	manifest: Manifest,
	dumpFile: string
): Promise<RestoreResult> {
	await checkPostgresDump(dumpFile);
	const db = createDatabase(target);
	try {
		await restorePostgres(db, target.databaseUrl!, dumpFile, Object.keys(manifest.tables));
		await checkRestored(db, manifest);
		const { results = [] } = await migrateToLatest(db);
		return { manifest, migrationsApplied: applied(results) };
	} finally {
		await db.destroy();
	}
}

async function restoreIntoPglite(
	target: ConnectOptions,
	manifest: Manifest,
	dumpFile: string
): Promise<RestoreResult> {
	const dir = pgliteDir(target);
	const time = stamp(new Date());
	const staging = `${dir}.restoring-${time}`;
	fs.mkdirSync(path.dirname(dir), { recursive: true });
	let migrationsApplied: string[];
	try {
		const db = await loadPglite(dumpFile, staging);
		try {
			await checkRestored(db, manifest);
			migrationsApplied = applied((await migrateToLatest(db)).results ?? []);
		} finally {
			await db.destroy();
		}
	} catch (error) {
		fs.rmSync(staging, { recursive: true, force: true });
		throw error;
	}
	// Only a checked, migrated copy replaces the directory; the old one is kept beside it.
	let previousDir: string | undefined;
	if (fs.existsSync(dir)) {
		previousDir = `${dir}.before-restore-${time}`;
		fs.renameSync(dir, previousDir);
	}
	fs.renameSync(staging, dir);
	return { manifest, migrationsApplied, previousDir };
}

async function checkRestored(db: ReturnType<typeof createDatabase>, manifest: Manifest) {
	const restored = await db.transaction().execute((trx) => tableSummaries(trx));
	const differing = differingTables(manifest.tables, restored);
	if (differing.length)
		throw new Error(
			`The restored database differs from the backup's manifest in: ${differing.join(', ')}.`
		);
}

function applied(results: { status: string; migrationName: string }[]): string[] {
	return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
