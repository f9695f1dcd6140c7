import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import type { Db } from '#lib/server/db/connect.js';
import { lastAppliedMigration } from '#lib/server/db/migrate.js';
import { tableSummaries, type TableSummary } from '#lib/server/backup/manifest.js';

// PostgreSQL backups are pg_dump's custom format, restored by pg_restore: the tools made for it,
// which also restore into a server of a later major version.

/** Where pg_dump and pg_restore are: PG_BIN, else the newest /usr/lib/postgresql/<n>/bin, else PATH. */
export function pgTool(name: 'pg_dump' | 'pg_restore'): string {
	if (process.env.PG_BIN) return path.join(process.env.PG_BIN, name);
	const root = '/usr/lib/postgresql';
	const versions = fs.existsSync(root)
		? fs
				.readdirSync(root)
				.filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(root, v, 'bin', name)))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	return versions.length ? path.join(root, versions[0], 'bin', name) : name;
}

/** The connection string without its password, which goes to the tool's environment instead (not `ps`). */
function connection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
	const parsed = new URL(url);
	const env = { ...process.env };
	if (parsed.password) {
		env.PGPASSWORD = decodeURIComponent(parsed.password);
		parsed.password = '';
	}
	return { dbname: parsed.href, env };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { env, stdio: ['ignore', 'inherit', 'pipe'] });
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => {
			stderr = (stderr + chunk.toString()).slice(-4000);
		});
		child.on('error', (error) =>
			reject(
				new Error(
					`Could not run ${command}: ${error.message}. Install the PostgreSQL client tools or set PG_BIN.`
				)
			)
		);
		child.on('close', (code) =>
			code === 0
				? resolve()
				: reject(new Error(`${path.basename(command)} failed (exit ${code}): ${stderr.trim()}`))
		);
	});
}

/**
 * Dumps the database to `file` with pg_dump -Fc. The table figures are read in the transaction
 * whose snapshot pg_dump uses, so they describe exactly what the dump holds while the app runs on.
 */
export async function dumpPostgres(
	db: Db,
	url: string,
	file: string
): Promise<{ tables: Record<string, TableSummary>; lastMigration: string | null }> {
	return db
		.transaction()
		.setIsolationLevel('repeatable read')
		.execute(async (trx) => {
			const { rows } = await sql<{ snapshot: string }>`
				select pg_export_snapshot() as snapshot`.execute(trx);
			const tables = await tableSummaries(trx);
			const lastMigration = await lastAppliedMigration(trx);
			const { dbname, env } = connection(url);
			await run(
				pgTool('pg_dump'),
				[
					'--format=custom',
					`--snapshot=${rows[0].snapshot}`,
					`--file=${file}`,
					`--dbname=${dbname}`
				],
				env
			);
			return { tables, lastMigration };
		});
}

/** Reads the dump's table of contents: a file pg_restore cannot read is refused before any change. */
export async function checkPostgresDump(file: string): Promise<void> {
	await run(
		pgTool('pg_restore'),
		['--list', `--file=${process.platform === 'win32' ? 'NUL' : '/dev/null'}`, file],
		process.env
	);
}

/**
 * Restores a pg_dump file over the database in one transaction (all or nothing), then drops
 * tables the backup does not have: a later migration made them, and it will make them again.
 */
export async function restorePostgres(
	db: Db,
	url: string,
	file: string,
	backupTables: string[]
): Promise<void> {
	const { dbname, env } = connection(url);
	await run(
		pgTool('pg_restore'),
		[
			'--clean',
			'--if-exists',
			'--no-owner',
			'--single-transaction',
			'--exit-on-error',
			`--dbname=${dbname}`,
			file
		],
		env
	);
	const { rows } = await sql<{ name: string }>`
		select table_name as name from information_schema.tables
		where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
	const extra = rows.map((r) => r.name).filter((name) => !backupTables.includes(name));
	if (extra.length)
		await db.transaction().execute(async (trx) => {
			for (const name of extra)
				await sql`drop table if exists ${sql.table(name)} cascade`.execute(trx);
		});
}
