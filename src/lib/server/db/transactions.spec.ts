import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '#lib/server/db/connect.js';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';

// Two writers locking the same two rows in opposite order: PostgreSQL rolls one back with a
// deadlock, and withTransaction runs it again, so both writes land and nobody sees a 500. (The
// embedded engine runs one transaction at a time, so there it simply passes in order.)
describe.each(testEngines())('transactions on $name', (engine) => {
	let t: TestDatabase;
	beforeAll(async () => {
		t = await engine.create();
		await sql`create table pair (id int primary key, n int not null)`.execute(t.db);
		await sql`insert into pair values (1, 0), (2, 0)`.execute(t.db);
	});
	afterAll(() => t?.drop());

	it('runs a transaction again when PostgreSQL breaks a deadlock by rolling it back', async () => {
		let runs = 0;
		const both = (first: number, second: number) =>
			withTransaction(t.db, async (trx) => {
				runs++;
				await sql`update pair set n = n + 1 where id = ${first}`.execute(trx);
				await new Promise((resolve) => setTimeout(resolve, 150));
				await sql`update pair set n = n + 1 where id = ${second}`.execute(trx);
			});
		await Promise.all([both(1, 2), both(2, 1)]);
		const { rows } = await sql<{ n: number }>`select n from pair order by id`.execute(t.db);
		expect(rows.map((r) => r.n)).toEqual([2, 2]);
		if (engine.name === 'postgres') expect(runs).toBe(3);
	});
});
