import { sql } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import type { SeedKind, TrustBand } from '#lib/server/db/schema.js';
import { siteDomainOf } from '#lib/server/network-accounts.js';
import { refreshTrustColumns } from '#lib/server/search/projection.js';
import { loadGraph } from '#lib/server/trust/graph.js';
import { findClusters } from '#lib/server/trust/clusters.js';
import { ALGORITHM_VERSION, propagate } from '#lib/server/trust/propagate.js';

// One trust run: load the graph, find clusters, propagate, store scores and clusters, and rewrite
// the trust part of the search rows of everyone whose trust changed. A run is idempotent: two in a
// row change nothing the second time.

/** Trust others passed in (seed units) from which a profile counts as vouched for. */
export const SOME_INFLOW = 0.1;
/** ... and as strongly vouched for, with at least STRONG_VOUCHERS independent trusted endorsers. */
export const STRONG_INFLOW = 0.6;
export const STRONG_VOUCHERS = 2;
/** An endorser carrying at least this much trust counts as "vouched for by others" themselves. */
export const VOUCHER_MIN = 0.1;
/** Identity-borne trust counts half, up to IDENTITY_CAP: at most 0.075, below SOME_INFLOW. */
export const IDENTITY_SHARE = 0.5;
export const IDENTITY_CAP = 0.15;
export const HUB_WEIGHT = 0.1;
/** Standing per independent established endorser (up to five), and what "established" means. */
export const ESTABLISHED_WEIGHT = 0.02;
export const ESTABLISHED_S = 90 * 86_400;
/** Standing of an established, independent account of its own: a hundredth of a vouch. */
export const OWN_STANDING = 0.002;
const CHANGE_EPSILON = 1e-4;
/** A run that changes at least this many rows (and this share of all) vacuums what it rewrote. */
const VACUUM_AFTER = { rows: 1_000, share: 0.05 };

export interface RunSummary {
	runId: number;
	nodes: number;
	edges: number;
	seeds: number;
	clusters: number;
	changed: number;
	iterations: number;
	ms: { load: number; compute: number; store: number; total: number };
}

/**
 * What trust adds to a search row's evidence_rank. Untrusted evidence (work, proven accounts)
 * reaches at most 10 + 2·ln(1 + 4) ≈ 13.2, independent established endorsers add at most
 * 2·ln(6) ≈ 3.6 and trust short of a band at most 1.7, so the TRUSTED_RANK_FLOOR of any band puts every vouched-for profile above every
 * profile without, whatever the volume; within a band, trust others passed in orders them.
 */
export function rankFor(band: TrustBand, inflow: number, established: number): number {
	if (band !== 'none') return TRUSTED_RANK_FLOOR + 4 * Math.log1p(inflow / INFLOW_UNIT);
	return (
		2 * Math.log1p(Math.min(5, established)) +
		UNTRUSTED_INFLOW_WEIGHT * Math.log1p(Math.min(inflow, SOME_INFLOW) / UNTRUSTED_INFLOW_UNIT)
	);
}
/**
 * Below the bands, the little trust that reaches a profile (from 10⁻⁵ to 0.1 seed units) still
 * orders it among profiles of the same work and proven accounts, by at most 0.25·ln(1001) ≈ 1.7:
 * less than two work items, so it never outweighs evidence, yet enough to spread the thousands
 * of profiles with equal evidence apart (search bounds its pages by how few profiles lie within
 * the words' reach of the page's last score; 6,800 equal ranks at 100,000 profiles defeated that).
 */
const UNTRUSTED_INFLOW_WEIGHT = 0.25;
const UNTRUSTED_INFLOW_UNIT = 1e-4;
export const TRUSTED_RANK_FLOOR = 20;
/** Trust received, in seed units, per step of the log scale within the trusted band. */
export const INFLOW_UNIT = 0.1;

export function bandFor(inflow: number, trustedSeed: boolean, vouchers: number): TrustBand {
	const carried = inflow + (trustedSeed ? 1 : 0);
	if (carried >= STRONG_INFLOW && (vouchers >= STRONG_VOUCHERS || trustedSeed)) return 'strong';
	if (carried >= SOME_INFLOW) return 'some';
	return 'none';
}

