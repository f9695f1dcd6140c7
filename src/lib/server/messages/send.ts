import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import { containsLink, isNewAccount } from '#lib/server/newcomers.js';
import { DAY_MS } from '#lib/server/platform/time.js';
import type { FieldErrors } from '#lib/server/platform/forms.js';
import { sendMail } from '#lib/server/platform/mail.js';
import {
	LIMITS,
	NO_LINKS,
	UNVERIFIED,
	personOf,
	skillNamesOf,
	type Author,
	type ContactInput,
	type Failure
} from '#lib/server/messages/rules.js';

// Starting, answering and declining conversations: every write in one transaction, limits counted
// in the database.

/** Conversations the sender started in the 24 hours before `now`. */
export async function countStartedSince(db: Executor, senderId: number, now: Date) {
	const { n } = await db
		.selectFrom('conversations')
		.select((eb) => eb.fn.countAll<string | number>().as('n'))
		.where('sender_id', '=', senderId)
		.where('created_at', '>', new Date(now.getTime() - DAY_MS))
		.executeTakeFirstOrThrow();
	return Number(n);
}

export interface StartInput {
	sender: Author;
	recipientId: number;
	input: ContactInput;
	origin?: string;
	now?: Date;
}

/** A contact message: opens a conversation in the practitioner's messages and mails it to them. */
export async function startConversation(
	db: Executor,
	args: StartInput
): Promise<{ ok: true; id: number } | Failure> {
	const now = args.now ?? new Date();
	const { sender, recipientId, input } = args;
	if (!sender.emailVerified) return { ok: false, status: 403, errors: { form: UNVERIFIED } };
	if (sender.id === recipientId)
		return { ok: false, status: 400, errors: { form: 'You cannot send a message to yourself.' } };

	return withTransaction(db, async (trx) => {
		// One message at a time per sender, so concurrent requests cannot slip past the limit.
		await trx.selectFrom('users').select('id').where('id', '=', sender.id).forUpdate().execute();
		const recipient = await trx
			.selectFrom('profiles')
			.select(['visibility', 'allow_contact'])
			.where('user_id', '=', recipientId)
			.executeTakeFirst();
		if (!recipient || recipient.visibility === 'private')
			return {
				ok: false as const,
				status: 404 as const,
				errors: { form: 'This profile cannot be contacted.' }
			};
		if (!recipient.allow_contact)
			return {
				ok: false as const,
				status: 403 as const,
				errors: { form: 'This person does not accept messages.' }
			};

		if (isNewAccount(sender, now)) {
			// Naming the person's own skills ("ASP.NET") is not a link.
			const names = await skillNamesOf(trx, recipientId);
			const errors: FieldErrors = {};
			if (containsLink(input.subject, names)) errors.subject = NO_LINKS;
			if (containsLink(input.body, names)) errors.body = NO_LINKS;
			if (Object.keys(errors).length) return { ok: false as const, status: 400 as const, errors };
		}

		const limit = isNewAccount(sender, now) ? LIMITS.newAccountPerDay : LIMITS.establishedPerDay;
		if ((await countStartedSince(trx, sender.id, now)) >= limit)
			return {
				ok: false as const,
				status: 429 as const,
				errors: {
					form: isNewAccount(sender, now)
						? `New accounts can contact ${limit} people a day. Try again tomorrow.`
						: `You can contact ${limit} people a day. Try again tomorrow.`
				}
			};

		const { id } = await trx
			.insertInto('conversations')
			.values({
				sender_id: sender.id,
				recipient_id: recipientId,
				subject: input.subject,
				created_at: now,
				updated_at: now
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await trx
			.insertInto('conversation_messages')
			.values({ conversation_id: id, author_id: sender.id, body: input.body, created_at: now })
			.execute();

		const [from, to] = await Promise.all([personOf(trx, sender.id), personOf(trx, recipientId)]);
		await sendMail(trx, {
			to: to.email,
			userId: sender.id,
			subject: `Message from @${from.handle}: ${input.subject}`,
			text: [
				`Hello @${to.handle},`,
				'',
				`${from.name} (@${from.handle}) sent you a message on Proofwork.`,
				'',
				`Subject: ${input.subject}`,
				'',
				input.body,
				'',
				`Reply or decline (your email address stays private): ${args.origin ?? ''}/dashboard/messages/${id}`
			].join('\n')
		});
		return { ok: true as const, id };
	});
}

export interface ReplyInput {
	author: Author;
	conversationId: number;
	body: string;
	origin?: string;
	now?: Date;
}

/** Either participant answers, until the person contacted declines. */
export async function replyToConversation(
	db: Executor,
	args: ReplyInput
): Promise<{ ok: true } | Failure> {
	const now = args.now ?? new Date();
	const { author, conversationId, body } = args;
	return withTransaction(db, async (trx) => {
		// Locking the conversation orders a reply racing a decline: one of them sees the other.
		const conversation = await trx
			.selectFrom('conversations')
			.select(['id', 'sender_id', 'recipient_id', 'subject', 'status'])
			.where('id', '=', conversationId)
			.where((eb) => eb.or([eb('sender_id', '=', author.id), eb('recipient_id', '=', author.id)]))
			.forUpdate()
			.executeTakeFirst();
		if (!conversation)
			return {
				ok: false as const,
				status: 404 as const,
				errors: { form: 'That conversation does not exist.' }
			};
		if (!author.emailVerified)
			return { ok: false as const, status: 403 as const, errors: { form: UNVERIFIED } };
		if (conversation.status === 'declined')
			return {
				ok: false as const,
				status: 409 as const,
				errors: { form: 'This conversation was declined. No more replies can be sent.' }
			};
		const otherId =
			conversation.sender_id === author.id ? conversation.recipient_id : conversation.sender_id;
		if (isNewAccount(author, now) && containsLink(body, await skillNamesOf(trx, otherId)))
			return { ok: false as const, status: 400 as const, errors: { body: NO_LINKS } };

		const { n } = await trx
			.selectFrom('conversation_messages')
			.select((eb) => eb.fn.countAll<string | number>().as('n'))
			.where('conversation_id', '=', conversationId)
			.where('author_id', '=', author.id)
			.where('created_at', '>', new Date(now.getTime() - DAY_MS))
			.executeTakeFirstOrThrow();
		if (Number(n) >= LIMITS.repliesPerDay)
			return {
				ok: false as const,
				status: 429 as const,
				errors: {
					form: `You can send ${LIMITS.repliesPerDay} messages a day in one conversation. Try again tomorrow.`
				}
			};

		await trx
			.insertInto('conversation_messages')
			.values({ conversation_id: conversationId, author_id: author.id, body, created_at: now })
			.execute();
		await trx
			.updateTable('conversations')
			.set({ updated_at: now })
			.where('id', '=', conversationId)
			.execute();
		const [from, to] = await Promise.all([personOf(trx, author.id), personOf(trx, otherId)]);
		await sendMail(trx, {
			to: to.email,
			userId: author.id,
			subject: `Reply from @${from.handle}: ${conversation.subject}`,
			text: [
				`Hello @${to.handle},`,
				'',
				`${from.name} (@${from.handle}) replied to “${conversation.subject}” on Proofwork.`,
				'',
				body,
				'',
				`Answer them here (your email address stays private): ${args.origin ?? ''}/dashboard/messages/${conversationId}`
			].join('\n')
		});
		return { ok: true as const };
	});
}

/** Only the person contacted declines; the one who wrote is told, and no more replies can be sent. */
export async function declineConversation(
	db: Executor,
	userId: number,
	conversationId: number,
	options: { origin?: string; now?: Date } = {}
): Promise<{ ok: true } | Failure> {
	const now = options.now ?? new Date();
	return withTransaction(db, async (trx) => {
		const conversation = await trx
			.selectFrom('conversations')
			.select(['id', 'sender_id', 'recipient_id', 'subject', 'status'])
			.where('id', '=', conversationId)
			.where((eb) => eb.or([eb('sender_id', '=', userId), eb('recipient_id', '=', userId)]))
			.forUpdate()
			.executeTakeFirst();
		if (!conversation)
			return {
				ok: false as const,
				status: 404 as const,
				errors: { form: 'That conversation does not exist.' }
			};
		if (conversation.recipient_id !== userId)
			return {
				ok: false as const,
				status: 403 as const,
				errors: { form: 'Only the person you contacted can decline the conversation.' }
			};
		// Declining twice changes nothing and mails nobody again.
		if (conversation.status === 'declined') return { ok: true as const };
		await trx
			.updateTable('conversations')
			.set({ status: 'declined', updated_at: now })
			.where('id', '=', conversationId)
			.execute();
		const [from, to] = await Promise.all([
			personOf(trx, userId),
			personOf(trx, conversation.sender_id)
		]);
		await sendMail(trx, {
			to: to.email,
			userId,
			subject: `@${from.handle} declined: ${conversation.subject}`,
			text: [
				`Hello @${to.handle},`,
				'',
				`${from.name} (@${from.handle}) declined your message “${conversation.subject}” on Proofwork. No more replies can be sent in that conversation.`,
				'',
				`${options.origin ?? ''}/dashboard/messages/${conversationId}`
			].join('\n')
		});
		return { ok: true as const };
	});
}
