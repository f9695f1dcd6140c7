import { error, fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { requireUser } from '#lib/server/auth/guard.js';
import { findUserById } from '#lib/server/accounts/index.js';
import { parseForm, parseId, readForm } from '#lib/server/platform/forms.js';
import * as messages from '#lib/server/messages/index.js';
import type { Actions, PageServerLoad } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';

const SAVED: Record<string, string> = {
	sent: 'Message sent. Their reply will appear here, and we will email it to you.',
	reply: 'Reply sent.',
	declined: 'Conversation declined. No more replies can be sent.'
};

function idFrom(param: string): number {
	const id = parseId(param);
	if (!id) error(404, 'Conversation not found');
	return id;
}

export const load: PageServerLoad = async ({ params, url }) => {
	const { user } = requireUser();
	const conversation = await messages.getConversation(db, user.id, idFrom(params.id));
	if (!conversation) error(404, 'Conversation not found');
	return {
		conversation,
		emailVerified: user.emailVerified,
		saved: SAVED[url.searchParams.get('saved') ?? ''] ?? null
	};
};

export const actions = {
	reply: async ({ request, params }) => {
		const { user } = requireUser();
		const id = idFrom(params.id);
		const parsed = parseForm(messages.replySchema, await readForm(request));
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });
		const account = await findUserById(db, user.id);
		const result = await messages.replyToConversation(db, {
			author: { id: user.id, createdAt: account!.created_at, emailVerified: user.emailVerified },
			conversationId: id,
			body: parsed.data.body,
			origin: siteOrigin()
		});
		if (!result.ok) return fail(result.status, { errors: result.errors, values: parsed.values });
		redirect(303, `/dashboard/messages/${id}?saved=reply`);
	},

	decline: async ({ params }) => {
		const { user } = requireUser();
		const id = idFrom(params.id);
		const result = await messages.declineConversation(db, user.id, id, { origin: siteOrigin() });
		if (!result.ok) return fail(result.status, { errors: result.errors });
		redirect(303, `/dashboard/messages/${id}?saved=declined`);
	}
} satisfies Actions;
