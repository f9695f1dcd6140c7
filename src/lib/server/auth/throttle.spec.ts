import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';

// Counts every argon2 verification the log-in path makes, and every hash a new password costs.
const verifications = vi.hoisted(() => ({ count: 0, hashes: 0 }));
vi.mock(import('#lib/server/auth/password.js'), async (importOriginal) => {
	const original = await importOriginal();
	return {
		...original,
		verifyPasswordHash: async (hash: string, password: string) => {
			verifications.count++;
			return original.verifyPasswordHash(hash, password);
		},
		hashPassword: async (password: string) => {
			verifications.hashes++;
			return original.hashPassword(password);
		}
	};
});

const accounts = await import('#lib/server/accounts/index.js');
const rateLimit = await import('#lib/server/platform/rate-limit.js');

const PASSWORD = 'a long passphrase';

describe.each(testEngines())('log-in throttling on $name', (engine) => {
	let t: TestDatabase;
	beforeAll(async () => {
		t = await engine.create();
		for (const handle of ['kim', 'lee', 'max', 'ned']) {
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

	it('answers 200 wrong passwords from many addresses with at most 100 hash checks, 429 for the rest and no session', async () => {
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
		expect(verifications.count).toBeLessThanOrEqual(rateLimit.LOGIN_PER_ACCOUNT.capacity + 1);
		expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(99);
		expect(statuses).not.toContain(200);
		expect(await t.db.selectFrom('sessions').select('id').execute()).toHaveLength(
			sessionsBefore.length
		);
		// The right password from a browser the account has never seen waits for the ceiling.
		const right = await accounts.logIn(t.db, {
			identifier: 'kim',
			password: PASSWORD,
			ip: '203.0.113.1',
			now: new Date(now.getTime() + 20_100)
		});
		expect(right.ok).toBe(false);
		expect(!right.ok && right.status).toBe(429);
	});

	it('lets the owner in from a browser that logged in before, even while the account is under attack', async () => {
		const now = new Date('2026-05-02T00:00:00Z');
		const earlier = await accounts.logIn(t.db, {
			identifier: 'max',
			password: PASSWORD,
			ip: '203.0.113.20',
			now
		});
		if (!earlier.ok) throw new Error('first log-in failed');
		for (let i = 0; i < 150; i++) {
			await accounts.logIn(t.db, {
				identifier: 'max',
				password: `wrong guess ${i}`,
				ip: `198.18.${Math.floor(i / 200)}.${i % 200}`,
				now: new Date(now.getTime() + 1000 + i)
			});
		}
		const later = new Date(now.getTime() + 5000);
		const stranger = await accounts.logIn(t.db, {
			identifier: 'max',
			password: PASSWORD,
			ip: '203.0.113.21',
			now: later
		});
		expect(!stranger.ok && stranger.status).toBe(429);
		const owner = await accounts.logIn(t.db, {
			identifier: 'max',
			password: PASSWORD,
			ip: '203.0.113.21',
			deviceToken: earlier.value.deviceToken,
			now: later
		});
		expect(owner.ok).toBe(true);
		// A device cookie is no key by itself: a wrong password is still wrong.
		const wrong = await accounts.logIn(t.db, {
			identifier: 'max',
			password: 'not the password',
			ip: '203.0.113.22',
			deviceToken: earlier.value.deviceToken,
			now: later
		});
		expect(!wrong.ok && wrong.status).toBe(400);
	});

	it('does not let a stranger lock an account by failing on purpose from one address', async () => {
		const now = new Date('2026-05-03T00:00:00Z');
		const attacker = [];
		for (let i = 0; i < 30; i++) {
			attacker.push(
				await accounts.logIn(t.db, {
					identifier: 'ned',
					password: `wrong guess ${i}`,
					ip: '198.51.100.250',
					now
				})
			);
		}
		expect(attacker.filter((r) => !r.ok && r.status === 429)).toHaveLength(25);
		// The owner, from a new browser on another network, gets in at once.
		const owner = await accounts.logIn(t.db, {
			identifier: 'ned',
			password: PASSWORD,
			ip: '203.0.113.30',
			now
		});
		expect(owner.ok).toBe(true);
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

	it('costs no hash for a dead reset link, and throttles reset posts per address', async () => {
		const now = new Date('2026-09-01T00:00:00Z');
		verifications.hashes = 0;
		const statuses: number[] = [];
		for (let i = 0; i < 15; i++) {
			const result = await accounts.resetPassword(t.db, {
				token: `deadlinkdeadlink${'a'.repeat(16)}`,
				newPassword: 'a brand new passphrase',
				ip: '192.0.2.200',
				now
			});
			statuses.push(result.ok ? 200 : result.status);
		}
		expect(verifications.hashes).toBe(0);
		expect(statuses.slice(0, rateLimit.RESET_PER_IP.capacity)).toEqual(
			Array(rateLimit.RESET_PER_IP.capacity).fill(400)
		);
		expect(statuses.slice(rateLimit.RESET_PER_IP.capacity)).toEqual(
			Array(15 - rateLimit.RESET_PER_IP.capacity).fill(429)
		);
	});
});
