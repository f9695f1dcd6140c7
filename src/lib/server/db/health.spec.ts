import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '#lib/server/db/connect.js';
import { checkReadiness, isDatabaseUnavailable } from '#lib/server/db/health.js';
import { MIGRATIONS_DIR } from '#lib/server/db/migrate.js';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';

describe('isDatabaseUnavailable', () => {
	it('recognises a server that is down, stopping or starting', () => {
		expect(
			isDatabaseUnavailable(
				Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
			)
		).toBe(true);
		expect(
			isDatabaseUnavailable(Object.assign(new Error('terminating connection'), { code: '57P01' }))
		).toBe(true);
		expect(isDatabaseUnavailable(Object.assign(new Error('starting up'), { code: '57P03' }))).toBe(
			true
		);
		expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
		expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
		// Wrapped, as a failed start-up migration wraps it.
		expect(
			isDatabaseUnavailable(new Error('migration failed', { cause: { code: 'ECONNREFUSED' } }))
		).toBe(true);
		// Node reports a refused localhost (::1 and 127.0.0.1) as an AggregateError.
		expect(isDatabaseUnavailable(new AggregateError([{ code: 'ECONNREFUSED' }]))).toBe(true);
	});

	it('leaves real bugs as bugs', () => {
		expect(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(
			false
		);
		expect(
			isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))
		).toBe(false);
		expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
		expect(isDatabaseUnavailable(undefined)).toBe(false);
	});
});

describe.each(testEngines())('readiness on $name', (engine) => {
	let t: TestDatabase;
	let folder: string;
	beforeAll(async () => {
		t = await engine.create();
		fs.mkdirSync('.svelte-kit', { recursive: true });
		folder = fs.mkdtempSync(path.join('.svelte-kit', 'test-readiness-'));
		for (const file of fs.readdirSync(MIGRATIONS_DIR))
			fs.copyFileSync(path.join(MIGRATIONS_DIR, file), path.join(folder, file));
	});
	afterAll(async () => {
		await t.drop();
		fs.rmSync(folder, { recursive: true, force: true });
	});

	it('is ready when every shipped migration has run', async () => {
		expect(await checkReadiness(t.db)).toEqual({ ready: true });
	});

	it('is not ready while a shipped migration is pending, and names it', async () => {
		fs.writeFileSync(
			path.join(folder, '2999_01_01_000000_next.ts'),
			'export async function up() {}\n'
		);
		const readiness = await checkReadiness(t.db, { folder });
		expect(readiness).toEqual({
			ready: false,
			reason: expect.stringContaining('2999_01_01_000000_next')
		});
	});

	it('is not ready on a database that was never migrated', async () => {
		const bare = await engine.create({ migrate: false });
		try {
			expect((await checkReadiness(bare.db)).ready).toBe(false);
		} finally {
			await bare.drop();
		}
	});

	it('answers in bounded time that the database is unavailable', async () => {
		if (engine.name !== 'postgres') return;
		// Nothing listens on port 1: the pool's connection fails at once.
		const gone = createDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none' });
		try {
			const started = Date.now();
			expect(await checkReadiness(gone, { timeoutMs: 3000 })).toEqual({
				ready: false,
				reason: 'the database is unavailable'
			});
			expect(Date.now() - started).toBeLessThan(3500);
		} finally {
			await gone.destroy();
		}
	});

	it('gives up after the timeout when the database does not answer', async () => {
		if (engine.name !== 'postgres') return;
		// A query that holds the only thing readiness waits for: a lock on the migrations table.
		const blocker = createDatabase({ databaseUrl: t.url });
		try {
			await blocker.transaction().execute(async (trx) => {
				await sql`lock table kysely_migration in access exclusive mode`.execute(trx);
				const readiness = await checkReadiness(t.db, { timeoutMs: 300 });
				expect(readiness).toEqual({ ready: false, reason: expect.stringContaining('300 ms') });
			});
		} finally {
			await blocker.destroy();
		}
	});
});
