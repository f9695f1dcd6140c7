// `npm run admin -- grant --email <addr>` makes that account an admin, or creates it and prints a
// one-time link (24 h) to set its password; `revoke --email <addr>` makes an admin a member again,
// never the last one. Safe to run twice. Run it where the app's DATABASE_URL or PGLITE_DATA_DIR
// points (with PGlite, while the app is stopped: the embedded database has one process at a time).
import { parseArgs } from 'node:util';
import { createDatabase } from '#lib/server/db/connect.js';
import { migrateToLatest } from '#lib/server/db/migrate.js';
import { COMMAND_LINE } from '#lib/server/admin/audit.js';
import { grantAdmin, revokeAdmin } from '#lib/server/admin/admins.js';

const { positionals, values } = parseArgs({
	allowPositionals: true,
	options: { email: { type: 'string' } }
});
const [command] = positionals;
const usage = 'Usage: npm run admin -- grant --email <address> | revoke --email <address>';
const origin = new URL(process.env.PUBLIC_URL || `http://localhost:${process.env.PORT || 3000}`)
	.origin;
const db = createDatabase({
	databaseUrl: process.env.DATABASE_URL || undefined,
	pgliteDir: process.env.PGLITE_DATA_DIR || './data/pglite'
});
try {
	if ((command !== 'grant' && command !== 'revoke') || !values.email) throw new Error(usage);
	await migrateToLatest(db);
	if (command === 'grant') {
		const result = await grantAdmin(db, COMMAND_LINE, { email: values.email, origin });
		if (!result.ok) throw new Error(result.error);
		if (result.outcome === 'already') console.log(`@${result.handle} is already an admin.`);
		if (result.outcome === 'promoted') console.log(`@${result.handle} is now an admin.`);
		if (result.outcome === 'created') {
			console.log(`Created the admin account @${result.handle} for ${values.email}.`);
			console.log(`Set its password within 24 hours (the link works once):\n${result.link}`);
		}
	} else {
		const result = await revokeAdmin(db, COMMAND_LINE, { email: values.email });
		if (!result.ok) throw new Error(result.error);
		console.log(`@${result.handle} is no longer an admin.`);
	}
} catch (error) {
	console.error(error instanceof Error ? error.message : error);
	process.exitCode = 1;
} finally {
	await db.destroy();
}
