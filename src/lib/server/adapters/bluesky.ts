// Bluesky: the public AppView returns the profile description as plain text.
import type { NetworkAdapter } from '#lib/server/adapters/types.js';
import {
	isCheck,
	isUnavailable,
	matchText,
	noSuchAccount,
	readCount,
	readDate,
	readJson,
	tryFetch,
	unavailable,
	unexpectedAnswer
} from '#lib/server/adapters/links.js';

export const BLUESKY_API = 'https://public.api.bsky.app';
const SOURCE = 'the Bluesky API';

export const blueskyAdapter: NetworkAdapter = {
	networks: ['bluesky'],
	source: SOURCE,
	host: () => new URL(BLUESKY_API).hostname,
	instructions: (_account, profileUrl) => ({
		where: 'On Bluesky, open Edit profile and add this link anywhere in your Description:',
		paste: profileUrl
	}),
	async check(fetcher, account, profileUrls) {
		const actor = account.identifier.replace(/^@/, '');
		const api = `${BLUESKY_API}/xrpc/app.bsky.actor.getProfile?actor=${encodeURIComponent(actor)}`;
		const result = await tryFetch(fetcher, api, { accept: 'application/json' }, 'Bluesky', SOURCE);
		if (isCheck(result)) return result;
		if (isUnavailable(result.status)) return unavailable('Bluesky', result.status, SOURCE);
		// The AppView answers 400 InvalidRequest "Profile not found" for an unknown actor.
		if (result.status === 400 || result.status === 404)
			return noSuchAccount('Bluesky', account.identifier, SOURCE);
		const body = result.status === 200 ? readJson(result) : null;
		if (!body || typeof body.did !== 'string')
			return unexpectedAnswer('Bluesky', result.status, SOURCE);
		const followers = readCount(body.followersCount);
		const accountCreatedAt = readDate(body.createdAt);
		const description = typeof body.description === 'string' ? body.description : '';
		const match = matchText(description, profileUrls);
		if (match)
			return {
				outcome: 'verified',
				detail: `Found a link to ${match} in the Bluesky description.`,
				followers,
				accountCreatedAt,
				source: SOURCE
			};
		return {
			outcome: 'missing',
			detail: `The Bluesky description has no link to ${profileUrls[0]}.`,
			followers,
			source: SOURCE
		};
	}
};
