import { requireAdmin } from '#lib/server/auth/guard.js';
import type { LayoutServerLoad } from './$types';

// Checked again in every load and action below: a layout load alone does not protect actions.
export const load: LayoutServerLoad = () => {
	requireAdmin();
	return {};
};
