import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, MigrationError, migrateToLatest } from '#lib/server/db/migrate.js';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';

async function tableNames(t: TestDatabase): Promise<string[]> {
	const { rows } = await sql<{ table_name: string }>`
		select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(
		t.db
	);
	return rows.map((r) => r.table_name);
}

describe.each(testEngines())('migrations on $name', (engine) => {
	let t: TestDatabase;
	let folder: string;
	beforeAll(async () => {
		t = await engine.create({ migrate: false });
		// The real migrations, then a broken one that creates a table before it fails.
		// Inside the project, so that the copies resolve 'kysely' from its node_modules.
		fs.mkdirSync('.svelte-kit', { recursive: true });
		folder = path.resolve(fs.mkdtempSync(path.join('.svelte-kit', 'test-migrations-')));
		for (const file of fs.readdirSync(MIGRATIONS_DIR))
			fs.copyFileSync(path.join(MIGRATIONS_DIR, file), path.join(folder, file));
		fs.writeFileSync(
			path.join(folder, '2999_01_01_000000_broken.ts'),
			`import { sql } from 'kysely';
export async function up(db) {
	await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
	await sql\`select * from no_such_table\`.execute(db);
}
export async function down() {}
`
		);
	});
	afterAll(async () => {
		await t.drop();
		fs.rmSync(folder, { recursive: true, force: true });
	});

	it('applies every migration to a fresh database, and nothing on a second run', async () => {
		const first = await migrateToLatest(t.db);
		expect(first.results?.every((r) => r.status === 'Success')).toBe(true);
		expect(await tableNames(t)).toEqual(
			expect.arrayContaining(['users', 'sessions', 'rate_limit_buckets', 'outbox'])
		);
		const second = await migrateToLatest(t.db);
		expect(second.results).toEqual([]);
	});

	it('stops with a clear message on a failing migration and leaves the schema as it was', async () => {
		const before = await tableNames(t);
		const error = await migrateToLatest(t.db, folder).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(MigrationError);
		expect((error as Error).message).toMatch(
			/"2999_01_01_000000_broken" failed: .*no_such_table.*schema is unchanged/
		);
		expect(await tableNames(t)).toEqual(before);
	});
});
