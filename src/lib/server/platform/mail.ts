import nodemailer, { type Transporter } from 'nodemailer';
import type { Executor } from '#lib/server/db/connect.js';
import { logger } from '#lib/server/platform/log.js';

export interface Mail {
	to: string;
	/** The account the mail is from or about (it quotes it): the row goes with that account. */
	userId?: number | null;
	subject: string;
	text: string;
}

interface MailConfig {
	smtpUrl?: string;
	from: string;
	/** Tests only: a ready transport in place of one built from smtpUrl. */
	transport?: Transporter;
}

// Every outbox row, sent or not, is deleted this long after it was written (on each new mail).
export const OUTBOX_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

let config: MailConfig = { from: 'Proofwork <no-reply@localhost>' };
let transport: Transporter | null = null;

/** Called once at start-up; without an SMTP URL every mail is kept in the outbox table instead. */
export function configureMail(next: MailConfig): void {
	config = next;
	transport = next.transport ?? (next.smtpUrl ? nodemailer.createTransport(next.smtpUrl) : null);
}

/** Whether mail goes out by SMTP (and so must never be written to the log). */
export function mailGoesBySmtp(): boolean {
	return transport !== null;
}

/**
 * Sends a mail, or, when no SMTP server is configured, keeps it in the outbox and writes it to the
 * log so that a self-hoster without mail still receives links. A failed send is logged and kept
 * in the outbox too: the person's action never fails because mail did.
 */
export async function sendMail(db: Executor, mail: Mail, now = new Date()): Promise<void> {
	await db
		.deleteFrom('outbox')
		.where('created_at', '<', new Date(now.getTime() - OUTBOX_KEEP_MS))
		.execute();
	const userId = mail.userId ?? null;
	if (transport) {
		try {
			await transport.sendMail({
				from: config.from,
				to: mail.to,
				subject: mail.subject,
				text: mail.text
			});
			await db
				.insertInto('outbox')
				.values({
					to_address: mail.to,
					subject: mail.subject,
					// Links and tokens stay out of the database once the mail is on its way.
					text_body: '(sent by SMTP)',
					sent_at: now,
					user_id: userId
				})
				.execute();
			return;
		} catch (error) {
			logger.error(
				{ err: error, subject: mail.subject },
				'SMTP delivery failed; mail kept in outbox'
			);
		}
	}
	await db
		.insertInto('outbox')
		.values({ to_address: mail.to, subject: mail.subject, text_body: mail.text, user_id: userId })
		.execute();
	if (!transport) {
		// Deliberately the whole message: with no SMTP_URL the log is the self-hoster's mailbox.
		logger.info(
			{ outbox: { to: mail.to, subject: mail.subject } },
			`mail (no SMTP_URL set):\n${mail.text}`
		);
	}
}
