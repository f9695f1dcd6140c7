import type { TrustGraph } from '#lib/server/trust/graph.js';
import { EDGE_DUPLICATE, EDGE_GENERIC } from '#lib/server/trust/graph.js';
import type { Clusters } from '#lib/server/trust/clusters.js';

// Seeded personalized PageRank (TrustRank) in seed units: T = p + d · Σ pass(u) · w(u→v) / outdeg(u).
// docs/trust.md argues the constants; the eval worlds (npm run eval:trust) measure them.

export const ALGORITHM_VERSION = 'ppr-2026-12-03.2';
/** Share of an endorser's trust passed on; the rest returns to the seeds (restart 1 − d). */
export const DAMPING = 0.7;
/** Pre-trust of a member the operator marked trusted. */
export const TRUSTED_SEED = 1;
/** Pre-trust of an identity costly to fake (a proven network account over a year old). */
export const IDENTITY_SEED = 0.1;
/** The most trust one endorser passes on in all, in seed units: a compromised seed or a hub
 * cannot pour more than this into the people it endorses. */
export const PASS_CAP = 1.5;
/** Weight of an endorsement praising nothing of the person in particular. */
export const GENERIC_WEIGHT = 0.5;
/** Weight of an endorsement sent back to someone who endorsed you first (reciprocity). */
export const RECIPROCAL_WEIGHT = 0.5;
const ITERATIONS = 40;
const TOLERANCE = 1e-7;

export interface Propagation {
	/** Trust per account in seed units. */
	score: Float64Array;
	/** The parts of it that began with operator-marked members and with costly identities. */
	operator: Float64Array;
	identity: Float64Array;
	/** Pre-trust per account. */
	prior: Float64Array;
	/** Weight of each edge after independence rules, 0..1. */
	weight: Float64Array;
	iterations: number;
}

/**
 * Edge weights: duplicates nothing, generic praise half, endorsing back half; inside a cluster the
 * endorsements into one member count once in all, and so do a cluster's endorsements of an outsider.
 */
export function edgeWeights(g: TrustGraph, c: Clusters): Float64Array {
	const weight = new Float64Array(g.m);
	// How many of one cluster endorse a given subject: a map per subject, built on the fly.
	const perSubject = new Map<number, number>();
	for (let s = 0; s < g.n; s++) {
		perSubject.clear();
		for (let k = g.inStart[s]; k < g.inStart[s + 1]; k++) {
			const cu = c.of[g.from[g.inEdges[k]]];
			if (cu >= 0) perSubject.set(cu, (perSubject.get(cu) ?? 0) + 1);
		}
		for (let k = g.inStart[s]; k < g.inStart[s + 1]; k++) {
			const e = g.inEdges[k];
			const u = g.from[e];
			let w = 1;
			if (g.edgeFlags[e] & EDGE_DUPLICATE) w = 0;
			else if (g.edgeFlags[e] & EDGE_GENERIC) w *= GENERIC_WEIGHT;
			const cu = c.of[u];
			if (cu >= 0) w /= perSubject.get(cu)!;
			weight[e] = w;
		}
	}
	// One endorser's endorsements of several members of one cluster count once: a compromised seed
	// that vouches for three of a ring lifts each by a third.
	const perCluster = new Map<number, number>();
	for (let u = 0; u < g.n; u++) {
		if (g.outStart[u + 1] - g.outStart[u] < 2) continue;
		perCluster.clear();
		for (let k = g.outStart[u]; k < g.outStart[u + 1]; k++) {
			const cv = c.of[g.to[g.outEdges[k]]];
			if (cv >= 0) perCluster.set(cv, (perCluster.get(cv) ?? 0) + 1);
		}
		if (perCluster.size === 0) continue;
		for (let k = g.outStart[u]; k < g.outStart[u + 1]; k++) {
			const e = g.outEdges[k];
			const cv = c.of[g.to[e]];
			if (cv >= 0) weight[e] /= perCluster.get(cv)!;
		}
	}
	// Reciprocity: u endorsed v after v had endorsed u.
	const firstIn = new Map<number, number>();
	for (let u = 0; u < g.n; u++) {
		if (g.inStart[u + 1] === g.inStart[u] || g.outStart[u + 1] === g.outStart[u]) continue;
		firstIn.clear();
		for (let k = g.inStart[u]; k < g.inStart[u + 1]; k++) {
			const e = g.inEdges[k];
			firstIn.set(g.from[e], g.edgeCreatedAt[e]);
		}
		for (let k = g.outStart[u]; k < g.outStart[u + 1]; k++) {
			const e = g.outEdges[k];
			const earlier = firstIn.get(g.to[e]);
			if (earlier !== undefined && earlier <= g.edgeCreatedAt[e]) weight[e] *= RECIPROCAL_WEIGHT;
		}
	}
	return weight;
}

