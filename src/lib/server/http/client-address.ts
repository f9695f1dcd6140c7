import type { RequestEvent } from '@sveltejs/kit';

/**
 * The client's address for rate limits and view counts. With ADDRESS_HEADER set, adapter-node
 * throws when a request lacks that header (one that reached the app around the proxy): such
 * requests share one address, so leaving the header out never escapes a limit.
 */
export function clientAddress(event: Pick<RequestEvent, 'getClientAddress'>): string {
	try {
		return event.getClientAddress();
	} catch {
		return 'unknown';
	}
}
