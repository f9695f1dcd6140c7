import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import * as accounts from '#lib/server/accounts/index.js';
import { HANDLE_PATTERN } from '#lib/server/auth/validation.js';
import { refreshSearchDocuments } from '#lib/server/search/projection.js';
import { pickHandle, Random, seedDatabase, uniqueHandle } from './seed.ts';
import { dropSecondaryIndexes } from './seed-load.ts';

describe('seeded handles', () => {
	it('stay unique and valid however many people share one name', () => {
		// Far more than the ~1,000 numbered variants of each of the name's bases: this used to hang.
		const random = new Random(7);
		const taken = new Set<string>();
		let uniqueForm = 0;
		for (let n = 1; n <= 20_000; n++) {
			const handle = pickHandle(random, 'Emma', 'Smith', taken, n);
			expect(HANDLE_PATTERN.test(handle), handle).toBe(true);
			if (/_0\d+$/.test(handle)) uniqueForm++;
		}
		expect(taken.size).toBe(20_000);
		expect(uniqueForm).toBeGreaterThan(10_000);
	});

	it('have a unique form that fits 30 characters for any base and number', () => {
		const long = 'aaaaaaaaaaaaaaaaaaaaaaaa';
		const handles = new Set([1, 2, 10, 12, 9_999_999].map((n) => uniqueHandle(long, n)));
		expect(handles.size).toBe(5);
		for (const handle of handles) expect(HANDLE_PATTERN.test(handle), handle).toBe(true);
	});
});

const options = { profiles: 40, endorsementsPerProfile: 3, seed: 1, reset: false };

async function handles(t: TestDatabase): Promise<string[]> {
	const rows = await sql<{ handle: string }>`select handle from users order by id`.execute(t.db);
	return rows.rows.map((row) => row.handle);
}

describe.each(testEngines())('seeding on $name', (engine) => {
	let t: TestDatabase | undefined;
	afterEach(async () => {
		await t?.drop();
		t = undefined;
	});

	it('adds to a database that has people, with search rows, and --reset starts again', async () => {
		t = await engine.create();
		const member = await accounts.signUp(t.db, {
			email: 'member@example.com',
			handle: 'real_member',
			password: 'a long passphrase',
			ip: '10.9.0.1',
			origin: 'http://x.test'
		});
		expect(member.ok).toBe(true);
		// On PostgreSQL through COPY, as the command seeds.
		const copy = { ...options, databaseUrl: t.url };
		const first = await seedDatabase(t.db, copy);
		expect(first.existing).toBe(1);
		const second = await seedDatabase(t.db, copy);
		expect(second.existing).toBe(41);
		const all = await handles(t);
		expect(all).toHaveLength(81);
		expect(new Set(all).size).toBe(81);
		expect(all[0]).toBe('real_member');
		// Each run drew other people: a second run is not the first one renamed.
		expect(second.renamed).toBeLessThan(5);
		const search = await sql<{ n: number }>`
			select count(*)::int as n from profile_search`.execute(t.db);
		expect(search.rows[0].n).toBeGreaterThanOrEqual(80);
		const endorsements = await sql<{ n: number }>`
			select count(*)::int as n from endorsements`.execute(t.db);
		expect(endorsements.rows[0].n).toBe(first.totals.endorsements + second.totals.endorsements);

		const reset = await seedDatabase(t.db, { ...copy, reset: true });
		expect(reset.existing).toBe(0);
		expect(await handles(t)).toHaveLength(40);
		expect(await handles(t)).not.toContain('real_member');
	});

	it('gives the unique form to a drawn handle someone already has', async () => {
		t = await engine.create();
		await seedDatabase(t.db, options);
		const drawn = (await handles(t))[0];
		await t.drop();
		t = await engine.create();
		// A member holds the first handle seed 1 draws; with one user there, seed 0 draws as seed 1.
		const member = await accounts.signUp(t.db, {
			email: `${drawn}@example.com`,
			handle: drawn,
			password: 'a long passphrase',
			ip: '10.9.0.1',
			origin: 'http://x.test'
		});
		expect(member.ok).toBe(true);
		const result = await seedDatabase(t.db, { ...options, seed: 0, databaseUrl: t.url });
		expect(result.renamed).toBeGreaterThanOrEqual(1);
		const all = await handles(t);
		expect(all.filter((handle) => handle === drawn)).toHaveLength(1);
		expect(all.some((handle) => new RegExp(`^${drawn}_0\\d+$`).test(handle))).toBe(true);
	});
});

