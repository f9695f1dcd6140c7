import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import nodemailer from 'nodemailer';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import { configureMail, OUTBOX_KEEP_MS, sendMail } from '#lib/server/platform/mail.js';
import { loggablePath, logger } from '#lib/server/platform/log.js';

const LINK = 'http://proofwork.test/reset-password/abcdefghijklmnopqrstuvwxyz234567';

describe.each(testEngines())('mail on $name', (engine) => {
	let t: TestDatabase;
	beforeAll(async () => {
		t = await engine.create();
	});
	afterAll(() => t.drop());
	afterEach(() => {
		configureMail({ from: 'Proofwork <no-reply@localhost>' });
		vi.restoreAllMocks();
	});

	it("without SMTP_URL, writes the whole mail to the log, which is the self-hoster's mailbox", async () => {
		const info = vi.spyOn(logger, 'info').mockImplementation(() => {});
		await sendMail(t.db, { to: 'a@example.com', subject: 'Reset', text: `Open ${LINK}` });
		expect(JSON.stringify(info.mock.calls)).toContain(LINK);
	});

	it('with SMTP_URL, keeps links out of the log and out of the outbox', async () => {
		const sent: string[] = [];
		const transport = nodemailer.createTransport({ jsonTransport: true });
		const original = transport.sendMail.bind(transport);
		vi.spyOn(transport, 'sendMail').mockImplementation(((mail: { text: string }) => {
			sent.push(mail.text);
			return original(mail as never);
		}) as never);
		configureMail({ from: 'Proofwork <no-reply@localhost>', transport });
		const calls: unknown[] = [];
		for (const level of ['trace', 'debug', 'info', 'warn', 'error'] as const)
			vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => void calls.push(args));
		await sendMail(t.db, { to: 'b@example.com', subject: 'Reset', text: `Open ${LINK}` });
		expect(sent).toEqual([`Open ${LINK}`]);
		expect(JSON.stringify(calls)).not.toContain('reset-password');
		const rows = await t.db
			.selectFrom('outbox')
			.select(['text_body', 'sent_at'])
			.where('to_address', '=', 'b@example.com')
			.execute();
		expect(rows).toEqual([{ text_body: '(sent by SMTP)', sent_at: expect.any(Date) }]);
	});

	it('deletes outbox rows older than a week whenever a mail is written', async () => {
		vi.spyOn(logger, 'info').mockImplementation(() => {});
		const now = new Date();
		await t.db
			.insertInto('outbox')
			.values([
				{
					to_address: 'old@example.com',
					subject: 'Old',
					text_body: LINK,
					created_at: new Date(now.getTime() - OUTBOX_KEEP_MS - 60_000)
				},
				{
					to_address: 'recent@example.com',
					subject: 'Recent',
					text_body: 'recent',
					created_at: new Date(now.getTime() - OUTBOX_KEEP_MS + 3600_000)
				}
			])
			.execute();
		await sendMail(t.db, { to: 'c@example.com', subject: 'New', text: 'new' }, now);
		const left = (await t.db.selectFrom('outbox').select('subject').execute()).map(
			(r) => r.subject
		);
		expect(left).not.toContain('Old');
		expect(left).toEqual(expect.arrayContaining(['Recent', 'New']));
	});
});

describe('logged request paths', () => {
	it('never carry a link token', () => {
		expect(loggablePath('/reset-password/abcdefghijklmnop')).toBe('/reset-password/[redacted]');
		expect(loggablePath('/verify-email/abcdefghijklmnop')).toBe('/verify-email/[redacted]');
		expect(loggablePath('/endorse/r/abcdefghijklmnop')).toBe('/endorse/r/[redacted]');
		expect(loggablePath('/@ann/work/launch')).toBe('/@ann/work/launch');
	});
});
