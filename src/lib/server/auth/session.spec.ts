import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import { hashPassword } from '#lib/server/auth/password.js';
import {
	createSession,
	invalidateSession,
	invalidateUserSessions,
	validateSessionToken
} from '#lib/server/auth/session.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

describe.each(testEngines())('sessions on $name', (engine) => {
	let t: TestDatabase;
	let userId: number;
	const t0 = new Date('2026-01-01T12:00:00Z');
	const at = (ms: number) => new Date(t0.getTime() + ms);

	beforeAll(async () => {
		t = await engine.create();
		const user = await t.db
			.insertInto('users')
			.values({
				email: 'sam@example.com',
				handle: 'sam',
				password_hash: await hashPassword('x'.repeat(12))
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		userId = user.id;
	});
	afterAll(() => t.drop());

	it('puts an id and a secret of at least 128 bits in the token and stores only a hash of the secret', async () => {
		const { token } = await createSession(t.db, userId, t0);
		const [id, secret] = token.split('.');
		expect(secret.length * 5).toBeGreaterThanOrEqual(128);
		const row = await t.db
			.selectFrom('sessions')
			.selectAll()
			.where('id', '=', id)
			.executeTakeFirstOrThrow();
		expect(Buffer.from(row.secret_hash).toString('utf8')).not.toContain(secret);
		expect(row.secret_hash.length).toBe(32);
		expect((await validateSessionToken(t.db, token, t0)).user?.handle).toBe('sam');
	});

	it('refuses a token whose secret is wrong, even with a valid id', async () => {
		const { token } = await createSession(t.db, userId, t0);
		const [id, secret] = token.split('.');
		const forged = `${id}.${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`;
		expect((await validateSessionToken(t.db, forged, t0)).session).toBeNull();
		expect((await validateSessionToken(t.db, 'garbage', t0)).session).toBeNull();
	});

	it('expires after 10 idle days', async () => {
		const { token } = await createSession(t.db, userId, t0);
		expect((await validateSessionToken(t.db, token, at(10 * DAY - 1000))).session).not.toBeNull();
		// The use just above refreshed it; from a fresh session, 10 idle days end it.
		const fresh = await createSession(t.db, userId, t0);
		expect((await validateSessionToken(t.db, fresh.token, at(10 * DAY))).session).toBeNull();
		const [id] = fresh.token.split('.');
		expect(
			await t.db.selectFrom('sessions').select('id').where('id', '=', id).executeTakeFirst()
		).toBeUndefined();
	});

	it('extends the expiry at most once an hour', async () => {
		const { token, expiresAt } = await createSession(t.db, userId, t0);
		const early = await validateSessionToken(t.db, token, at(30 * 60 * 1000));
		expect(early.session?.refreshed).toBe(false);
		expect(early.session?.expiresAt.getTime()).toBe(expiresAt.getTime());
		const later = await validateSessionToken(t.db, token, at(HOUR));
		expect(later.session?.refreshed).toBe(true);
		expect(later.session?.expiresAt.getTime()).toBe(at(HOUR + 10 * DAY).getTime());
	});

	it('never outlives 30 days, however often it is used', async () => {
		const { token } = await createSession(t.db, userId, t0);
		for (let day = 1; day < 30; day += 2) {
			expect((await validateSessionToken(t.db, token, at(day * DAY))).session).not.toBeNull();
		}
		const last = await validateSessionToken(t.db, token, at(29 * DAY + 23 * HOUR));
		expect(last.session?.expiresAt.getTime()).toBe(at(30 * DAY).getTime());
		expect((await validateSessionToken(t.db, token, at(30 * DAY))).session).toBeNull();
	});

	it('ends a session on logout and all other sessions on request', async () => {
		const a = await createSession(t.db, userId, t0);
		const b = await createSession(t.db, userId, t0);
		const c = await createSession(t.db, userId, t0);
		const [aId] = a.token.split('.');
		await invalidateSession(t.db, aId);
		expect((await validateSessionToken(t.db, a.token, t0)).session).toBeNull();
		const [bId] = b.token.split('.');
		await invalidateUserSessions(t.db, userId, bId);
		expect((await validateSessionToken(t.db, b.token, t0)).session).not.toBeNull();
		expect((await validateSessionToken(t.db, c.token, t0)).session).toBeNull();
	});
});
