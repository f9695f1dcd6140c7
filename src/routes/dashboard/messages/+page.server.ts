import { db } from '#lib/server/db/index.js';
import { requireUser } from '#lib/server/auth/guard.js';
import * as messages from '#lib/server/messages/index.js';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	const { user } = requireUser();
	const conversations = await messages.listConversations(db, user.id);
	return {
		received: conversations.filter((c) => c.role === 'recipient'),
		sent: conversations.filter((c) => c.role === 'sender')
	};
};
