// Mastodon: the account lookup API returns the profile's extra fields and bio as HTML.
import type { AdapterCheck, NetworkAdapter } from '#lib/server/adapters/types.js';
import { checkPage } from '#lib/server/adapters/html.js';
import {
	isCheck,
	isUnavailable,
	matchHtmlFragment,
	readCount,
	readJson,
	tryFetch,
	unavailable
} from '#lib/server/adapters/links.js';

const SOURCE = 'the Mastodon API';

/** '@name@instance' split into its parts. */
function parseIdentifier(identifier: string): { user: string; host: string } {
	const [user, host] = identifier.replace(/^@/, '').split('@');
	return { user, host };
}

export const mastodonAdapter: NetworkAdapter = {
	networks: ['mastodon'],
	source: SOURCE,
	instructions: (_account, profileUrl) => ({
		where:
			'On Mastodon, open Edit profile → Extra fields, add a field labelled "Proofwork" whose content is',
		paste: profileUrl
	}),
	async check(fetcher, account, profileUrls): Promise<AdapterCheck> {
		const { user, host } = parseIdentifier(account.identifier);
		const api = `https://${host}/api/v1/accounts/lookup?acct=${encodeURIComponent(user)}`;
		const result = await tryFetch(fetcher, api, { accept: 'application/json' }, host, SOURCE);
		if (isCheck(result)) return result;
		if (isUnavailable(result.status)) return unavailable(host, result.status, SOURCE);
		// Servers in limited-federation mode refuse anonymous API calls but still show the page,
		// where Mastodon marks field links rel="me".
		if (result.status === 401 || result.status === 403)
			return checkPage(fetcher, account.url, profileUrls);
		const notFound: AdapterCheck = {
			outcome: 'not_found',
			detail: `Mastodon has no account @${user}@${host}.`,
			followers: null,
			source: SOURCE
		};
		if (result.status === 410) return notFound;
		// Other fediverse servers (Misskey, Akkoma…) lack this endpoint but show the profile page.
		if (result.status === 404) {
			const page = await checkPage(fetcher, account.url, profileUrls);
			return page.outcome === 'not_found' ? notFound : page;
		}
		const body = result.status === 200 ? readJson(result) : null;
		if (!body || typeof body.username !== 'string')
			return {
				outcome: 'unreachable',
				detail: `${host} did not answer like a Mastodon server (HTTP ${result.status}).`,
				followers: null,
				source: SOURCE
			};
		const followers = readCount(body.followers_count);
		const fields = Array.isArray(body.fields) ? (body.fields as unknown[]) : [];
		for (const field of fields) {
			if (!field || typeof field !== 'object') continue;
			const { name, value } = field as { name?: unknown; value?: unknown };
			const match = typeof value === 'string' ? matchHtmlFragment(value, profileUrls) : null;
			if (match)
				return {
					outcome: 'verified',
					detail: `Found a link to ${match} in the profile field "${typeof name === 'string' ? name : ''}".`,
					followers,
					source: SOURCE
				};
		}
		const note = typeof body.note === 'string' ? matchHtmlFragment(body.note, profileUrls) : null;
		if (note)
			return {
				outcome: 'verified',
				detail: `Found a link to ${note} in the profile bio.`,
				followers,
				source: SOURCE
			};
		return {
			outcome: 'missing',
			detail: `The Mastodon profile has no link to ${profileUrls[0]} in its extra fields or bio.`,
			followers,
			source: SOURCE
		};
	}
};
