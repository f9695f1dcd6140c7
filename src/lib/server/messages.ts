import * as v from 'valibot';
import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import { containsLink, isNewAccount } from '#lib/server/newcomers.js';
import { DAY_MS } from '#lib/server/platform/time.js';
import type { FieldErrors } from '#lib/server/platform/forms.js';
import { sendMail } from '#lib/server/platform/mail.js';
import { findRenamedHandle } from '#lib/server/profiles.js';
import { isHandleShaped } from '#lib/server/auth/validation.js';

export const SUBJECT_MAX = 120;
export const BODY_MAX = 2000;
export const LIMITS = {
	newAccountPerDay: 3,
	establishedPerDay: 20,
	// Per person and conversation: the one contacted can decline, the one who wrote first cannot.
	repliesPerDay: 20
} as const;

// PostgreSQL refuses NUL in text, and no control character but line breaks and tabs belongs in a message.
const CONTROL = /[^\P{Cc}\n\t]/gu;

const messageBody = (empty: string) =>
	v.pipe(
		v.string(),
		v.transform((value) => value.replace(/\r\n?/g, '\n').replace(CONTROL, '').trim()),
		v.nonEmpty(empty),
		v.maxLength(BODY_MAX, `Use at most ${BODY_MAX.toLocaleString('en')} characters.`)
	);

export const contactSchema = v.object({
	// One line: it becomes the subject of an email too.
	subject: v.pipe(
		v.string(),
		v.transform((value) =>
			value
				.replace(/\p{Cc}/gu, ' ')
				.replace(/\s+/g, ' ')
				.trim()
		),
		v.nonEmpty('Give your message a subject.'),
		v.maxLength(SUBJECT_MAX, `Use at most ${SUBJECT_MAX} characters.`)
	),
	body: messageBody('Write your message.')
});
export type ContactInput = v.InferOutput<typeof contactSchema>;

export const replySchema = v.object({ body: messageBody('Write your reply.') });

export interface Author {
	id: number;
	createdAt: Date;
	emailVerified: boolean;
}

type Failure = { ok: false; status: 400 | 403 | 404 | 409 | 429; errors: FieldErrors };

const NO_LINKS = 'Accounts younger than 7 days cannot put links in messages. Remove the link.';
const UNVERIFIED = 'Verify your email address before sending messages.';

async function skillNamesOf(db: Executor, userId: number): Promise<string[]> {
	const rows = await db
		.selectFrom('profile_skills')
		.innerJoin('skills', 'skills.id', 'profile_skills.skill_id')
		.select('skills.name')
		.where('profile_skills.user_id', '=', userId)
		.execute();
	return rows.map((r) => r.name);
}

async function personOf(db: Executor, userId: number) {
	const row = await db
		.selectFrom('users')
		.innerJoin('profiles', 'profiles.user_id', 'users.id')
		.select(['users.handle', 'users.email', 'profiles.display_name'])
		.where('users.id', '=', userId)
		.executeTakeFirstOrThrow();
	return { handle: row.handle, email: row.email, name: row.display_name ?? row.handle };
}

export interface ContactTarget {
	userId: number;
	handle: string;
	name: string;
	allowContact: boolean;
}

export type TargetLookup =
	| { kind: 'found'; target: ContactTarget; isSelf: boolean }
	| { kind: 'moved'; handle: string }
	| { kind: 'missing' };

/** The person at /@handle/contact as `viewerId` may see them: private profiles exist only for their owner. */
export async function findContactTarget(
	db: Executor,
	handle: string,
	viewerId: number
): Promise<TargetLookup> {
	if (!isHandleShaped(handle)) return { kind: 'missing' };
	const row = await db
		.selectFrom('users')
		.innerJoin('profiles', 'profiles.user_id', 'users.id')
		.select([
			'users.id',
			'users.handle',
			'profiles.display_name',
			'profiles.visibility',
			'profiles.allow_contact'
		])
		.where((eb) => eb(eb.fn('lower', ['users.handle']), '=', handle.toLowerCase()))
		.executeTakeFirst();
	if (!row) {
		const renamed = await findRenamedHandle(db, handle);
		return renamed ? { kind: 'moved', handle: renamed } : { kind: 'missing' };
	}
	if (row.handle !== handle) return { kind: 'moved', handle: row.handle };
	const isSelf = row.id === viewerId;
	if (row.visibility === 'private' && !isSelf) return { kind: 'missing' };
	return {
		kind: 'found',
		isSelf,
		target: {
			userId: row.id,
			handle: row.handle,
			name: row.display_name ?? row.handle,
			allowContact: row.allow_contact
		}
	};
}

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

