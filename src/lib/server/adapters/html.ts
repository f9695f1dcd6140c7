// Any page on the web: the IndieWeb way, a link back to the profile marked rel="me".
import type { Fetcher } from '#lib/server/platform/fetcher.js';
import type { Network } from '#lib/server/networks.js';
import type {
	AdapterAccount,
	AdapterCheck,
	AdapterInstructions,
	NetworkAdapter
} from '#lib/server/adapters/types.js';
import {
	findPageLinks,
	hostOf,
	siteOf,
	isCheck,
	isUnavailable,
	tryFetch,
	unavailable
} from '#lib/server/adapters/links.js';

const SOURCE = 'the page itself';
const HTML_TYPES = ['text/html', 'application/xhtml+xml'];
// Profile pages on the big networks run past the fetcher's usual 1 MiB.
const PAGE_MAX_BYTES = 4 * 1024 * 1024;

// Networks that show profiles to people but mostly not to programs: say so instead of promising.
const CLOSED_NETWORKS: Partial<Record<Network, { name: string; where: string }>> = {
	x: { name: 'X', where: 'open Edit profile and put this link in the Website field' },
	linkedin: {
		name: 'LinkedIn',
		where: 'open your profile → Contact info → Website (type "Other") and add this link'
	},
	instagram: {
		name: 'Instagram',
		where: 'open Edit profile → Links → Add external link and add this link'
	},
	facebook: {
		name: 'Facebook',
		where: 'open your profile → About → Contact and basic info → Websites and add this link'
	},
	tiktok: { name: 'TikTok', where: 'open Edit profile and put this link in the Website field' },
	youtube: {
		name: 'YouTube',
		where: 'open Customise channel → Profile → Links and add a link titled "Proofwork" to'
	}
};

export function relMeLink(profileUrl: string): string {
	const href = profileUrl.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
	return `<a href="${href}" rel="me">My Proofwork profile</a>`;
}

/** Reads the page at `url` for a rel="me" link to one of the profile URLs. */
export async function checkPage(
	fetcher: Fetcher,
	url: string,
	profileUrls: string[],
	source = SOURCE
): Promise<AdapterCheck> {
	const host = hostOf(url);
	const result = await tryFetch(
		fetcher,
		url,
		{ accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1', maxBytes: PAGE_MAX_BYTES },
		host,
		source
	);
	if (isCheck(result)) return result;
	const none = { followers: null, source };
	if (isUnavailable(result.status)) return unavailable(host, result.status, source);
	if (result.status === 404 || result.status === 410)
		return {
			outcome: 'not_found',
			detail: `${url} does not exist (HTTP ${result.status}).`,
			...none
		};
	if (result.status < 200 || result.status > 299)
		return {
			outcome: 'missing',
			detail: `${host} did not show the page to Proofwork (HTTP ${result.status}), so no link could be found.`,
			...none
		};
	const type = result.contentType.split(';')[0].trim().toLowerCase();
	if (type && !HTML_TYPES.includes(type))
		return { outcome: 'missing', detail: `${result.url} is not a web page (${type}).`, ...none };
	// A redirect elsewhere (an open redirect, a moved site) proves nothing about this address.
	if (siteOf(result.url) !== siteOf(url))
		return {
			outcome: 'missing',
			detail: `${url} sent Proofwork on to ${hostOf(result.url)}; the link must be on ${host} itself.`,
			...none
		};
	// A page on Proofwork itself proves nothing: anyone's profile links to their own accounts.
	if (profileUrls.some((profileUrl) => siteOf(profileUrl) === siteOf(result.url)))
		return { outcome: 'missing', detail: 'A Proofwork page cannot prove itself.', ...none };
	const links = findPageLinks(result.text(), result.url, profileUrls);
	if (links.relMe)
		return {
			outcome: 'verified',
			detail: `Found a rel="me" link to ${links.relMe} on ${result.url}.`,
			...none
		};
	if (links.plain)
		return {
			outcome: 'missing',
			detail: `${result.url} links to ${links.plain} but without rel="me"; add rel="me" to that link.`,
			...none
		};
	return {
		outcome: 'missing',
		detail: `${result.url} has no rel="me" link to ${profileUrls[0]}.`,
		...none
	};
}

function instructions(account: AdapterAccount, profileUrl: string): AdapterInstructions {
	const closed = CLOSED_NETWORKS[account.network];
	if (closed)
		return {
			where:
				`On ${closed.name}, ${closed.where}. Proofwork checks your public ${closed.name} page, ` +
				`which ${closed.name} often hides from programs, so this account may stay self-reported. The link:`,
			paste: profileUrl
		};
	const page = account.network === 'website' ? 'your home page' : `the page at ${account.url}`;
	return {
		where: `Add this link to the HTML of ${page}, for example in its footer; rel="me" is what proves the page is yours:`,
		paste: relMeLink(profileUrl)
	};
}

export const htmlAdapter: NetworkAdapter = {
	networks: ['website', 'other', 'x', 'linkedin', 'instagram', 'facebook', 'tiktok', 'youtube'],
	source: SOURCE,
	instructions,
	check: (fetcher, account, profileUrls) => checkPage(fetcher, account.url, profileUrls)
};
