// `npm run restore -- <file> --yes-overwrite`: checks the backup's manifest and checksum, then
// replaces the database (DATABASE_URL, or PGLITE_DATA_DIR) with it and applies pending migrations.
import { parseArgs } from 'node:util';
import { restoreBackup } from '#lib/server/backup/index.js';

const { positionals, values } = parseArgs({
	allowPositionals: true,
	options: { 'yes-overwrite': { type: 'boolean', default: false } }
});
const usage = 'Usage: npm run restore -- <backup file> --yes-overwrite';
try {
	if (positionals.length !== 1) throw new Error(usage);
	const result = await restoreBackup(
		{
			databaseUrl: process.env.DATABASE_URL || undefined,
			pgliteDir: process.env.PGLITE_DATA_DIR || './data/pglite'
		},
		positionals[0],
		{ yesOverwrite: values['yes-overwrite'] }
	);
	const { manifest } = result;
	const rows = Object.values(manifest.tables).reduce((sum, t) => sum + t.rows, 0);
	console.log(
		`Restored the ${manifest.engine} backup of ${manifest.created_at} (app ${manifest.app_version}): ` +
			`${Object.keys(manifest.tables).length} tables, ${rows.toLocaleString('en-US')} rows, row counts and checksums match.`
	);
	console.log(
		result.migrationsApplied.length
			? `Applied migrations: ${result.migrationsApplied.join(', ')}.`
			: 'The schema was already up to date.'
	);
	if (result.previousDir)
		console.log(`The database it replaced is in ${result.previousDir}; delete it when satisfied.`);
} catch (error) {
	console.error(error instanceof Error ? error.message : error);
	process.exitCode = 1;
}