/**
 * Personal websites saved before domains were recorded (or written in bulk) get theirs (tldts, in
 * the app): read in pages by id and written back with one statement per page.
 */
async function fillSiteDomains(db: Executor): Promise<void> {
	const PAGE = 10_000;
	for (let after = 0; ;) {
		const missing = await db
			.selectFrom('network_accounts')
			.select(['id', 'network', 'url'])
			.where('network', '=', 'website')
			.where('site_domain', 'is', null)
			.where('id', '>', after)
			.orderBy('id')
			.limit(PAGE)
			.execute();
		const ids: number[] = [];
		const domains: string[] = [];
		for (const row of missing) {
			const domain = siteDomainOf(row.network, row.url);
			if (domain) {
				ids.push(row.id);
				domains.push(domain);
			}
		}
		if (ids.length)
			await sql`
				update network_accounts na set site_domain = x.domain
				from unnest(${ids}::int[], ${domains}::text[]) as x(id, domain)
				where na.id = x.id`.execute(db);
		if (missing.length < PAGE) return;
		after = missing[missing.length - 1].id;
	}
}

export async function runTrust(
	db: Executor,
	options: { now?: Date; reason?: string } = {}
): Promise<RunSummary> {
	const now = options.now ?? new Date();
	const started = performance.now();
	await fillSiteDomains(db);
	const graph = await loadGraph(db, now);
	const loaded = performance.now();
	const clusters = findClusters(graph);
	const result = propagate(graph, clusters);
	const { prior, weight, operator, identity } = result;

	const n = graph.n;
	const inflow = new Float64Array(n);
	const vouchers = new Int32Array(n);
	const seen = new Set<number>();
	let seeds = 0;
	for (let s = 0; s < n; s++) {
		// What others passed in: all that began with the operator's members, and a little of what
		// began with old accounts, which a farm can buy (never enough alone to reach a band).
		const own = graph.trusted[s] ? prior[s] : 0;
		inflow[s] =
			Math.max(0, operator[s] - own) +
			IDENTITY_SHARE * Math.min(Math.max(0, identity[s] - (own ? 0 : prior[s])), IDENTITY_CAP);
		if (prior[s] > 0) seeds++;
		seen.clear();
		for (let k = graph.inStart[s]; k < graph.inStart[s + 1]; k++) {
			const e = graph.inEdges[k];
			const u = graph.from[e];
			if (weight[e] <= 0 || operator[u] < VOUCHER_MIN) continue;
			seen.add(clusters.of[u] >= 0 ? clusters.of[u] : -1 - u);
		}
		vouchers[s] = seen.size;
	}
	// Standing, the score kept per account: trust that began with the operator's members, half of
	// one's own costly identity, and a little for vouching for people others vouch for (HUB_WEIGHT
	// times the share of one's weighted endorsements going to banded people). The hub part is
	// nothing for members of a coordination cluster, whose camouflage edges would earn it.
	const bands: TrustBand[] = new Array(n);
	for (let i = 0; i < n; i++) bands[i] = bandFor(inflow[i], graph.trusted[i] === 1, vouchers[i]);
	const coordinated = new Uint8Array(n);
	for (let i = 0; i < n; i++)
		coordinated[i] =
			clusters.of[i] >= 0 && clusters.reasonNames(clusters.of[i]).some((r) => r !== 'shared_domain')
				? 1
				: 0;
	// Independent established endorsers: groups (a cluster counts once) of accounts older than
	// ESTABLISHED_S, outside any coordination cluster and outside the subject's own.
	const established = new Int32Array(n);
	const nowS = now.getTime() / 1000;
	for (let s = 0; s < n; s++) {
		seen.clear();
		for (let k = graph.inStart[s]; k < graph.inStart[s + 1]; k++) {
			const e = graph.inEdges[k];
			const u = graph.from[e];
			if (weight[e] <= 0 || coordinated[u] || nowS - graph.createdAt[u] < ESTABLISHED_S) continue;
			if (clusters.of[u] >= 0 && clusters.of[u] === clusters.of[s]) continue;
			seen.add(clusters.of[u] >= 0 ? clusters.of[u] : -1 - u);
		}
		established[s] = seen.size;
	}
	const vouched = (v: number) => bands[v] !== 'none' || established[v] >= 2;
	// A coordination cluster counts once, for what it receives too: trust that reaches some of its
	// members (a compromised seed vouching for three of a ring) is shared across the group, so no
	// member holds more than the group's average.
	const clusterShare = new Map<number, { sum: number; size: number }>();
	for (let i = 0; i < n; i++) {
		if (!coordinated[i]) continue;
		const share = clusterShare.get(clusters.of[i]) ?? { sum: 0, size: 0 };
		share.sum += operator[i];
		share.size++;
		clusterShare.set(clusters.of[i], share);
	}
	const standing = new Float64Array(n);
	for (let u = 0; u < n; u++) {
		const out = graph.outStart[u + 1] - graph.outStart[u];
		let hub = 0;
		if (out > 0 && !coordinated[u]) {
			for (let k = graph.outStart[u]; k < graph.outStart[u + 1]; k++) {
				const e = graph.outEdges[k];
				if (vouched(graph.to[e])) hub += weight[e];
			}
			hub /= out;
		}
		const identityIn = Math.max(0, identity[u] - (graph.trusted[u] ? 0 : prior[u]));
		const share = coordinated[u] ? clusterShare.get(clusters.of[u]) : undefined;
		standing[u] =
			(share ? Math.min(operator[u], share.sum / share.size) : operator[u]) +
			// An account months old, acting with no group, has something to lose (age cannot be
			// bought at sign-up; old accounts bought in bulk act together and are coordinated).
			(!coordinated[u] && nowS - graph.createdAt[u] >= ESTABLISHED_S ? OWN_STANDING : 0) +
			// Old accounts are what a farm buys: acting as a group, they prove nothing of their own.
			(graph.trusted[u] || coordinated[u] ? 0 : 0.5 * prior[u]) +
			(coordinated[u] ? 0 : 0.5 * Math.min(identityIn, IDENTITY_CAP)) +
			ESTABLISHED_WEIGHT * Math.min(5, established[u]) +
			HUB_WEIGHT * Math.min(1, hub);
	}
	const computed = performance.now();

	const stored = await withTransaction(db, async (trx) => {
		const previous = await sql<{ rows: string | null }>`
			select string_agg(concat_ws(',', user_id, rank, score, case band when 'strong' then 2 when 'some' then 1 else 0 end,
				coalesce(cluster_id, -1), trusted_endorsers), ',') as rows
			from trust_scores`.execute(trx);
		const old = new Map<number, number[]>();
		const parts = previous.rows[0]?.rows?.split(',') ?? [];
		for (let k = 0; k + 5 < parts.length; k += 6)
			old.set(Number(parts[k]), parts.slice(k + 1, k + 6).map(Number));

		const ids: number[] = [];
		const scores: number[] = [];
		const inflows: number[] = [];
		const ranks: number[] = [];
		const bandList: TrustBand[] = [];
		const kinds: (SeedKind | null)[] = [];
		const clusterIds: (number | null)[] = [];
		const voucherCounts: number[] = [];
		const bandCode = { none: 0, some: 1, strong: 2 } as const;
		for (let i = 0; i < n; i++) {
			const band = bands[i];
			const cluster = clusters.of[i];
			const before = old.get(graph.userIds[i]);
			if (
				before &&
				Math.abs(before[0] - rankFor(band, inflow[i], established[i])) < CHANGE_EPSILON &&
				Math.abs(before[1] - standing[i]) < CHANGE_EPSILON &&
				before[2] === bandCode[band] &&
				before[3] === cluster &&
				before[4] === vouchers[i]
			)
				continue;
			ids.push(graph.userIds[i]);
			scores.push(standing[i]);
			inflows.push(inflow[i]);
			ranks.push(rankFor(band, inflow[i], established[i]));
			bandList.push(band);
			kinds.push(graph.trusted[i] ? 'trusted' : prior[i] > 0 ? 'identity' : null);
			clusterIds.push(cluster >= 0 ? cluster : null);
			voucherCounts.push(vouchers[i]);
		}
		const CHUNK = 20_000;
		for (let k = 0; k < ids.length; k += CHUNK) {
			const slice = <T>(values: T[]) => values.slice(k, k + CHUNK);
			await sql`
				insert into trust_scores (user_id, score, inflow, rank, band, seed_kind, cluster_id,
					trusted_endorsers, algorithm_version, computed_at)
				select u, s, f, r, b, k, c, v, ${ALGORITHM_VERSION}, ${now}
				from unnest(${slice(ids)}::int[], ${slice(scores)}::float8[], ${slice(inflows)}::float8[],
					${slice(ranks)}::float8[],
					${slice(bandList)}::text[], ${slice(kinds)}::text[], ${slice(clusterIds)}::int[],
					${slice(voucherCounts)}::int[]) as x(u, s, f, r, b, k, c, v)
				on conflict (user_id) do update set score = excluded.score, inflow = excluded.inflow,
					rank = excluded.rank,
					band = excluded.band, seed_kind = excluded.seed_kind, cluster_id = excluded.cluster_id,
					trusted_endorsers = excluded.trusted_endorsers,
					algorithm_version = excluded.algorithm_version, computed_at = excluded.computed_at
			`.execute(trx);
			await refreshTrustColumns(trx, slice(ids));
		}
		await trx.deleteFrom('trust_clusters').execute();
		for (let k = 0; k < clusters.count; k += CHUNK) {
			const idsOf = [];
			const sizes = [];
			const reasons = [];
			for (let c = k; c < Math.min(clusters.count, k + CHUNK); c++) {
				idsOf.push(c);
				sizes.push(clusters.size[c]);
				reasons.push(clusters.reasonNames(c).join(','));
			}
			await sql`
				insert into trust_clusters (id, size, reasons, computed_at)
				select i, s, string_to_array(r, ','), ${now}
				from unnest(${idsOf}::int[], ${sizes}::int[], ${reasons}::text[]) as x(i, s, r)
			`.execute(trx);
		}
		const total = Math.round(performance.now() - started);
		const run = await trx
			.insertInto('trust_runs')
			.values({
				version: ALGORITHM_VERSION,
				reason: options.reason ?? 'manual',
				started_at: now,
				finished_at: new Date(now.getTime() + total),
				nodes: n,
				edges: graph.m,
				seeds,
				clusters: clusters.count,
				changed: ids.length,
				ms: total
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		return { runId: run.id, changed: ids.length };
	});
	// A run that rewrote many search rows leaves as many dead ones, which every search then
	// steps over until they are vacuumed; autovacuum may be off or behind (it was off on the
	// benchmark machine: 146,536 dead rows against 100,000 live after four runs, search p95 up
	// accordingly). Vacuuming here does not depend on the server's settings.
	if (stored.changed >= Math.max(VACUUM_AFTER.rows, VACUUM_AFTER.share * n) && !db.isTransaction)
		await sql`vacuum (analyze) profile_search, trust_scores`.execute(db);
	const finished = performance.now();
	return {
		runId: stored.runId,
		nodes: n,
		edges: graph.m,
		seeds,
		clusters: clusters.count,
		changed: stored.changed,
		iterations: result.iterations,
		ms: {
			load: Math.round(loaded - started),
			compute: Math.round(computed - loaded),
			store: Math.round(finished - computed),
			total: Math.round(finished - started)
		}
	};
}

/**
 * Whether a run is due: never ran, the last is a day old, or endorsements or trusted members
 * changed since it started (at most one run a minute, so a burst of changes costs one run).
 */
export async function isTrustRunDue(db: Executor, now: Date): Promise<boolean> {
	const last = await db
		.selectFrom('trust_runs')
		.select(['started_at', 'version', 'edges'])
		.orderBy('id', 'desc')
		.limit(1)
		.executeTakeFirst();
	if (!last || last.version !== ALGORITHM_VERSION) return true;
	const since = last.started_at;
	if (now.getTime() - since.getTime() >= 86_400_000) return true;
	if (now.getTime() - since.getTime() < 60_000) return false;
	const changed = await sql<{ yes: boolean }>`
		select exists (select 1 from endorsements where updated_at > ${since} or decided_at > ${since})
			or exists (select 1 from trusted_members where created_at > ${since})
			-- Withdrawals and deleted accounts leave no row behind: the count tells.
			or (select count(*) from endorsements where status = 'accepted') <> ${last.edges} as yes`.execute(
		db
	);
	return changed.rows[0]?.yes === true;
}
