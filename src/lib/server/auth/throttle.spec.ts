import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';

// Counts every argon2 verification the log-in path makes.
const verifications = vi.hoisted(() => ({ count: 0 }));
vi.mock(import('#lib/server/auth/password.js'), async (importOriginal) => {
	const original = await importOriginal();
	return {
		...original,
		verifyPasswordHash: async (hash: string, password: string) => {
			verifications.count++;
			return original.verifyPasswordHash(hash, password);
		}
	};
});

const accounts = await import('#lib/server/accounts.js');
const rateLimit = await import('#lib/server/platform/rate-limit.js');

const PASSWORD = 'a long passphrase';

describe.each(testEngines())('log-in throttling on $name', (engine) => {
	let t: TestDatabase;
	beforeAll(async () => {
		t = await engine.create();
		for (const handle of ['kim', 'lee']) {
			const result = await accounts.signUp(t.db, {
				email: `${handle}@example.com`,
				handle,
				password: PASSWORD,
				ip: `192.0.2.${handle.length}`,
				origin: 'http://x.test'
			});
			expect(result.ok).toBe(true);
		}
	});
	afterAll(() => t.drop());

	it('answers 200 wrong passwords with at most 6 hash checks, 429 for the rest and no session', async () => {
		const now = new Date('2026-05-01T00:00:00Z');
		const sessionsBefore = await t.db.selectFrom('sessions').select('id').execute();
		verifications.count = 0;
		const statuses: number[] = [];
		for (let i = 0; i < 200; i++) {
			const result = await accounts.logIn(t.db, {
				identifier: 'kim',
				password: `wrong guess ${i}`,
				ip: `198.51.100.${i % 250}`,
				now: new Date(now.getTime() + i * 100)
			});
			statuses.push(result.ok ? 200 : result.status);
		}
		expect(verifications.count).toBeLessThanOrEqual(6);
		expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(194);
		expect(statuses).not.toContain(200);
		expect(await t.db.selectFrom('sessions').select('id').execute()).toHaveLength(
			sessionsBefore.length
		);
		// Even the right password is refused while the account is throttled.
		const right = await accounts.logIn(t.db, {
			identifier: 'kim',
			password: PASSWORD,
			ip: '203.0.113.1',
			now: new Date(now.getTime() + 20_100)
		});
		expect(right.ok).toBe(false);
		expect(!right.ok && right.status).toBe(429);
	});

	it('gives one attempt back per minute', async () => {
		const now = new Date('2026-06-01T00:00:00Z');
		for (let i = 0; i < 5; i++) {
			await accounts.logIn(t.db, {
				identifier: 'lee',
				password: 'wrong guess',
				ip: '203.0.113.9',
				now
			});
		}
		const blocked = await accounts.logIn(t.db, {
			identifier: 'lee',
			password: PASSWORD,
			ip: '203.0.113.9',
			now: new Date(now.getTime() + 30_000)
		});
		expect(!blocked.ok && blocked.status).toBe(429);
		const allowed = await accounts.logIn(t.db, {
			identifier: 'lee',
			password: PASSWORD,
			ip: '203.0.113.9',
			now: new Date(now.getTime() + 61_000)
		});
		expect(allowed.ok).toBe(true);
	});

	it('limits one IP across many accounts, before any hash is checked', async () => {
		const now = new Date('2026-07-01T00:00:00Z');
		verifications.count = 0;
		const results = [];
		for (let i = 0; i < 40; i++) {
			results.push(
				await accounts.logIn(t.db, {
					identifier: `user${i}@example.com`,
					password: 'guess guess',
					ip: '192.0.2.99',
					now
				})
			);
		}
		const throttled = results.filter((r) => !r.ok && r.status === 429).length;
		expect(throttled).toBe(40 - rateLimit.LOGIN_PER_IP.capacity);
		expect(verifications.count).toBe(rateLimit.LOGIN_PER_IP.capacity);
	});

	it('shares one bucket between concurrent requests', async () => {
		const now = new Date('2026-08-01T00:00:00Z');
		const policy = { capacity: 3, refillPerSecond: 0 };
		const results = await Promise.all(
			Array.from({ length: 10 }, () => rateLimit.consume(t.db, 'test:concurrent', policy, now))
		);
		expect(results.filter(Boolean)).toHaveLength(3);
	});
});
