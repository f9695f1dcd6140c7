import { error, fail } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { requireUser, requireVerifiedUser } from '#lib/server/auth/guard.js';
import { getInstanceSettings } from '#lib/server/instance.js';
import {
	REPORT_CATEGORIES,
	fileReport,
	findReportTarget,
	reportFormSchema
} from '#lib/server/admin/reports.js';
import { parseForm, parseId, readForm } from '#lib/server/platform/forms.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params }) => {
	const { user } = requireUser();
	const id = parseId(params.id);
	const target = id === null ? undefined : await findReportTarget(db, user.id, params.kind, id);
	if (!target) error(404, 'There is nothing here you can report.');
	const settings = await getInstanceSettings(db);
	return {
		title: target.title,
		categories: Object.entries(REPORT_CATEGORIES).map(([value, label]) => ({ value, label })),
		emailVerified: user.emailVerified,
		instance: { name: settings.name, rulesHtml: settings.rulesHtml }
	};
};

export const actions = {
	default: async ({ request, params }) => {
		// Reports reach the admins, so throwaway unverified accounts cannot make them.
		const { user } = requireVerifiedUser();
		const id = parseId(params.id);
		if (id === null) error(404, 'There is nothing here you can report.');
		const parsed = parseForm(reportFormSchema, await readForm(request));
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });
		const result = await fileReport(db, {
			reporterId: user.id,
			kind: params.kind,
			targetId: id,
			...parsed.data
		});
		if (!result.ok) return fail(result.status, { errors: result.errors, values: parsed.values });
		return { sent: true };
	}
} satisfies Actions;
