import { redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { findOpenRequest } from '#lib/server/endorsements/requests.js';
import type { PageServerLoad } from './$types';

// A request link: whoever opens it signs up or logs in, then lands on the endorse form.
export const load: PageServerLoad = async ({ params, locals }) => {
	const request = await findOpenRequest(db, params.token);
	if (!request) return { open: false };
	const target = `/@${request.handle}/endorse?request=${params.token}`;
	if (!locals.user) redirect(303, `/signup?redirectTo=${encodeURIComponent(target)}`);
	redirect(303, target);
};
