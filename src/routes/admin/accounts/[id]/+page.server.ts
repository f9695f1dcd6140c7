import { error, fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { requireAdmin } from '#lib/server/auth/guard.js';
import {
	accountActionSchema,
	actOnAccount,
	getAccount,
	hideItem,
	hideSchema,
	listAccountContent
} from '#lib/server/admin/accounts.js';
import { listReports } from '#lib/server/admin/reports.js';
import { listAudit } from '#lib/server/admin/audit.js';
import { fieldErrors, parseForm, parseId, readForm } from '#lib/server/platform/forms.js';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ params, url, request }) => {
	requireAdmin();
	const id = parseId(params.id);
	const account = id === null ? undefined : await getAccount(db, id);
	// After a refused action on an unknown account the page says so with the action's 400.
	if (!account)
		error(request.method === 'POST' ? 400 : 404, 'There is no account with that number.');
	const [reports, content, history] = await Promise.all([
		listReports(db, { accountId: account.id }),
		listAccountContent(db, account.id),
		listAudit(db, { target: `account:${account.id}` })
	]);
	return { account, reports, content, history, done: url.searchParams.get('done') };
};

/** warn, limit, unlimit, suspend, unsuspend, delete: one form each, the same fields. */
async function act(event: RequestEvent, action: string) {
	const { user } = requireAdmin();
	const form = await readForm(event.request);
	const accountId = parseId(event.params.id);
	const parsed = parseForm(accountActionSchema, form);
	if (!parsed.ok) return fail(400, { action, errors: parsed.errors, values: parsed.values });
	if (accountId === null)
		return fail(400, {
			action,
			errors: fieldErrors({ form: 'There is no account with that number.' }),
			values: parsed.values
		});
	const result = await actOnAccount(
		db,
		{ id: user.id, label: user.handle },
		{
			accountId,
			action,
			reason: parsed.data.reason,
			notify: parsed.data.notify === 'on'
		}
	);
	if (!result.ok)
		return fail(result.status, { action, errors: result.errors, values: parsed.values });
	redirect(
		303,
		action === 'delete'
			? '/admin/accounts?deleted=1'
			: `/admin/accounts/${accountId}?done=${action}`
	);
}

async function hide(event: RequestEvent, kind: 'endorsement' | 'message') {
	const { user } = requireAdmin();
	const action = `hide-${kind}`;
	const accountId = parseId(event.params.id);
	const parsed = parseForm(hideSchema, await readForm(event.request));
	if (!parsed.ok) return fail(400, { action, errors: parsed.errors, values: parsed.values });
	if (accountId === null)
		return fail(400, {
			action,
			errors: fieldErrors({ form: 'There is no account with that number.' }),
			values: parsed.values
		});
	const result = await hideItem(
		db,
		{ id: user.id, label: user.handle },
		{
			accountId,
			kind,
			itemId: parsed.data.itemId,
			reason: parsed.data.reason
		}
	);
	if (!result.ok)
		return fail(result.status, { action, errors: result.errors, values: parsed.values });
	redirect(303, `/admin/accounts/${accountId}?done=${action}`);
}

export const actions = {
	warn: (event) => act(event, 'warn'),
	limit: (event) => act(event, 'limit'),
	unlimit: (event) => act(event, 'unlimit'),
	suspend: (event) => act(event, 'suspend'),
	unsuspend: (event) => act(event, 'unsuspend'),
	delete: (event) => act(event, 'delete'),
	hideEndorsement: (event) => hide(event, 'endorsement'),
	hideMessage: (event) => hide(event, 'message')
} satisfies Actions;
