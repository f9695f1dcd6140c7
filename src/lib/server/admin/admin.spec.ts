import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import type { Db } from '#lib/server/db/connect.js';
import type { User } from '#lib/server/db/schema.js';
import * as accounts from '#lib/server/accounts/index.js';
import { validateSessionToken } from '#lib/server/auth/session.js';
import { resolveHandle } from '#lib/server/handles.js';
import { listListedProfiles } from '#lib/server/profiles.js';
import { refreshSearchDocuments } from '#lib/server/search/projection.js';
import { listPublicEndorsements } from '#lib/server/endorsements/views.js';
import { getConversation } from '#lib/server/messages/read.js';
import { listTrusted } from '#lib/server/trust/members.js';
import {
	getInstanceSettings,
	saveInstanceSettings,
	setRegistrationMode
} from '#lib/server/instance.js';
import { COMMAND_LINE, listAudit } from '#lib/server/admin/audit.js';
import { grantAdmin, revokeAdmin } from '#lib/server/admin/admins.js';
import { fileReport, listReports, resolveReport } from '#lib/server/admin/reports.js';
import { actOnAccount, hideItem, searchAccounts } from '#lib/server/admin/accounts.js';
import {
	createInvite,
	decidePending,
	listPending,
	revokeInvite
} from '#lib/server/admin/registration.js';
import { setTrusted } from '#lib/server/admin/trusted.js';

const ORIGIN = 'http://proofwork.test';
const PASSWORD = 'a long passphrase';
const T0 = new Date('2027-05-01T09:00:00Z');
const HOUR = 60 * 60 * 1000;
const at = (ms: number) => new Date(T0.getTime() + ms);

let ip = 0;

