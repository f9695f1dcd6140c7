import { fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '#lib/server/db/index.js';
import { requireAdmin } from '#lib/server/auth/guard.js';
import { listTrusted } from '#lib/server/trust/members.js';
import { lastTrustRun, setTrusted } from '#lib/server/admin/trusted.js';
import { queueTrustRun } from '#lib/server/jobs.js';
import { parseForm, readForm } from '#lib/server/platform/forms.js';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	requireAdmin();
	return {
		members: await listTrusted(db),
		lastRun: (await lastTrustRun(db)) ?? null,
		done: url.searchParams.get('done')
	};
};

const trustSchema = v.object({
	handle: v.pipe(
		v.string(),
		v.trim(),
		v.nonEmpty('Give the member’s handle.'),
		v.maxLength(31, 'No handle is that long.')
	),
	reason: v.pipe(
		v.string(),
		v.trim(),
		v.nonEmpty('Give a reason (it is kept in the audit log).'),
		v.maxLength(300, 'Use at most 300 characters.')
	)
});

async function change(event: RequestEvent, trusted: boolean) {
	const { user } = requireAdmin();
	const action = trusted ? 'mark' : 'unmark';
	const parsed = parseForm(trustSchema, await readForm(event.request));
	if (!parsed.ok) return fail(400, { action, errors: parsed.errors, values: parsed.values });
	const result = await setTrusted(
		db,
		{ id: user.id, label: user.handle },
		{ ...parsed.data, trusted }
	);
	if (!result.ok)
		return fail(result.status, { action, errors: result.errors, values: parsed.values });
	// Trust follows the change now rather than at the next scheduled run.
	await queueTrustRun();
	redirect(303, `/admin/trusted?done=${action}`);
}

export const actions = {
	mark: (event) => change(event, true),
	unmark: (event) => change(event, false)
} satisfies Actions;
