// The one Kysely instance the app uses: PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise.
import { DATABASE_URL, PGLITE_DATA_DIR } from '$app/env/private';
import { createDatabase, engineOf } from '#lib/server/db/connect.js';

const options = { databaseUrl: DATABASE_URL, pgliteDir: PGLITE_DATA_DIR };

export const engine = engineOf(options);
export const db = createDatabase(options);
