import type { TrustGraph } from '#lib/server/trust/graph.js';

// Accounts that act together, so that their endorsements count once. Four signals, each cheap on
// typed arrays and each a sign of coordination rather than proof of it (hence "count once", never
// "delete"):
// - signup_burst: accounts from one sign-up network (/24, /48) created within SIGNUP_BURST_S of
//   the previous one (LinkedIn's registration clusters);
// - lockstep: endorsers who hit the same targets (CopyCatch): at least LOCKSTEP_COMMON shared
//   targets and a Jaccard overlap of LOCKSTEP_JACCARD;
// - young_ring: mutual endorsements and directed triangles among accounts created within
//   RING_WINDOW_S of each other (long-standing colleagues who endorse each other are left alone);
// - shared_domain: several profiles listing one website domain (up to SHARED_DOMAIN_MAX profiles;
//   a domain shared by more is a host like a blog platform, not a group).

export const SIGNUP_BURST_S = 2 * 3600;
export const LOCKSTEP_COMMON = 3;
export const LOCKSTEP_JACCARD = 0.5;
// Targets endorsed by more people than this say little about who acts together, and would cost
// the square of their endorsers to compare.
const LOCKSTEP_MAX_INDEGREE = 200;
export const RING_WINDOW_S = 30 * 86_400;
export const SHARED_DOMAIN_MAX = 100;

export type ClusterReason = 'signup_burst' | 'lockstep' | 'young_ring' | 'shared_domain';
const REASONS: ClusterReason[] = ['signup_burst', 'lockstep', 'young_ring', 'shared_domain'];

export interface Clusters {
	/** Cluster number per account, -1 when the account acts alone. */
	of: Int32Array;
	size: Int32Array;
	/** Bit mask of REASONS per cluster number. */
	reasons: Uint8Array;
	count: number;
	reasonNames(cluster: number): ClusterReason[];
}

class UnionFind {
	parent: Int32Array;
	constructor(n: number) {
		this.parent = new Int32Array(n);
		for (let i = 0; i < n; i++) this.parent[i] = i;
	}
	find(x: number): number {
		let root = x;
		while (this.parent[root] !== root) root = this.parent[root];
		while (this.parent[x] !== root) {
			const next = this.parent[x];
			this.parent[x] = root;
			x = next;
		}
		return root;
	}
	union(a: number, b: number): void {
		const ra = this.find(a);
		const rb = this.find(b);
		if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
	}
}

export function findClusters(g: TrustGraph): Clusters {
	const { n } = g;
	const uf = new UnionFind(n);
	const why = new Uint8Array(n);
	const link = (a: number, b: number, reason: ClusterReason) => {
		uf.union(a, b);
		const bit = 1 << REASONS.indexOf(reason);
		why[a] |= bit;
		why[b] |= bit;
	};

	// signup_burst: sort by network then time, chain neighbours close in time.
	const order = Array.from({ length: n }, (_, i) => i).filter((i) => g.signupNetwork[i] >= 0);
	order.sort((a, b) => g.signupNetwork[a] - g.signupNetwork[b] || g.createdAt[a] - g.createdAt[b]);
	for (let k = 1; k < order.length; k++) {
		const a = order[k - 1];
		const b = order[k];
		if (
			g.signupNetwork[a] === g.signupNetwork[b] &&
			g.createdAt[b] - g.createdAt[a] <= SIGNUP_BURST_S
		)
			link(a, b, 'signup_burst');
	}

	// lockstep: co-endorsement counts per endorser, over targets of modest popularity.
	const common = new Int32Array(n);
	const touched: number[] = [];
	const outDegree = (u: number) => g.outStart[u + 1] - g.outStart[u];
	for (let u = 0; u < n; u++) {
		const du = outDegree(u);
		if (du < LOCKSTEP_COMMON) continue;
		for (let k = g.outStart[u]; k < g.outStart[u + 1]; k++) {
			const s = g.to[g.outEdges[k]];
			if (g.inStart[s + 1] - g.inStart[s] > LOCKSTEP_MAX_INDEGREE) continue;
			for (let j = g.inStart[s]; j < g.inStart[s + 1]; j++) {
				const v = g.from[g.inEdges[j]];
				if (v <= u) continue;
				if (common[v] === 0) touched.push(v);
				common[v]++;
			}
		}
		for (const v of touched) {
			const c = common[v];
			common[v] = 0;
			if (c < LOCKSTEP_COMMON) continue;
			if (c / (du + outDegree(v) - c) >= LOCKSTEP_JACCARD) link(u, v, 'lockstep');
		}
		touched.length = 0;
	}

	// young_ring: reciprocal pairs and directed triangles among accounts that became active about
	// together: created, or (for old dormant accounts woken up) first endorsing, within the window.
	const firstOut = new Float64Array(n).fill(Infinity);
	for (let e = 0; e < g.m; e++)
		firstOut[g.from[e]] = Math.min(firstOut[g.from[e]], g.edgeCreatedAt[e]);
	const inMark = new Int32Array(n).fill(-1);
	const close = (a: number, b: number) =>
		Math.abs(g.createdAt[a] - g.createdAt[b]) <= RING_WINDOW_S ||
		Math.abs(firstOut[a] - firstOut[b]) <= RING_WINDOW_S;
	for (let u = 0; u < n; u++) {
		for (let k = g.inStart[u]; k < g.inStart[u + 1]; k++) inMark[g.from[g.inEdges[k]]] = u;
		for (let k = g.outStart[u]; k < g.outStart[u + 1]; k++) {
			const v = g.to[g.outEdges[k]];
			if (v === u) continue;
			if (inMark[v] === u && close(u, v)) link(u, v, 'young_ring');
			for (let j = g.outStart[v]; j < g.outStart[v + 1]; j++) {
				const w = g.to[g.outEdges[j]];
				if (w !== u && inMark[w] === u && close(u, v) && close(v, w)) {
					link(u, v, 'young_ring');
					link(v, w, 'young_ring');
				}
			}
		}
	}

	// shared_domain: every profile listing one website domain, when few do.
	const byDomain = new Map<number, number[]>();
	for (let i = 0; i < n; i++) {
		const d = g.siteDomain[i];
		if (d < 0) continue;
		const list = byDomain.get(d);
		if (list) list.push(i);
		else byDomain.set(d, [i]);
	}
	for (const members of byDomain.values()) {
		if (members.length < 2 || members.length > SHARED_DOMAIN_MAX) continue;
		for (let k = 1; k < members.length; k++) link(members[0], members[k], 'shared_domain');
	}

	// Number the groups of two or more.
	const rootSize = new Int32Array(n);
	for (let i = 0; i < n; i++) rootSize[uf.find(i)]++;
	const numberOf = new Int32Array(n).fill(-1);
	const of = new Int32Array(n).fill(-1);
	let count = 0;
	const sizes: number[] = [];
	const masks: number[] = [];
	for (let i = 0; i < n; i++) {
		const root = uf.find(i);
		if (rootSize[root] < 2) continue;
		if (numberOf[root] < 0) {
			numberOf[root] = count++;
			sizes.push(rootSize[root]);
			masks.push(0);
		}
		of[i] = numberOf[root];
		masks[of[i]] |= why[i];
	}
	const reasons = Uint8Array.from(masks);
	return {
		of,
		size: Int32Array.from(sizes),
		reasons,
		count,
		reasonNames: (cluster) => REASONS.filter((_, bit) => reasons[cluster] & (1 << bit))
	};
}
