import { createHmac } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import type { Executor } from '#lib/server/db/connect.js';

// The network an account signed up from, coarse (/24 for IPv4, /48 for IPv6) and keyed-hashed with
// a per-installation secret: enough to see accounts made together, never the address itself.

// One small read per sign-up: the secret lives in the database, so every app server agrees on it.
async function saltOf(db: Executor): Promise<string> {
	const row = await db
		.selectFrom('server_secrets')
		.select('value')
		.where('name', '=', 'signup_network_salt')
		.executeTakeFirstOrThrow();
	return row.value;
}

/** "203.0.113.0/24" or "2001:db8:1::/48" for an address; null when it cannot be read. */
export function coarseNetwork(address: string): string | null {
	if (!ipaddr.isValid(address)) return null;
	let ip = ipaddr.parse(address);
	if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress())
		ip = (ip as ipaddr.IPv6).toIPv4Address();
	if (ip.kind() === 'ipv4') {
		const octets = (ip as ipaddr.IPv4).octets;
		return `${octets[0]}.${octets[1]}.${octets[2]}.0/24`;
	}
	const parts = (ip as ipaddr.IPv6).parts;
	return `${parts
		.slice(0, 3)
		.map((p) => p.toString(16))
		.join(':')}::/48`;
}

export async function signupNetworkOf(db: Executor, address: string): Promise<string | null> {
	const network = coarseNetwork(address);
	if (!network) return null;
	return createHmac('sha256', await saltOf(db))
		.update(network)
		.digest('base64url')
		.slice(0, 22);
}
