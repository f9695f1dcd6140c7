import { error } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { clientAddress } from '#lib/server/http/client-address.js';
import { parseSearchParams } from '#lib/server/search/params.js';
import { searchProfiles } from '#lib/server/search/query.js';
import { suggestSpellings } from '#lib/server/search/spelling.js';
import { allowSearch } from '#lib/server/search/throttle.js';
import * as skills from '#lib/server/skills.js';
import { isLikelyBot, recordAppearances } from '#lib/server/views.js';
import { listProfileCovers } from '#lib/server/work-media.js';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({
	url,
	request,
	locals,
	getClientAddress,
	setHeaders
}) => {
	const allowed = await allowSearch(db, clientAddress({ getClientAddress }));
	if (!allowed.ok) {
		setHeaders({ 'Retry-After': String(allowed.retryAfterSeconds) });
		error(429, 'Too many searches from your address. Wait a few seconds, then search again.');
	}
	const { query, notices } = parseSearchParams(url.searchParams);
	const [{ results, next }, popularSkills] = await Promise.all([
		searchProfiles(db, query),
		skills.popularSkills(db, 12)
	]);
	// Appearances feed each practitioner's dashboard; people's own searches and bots do not count.
	if (!isLikelyBot(request.headers.get('user-agent'))) {
		recordAppearances(
			db,
			results.filter((r) => r.userId !== locals.user?.id).map((r) => r.userId)
		);
	}
	const [spellings, covers] = await Promise.all([
		results.length === 0 && query.q ? suggestSpellings(db, query.q) : [],
		listProfileCovers(
			db,
			results.map((r) => r.userId)
		)
	]);
	return {
		query: { ...query, after: null },
		results: results.map((r) => ({ ...r, cover: covers.get(r.userId) ?? null })),
		next,
		notices,
		spellings,
		popularSkills,
		paged: query.after !== null
	};
};