export interface ConversationSummary {
	id: number;
	subject: string;
	status: 'open' | 'declined';
	/** Whether the viewer is the person contacted (received) or the one who wrote first (sent). */
	role: 'recipient' | 'sender';
	other: { handle: string; name: string };
	messages: number;
	/** The last message is the other person's, in an open conversation. */
	awaitingReply: boolean;
	updatedAt: Date;
}

/** Every conversation the person takes part in, latest activity first. */
export async function listConversations(
	db: Executor,
	userId: number
): Promise<ConversationSummary[]> {
	const rows = await db
		.selectFrom('conversations as c')
		.innerJoin('users as u', (join) =>
			join.on((eb) =>
				eb(
					'u.id',
					'=',
					eb
						.case()
						.when('c.sender_id', '=', userId)
						.then(eb.ref('c.recipient_id'))
						.else(eb.ref('c.sender_id'))
						.end()
				)
			)
		)
		.innerJoin('profiles as p', 'p.user_id', 'u.id')
		.select((eb) => [
			'c.id',
			'c.subject',
			'c.status',
			'c.sender_id',
			'c.updated_at',
			'u.handle',
			'p.display_name',
			eb
				.selectFrom('conversation_messages as m')
				.select((x) => x.fn.countAll<string | number>().as('n'))
				.whereRef('m.conversation_id', '=', 'c.id')
				.as('messages'),
			eb
				.selectFrom('conversation_messages as m')
				.select('m.author_id')
				.whereRef('m.conversation_id', '=', 'c.id')
				.orderBy('m.created_at', 'desc')
				.orderBy('m.id', 'desc')
				.limit(1)
				.as('last_author_id')
		])
		.where((eb) => eb.or([eb('c.sender_id', '=', userId), eb('c.recipient_id', '=', userId)]))
		.orderBy('c.updated_at', 'desc')
		.orderBy('c.id', 'desc')
		.execute();
	return rows.map((r) => ({
		id: r.id,
		subject: r.subject,
		status: r.status,
		role: r.sender_id === userId ? 'sender' : 'recipient',
		other: { handle: r.handle, name: r.display_name ?? r.handle },
		messages: Number(r.messages ?? 0),
		awaitingReply: r.status === 'open' && r.last_author_id !== null && r.last_author_id !== userId,
		updatedAt: r.updated_at
	}));
}

export interface ConversationView {
	id: number;
	subject: string;
	status: 'open' | 'declined';
	role: 'recipient' | 'sender';
	other: { handle: string; name: string; profileVisible: boolean };
	messages: { id: number; mine: boolean; authorName: string; body: string; createdAt: Date }[];
	createdAt: Date;
}

/** One conversation, for its two participants only: anyone else gets nothing. */
export async function getConversation(
	db: Executor,
	userId: number,
	conversationId: number
): Promise<ConversationView | undefined> {
	const conversation = await db
		.selectFrom('conversations')
		.selectAll()
		.where('id', '=', conversationId)
		.where((eb) => eb.or([eb('sender_id', '=', userId), eb('recipient_id', '=', userId)]))
		.executeTakeFirst();
	if (!conversation) return undefined;
	const otherId =
		conversation.sender_id === userId ? conversation.recipient_id : conversation.sender_id;
	const [other, messages] = await Promise.all([
		db
			.selectFrom('users')
			.innerJoin('profiles', 'profiles.user_id', 'users.id')
			.select(['users.handle', 'profiles.display_name', 'profiles.visibility'])
			.where('users.id', '=', otherId)
			.executeTakeFirstOrThrow(),
		db
			.selectFrom('conversation_messages')
			.select(['id', 'author_id', 'body', 'created_at'])
			.where('conversation_id', '=', conversationId)
			.orderBy('created_at')
			.orderBy('id')
			.execute()
	]);
	const otherName = other.display_name ?? other.handle;
	return {
		id: conversation.id,
		subject: conversation.subject,
		status: conversation.status,
		role: conversation.sender_id === userId ? 'sender' : 'recipient',
		other: {
			handle: other.handle,
			name: otherName,
			profileVisible: other.visibility !== 'private'
		},
		messages: messages.map((m) => ({
			id: m.id,
			mine: m.author_id === userId,
			authorName: m.author_id === userId ? 'You' : otherName,
			body: m.body,
			createdAt: m.created_at
		})),
		createdAt: conversation.created_at
	};
}
