import { db } from '#lib/server/db/index.js';
import { getInstanceSettings } from '#lib/server/instance.js';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	const s = await getInstanceSettings(db);
	return {
		name: s.name,
		description: s.description,
		contactEmail: s.contactEmail,
		rulesHtml: s.rulesHtml,
		registration: s.registration
	};
};
