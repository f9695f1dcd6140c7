// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the PGlite database.
import { createDatabase, engineOf } from '#lib/server/db/connect.js';
import { migrateToLatest } from '#lib/server/db/migrate.js';

const options = {
	databaseUrl: process.env.DATABASE_URL || undefined,
	pgliteDir: process.env.PGLITE_DATA_DIR || './data/pglite'
};
const db = createDatabase(options);
try {
	const { results = [] } = await migrateToLatest(db);
	const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
	console.log(
		`${engineOf(options)}: ${applied.length ? `applied ${applied.join(', ')}` : 'schema already up to date'}`
	);
} catch (error) {
	console.error(error instanceof Error ? error.message : error);
	process.exitCode = 1;
} finally {
	await db.destroy();
}
