import fs from 'node:fs/promises';
import path from 'node:path';
import { FileMigrationProvider, Migrator, type MigrationResultSet } from 'kysely/migration';
import { sql } from 'kysely';
import type { Db, Executor } from '#lib/server/db/connect.js';

export const MIGRATIONS_DIR = path.resolve(process.cwd(), 'migrations');

export class MigrationError extends Error {}

/**
 * Brings the schema to the latest migration. All pending migrations run in one transaction on
 * both engines, so a failure leaves the schema exactly as it was and throws a MigrationError.
 */
export async function migrateToLatest(
	db: Db,
	folder = MIGRATIONS_DIR
): Promise<MigrationResultSet> {
	const migrator = new Migrator({
		db,
		provider: new FileMigrationProvider({ fs, path, migrationFolder: folder })
	});
	const result = await migrator.migrateToLatest();
	if (result.error) {
		const failed = result.results?.find((r) => r.status === 'Error');
		const cause = result.error instanceof Error ? result.error.message : String(result.error);
		throw new MigrationError(
			`Database migration ${failed ? `"${failed.migrationName}" ` : ''}failed: ${cause}. ` +
				'No migration was applied; the schema is unchanged.',
			{ cause: result.error }
		);
	}
	return result;
}

/** The newest migration applied to this database, or null before the first. */
export async function lastAppliedMigration(db: Executor): Promise<string | null> {
	const { rows } = await sql<{ name: string }>`
		select name from kysely_migration order by name desc limit 1`.execute(db);
	return rows[0]?.name ?? null;
}

/** The newest migration shipped with this build. */
export async function lastShippedMigration(folder = MIGRATIONS_DIR): Promise<string | null> {
	const names = (await fs.readdir(folder))
		.filter((file) => /\.(ts|js)$/.test(file) && !file.endsWith('.d.ts'))
		.map((file) => file.replace(/\.(ts|js)$/, ''))
		.sort();
	return names.at(-1) ?? null;
}
