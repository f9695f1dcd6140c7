// `npm run backup -- <dir>`: one file in <dir> with the whole database (pg_dump -Fc for
// PostgreSQL, PGlite's data-directory dump for the embedded database) and a manifest.
import { parseArgs } from 'node:util';
import { createBackup } from '#lib/server/backup/index.js';

const { positionals } = parseArgs({ allowPositionals: true, options: {} });
const usage = 'Usage: npm run backup -- <directory>';
try {
	if (positionals.length !== 1) throw new Error(usage);
	const { file, manifest } = await createBackup(
		{
			databaseUrl: process.env.DATABASE_URL || undefined,
			pgliteDir: process.env.PGLITE_DATA_DIR || './data/pglite'
		},
		positionals[0]
	);
	const tables = Object.values(manifest.tables);
	const rows = tables.reduce((sum, t) => sum + t.rows, 0);
	console.log(
		`Backed up the ${manifest.engine} database (app ${manifest.app_version}, migration ${manifest.last_migration}): ` +
			`${tables.length} tables, ${rows.toLocaleString('en-US')} rows, ${manifest.database.bytes.toLocaleString('en-US')} bytes.`
	);
	console.log(file);
} catch (error) {
	console.error(error instanceof Error ? error.message : error);
	process.exitCode = 1;
}
