import { sql } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';
import { DAY_MS } from '#lib/server/platform/time.js';

// The endorsement graph as typed arrays: accounts are numbered 0..n-1, accepted endorsements are
// kept twice in compressed rows (by endorser and by subject). Loaded as a few long strings rather
// than a million row objects: at 1M endorsements that is the difference between 1 s and 6 s.

export const EDGE_GENERIC = 1;
export const EDGE_DUPLICATE = 2;

export interface TrustGraph {
	n: number;
	userIds: Int32Array;
	indexOf: Map<number, number>;
	/** Seconds since the epoch. */
	createdAt: Float64Array;
	/** Sign-up network as a small number, -1 when unknown. */
	signupNetwork: Int32Array;
	emailVerified: Uint8Array;
	/** Operator-marked trusted members. */
	trusted: Uint8Array;
	/** Owns a verified network account the network says is over a year old (not a shared site). */
	agedIdentity: Uint8Array;
	/** Website registrable domain per account (first one), -1 for none. */
	siteDomain: Int32Array;
	/** Edges in the order loaded. */
	m: number;
	from: Int32Array;
	to: Int32Array;
	edgeCreatedAt: Float64Array;
	edgeFlags: Uint8Array;
	/** Compressed rows by endorser: out edges of u are outEdges[outStart[u] .. outStart[u+1]). */
	outStart: Int32Array;
	outEdges: Int32Array;
	inStart: Int32Array;
	inEdges: Int32Array;
}

function parseNumbers(text: string | null, width: number): Float64Array {
	if (!text) return new Float64Array(0);
	const parts = text.split(',');
	const out = new Float64Array(parts.length);
	for (let i = 0; i < parts.length; i++) out[i] = parts[i] === '' ? -1 : Number(parts[i]);
	if (out.length % width !== 0) throw new Error('malformed trust graph row');
	return out;
}

function compress(n: number, keys: Int32Array): { start: Int32Array; edges: Int32Array } {
	const start = new Int32Array(n + 1);
	for (let e = 0; e < keys.length; e++) start[keys[e] + 1]++;
	for (let i = 0; i < n; i++) start[i + 1] += start[i];
	const fill = start.slice(0, n);
	const edges = new Int32Array(keys.length);
	for (let e = 0; e < keys.length; e++) edges[fill[keys[e]]++] = e;
	return { start, edges };
}

export async function loadGraph(db: Executor, now: Date): Promise<TrustGraph> {
	const yearAgo = new Date(now.getTime() - 365 * DAY_MS);
	// Accounts: id, created (s), sign-up network number, email verified, trusted, aged identity,
	// website domain number.
	const accounts = await sql<{ rows: string | null }>`
		with nets as (
			select signup_network, (row_number() over (order by signup_network))::int as k
			from (select distinct signup_network from users where signup_network is not null) x
		), domains as (
			select site_domain, (row_number() over (order by site_domain))::int as k
			from (select distinct site_domain from network_accounts where site_domain is not null) x
		), shared as (
			select site_domain from network_accounts where site_domain is not null
			group by site_domain having count(distinct user_id) > 1
		)
		select string_agg(concat_ws(',', u.id, floor(extract(epoch from u.created_at))::bigint,
			coalesce(nets.k, -1), (u.email_verified_at is not null)::int,
			(tm.user_id is not null)::int, coalesce(aged.yes, 0), coalesce(dom.k, -1)), ',' order by u.id) as rows
		from users u
		left join nets on nets.signup_network = u.signup_network
		left join trusted_members tm on tm.user_id = u.id
		left join (
			select distinct na.user_id, 1 as yes from network_accounts na
			where na.verification_status = 'verified' and na.network_created_at <= ${yearAgo}
				and (na.site_domain is null or na.site_domain not in (select site_domain from shared))
		) aged on aged.user_id = u.id
		left join (
			select distinct on (na.user_id) na.user_id, d.k
			from network_accounts na join domains d on d.site_domain = na.site_domain
			order by na.user_id, na.id
		) dom on dom.user_id = u.id
	`.execute(db);
	const a = parseNumbers(accounts.rows[0]?.rows ?? null, 7);
	const n = a.length / 7;
	const userIds = new Int32Array(n);
	const createdAt = new Float64Array(n);
	const signupNetwork = new Int32Array(n);
	const emailVerified = new Uint8Array(n);
	const trusted = new Uint8Array(n);
	const agedIdentity = new Uint8Array(n);
	const siteDomain = new Int32Array(n);
	const indexOf = new Map<number, number>();
	for (let i = 0; i < n; i++) {
		userIds[i] = a[i * 7];
		indexOf.set(userIds[i], i);
		createdAt[i] = a[i * 7 + 1];
		signupNetwork[i] = a[i * 7 + 2];
		emailVerified[i] = a[i * 7 + 3];
		trusted[i] = a[i * 7 + 4];
		agedIdentity[i] = a[i * 7 + 5];
		siteDomain[i] = a[i * 7 + 6];
	}

	// Accepted endorsements: endorser, subject, created (s), flags. Copies ('duplicate') weigh
	// nothing; praise naming nothing of the person ('generic') weighs less.
	const edges = await sql<{ rows: string | null }>`
		select string_agg(concat_ws(',', endorser_id, subject_id, floor(extract(epoch from created_at))::bigint,
			(case when 'generic' = any(flags) then 1 else 0 end) + (case when 'duplicate' = any(flags) then 2 else 0 end)), ',') as rows
		from endorsements where status = 'accepted'
	`.execute(db);
	const e = parseNumbers(edges.rows[0]?.rows ?? null, 4);
	const rows = e.length / 4;
	const from = new Int32Array(rows);
	const to = new Int32Array(rows);
	const edgeCreatedAt = new Float64Array(rows);
	const edgeFlags = new Uint8Array(rows);
	let m = 0;
	for (let k = 0; k < rows; k++) {
		// An account created between the two reads has no number yet: its edges wait a run.
		const u = indexOf.get(e[k * 4]);
		const v = indexOf.get(e[k * 4 + 1]);
		if (u === undefined || v === undefined) continue;
		from[m] = u;
		to[m] = v;
		edgeCreatedAt[m] = e[k * 4 + 2];
		edgeFlags[m] = e[k * 4 + 3];
		m++;
	}
	const out = compress(n, from.subarray(0, m));
	const inn = compress(n, to.subarray(0, m));
	return {
		n,
		userIds,
		indexOf,
		createdAt,
		signupNetwork,
		emailVerified,
		trusted,
		agedIdentity,
		siteDomain,
		m,
		from: from.subarray(0, m),
		to: to.subarray(0, m),
		edgeCreatedAt: edgeCreatedAt.subarray(0, m),
		edgeFlags: edgeFlags.subarray(0, m),
		outStart: out.start,
		outEdges: out.edges,
		inStart: inn.start,
		inEdges: inn.edges
	};
}
