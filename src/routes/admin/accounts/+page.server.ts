import { db } from '#lib/server/db/index.js';
import { requireAdmin } from '#lib/server/auth/guard.js';
import { searchAccounts } from '#lib/server/admin/accounts.js';
import { stripControlCharacters } from '#lib/server/platform/forms.js';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	requireAdmin();
	const q = stripControlCharacters(url.searchParams.get('q') ?? '').slice(0, 254);
	return { q, accounts: await searchAccounts(db, q) };
};
