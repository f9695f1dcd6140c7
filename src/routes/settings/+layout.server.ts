import { requireUser } from '#lib/server/auth/guard.js';
import type { LayoutServerLoad } from './$types';

// Only guards page loads; every action below checks the user again itself.
export const load: LayoutServerLoad = () => {
	const { user } = requireUser();
	return { handle: user.handle };
};
