// Throwaway databases for integration specs: PGlite in memory always, PostgreSQL too when
// TEST_DATABASE_URL or DATABASE_URL names a server. Each call makes a fresh, migrated database.
import pg from 'pg';
import { createDatabase, type Db } from '#lib/server/db/connect.js';
import { migrateToLatest } from '#lib/server/db/migrate.js';

export interface TestDatabase {
	db: Db;
	/** The PostgreSQL connection string of this database; undefined for PGlite. */
	url?: string;
	drop: () => Promise<void>;
}

export interface TestEngine {
	name: 'pglite' | 'postgres';
	create: (options?: { migrate?: boolean }) => Promise<TestDatabase>;
}

function adminUrl(): string | undefined {
	return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

async function createPglite({ migrate = true } = {}): Promise<TestDatabase> {
	const db = createDatabase({ pgliteDir: 'memory://' });
	if (migrate) await migrateToLatest(db);
	return { db, drop: () => db.destroy() };
}

async function createPostgres({ migrate = true } = {}): Promise<TestDatabase> {
	const url = new URL(adminUrl()!);
	const name = `proofwork_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
	const admin = new pg.Client({ connectionString: url.href });
	await admin.connect();
	try {
		await admin.query(`CREATE DATABASE "${name}"`);
	} finally {
		await admin.end();
	}
	const testUrl = new URL(url.href);
	testUrl.pathname = `/${name}`;
	const db = createDatabase({ databaseUrl: testUrl.href });
	if (migrate) await migrateToLatest(db);
	return {
		db,
		url: testUrl.href,
		drop: async () => {
			await db.destroy();
			const cleanup = new pg.Client({ connectionString: url.href });
			await cleanup.connect();
			try {
				await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
			} finally {
				await cleanup.end();
			}
		}
	};
}

export function testEngines(): TestEngine[] {
	const engines: TestEngine[] = [{ name: 'pglite', create: createPglite }];
	if (adminUrl()) engines.push({ name: 'postgres', create: createPostgres });
	return engines;
}