/** Pre-trust: operator-marked members in full; costly identities a little, shared within a cluster. */
export function priors(g: TrustGraph, c: Clusters): Float64Array {
	const prior = new Float64Array(g.n);
	for (let i = 0; i < g.n; i++) {
		if (g.trusted[i]) prior[i] = TRUSTED_SEED;
		else if (g.agedIdentity[i] && g.emailVerified[i])
			prior[i] = IDENTITY_SEED / (c.of[i] >= 0 ? c.size[c.of[i]] : 1);
	}
	return prior;
}

/**
 * Runs the operator's seeds and the identity seeds as two parts of one vector (the cap applies to
 * their sum), so that ranking can tell trust that began with a member the operator vouched for
 * from trust that began with an old account, which a farm can buy.
 */
export function propagate(g: TrustGraph, c: Clusters): Propagation {
	const weight = edgeWeights(g, c);
	const prior = priors(g, c);
	const priorOperator = new Float64Array(g.n);
	const priorIdentity = new Float64Array(g.n);
	for (let i = 0; i < g.n; i++) {
		if (g.trusted[i]) priorOperator[i] = prior[i];
		else priorIdentity[i] = prior[i];
	}
	let a = Float64Array.from(priorOperator);
	let b = Float64Array.from(priorIdentity);
	let nextA = new Float64Array(g.n);
	let nextB = new Float64Array(g.n);
	const shareA = new Float64Array(g.n);
	const shareB = new Float64Array(g.n);
	let iterations = 0;
	for (; iterations < ITERATIONS; iterations++) {
		for (let u = 0; u < g.n; u++) {
			const out = g.outStart[u + 1] - g.outStart[u];
			const total = a[u] + b[u];
			if (out === 0 || total <= 0) {
				shareA[u] = shareB[u] = 0;
				continue;
			}
			// Split over everyone endorsed, whatever their weight: down-weighted edges lose their
			// share rather than hand it to the endorser's other targets.
			const f = (DAMPING * Math.min(1, PASS_CAP / total)) / out;
			shareA[u] = a[u] * f;
			shareB[u] = b[u] * f;
		}
		nextA.set(priorOperator);
		nextB.set(priorIdentity);
		for (let e = 0; e < g.m; e++) {
			const u = g.from[e];
			const w = weight[e];
			if (w === 0) continue;
			nextA[g.to[e]] += shareA[u] * w;
			nextB[g.to[e]] += shareB[u] * w;
		}
		let delta = 0;
		for (let i = 0; i < g.n; i++) delta += Math.abs(nextA[i] - a[i]) + Math.abs(nextB[i] - b[i]);
		[a, nextA] = [nextA, a];
		[b, nextB] = [nextB, b];
		if (delta < TOLERANCE * Math.max(1, g.n)) {
			iterations++;
			break;
		}
	}
	const score = new Float64Array(g.n);
	for (let i = 0; i < g.n; i++) score[i] = a[i] + b[i];
	return { score, operator: a, identity: b, prior, weight, iterations };
}
