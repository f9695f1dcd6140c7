import { db } from '#lib/server/db/index.js';
import { requireUser } from '#lib/server/auth/guard.js';
import { getOwnProfile, isListed } from '#lib/server/profiles.js';
import { countAppearances, flushViews, getViewStats } from '#lib/server/views.js';
import { countPending } from '#lib/server/endorsements/views.js';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	const { user } = requireUser();
	// Views still waiting in memory are written first, so the owner sees every counted view.
	await flushViews(db);
	const [stats, profile, pendingEndorsements, appearances] = await Promise.all([
		getViewStats(db, user.id, 90),
		getOwnProfile(db, user.id),
		countPending(db, user.id),
		countAppearances(db, user.id, 90)
	]);
	return {
		stats,
		pendingEndorsements,
		appearances,
		handle: user.handle,
		listed: profile ? isListed(profile) : false,
		visibility: profile?.visibility ?? 'public'
	};
};
