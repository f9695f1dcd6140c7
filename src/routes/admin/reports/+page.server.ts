import { fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '#lib/server/db/index.js';
import { requireAdmin } from '#lib/server/auth/guard.js';
import { reasonField } from '#lib/server/admin/accounts.js';
import {
	REPORT_CATEGORIES,
	REPORT_KINDS,
	listReports,
	resolveReport
} from '#lib/server/admin/reports.js';
import { fieldErrors, parseForm, parseId, readForm } from '#lib/server/platform/forms.js';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	requireAdmin();
	const filters = {
		status: url.searchParams.get('status') ?? '',
		kind: url.searchParams.get('kind') ?? '',
		category: url.searchParams.get('category') ?? ''
	};
	return {
		filters,
		kinds: REPORT_KINDS,
		categories: Object.entries(REPORT_CATEGORIES).map(([value, label]) => ({ value, label })),
		reports: await listReports(db, filters),
		resolved: url.searchParams.get('resolved')
	};
};

const resolveSchema = v.object({ id: v.string(), reason: reasonField });

export const actions = {
	resolve: async ({ request }) => {
		const { user } = requireAdmin();
		const parsed = parseForm(resolveSchema, await readForm(request));
		const id = parseId(parsed.values.id);
		if (!parsed.ok || id === null)
			return fail(400, {
				id: parsed.values.id,
				errors: parsed.ok ? fieldErrors({ form: 'There is no such report.' }) : parsed.errors,
				values: parsed.values
			});
		const result = await resolveReport(
			db,
			{ id: user.id, label: user.handle },
			{
				id,
				reason: parsed.data.reason
			}
		);
		if (!result.ok)
			return fail(result.status, {
				id: parsed.values.id,
				errors: result.errors,
				values: parsed.values
			});
		redirect(303, `/admin/reports?resolved=${id}`);
	}
} satisfies Actions;
