import { error, fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { requireUser } from '#lib/server/auth/guard.js';
import { findUserById } from '#lib/server/accounts/index.js';
import { isNewAccount } from '#lib/server/newcomers.js';
import { parseForm, readForm } from '#lib/server/platform/forms.js';
import * as messages from '#lib/server/messages/index.js';
import type { Actions, PageServerLoad } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';

async function targetFor(handle: string, viewerId: number) {
	const found = await messages.findContactTarget(db, handle, viewerId);
	if (found.kind === 'moved') redirect(301, `/@${found.handle}/contact`);
	if (found.kind === 'missing') error(404, 'Profile not found');
	if (!found.isSelf && !found.target.allowContact)
		error(403, `${found.target.name} does not accept messages on Proofwork.`);
	return found;
}

async function authorFor(user: { id: number; emailVerified: boolean }): Promise<messages.Author> {
	const account = await findUserById(db, user.id);
	return { id: user.id, createdAt: account!.created_at, emailVerified: user.emailVerified };
}

export const load: PageServerLoad = async ({ params }) => {
	const { user } = requireUser();
	const found = await targetFor(params.handle, user.id);
	const author = await authorFor(user);
	return {
		recipient: { handle: found.target.handle, name: found.target.name },
		self: found.isSelf,
		emailVerified: user.emailVerified,
		newAccount: isNewAccount(author)
	};
};

export const actions = {
	send: async ({ request, params }) => {
		const { user } = requireUser();
		const found = await targetFor(params.handle, user.id);
		const parsed = parseForm(messages.contactSchema, await readForm(request));
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });
		const result = await messages.startConversation(db, {
			sender: await authorFor(user),
			recipientId: found.target.userId,
			input: parsed.data,
			origin: siteOrigin()
		});
		if (!result.ok) return fail(result.status, { errors: result.errors, values: parsed.values });
		redirect(303, `/dashboard/messages/${result.id}?saved=sent`);
	}
} satisfies Actions;