async function member(
	db: Db,
	handle: string,
	extra: { invite?: string; joinReason?: string } = {}
) {
	const result = await accounts.signUp(db, {
		email: `${handle}@example.com`,
		handle,
		password: PASSWORD,
		ip: `10.1.${Math.floor(++ip / 250)}.${ip % 250}`,
		origin: ORIGIN,
		now: T0,
		...extra
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	return result.value;
}

/** A member with a verified address and a listed profile (public, named, with a headline). */
async function listedMember(db: Db, handle: string) {
	const signed = await member(db, handle);
	await db
		.updateTable('users')
		.set({ email_verified_at: T0 })
		.where('id', '=', signed.user.id)
		.execute();
	await db
		.updateTable('profiles')
		.set({ display_name: handle.toUpperCase(), headline: 'Bookkeeper' })
		.where('user_id', '=', signed.user.id)
		.execute();
	await refreshSearchDocuments(db, [signed.user.id]);
	return signed;
}

async function auditCount(db: Db): Promise<number> {
	const { n } = await db
		.selectFrom('audit_log')
		.select((eb) => eb.fn.countAll<string | number>().as('n'))
		.executeTakeFirstOrThrow();
	return Number(n);
}

async function listed(db: Db, userId: number): Promise<boolean> {
	const row = await db
		.selectFrom('profile_search')
		.select('listed')
		.where('user_id', '=', userId)
		.executeTakeFirstOrThrow();
	return row.listed;
}

async function endorse(db: Db, endorser: User, subject: User): Promise<number> {
	const row = await db
		.insertInto('endorsements')
		.values({
			endorser_id: endorser.id,
			subject_id: subject.id,
			relationship: 'worked_together',
			body: 'Rebuilt our ledger import and closed the books two days sooner every month.',
			status: 'accepted',
			created_at: T0,
			updated_at: T0
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

async function message(db: Db, from: User, to: User, body: string): Promise<number> {
	const c = await db
		.insertInto('conversations')
		.values({
			sender_id: from.id,
			recipient_id: to.id,
			subject: 'Hello',
			created_at: T0,
			updated_at: T0
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	const m = await db
		.insertInto('conversation_messages')
		.values({ conversation_id: c.id, author_id: from.id, body, created_at: T0 })
		.returning('id')
		.executeTakeFirstOrThrow();
	return m.id;
}

describe.each(testEngines())('administration on $name', (engine) => {
	let t: TestDatabase;
	let admin: User;
	const actor = () => ({ id: admin.id, label: admin.handle });

	beforeAll(async () => {
		t = await engine.create();
	});
	afterAll(() => t.drop());

	it('grants the first admin from the command line: a new account with a one-time 24 h link, safe twice', async () => {
		const granted = await grantAdmin(t.db, COMMAND_LINE, {
			email: 'Owner@Example.com',
			origin: ORIGIN,
			now: T0
		});
		if (!granted.ok || granted.outcome !== 'created') throw new Error('not created');
		expect(granted.link).toMatch(new RegExp(`^${ORIGIN}/reset-password/[a-z2-7]+$`));
		const token = granted.link.split('/').pop()!;
		// Still valid after 23 hours, gone after 25.
		expect(await accounts.isPasswordResetTokenValid(t.db, token, at(23 * HOUR))).toBe(true);
		expect(await accounts.isPasswordResetTokenValid(t.db, token, at(25 * HOUR))).toBe(false);
		const reset = await accounts.resetPassword(t.db, {
			token,
			newPassword: PASSWORD,
			ip: '10.9.9.9',
			now: at(HOUR)
		});
		expect(reset.ok).toBe(true);
		const session = await validateSessionToken(t.db, reset.ok ? reset.value.token : '', at(HOUR));
		expect(session.user?.isAdmin).toBe(true);
		admin = (await accounts.findUserByEmail(t.db, 'owner@example.com'))!;

		const again = await grantAdmin(t.db, COMMAND_LINE, {
			email: 'owner@example.com',
			origin: ORIGIN
		});
		expect(again).toEqual({ ok: true, outcome: 'already', handle: admin.handle });
		const audit = await listAudit(t.db, { action: 'admin.grant' });
		expect(audit).toHaveLength(1);
		expect(audit[0].actor).toBe('command line');
	});

	it('never makes a sign-up an admin, and refuses to revoke the last admin', async () => {
		const { user } = await member(t.db, 'plain');
		expect(user.role).toBe('member');
		const before = await auditCount(t.db);
		const last = await revokeAdmin(t.db, COMMAND_LINE, { email: admin.email });
		expect(last).toEqual({ ok: false, error: expect.stringMatching(/last admin/) });
		expect(await auditCount(t.db)).toBe(before);

		expect(
			await grantAdmin(t.db, COMMAND_LINE, { email: 'plain@example.com', origin: ORIGIN })
		).toEqual({
			ok: true,
			outcome: 'promoted',
			handle: 'plain'
		});
		expect(await revokeAdmin(t.db, COMMAND_LINE, { email: 'plain@example.com' })).toEqual({
			ok: true,
			handle: 'plain'
		});
		expect((await accounts.findUserByHandle(t.db, 'plain'))?.role).toBe('member');
		expect(await auditCount(t.db)).toBe(before + 2);
	});

	it('takes reports with a snapshot, at most 10 an hour per member, and closes each once', async () => {
		const reporter = await listedMember(t.db, 'reporter');
		const spammer = await listedMember(t.db, 'spammer');
		const filed = await fileReport(t.db, {
			reporterId: reporter.user.id,
			kind: 'profile',
			targetId: spammer.user.id,
			category: 'spam',
			comment: 'Selling followers',
			now: T0
		});
		expect(filed.ok).toBe(true);
		// The profile changes afterwards; the report keeps what was seen.
		await t.db
			.updateTable('profiles')
			.set({ headline: 'Edited' })
			.where('user_id', '=', spammer.user.id)
			.execute();
		const [report] = await listReports(t.db, { accountId: spammer.user.id });
		expect(report.snapshot).toContainEqual(['headline', 'Bookkeeper']);
		expect(report.status).toBe('open');

		expect(
			await fileReport(t.db, {
				reporterId: reporter.user.id,
				kind: 'profile',
				targetId: reporter.user.id,
				category: 'spam',
				comment: '',
				now: T0
			})
		).toMatchObject({ ok: false, status: 404 });
		expect(
			await fileReport(t.db, {
				reporterId: reporter.user.id,
				kind: 'message',
				targetId: 999_999,
				category: 'other',
				comment: '',
				now: T0
			})
		).toMatchObject({ ok: false, status: 404 });

		for (let i = 1; i < 10; i++) {
			const ok = await fileReport(t.db, {
				reporterId: reporter.user.id,
				kind: 'profile',
				targetId: spammer.user.id,
				category: 'other',
				comment: `again ${i}`,
				now: T0
			});
			expect(ok.ok).toBe(true);
		}
		const eleventh = await fileReport(t.db, {
			reporterId: reporter.user.id,
			kind: 'profile',
			targetId: spammer.user.id,
			category: 'other',
			comment: 'one too many',
			now: T0
		});
		expect(eleventh).toMatchObject({ ok: false, status: 429 });

		const before = await auditCount(t.db);
		expect(
			await resolveReport(t.db, actor(), { id: report.id, reason: 'Looked fine', now: T0 })
		).toEqual({ ok: true });
		const twice = await resolveReport(t.db, actor(), { id: report.id, reason: 'Again', now: T0 });
		expect(twice).toMatchObject({ ok: false, status: 400 });
		expect(await auditCount(t.db)).toBe(before + 1);
	});

	it('suspends: no log-in, sessions ended, profile, endorsements given and contact gone, data kept; unsuspends', async () => {
		const victim = await listedMember(t.db, 'victim');
		const bad = await listedMember(t.db, 'badactor');
		await endorse(t.db, bad.user, victim.user);
		expect(await listPublicEndorsements(t.db, victim.user.id)).toHaveLength(1);
		const open = (await listReports(t.db, { accountId: bad.user.id, status: 'open' })).length;
		await fileReport(t.db, {
			reporterId: victim.user.id,
			kind: 'profile',
			targetId: bad.user.id,
			category: 'rules',
			comment: 'Harassment',
			now: T0
		});
		expect(await listReports(t.db, { accountId: bad.user.id, status: 'open' })).toHaveLength(
			open + 1
		);

		const self = await actOnAccount(t.db, actor(), {
			accountId: admin.id,
			action: 'suspend',
			reason: 'test',
			notify: false
		});
		expect(self).toMatchObject({ ok: false, status: 400 });
		const before = await auditCount(t.db);
		expect(
			await actOnAccount(t.db, actor(), {
				accountId: 999_999,
				action: 'suspend',
				reason: 'x',
				notify: false
			})
		).toMatchObject({ ok: false, status: 400 });
		expect(
			await actOnAccount(t.db, actor(), {
				accountId: bad.user.id,
				action: 'explode',
				reason: 'x',
				notify: false
			})
		).toMatchObject({ ok: false, status: 400 });
		expect(await auditCount(t.db)).toBe(before);

		const suspended = await actOnAccount(t.db, actor(), {
			accountId: bad.user.id,
			action: 'suspend',
			reason: 'Harassing members',
			notify: true,
			now: T0
		});
		expect(suspended).toEqual({ ok: true });
		expect((await validateSessionToken(t.db, bad.token!)).session).toBeNull();
		const login = await accounts.logIn(t.db, {
			identifier: 'badactor',
			password: PASSWORD,
			ip: '10.7.7.7'
		});
		expect(login).toMatchObject({
			ok: false,
			errors: { form: expect.stringMatching(/suspended/) }
		});
		expect((await resolveHandle(t.db, 'badactor', null)).kind).toBe('missing');
		expect((await resolveHandle(t.db, 'badactor', victim.user.id)).kind).toBe('missing');
		expect(await listPublicEndorsements(t.db, victim.user.id)).toHaveLength(0);
		expect(await listed(t.db, bad.user.id)).toBe(false);
		expect((await listListedProfiles(t.db)).map((p) => p.handle)).not.toContain('badactor');
		// Data kept, reports resolved with the action, one audit row, the member told why.
		expect(await accounts.findUserById(t.db, bad.user.id)).toMatchObject({ status: 'suspended' });
		expect(await listReports(t.db, { accountId: bad.user.id, status: 'open' })).toHaveLength(0);
		const [row] = await listAudit(t.db, { target: `account:${bad.user.id}` });
		expect(row).toMatchObject({
			action: 'account.suspend',
			actor: admin.handle,
			reason: 'Harassing members'
		});
		const mail = await t.db
			.selectFrom('outbox')
			.select(['subject', 'text_body'])
			.where('to_address', '=', 'badactor@example.com')
			.orderBy('id', 'desc')
			.executeTakeFirstOrThrow();
		expect(mail.subject).toMatch(/suspended/);
		expect(mail.text_body).toContain('Harassing members');

		expect(
			await actOnAccount(t.db, actor(), {
				accountId: bad.user.id,
				action: 'suspend',
				reason: 'x',
				notify: false
			})
		).toMatchObject({ ok: false, status: 400 });
		expect(
			await actOnAccount(t.db, actor(), {
				accountId: bad.user.id,
				action: 'unsuspend',
				reason: 'Apologised',
				notify: false
			})
		).toEqual({ ok: true });
		expect((await resolveHandle(t.db, 'badactor', null)).kind).toBe('found');
		expect(await listPublicEndorsements(t.db, victim.user.id)).toHaveLength(1);
		expect(await listed(t.db, bad.user.id)).toBe(true);
		expect(
			(await accounts.logIn(t.db, { identifier: 'badactor', password: PASSWORD, ip: '10.7.7.8' }))
				.ok
		).toBe(true);
	});

	it('limits an account out of search and the sitemap while its profile stays up', async () => {
		const quiet = await listedMember(t.db, 'quiet');
		expect(
			await actOnAccount(t.db, actor(), {
				accountId: quiet.user.id,
				action: 'limit',
				reason: 'Keyword stuffing',
				notify: false
			})
		).toEqual({ ok: true });
		expect(await listed(t.db, quiet.user.id)).toBe(false);
		expect((await listListedProfiles(t.db)).map((p) => p.handle)).not.toContain('quiet');
		expect((await resolveHandle(t.db, 'quiet', null)).kind).toBe('found');
		expect((await validateSessionToken(t.db, quiet.token!)).session).not.toBeNull();
		expect(
			await actOnAccount(t.db, actor(), {
				accountId: quiet.user.id,
				action: 'unlimit',
				reason: 'Fixed',
				notify: false
			})
		).toEqual({ ok: true });
		expect(await listed(t.db, quiet.user.id)).toBe(true);
		expect((await searchAccounts(t.db, 'QUIET@example')).map((a) => a.handle)).toEqual(['quiet']);
	});

	it('hides one endorsement or message and deletes an account the way self-deletion does', async () => {
		const a = await listedMember(t.db, 'annie');
		const b = await listedMember(t.db, 'bertie');
		const endorsement = await endorse(t.db, b.user, a.user);
		const msg = await message(t.db, b.user, a.user, 'Buy my course');
		const filed = await fileReport(t.db, {
			reporterId: a.user.id,
			kind: 'message',
			targetId: msg,
			category: 'spam',
			comment: '',
			now: T0
		});
		expect(filed.ok).toBe(true);

		expect(
			await hideItem(t.db, actor(), {
				accountId: b.user.id,
				kind: 'message',
				itemId: msg,
				reason: 'Spam'
			})
		).toEqual({ ok: true });
		const conversation = await t.db
			.selectFrom('conversation_messages')
			.select('conversation_id')
			.where('id', '=', msg)
			.executeTakeFirstOrThrow();
		const view = await getConversation(t.db, a.user.id, conversation.conversation_id);
		expect(view?.messages[0]).toMatchObject({ hidden: true, body: '' });
		expect(await listReports(t.db, { kind: 'message', status: 'open' })).toHaveLength(0);
		// Hiding it twice, or someone else's, changes nothing.
		expect(
			await hideItem(t.db, actor(), {
				accountId: b.user.id,
				kind: 'message',
				itemId: msg,
				reason: 'Spam'
			})
		).toMatchObject({ ok: false, status: 400 });
		expect(
			await hideItem(t.db, actor(), {
				accountId: admin.id,
				kind: 'endorsement',
				itemId: endorsement,
				reason: 'x'
			})
		).toMatchObject({ ok: false, status: 400 });
		expect(
			await hideItem(t.db, actor(), {
				accountId: b.user.id,
				kind: 'endorsement',
				itemId: endorsement,
				reason: 'Paid for'
			})
		).toEqual({ ok: true });
		expect(await listPublicEndorsements(t.db, a.user.id)).toHaveLength(0);

		expect(
			await actOnAccount(t.db, actor(), {
				accountId: admin.id,
				action: 'delete',
				reason: 'x',
				notify: false
			})
		).toMatchObject({ ok: false });
		expect(
			await actOnAccount(t.db, actor(), {
				accountId: b.user.id,
				action: 'delete',
				reason: 'Spam account',
				notify: true
			})
		).toEqual({ ok: true });
		expect(await accounts.findUserById(t.db, b.user.id)).toBeUndefined();
		// Its handle is held like a self-deleted one's, and the audit row outlives the account.
		expect(await accounts.isHandleTaken(t.db, 'bertie')).toBe(true);
		const [row] = await listAudit(t.db, { target: 'bertie' });
		expect(row).toMatchObject({ action: 'account.delete', targetId: b.user.id });
	});

	it('keeps the audit log append-only', async () => {
		await expect(sql`update audit_log set reason = 'rewritten'`.execute(t.db)).rejects.toThrow(
			/append-only/
		);
		await expect(sql`delete from audit_log`.execute(t.db)).rejects.toThrow(/append-only/);
		expect(await auditCount(t.db)).toBeGreaterThan(0);
	});

	it('starts open, then follows approval and closed modes, with invites working in every mode', async () => {
		expect((await getInstanceSettings(t.db)).registration).toBe('open');
		const before = await auditCount(t.db);
		expect(await setRegistrationMode(t.db, actor(), 'sometimes')).toMatchObject({
			ok: false,
			status: 400
		});
		expect(await auditCount(t.db)).toBe(before);

		expect(await setRegistrationMode(t.db, actor(), 'approval')).toEqual({ ok: true });
		const noReason = await accounts.signUp(t.db, {
			email: 'why@example.com',
			handle: 'why_not',
			password: PASSWORD,
			ip: '10.5.0.1',
			origin: ORIGIN
		});
		expect(noReason).toMatchObject({
			ok: false,
			status: 400,
			errors: { joinReason: expect.any(String) }
		});
		const waiting = await member(t.db, 'waiting', { joinReason: 'I teach bookkeeping' });
		expect(waiting.pending).toBe(true);
		expect(
			(await accounts.logIn(t.db, { identifier: 'waiting', password: PASSWORD, ip: '10.5.0.2' })).ok
		).toBe(false);
		expect((await resolveHandle(t.db, 'waiting', null)).kind).toBe('missing');
		const doomed = await member(t.db, 'doomed', { joinReason: 'Cheap followers' });
		expect((await listPending(t.db)).map((p) => p.handle)).toEqual(['waiting', 'doomed']);
		expect(
			await decidePending(t.db, actor(), {
				ids: [waiting.user.id],
				decision: 'maybe',
				origin: ORIGIN
			})
		).toMatchObject({ ok: false, status: 400 });
		expect(
			await decidePending(t.db, actor(), {
				ids: [waiting.user.id],
				decision: 'approve',
				origin: ORIGIN
			})
		).toEqual({ ok: true, count: 1 });
		expect(
			(await accounts.logIn(t.db, { identifier: 'waiting', password: PASSWORD, ip: '10.5.0.3' })).ok
		).toBe(true);
		expect(
			await decidePending(t.db, actor(), {
				ids: [doomed.user.id, waiting.user.id],
				decision: 'reject',
				origin: ORIGIN
			})
		).toMatchObject({ ok: false });
		expect(await accounts.findUserById(t.db, doomed.user.id)).toBeDefined();
		expect(
			await decidePending(t.db, actor(), {
				ids: [doomed.user.id],
				decision: 'reject',
				origin: ORIGIN
			})
		).toEqual({ ok: true, count: 1 });
		expect(await accounts.findUserById(t.db, doomed.user.id)).toBeUndefined();

		const once = await createInvite(
			t.db,
			actor(),
			{ maxUses: 1, expiresInDays: 7, note: 'for Cleo' },
			T0
		);
		const revoked = await createInvite(
			t.db,
			actor(),
			{ maxUses: 5, expiresInDays: null, note: '' },
			T0
		);
		expect(await revokeInvite(t.db, actor(), revoked.id)).toEqual({ ok: true });
		expect(await revokeInvite(t.db, actor(), revoked.id)).toMatchObject({ ok: false, status: 400 });
		const old = await createInvite(
			t.db,
			actor(),
			{ maxUses: 5, expiresInDays: 1, note: '' },
			new Date(Date.now() - 2 * 24 * HOUR)
		);

		// An invite skips approval.
		const invited = await member(t.db, 'invited', { invite: once.code });
		expect(invited.pending).toBe(false);
		expect(invited.user.invite_id).toBe(once.id);

		for (const mode of ['open', 'approval', 'closed'] as const) {
			await setRegistrationMode(t.db, actor(), mode);
			for (const code of [once.code, revoked.code, old.code, 'notacodewemadeatall']) {
				const refused = await accounts.signUp(t.db, {
					email: `x_${mode}@example.com`,
					handle: `x_${mode}`,
					password: PASSWORD,
					ip: `10.6.0.${++ip % 250}`,
					origin: ORIGIN,
					invite: code,
					joinReason: 'Because'
				});
				expect(refused).toMatchObject({
					ok: false,
					status: 400,
					errors: { invite: expect.stringMatching(/revoked|expired|used up/) }
				});
			}
		}
		// Closed: nobody without an invite, anyone with a live one.
		const closed = await accounts.signUp(t.db, {
			email: 'shut@example.com',
			handle: 'shut_out',
			password: PASSWORD,
			ip: '10.6.1.1',
			origin: ORIGIN
		});
		expect(closed).toMatchObject({
			ok: false,
			status: 400,
			errors: { form: expect.stringMatching(/closed/) }
		});
		const fresh = await createInvite(t.db, actor(), { maxUses: 2, expiresInDays: 7, note: '' }, T0);
		expect((await member(t.db, 'let_in', { invite: fresh.code })).pending).toBe(false);
		await setRegistrationMode(t.db, actor(), 'open');
	});

	it('saves instance settings with sanitised rules, and marks trusted members with who and why', async () => {
		await saveInstanceSettings(t.db, actor(), {
			name: 'Ledger Folk',
			description: 'Bookkeepers',
			contactEmail: 'mods@example.com',
			rulesMd: '1. Be kind\n\n<script>alert(1)</script>[x](javascript:alert(1))'
		});
		const settings = await getInstanceSettings(t.db);
		expect(settings.name).toBe('Ledger Folk');
		expect(settings.rulesHtml).toContain('<li>Be kind</li>');
		expect(settings.rulesHtml).not.toMatch(/<script|href="javascript:/);

		const before = await auditCount(t.db);
		expect(
			await setTrusted(t.db, actor(), { handle: 'annie', trusted: true, reason: '' })
		).toMatchObject({ ok: false });
		expect(
			await setTrusted(t.db, actor(), { handle: 'nobody_here', trusted: true, reason: 'x' })
		).toMatchObject({ ok: false });
		expect(
			await setTrusted(t.db, actor(), { handle: 'reporter', trusted: false, reason: 'x' })
		).toMatchObject({ ok: false });
		expect(await auditCount(t.db)).toBe(before);
		expect(
			await setTrusted(t.db, actor(), {
				handle: '@annie',
				trusted: true,
				reason: 'Known in person'
			})
		).toEqual({ ok: true });
		expect(await listTrusted(t.db)).toEqual([
			expect.objectContaining({
				handle: 'annie',
				reason: 'Known in person',
				marked_by: admin.handle
			})
		]);
		expect(
			await setTrusted(t.db, actor(), { handle: 'annie', trusted: false, reason: 'Left' })
		).toEqual({ ok: true });
		expect(await listTrusted(t.db)).toEqual([]);
		expect(
			(await listAudit(t.db, { actor: admin.handle })).slice(0, 3).map((e) => e.action)
		).toEqual(['trust.unmark', 'trust.mark', 'settings.update']);
	});
});
