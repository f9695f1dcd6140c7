import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => {
	return {
		user: locals.user
			? {
					handle: locals.user.handle,
					emailVerified: locals.user.emailVerified,
					isAdmin: locals.user.isAdmin
				}
			: null
	};
};
