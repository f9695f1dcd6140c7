// GitHub: the users API returns the Website field and bio; social accounts come separately.
import type { FetchOptions } from '#lib/server/platform/fetcher.js';
import type { AdapterCheck, NetworkAdapter } from '#lib/server/adapters/types.js';
import {
	isCheck,
	isUnavailable,
	matchHtmlFragment,
	matchText,
	noSuchAccount,
	readCount,
	readDate,
	readJson,
	tryFetch,
	unavailable,
	unexpectedAnswer
} from '#lib/server/adapters/links.js';

export const GITHUB_API = 'https://api.github.com';
const SOURCE = 'the GitHub API';
let token: string | undefined;

/**
 * A GitHub token (any, with no scopes) raises the API's limit from 60 to 5,000 calls an hour for
 * the whole server. The fetcher drops it on any redirect away from the API's origin.
 */
export function setGithubToken(value: string | undefined): void {
	token = value || undefined;
}

function request(): FetchOptions {
	return {
		accept: 'application/vnd.github+json',
		headers: {
			'X-GitHub-Api-Version': '2022-11-28',
			...(token ? { Authorization: `Bearer ${token}` } : {})
		}
	};
}

// Without a token GitHub allows 60 calls an hour and answers 403 (or 429) beyond that.
function limited(status: number): boolean {
	return isUnavailable(status) || status === 403;
}

export const githubAdapter: NetworkAdapter = {
	networks: ['github'],
	source: SOURCE,
	host: () => new URL(GITHUB_API).hostname,
	instructions: (_account, profileUrl) => ({
		where:
			'On GitHub, open Settings → Public profile and put this link in the Website field or in one of the Social accounts fields:',
		paste: profileUrl
	}),
	async check(fetcher, account, profileUrls): Promise<AdapterCheck> {
		const user = encodeURIComponent(account.identifier);
		const result = await tryFetch(
			fetcher,
			`${GITHUB_API}/users/${user}`,
			request(),
			'GitHub',
			SOURCE
		);
		if (isCheck(result)) return result;
		if (limited(result.status)) return unavailable('GitHub', result.status, SOURCE);
		if (result.status === 404) return noSuchAccount('GitHub', account.identifier, SOURCE);
		const body = result.status === 200 ? readJson(result) : null;
		if (!body || typeof body.login !== 'string')
			return unexpectedAnswer('GitHub', result.status, SOURCE);
		const followers = readCount(body.followers);
		const accountCreatedAt = readDate(body.created_at);
		const found = (match: string, where: string): AdapterCheck => ({
			outcome: 'verified',
			detail: `Found a link to ${match} in the GitHub ${where}.`,
			followers,
			accountCreatedAt,
			source: SOURCE
		});
		const blog = typeof body.blog === 'string' ? matchText(body.blog, profileUrls) : null;
		if (blog) return found(blog, 'Website field');
		// The bio is plain text, but reading it as HTML also finds a link someone wrote as a tag.
		const bio = typeof body.bio === 'string' ? matchHtmlFragment(body.bio, profileUrls) : null;
		if (bio) return found(bio, 'bio');

		const social = await tryFetch(
			fetcher,
			`${GITHUB_API}/users/${user}/social_accounts`,
			request(),
			'GitHub',
			SOURCE
		);
		if (isCheck(social)) return social;
		if (limited(social.status)) return unavailable('GitHub', social.status, SOURCE);
		let accounts: unknown = [];
		if (social.status === 200) {
			try {
				accounts = social.json();
			} catch {
				accounts = [];
			}
		}
		for (const entry of Array.isArray(accounts) ? accounts : []) {
			const url = entry && typeof entry === 'object' ? (entry as { url?: unknown }).url : null;
			const match = typeof url === 'string' ? matchText(url, profileUrls) : null;
			if (match) return found(match, 'social accounts');
		}
		return {
			outcome: 'missing',
			detail: `The GitHub profile has no link to ${profileUrls[0]} in its website, bio or social accounts.`,
			followers,
			source: SOURCE
		};
	}
};
