import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import * as accounts from '#lib/server/accounts/index.js';
import { validateSessionToken } from '#lib/server/auth/session.js';
import type { Db } from '#lib/server/db/connect.js';
import { sendMail } from '#lib/server/platform/mail.js';

const ORIGIN = 'http://proofwork.test';
const PASSWORD = 'a long passphrase';

async function lastMailTo(db: Db, to: string) {
	return db
		.selectFrom('outbox')
		.selectAll()
		.where('to_address', '=', to)
		.orderBy('id', 'desc')
		.executeTakeFirstOrThrow();
}

function linkToken(text: string, path: string): string {
	const match = text.match(new RegExp(`${ORIGIN}/${path}/([a-z2-7]+)`));
	if (!match) throw new Error(`no ${path} link in mail`);
	return match[1];
}

let ipCounter = 0;
const freshIp = () => `10.0.0.${++ipCounter}`;

async function signUp(db: Db, email: string, handle: string, now?: Date) {
	const result = await accounts.signUp(db, {
		email,
		handle,
		password: PASSWORD,
		ip: freshIp(),
		origin: ORIGIN,
		now
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	if (result.value.pending) throw new Error('a fresh instance is open: no sign-up waits');
	return result.value;
}

describe.each(testEngines())('accounts on $name', (engine) => {
	let t: TestDatabase;
	beforeAll(async () => {
		t = await engine.create();
	});
	afterAll(() => t.drop());

	it('signs the person up and in at once, unverified, with a verification link in the outbox', async () => {
		const { user, token } = await signUp(t.db, 'ann@example.com', 'ann');
		expect(user.email_verified_at).toBeNull();
		expect(user.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
		const { user: sessionUser } = await validateSessionToken(t.db, token);
		expect(sessionUser).toMatchObject({ handle: 'ann', emailVerified: false });
		const mail = await lastMailTo(t.db, 'ann@example.com');
		expect(mail.subject).toMatch(/Verify your email/);
		expect(mail.text_body).toContain(`${ORIGIN}/verify-email/`);
	});

	it('keeps handles and emails unique without regard to case', async () => {
		await signUp(t.db, 'bea@example.com', 'bea');
		const again = await accounts.signUp(t.db, {
			email: 'BEA@example.com',
			handle: 'bea',
			password: PASSWORD,
			ip: freshIp(),
			origin: ORIGIN
		});
		expect(again.ok).toBe(false);
		if (!again.ok) {
			expect(again.status).toBe(400);
			expect(again.errors.handle).toMatch(/taken/);
			expect(again.errors.email).toMatch(/cannot be used/);
		}
		expect(await accounts.findUserByHandle(t.db, 'BEA')).toMatchObject({
			email: 'bea@example.com'
		});
	});

	it('verifies the address with a single-use link', async () => {
		await signUp(t.db, 'cyd@example.com', 'cyd');
		const token = linkToken((await lastMailTo(t.db, 'cyd@example.com')).text_body, 'verify-email');
		const verified = await accounts.verifyEmail(t.db, token);
		expect(verified?.email_verified_at).toBeInstanceOf(Date);
		expect(await accounts.verifyEmail(t.db, token)).toBeUndefined();
		expect(await accounts.verifyEmail(t.db, 'notatoken')).toBeUndefined();
	});

	it('does not accept a verification link after 48 hours', async () => {
		const t0 = new Date('2026-03-01T00:00:00Z');
		await signUp(t.db, 'dee@example.com', 'dee', t0);
		const token = linkToken((await lastMailTo(t.db, 'dee@example.com')).text_body, 'verify-email');
		expect(
			await accounts.verifyEmail(t.db, token, new Date(t0.getTime() + 48 * 3600_000 + 1))
		).toBeUndefined();
	});

	it('logs in by email or handle and explains a wrong password without saying which part was wrong', async () => {
		await signUp(t.db, 'eve@example.com', 'eve');
		const byEmail = await accounts.logIn(t.db, {
			identifier: 'EVE@example.com',
			password: PASSWORD,
			ip: freshIp()
		});
		expect(byEmail.ok).toBe(true);
		const byHandle = await accounts.logIn(t.db, {
			identifier: 'eve',
			password: PASSWORD,
			ip: freshIp()
		});
		expect(byHandle.ok).toBe(true);
		const wrong = await accounts.logIn(t.db, {
			identifier: 'eve',
			password: 'not the password',
			ip: freshIp()
		});
		const unknown = await accounts.logIn(t.db, {
			identifier: 'nobody@example.com',
			password: PASSWORD,
			ip: freshIp()
		});
		expect(wrong).toEqual(unknown);
		expect(!wrong.ok && wrong.errors.form).toMatch(/do not match an account/);
	});

	it('ends every other session when the password changes, and keeps the current one', async () => {
		const { user, token: first } = await signUp(t.db, 'fay@example.com', 'fay');
		const second = await accounts.logIn(t.db, {
			identifier: 'fay',
			password: PASSWORD,
			ip: freshIp()
		});
		if (!second.ok) throw new Error('login failed');
		const current = (await validateSessionToken(t.db, first)).session!;

		const wrong = await accounts.changePassword(t.db, {
			userId: user.id,
			sessionId: current.id,
			currentPassword: 'wrong one',
			newPassword: 'another long passphrase'
		});
		expect(!wrong.ok && wrong.errors.currentPassword).toMatch(/not your current password/);

		const changed = await accounts.changePassword(t.db, {
			userId: user.id,
			sessionId: current.id,
			currentPassword: PASSWORD,
			newPassword: 'another long passphrase'
		});
		expect(changed.ok).toBe(true);
		expect((await validateSessionToken(t.db, first)).session).not.toBeNull();
		expect((await validateSessionToken(t.db, second.value.token)).session).toBeNull();
		const relogin = await accounts.logIn(t.db, {
			identifier: 'fay',
			password: 'another long passphrase',
			ip: freshIp()
		});
		expect(relogin.ok).toBe(true);
	});

	it('resets a forgotten password through a one-hour, single-use link that ends all sessions', async () => {
		const t0 = new Date();
		const { token: session } = await signUp(t.db, 'gus@example.com', 'gus');
		const none = await accounts.requestPasswordReset(t.db, {
			email: 'nobody@example.com',
			ip: freshIp(),
			origin: ORIGIN
		});
		const some = await accounts.requestPasswordReset(t.db, {
			email: 'GUS@example.com',
			ip: freshIp(),
			origin: ORIGIN,
			now: t0
		});
		expect(none).toEqual(some);
		const mail = await lastMailTo(t.db, 'gus@example.com');
		expect(mail.subject).toMatch(/Reset/);
		const token = linkToken(mail.text_body, 'reset-password');

		expect(
			await accounts.isPasswordResetTokenValid(t.db, token, new Date(t0.getTime() + 3600_000 + 1))
		).toBe(false);
		expect(await accounts.isPasswordResetTokenValid(t.db, token, t0)).toBe(true);
		const reset = await accounts.resetPassword(t.db, {
			token,
			newPassword: 'a brand new passphrase',
			ip: freshIp(),
			now: t0
		});
		if (!reset.ok) throw new Error('reset failed');
		expect(reset.value.user.handle).toBe('gus');
		expect((await validateSessionToken(t.db, session)).session).toBeNull();
		expect((await validateSessionToken(t.db, reset.value.token)).session).not.toBeNull();
		const again = await accounts.resetPassword(t.db, {
			token,
			newPassword: 'yet another passphrase',
			ip: freshIp(),
			now: t0
		});
		expect(!again.ok && again.errors.form).toMatch(/expired or was already used/);
		const login = await accounts.logIn(t.db, {
			identifier: 'gus',
			password: 'a brand new passphrase',
			ip: freshIp()
		});
		expect(login.ok).toBe(true);
	});

	it('refuses an expired reset link', async () => {
		const t0 = new Date('2026-02-01T00:00:00Z');
		await signUp(t.db, 'hal@example.com', 'hal');
		await accounts.requestPasswordReset(t.db, {
			email: 'hal@example.com',
			ip: freshIp(),
			origin: ORIGIN,
			now: t0
		});
		const token = linkToken(
			(await lastMailTo(t.db, 'hal@example.com')).text_body,
			'reset-password'
		);
		const late = await accounts.resetPassword(t.db, {
			token,
			newPassword: 'a brand new passphrase',
			ip: freshIp(),
			now: new Date(t0.getTime() + 3600_000)
		});
		expect(!late.ok && late.status).toBe(400);
	});

	it('changes the email only with the current password, and asks to verify the new one', async () => {
		const { user, token: current } = await signUp(t.db, 'ida@example.com', 'ida');
		const sessionId = (await validateSessionToken(t.db, current)).session!.id;
		const token = linkToken((await lastMailTo(t.db, 'ida@example.com')).text_body, 'verify-email');
		await accounts.verifyEmail(t.db, token);

		const taken = await accounts.changeEmail(t.db, {
			userId: user.id,
			email: 'ANN@example.com',
			currentPassword: PASSWORD,
			sessionId,
			origin: ORIGIN
		});
		expect(!taken.ok && taken.errors.email).toMatch(/cannot be used/);
		const wrong = await accounts.changeEmail(t.db, {
			userId: user.id,
			email: 'ida@new.example',
			currentPassword: 'nope nope',
			sessionId,
			origin: ORIGIN
		});
		expect(!wrong.ok && wrong.errors.currentPassword).toBeTruthy();

		const changed = await accounts.changeEmail(t.db, {
			userId: user.id,
			email: 'ida@new.example',
			currentPassword: PASSWORD,
			sessionId,
			origin: ORIGIN
		});
		expect(changed.ok).toBe(true);
		const updated = await accounts.findUserById(t.db, user.id);
		expect(updated).toMatchObject({ email: 'ida@new.example', email_verified_at: null });
		expect((await lastMailTo(t.db, 'ida@new.example')).subject).toMatch(/Verify/);
		// The link sent to the old address no longer verifies anything.
		expect(await accounts.verifyEmail(t.db, token)).toBeUndefined();
	});

	it('tells the old address when the email changes, and signs out every other device', async () => {
		const now = new Date('2026-04-02T10:00:00Z');
		const { user, token: current } = await signUp(t.db, 'ivo@example.com', 'ivo');
		const other = await accounts.logIn(t.db, {
			identifier: 'ivo',
			password: PASSWORD,
			ip: freshIp()
		});
		if (!other.ok) throw new Error('login failed');
		const sessionId = (await validateSessionToken(t.db, current)).session!.id;
		const changed = await accounts.changeEmail(t.db, {
			userId: user.id,
			sessionId,
			email: 'ivo@elsewhere.example',
			currentPassword: PASSWORD,
			origin: ORIGIN,
			now
		});
		expect(changed.ok).toBe(true);
		const notice = await lastMailTo(t.db, 'ivo@example.com');
		expect(notice.subject).toMatch(/email address of your Proofwork account was changed/);
		expect(notice.text_body).toContain(now.toUTCString());
		expect(notice.text_body).toContain('i**@elsewhere.example');
		expect(notice.text_body).toMatch(/If it was not you/);
		expect(notice.text_body).toContain(`${ORIGIN}/reset-password`);
		expect((await validateSessionToken(t.db, current)).session).not.toBeNull();
		expect((await validateSessionToken(t.db, other.value.token)).session).toBeNull();
	});

	it('deletes the account with everything it owns, only with the password', async () => {
		const { user, token } = await signUp(t.db, 'joe@example.com', 'joe');
		const refused = await accounts.deleteAccount(t.db, {
			userId: user.id,
			currentPassword: 'not it at all'
		});
		expect(refused.ok).toBe(false);
		expect(await accounts.findUserById(t.db, user.id)).toBeDefined();

		const deleted = await accounts.deleteAccount(t.db, {
			userId: user.id,
			currentPassword: PASSWORD
		});
		expect(deleted.ok).toBe(true);
		expect(await accounts.findUserById(t.db, user.id)).toBeUndefined();
		expect((await validateSessionToken(t.db, token)).session).toBeNull();
		for (const table of [
			'sessions',
			'email_verification_tokens',
			'password_reset_tokens'
		] as const) {
			const rows = await t.db
				.selectFrom(table)
				.select('user_id')
				.where('user_id', '=', user.id)
				.execute();
			expect(rows).toEqual([]);
		}
		expect(
			await t.db
				.selectFrom('outbox')
				.select('id')
				.where('to_address', '=', 'joe@example.com')
				.execute()
		).toEqual([]);
	});

	it("holds a deleted account's handles for 90 days, then gives them out with nothing proven", async () => {
		const t0 = new Date('2026-01-10T00:00:00Z');
		const { user } = await signUp(t.db, 'kay@example.com', 'kay', t0);
		await t.db
			.insertInto('network_accounts')
			.values({
				user_id: user.id,
				network: 'mastodon',
				identifier: 'kay@mastodon.example',
				url: 'https://mastodon.example/@kay',
				verification_status: 'verified',
				verified_at: t0
			})
			.execute();
		const deleted = await accounts.deleteAccount(t.db, {
			userId: user.id,
			currentPassword: PASSWORD,
			now: t0
		});
		expect(deleted.ok).toBe(true);

		const soon = await accounts.signUp(t.db, {
			email: 'kay2@example.com',
			handle: 'kay',
			password: PASSWORD,
			ip: freshIp(),
			origin: ORIGIN,
			now: new Date(t0.getTime() + 24 * 3600_000)
		});
		expect(!soon.ok && soon.errors.handle).toMatch(/taken/);

		const later = new Date(t0.getTime() + accounts.HANDLE_HOLD_MS + 1000);
		const { user: next } = await signUp(t.db, 'kay3@example.com', 'kay', later);
		expect(next.handle).toBe('kay');
		// Nothing the old owner proved belongs to the new one.
		expect(
			await t.db
				.selectFrom('network_accounts')
				.select('id')
				.where('identifier', '=', 'kay@mastodon.example')
				.execute()
		).toEqual([]);
	});

	it('leaves no mail quoting a deleted account and no skill only it used', async () => {
		const { user } = await signUp(t.db, 'lou@example.com', 'lou');
		await t.db
			.insertInto('skills')
			.values([{ name: 'Only Lou Does This' }, { name: 'Everyone Does This' }])
			.execute();
		const skills = await t.db.selectFrom('skills').select(['id', 'name']).execute();
		const only = skills.find((s) => s.name === 'Only Lou Does This')!;
		const shared = skills.find((s) => s.name === 'Everyone Does This')!;
		const { user: other } = await signUp(t.db, 'mo@example.com', 'mo_');
		await t.db
			.insertInto('profile_skills')
			.values([
				{ user_id: user.id, skill_id: only.id, position: 0 },
				{ user_id: user.id, skill_id: shared.id, position: 1 },
				{ user_id: other.id, skill_id: shared.id, position: 0 }
			])
			.execute();
		// A mail to someone else that quotes Lou (a message notification).
		await sendMail(t.db, {
			to: 'mo@example.com',
			userId: user.id,
			subject: 'Message from @lou',
			text: 'Lou wrote: hello'
		});
		await accounts.deleteAccount(t.db, { userId: user.id, currentPassword: PASSWORD });
		const names = (await t.db.selectFrom('skills').select('name').execute()).map((s) => s.name);
		expect(names).toContain('Everyone Does This');
		expect(names).not.toContain('Only Lou Does This');
		const subjects = (
			await t.db
				.selectFrom('outbox')
				.select('subject')
				.where('to_address', '=', 'mo@example.com')
				.execute()
		).map((m) => m.subject);
		expect(subjects).not.toContain('Message from @lou');
	});
});
