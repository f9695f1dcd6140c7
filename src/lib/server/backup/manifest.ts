import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';

// What a backup says about itself, written next to the dump in the backup file and checked
// before a restore touches anything.

export const BACKUP_FORMAT = 'proofwork-backup';
export const BACKUP_FORMAT_VERSION = 1;

export type Engine = 'postgres' | 'pglite';

export interface TableSummary {
	rows: number;
	/** Sum of the first 60 bits of each row's md5: independent of row order and engine. */
	checksum: string;
}

export interface Manifest {
	format: typeof BACKUP_FORMAT;
	format_version: number;
	app_version: string;
	engine: Engine;
	created_at: string;
	last_migration: string | null;
	database: { file: string; bytes: number; sha256: string };
	tables: Record<string, TableSummary>;
}

/** The version in package.json of the app doing the backup. */
export function appVersion(): string {
	const pkg = JSON.parse(fs.readFileSync(path.resolve(process.cwd(), 'package.json'), 'utf8'));
	return String(pkg.version);
}

/**
 * Row count and checksum of every table of the app's schema. Runs in the caller's transaction
 * (so a backup's figures describe its snapshot) with fixed output settings, so that the same rows
 * give the same text on any server, time zone or engine.
 */
export async function tableSummaries(trx: Executor): Promise<Record<string, TableSummary>> {
	for (const setting of [
		sql`set local timezone = 'UTC'`,
		sql`set local datestyle = 'ISO, YMD'`,
		sql`set local intervalstyle = 'postgres'`,
		sql`set local bytea_output = 'hex'`,
		sql`set local extra_float_digits = 1`
	])
		await setting.execute(trx);
	const { rows: tables } = await sql<{ name: string }>`
		select table_name as name from information_schema.tables
		where table_schema = current_schema() and table_type = 'BASE TABLE'
		order by table_name`.execute(trx);
	const summaries: Record<string, TableSummary> = {};
	for (const { name } of tables) {
		const { rows } = await sql<{ rows: string; checksum: string }>`
			select count(*)::text as rows,
				coalesce(sum(('x' || left(md5(t::text), 15))::bit(60)::bigint::numeric), 0)::text as checksum
			from ${sql.table(name)} as t`.execute(trx);
		summaries[name] = { rows: Number(rows[0].rows), checksum: rows[0].checksum };
	}
	return summaries;
}

/** Tables whose rows or checksum differ between two summaries (missing on either side too). */
export function differingTables(
	expected: Record<string, TableSummary>,
	actual: Record<string, TableSummary>
): string[] {
	const names = new Set([...Object.keys(expected), ...Object.keys(actual)]);
	return [...names]
		.filter(
			(name) =>
				expected[name]?.rows !== actual[name]?.rows ||
				expected[name]?.checksum !== actual[name]?.checksum
		)
		.sort();
}

/**
 * Why this manifest cannot be restored here, or null: another format or engine, or a database
 * from a newer version of the app than this one (its migrations are unknown here).
 */
export function manifestProblem(
	value: unknown,
	target: { engine: Engine; lastShippedMigration: string | null }
): string | null {
	const m = value as Partial<Manifest> | null;
	if (!m || m.format !== BACKUP_FORMAT || typeof m.tables !== 'object' || !m.database?.sha256)
		return 'This file is not a Proofwork backup (its manifest.json is missing or unreadable).';
	if (m.format_version !== BACKUP_FORMAT_VERSION)
		return `This backup has format version ${m.format_version}; this Proofwork reads version ${BACKUP_FORMAT_VERSION}.`;
	if (m.engine !== target.engine)
		return `This is a backup of the ${m.engine === 'postgres' ? 'PostgreSQL' : 'embedded (PGlite)'} database; the target is ${target.engine === 'postgres' ? 'PostgreSQL (DATABASE_URL is set)' : 'the embedded PGlite database (DATABASE_URL is not set)'}.`;
	if (
		m.last_migration &&
		target.lastShippedMigration &&
		m.last_migration > target.lastShippedMigration
	)
		return `This backup was made by a newer Proofwork (app ${m.app_version}, migration ${m.last_migration}). Install that version or later, then restore.`;
	return null;
}
