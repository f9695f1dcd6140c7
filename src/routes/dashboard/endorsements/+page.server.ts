import { fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { requireUser } from '#lib/server/auth/guard.js';
import { listGiven, listInbox } from '#lib/server/endorsements/views.js';
import {
	describeEndorser,
	describeSummary,
	summariseProvenance
} from '#lib/server/endorsements/provenance.js';
import {
	createRequest,
	listRequests,
	requestSchema,
	revokeRequest
} from '#lib/server/endorsements/requests.js';
import {
	type Decision,
	decideEndorsement,
	reportEndorsement
} from '#lib/server/endorsements/moderation.js';
import { reportSchema } from '#lib/server/endorsements/rules.js';
import {
	parseId,
	readForm,
	formValues,
	parseForm,
	fieldErrors
} from '#lib/server/platform/forms.js';
import { listWork } from '#lib/server/work.js';
import type { Actions, PageServerLoad } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';

const SAVED: Record<string, string> = {
	accept: 'Endorsement accepted. It now appears on your profile.',
	hide: 'Endorsement hidden. It no longer appears on your profile.',
	show: 'Endorsement shown on your profile again.',
	report: 'Thank you. The endorsement is hidden and your report is recorded.',
	request: 'Request link created. Copy it and send it to the person you are asking.',
	revoke: 'Request link revoked.'
};

export const load: PageServerLoad = async ({ url }) => {
	const { user } = requireUser();
	const [inbox, requests, work, given] = await Promise.all([
		listInbox(db, user.id),
		listRequests(db, user.id),
		listWork(db, user.id),
		listGiven(db, user.id)
	]);
	return {
		// Before accepting, the owner sees where each one comes from, as the profile will say it.
		pending: inbox
			.filter((e) => e.status === 'pending')
			.map((e) => ({ ...e, from: describeEndorser(e.provenance, e.endorser.joinedAt) })),
		pendingSummary: describeSummary(
			summariseProvenance(inbox.filter((e) => e.status === 'pending'))
		),
		accepted: inbox.filter((e) => e.status === 'accepted'),
		hidden: inbox.filter((e) => e.status === 'hidden'),
		requests: requests.map((r) => ({ ...r, link: `${siteOrigin()}/endorse/r/${r.token}` })),
		work: work.map((w) => ({ id: w.id, title: w.title })),
		given,
		saved: SAVED[url.searchParams.get('saved') ?? ''] ?? null
	};
};

function idFrom(form: FormData): number {
	return parseId(form.get('id')) ?? 0;
}

const gone = () =>
	fail(404, {
		errors: fieldErrors({
			form: 'That endorsement no longer exists: its author may have withdrawn it.'
		})
	});

async function decide(request: Request, decision: Decision) {
	const { user } = requireUser();
	const id = idFrom(await readForm(request));
	if (!(await decideEndorsement(db, user.id, id, decision))) return gone();
	redirect(303, `/dashboard/endorsements?saved=${decision}`);
}

export const actions = {
	accept: ({ request }) => decide(request, 'accept'),
	hide: ({ request }) => decide(request, 'hide'),
	show: ({ request }) => decide(request, 'show'),

	report: async ({ request }) => {
		const { user } = requireUser();
		const form = await readForm(request);
		const parsed = parseForm(reportSchema, form);
		if (!parsed.ok) return fail(400, { reportId: idFrom(form), errors: parsed.errors });
		const result = await reportEndorsement(db, user.id, idFrom(form), parsed.data.reason);
		if (!result.ok) return fail(result.status, { errors: fieldErrors({ form: result.error }) });
		redirect(303, '/dashboard/endorsements?saved=report');
	},

	request: async ({ request }) => {
		const { user } = requireUser();
		const form = await readForm(request);
		const parsed = parseForm(requestSchema, form);
		if (!parsed.ok)
			return fail(400, { action: 'request', errors: parsed.errors, values: parsed.values });
		const created = await createRequest(db, user.id, parsed.data.workItemId, parsed.data.invitee);
		if (!created.ok)
			return fail(400, {
				action: 'request',
				errors: fieldErrors({ workItemId: created.error }),
				values: formValues(form, ['invitee'])
			});
		redirect(303, '/dashboard/endorsements?saved=request#requests');
	},

	revoke: async ({ request }) => {
		const { user } = requireUser();
		if (!(await revokeRequest(db, user.id, idFrom(await readForm(request)))))
			return fail(404, { errors: fieldErrors({ form: 'That request is not yours.' }) });
		redirect(303, '/dashboard/endorsements?saved=revoke#requests');
	}
} satisfies Actions;
