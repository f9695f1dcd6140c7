import { db } from '#lib/server/db/index.js';
import { requireAdmin } from '#lib/server/auth/guard.js';
import { getInstanceSettings } from '#lib/server/instance.js';
import { listReports } from '#lib/server/admin/reports.js';
import { listPending } from '#lib/server/admin/registration.js';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	requireAdmin();
	const [settings, open, pending] = await Promise.all([
		getInstanceSettings(db),
		listReports(db, { status: 'open' }),
		listPending(db)
	]);
	return {
		name: settings.name,
		registration: settings.registration,
		openReports: open.length,
		pending: pending.length
	};
};
