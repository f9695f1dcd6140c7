// One adapter per network; a network without its own reads the account's public page.
import type { NetworkAdapter } from '#lib/server/adapters/types.js';
import { blueskyAdapter } from '#lib/server/adapters/bluesky.js';
import { githubAdapter } from '#lib/server/adapters/github.js';
import { htmlAdapter } from '#lib/server/adapters/html.js';
import { mastodonAdapter } from '#lib/server/adapters/mastodon.js';

export type {
	AdapterAccount,
	AdapterCheck,
	AdapterInstructions,
	AdapterOutcome,
	NetworkAdapter
} from '#lib/server/adapters/types.js';
export { BLUESKY_API } from '#lib/server/adapters/bluesky.js';
export { GITHUB_API } from '#lib/server/adapters/github.js';

const ADAPTERS: readonly NetworkAdapter[] = [mastodonAdapter, blueskyAdapter, githubAdapter];

export function adapterFor(network: string): NetworkAdapter {
	return (
		ADAPTERS.find((adapter) => (adapter.networks as readonly string[]).includes(network)) ??
		htmlAdapter
	);
}