/** Every index and constraint of the tables a seed fills, by name, with what it does. */
async function schemaOf(t: TestDatabase): Promise<string[]> {
	const rows = await sql<{ item: string }>`
		select indexname || ': ' || indexdef as item from pg_indexes
		where schemaname = current_schema() and tablename in ('users', 'profiles', 'profile_skills',
			'work_items', 'work_item_skills', 'network_accounts', 'profile_views', 'endorsements',
			'profile_search')
		union all
		select conname || ': ' || pg_get_constraintdef(oid) || (case when convalidated then '' else ' not valid' end)
		from pg_constraint
		where conrelid::regclass::text in ('users', 'profiles', 'profile_skills', 'work_items',
			'work_item_skills', 'network_accounts', 'profile_views', 'endorsements', 'profile_search')
		order by 1`.execute(t.db);
	return rows.rows.map((row) => row.item);
}

describe.each(testEngines())('a fresh bulk load on $name', (engine) => {
	let t: TestDatabase | undefined;
	afterEach(async () => {
		await t?.drop();
		t = undefined;
	});

	it('builds every index and constraint again, and they hold', async () => {
		t = await engine.create();
		const before = await schemaOf(t);
		// A bulk load from the first profile: the path a million-profile seed takes.
		const result = await seedDatabase(t.db, {
			...options,
			profiles: 60,
			databaseUrl: t.url,
			bulkFrom: 1
		});
		expect(result.totals.users).toBe(60);
		expect(await schemaOf(t)).toEqual(before);
		// Every table leaves vacuumed and analysed: the planner knows the seeded sizes at once.
		const stale = await sql<{ table: string }>`
			select relname as table from pg_stat_user_tables
			where schemaname = current_schema() and (last_vacuum is null or last_analyze is null)`.execute(
			t.db
		);
		expect(stale.rows).toEqual([]);

		const [first] = await handles(t);
		const duplicate = await accounts.signUp(t.db, {
			email: 'someone-else@example.com',
			handle: first,
			password: 'a long passphrase',
			ip: '10.9.0.1',
			origin: 'http://x.test'
		});
		expect(duplicate.ok).toBe(false);
		await expect(
			sql`insert into users (email, handle, password_hash) values ('x@example.com', ${first}, 'x')`.execute(
				t.db
			)
		).rejects.toThrow(/unique/);
		// The same person cannot endorse the same person twice, nor someone who does not exist.
		await expect(
			sql`insert into endorsements (endorser_id, subject_id, relationship, body)
				select endorser_id, subject_id, relationship, body from endorsements limit 1`.execute(t.db)
		).rejects.toThrow(/unique/);
		await expect(
			sql`insert into endorsements (endorser_id, subject_id, relationship, body)
				select endorser_id, -1, relationship, body from endorsements limit 1`.execute(t.db)
		).rejects.toThrow(/foreign key/);

		const search = await sql<{ n: number }>`select count(*)::int as n from profile_search`.execute(
			t.db
		);
		expect(search.rows[0].n).toBe(60);
		// The words of listed names, counted once at the end of the load, as the triggers count them;
		// and the triggers fire again afterwards.
		const counted = await sql`
			select w as word, count(*)::int as holders
			from profile_search s cross join name_words_of(s.name_text) w
			where s.listed group by w order by w`.execute(t.db);
		const kept = await sql`select word, holders from name_words order by word`.execute(t.db);
		expect(kept.rows.length).toBeGreaterThan(10);
		expect(kept.rows).toEqual(counted.rows);
		const listed = await sql<{ id: number }>`
			select user_id as id from profile_search where listed order by user_id limit 1`.execute(t.db);
		await sql`update profiles set display_name = 'Zephyrine Quorra' where user_id = ${listed.rows[0].id}`.execute(
			t.db
		);
		await refreshSearchDocuments(t.db, [listed.rows[0].id]);
		const renamed = await sql`select holders from name_words where word = 'quorra'`.execute(t.db);
		expect(renamed.rows).toEqual([{ holders: 1 }]);
		const endorsed = await sql<{ n: number }>`
			select count(*)::int as n from endorsements where body ilike '%hire them again%'`.execute(t.db);
		expect(endorsed.rows[0].n).toBeGreaterThan(0);
	});

	it('builds again what a stopped bulk load had dropped, at the next seed', async () => {
		t = await engine.create();
		const before = await schemaOf(t);
		await seedDatabase(t.db, { ...options, databaseUrl: t.url });
		// As a seed stopped mid-load leaves it: indexes and keys dropped, rows written.
		await dropSecondaryIndexes(t.db, ['users', 'endorsements', 'work_items']);
		expect(await schemaOf(t)).not.toEqual(before);
		await seedDatabase(t.db, { ...options, reset: true, databaseUrl: t.url });
		expect(await schemaOf(t)).toEqual(before);
		expect(await handles(t)).toHaveLength(40);
	});
});
