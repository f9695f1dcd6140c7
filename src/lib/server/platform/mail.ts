import nodemailer, { type Transporter } from 'nodemailer';
import type { Executor } from '#lib/server/db/connect.js';
import { logger } from '#lib/server/platform/log.js';

export interface Mail {
	to: string;
	subject: string;
	text: string;
}

interface MailConfig {
	smtpUrl?: string;
	from: string;
}

let config: MailConfig = { from: 'Proofwork <no-reply@localhost>' };
let transport: Transporter | null = null;

/** Called once at start-up; without an SMTP URL every mail is kept in the outbox table instead. */
export function configureMail(next: MailConfig): void {
	config = next;
	transport = next.smtpUrl ? nodemailer.createTransport(next.smtpUrl) : null;
}

/**
 * Sends a mail, or, when no SMTP server is configured, keeps it in the outbox and writes it to the
 * log so that a self-hoster without mail still receives links. A failed send is logged and kept
 * in the outbox too: the person's action never fails because mail did.
 */
export async function sendMail(db: Executor, mail: Mail): Promise<void> {
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
					text_body: '(sent by SMTP)',
					sent_at: new Date()
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
		.values({ to_address: mail.to, subject: mail.subject, text_body: mail.text })
		.execute();
	if (!transport) {
		// Deliberately the whole message: with no SMTP_URL the log is the self-hoster's mailbox.
		logger.info(
			{ outbox: { to: mail.to, subject: mail.subject } },
			`mail (no SMTP_URL set):\n${mail.text}`
		);
	}
}
