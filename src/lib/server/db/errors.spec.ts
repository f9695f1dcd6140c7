import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import { isInvalidInputError, isUniqueViolation } from '#lib/server/db/errors.js';

describe.each(testEngines())('database errors on $name', (engine) => {
	let t: TestDatabase;
	beforeAll(async () => {
		t = await engine.create();
	});
	afterAll(() => t.drop());

	const failure = (query: Promise<unknown>) =>
		query.then(
			() => undefined,
			(error: unknown) => error
		);

	it('recognises values PostgreSQL refuses as invalid input', async () => {
		const outOfRange = await failure(
			t.db.selectFrom('users').select('id').where('id', '=', 99_999_999_999).execute()
		);
		const nul = await failure(
			t.db.selectFrom('users').select('id').where('handle', '=', 'a\u0000b').execute()
		);
		expect(isInvalidInputError(outOfRange)).toBe(true);
		expect(isInvalidInputError(nul)).toBe(true);
	});

	it('does not take other failures for bad input', async () => {
		const missingTable = await failure(
			t.db
				.selectFrom('no_such_table' as 'users')
				.select('id')
				.execute()
		);
		expect(missingTable).toBeDefined();
		expect(isInvalidInputError(missingTable)).toBe(false);
		expect(isInvalidInputError(new Error('boom'))).toBe(false);
		expect(isUniqueViolation(missingTable, 'x')).toBe(false);
	});
});
