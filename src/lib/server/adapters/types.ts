import type { Fetcher } from '#lib/server/platform/fetcher.js';
import type { Network } from '#lib/server/networks.js';

export interface AdapterAccount {
	network: Network;
	identifier: string;
	url: string;
}

export type AdapterOutcome = 'verified' | 'missing' | 'not_found' | 'unreachable';

export interface AdapterCheck {
	outcome: AdapterOutcome;
	/** One sentence for the account's owner, e.g. 'Found a link to … in the profile fields.' */
	detail: string;
	/** The follower count the network itself reported, when it reports one. */
	followers: number | null;
	/** Where the check read from, e.g. 'the Mastodon API' or 'the page itself'. */
	source: string;
	/** When the network says the account was created, when it says so (an old account is costly to fake). */
	accountCreatedAt?: Date | null;
}

export interface AdapterInstructions {
	/** Exactly where to paste, ending so that `paste` reads as its continuation. */
	where: string;
	/** The exact text to paste: the profile URL, or for web pages an HTML link with rel="me". */
	paste: string;
}

/** One network's way of proving an account links back to a Proofwork profile. */
export interface NetworkAdapter {
	networks: readonly Network[];
	source: string;
	/** The host a check of this account fetches from first: jobs for one host never run side by side. */
	host?(account: AdapterAccount): string;
	instructions(account: AdapterAccount, profileUrl: string): AdapterInstructions;
	check(fetcher: Fetcher, account: AdapterAccount, profileUrls: string[]): Promise<AdapterCheck>;
}
