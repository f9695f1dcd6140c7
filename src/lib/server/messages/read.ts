import type { Executor } from '#lib/server/db/connect.js';
import { resolveHandle } from '#lib/server/handles.js';

// Who can be contacted, and conversations as each side sees them.

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
	const found = await resolveHandle(db, handle, viewerId);
	if (found.kind !== 'found') return found;
	const { card } = found;
	return {
		kind: 'found',
		isSelf: found.isOwner,
		target: {
			userId: card.userId,
			handle: card.handle,
			name: card.name,
			allowContact: card.allowContact
		}
	};
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
	messages: {
		id: number;
		mine: boolean;
		authorName: string;
		/** Empty when a moderator hid the message. */
		body: string;
		hidden: boolean;
		createdAt: Date;
	}[];
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
			.select(['id', 'author_id', 'body', 'created_at', 'hidden_at'])
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
			body: m.hidden_at ? '' : m.body,
			hidden: m.hidden_at !== null,
			createdAt: m.created_at
		})),
		createdAt: conversation.created_at
	};
}
