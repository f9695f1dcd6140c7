import { db } from '#lib/server/db/index.js';
import { requireAdmin } from '#lib/server/auth/guard.js';
import { listAudit, listAuditActions } from '#lib/server/admin/audit.js';
import { stripControlCharacters } from '#lib/server/platform/forms.js';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	requireAdmin();
	const read = (name: string) =>
		stripControlCharacters(url.searchParams.get(name) ?? '').slice(0, 100);
	const filters = { actor: read('actor'), action: read('action'), target: read('target') };
	const [entries, actions] = await Promise.all([listAudit(db, filters), listAuditActions(db)]);
	return {
		filters,
		actions,
		entries: entries.map((e) => ({ ...e, metadata: JSON.stringify(e.metadata) }))
	};
};
