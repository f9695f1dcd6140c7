// Mastodon: the account lookup API returns the profile's extra fields and bio as HTML.
import type { Fetcher } from '#lib/server/platform/fetcher.js';
import type { AdapterCheck, NetworkAdapter } from '#lib/server/adapters/types.js';
import { checkPage } from '#lib/server/adapters/html.js';
import {
	isCheck,
	isUnavailable,
	matchHtmlFragment,
	readCount,
	readDate,
	readJson,
	tryFetch,
	unavailable
} from '#lib/server/adapters/links.js';

const SOURCE = 'the Mastodon API';
// Anyone can run a server, so a count always names the server that reported it.
const sourceAt = (host: string) => `the Mastodon API at ${host}`;
const NODEINFO_SCHEMA = 'http://nodeinfo.diaspora.software/ns/schema/';

/**
 * Whether `host` is a fediverse server (it publishes NodeInfo), so that its /@name page is a
 * profile its owner controls, not any site's page that happens to share that shape.
 */
async function isFediverseServer(fetcher: Fetcher, host: string): Promise<boolean> {
	const result = await tryFetch(
		fetcher,
		`https://${host}/.well-known/nodeinfo`,
		{ accept: 'application/json' },
		host,
		SOURCE
	);
	if (isCheck(result) || result.status !== 200) return false;
	const links = readJson(result)?.links;
	return (
		Array.isArray(links) &&
		links.some(
			(link) =>
				typeof link === 'object' &&
				link !== null &&
				typeof (link as { rel?: unknown }).rel === 'string' &&
				(link as { rel: string }).rel.startsWith(NODEINFO_SCHEMA)
		)
	);
}

/** '@name@instance' split into its parts. */
function parseIdentifier(identifier: string): { user: string; host: string } {
	const [user, host] = identifier.replace(/^@/, '').split('@');
	return { user, host };
}

export const mastodonAdapter: NetworkAdapter = {
	networks: ['mastodon'],
	source: SOURCE,
	host: (account) => parseIdentifier(account.identifier).host,
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
		const notFound: AdapterCheck = {
			outcome: 'not_found',
			detail: `Mastodon has no account @${user}@${host}.`,
			followers: null,
			source: SOURCE
		};
		if (result.status === 410) return notFound;
		// Servers in limited-federation mode refuse anonymous API calls, and other fediverse
		// servers (Misskey, Akkoma…) lack this endpoint; both still show the profile page, where
		// field links are marked rel="me". Only a fediverse server's page counts.
		if (result.status === 401 || result.status === 403 || result.status === 404) {
			if (!(await isFediverseServer(fetcher, host)))
				return result.status === 404
					? notFound
					: {
							outcome: 'missing',
							detail: `${host} refused to show @${user} and is not a fediverse server.`,
							followers: null,
							source: SOURCE
						};
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
		const accountCreatedAt = readDate(body.created_at);
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
					accountCreatedAt,
					source: sourceAt(host)
				};
		}
		const note = typeof body.note === 'string' ? matchHtmlFragment(body.note, profileUrls) : null;
		if (note)
			return {
				outcome: 'verified',
				detail: `Found a link to ${note} in the profile bio.`,
				followers,
				accountCreatedAt,
				source: sourceAt(host)
			};
		return {
			outcome: 'missing',
			detail: `The Mastodon profile has no link to ${profileUrls[0]} in its extra fields or bio.`,
			followers,
			source: sourceAt(host)
		};
	}
};
