import type { Db } from '#lib/server/db/connect.js';
import { parseSearchParams } from '#lib/server/search/params.js';
import { searchProfiles } from '#lib/server/search/query.js';
import { markTrusted } from '#lib/server/trust/members.js';
import { runTrust } from '#lib/server/trust/job.js';
import { loadWorld, type Label, type World } from './world.ts';

export interface QueryReport {
	q: string;
	skills: string[];
	location: string;
	top10: { handle: string; label: Label; band: string }[];
	abusiveInTop10: number;
	genuineInTop10: number;
	genuineMatching: number;
	precisionAt10: number;
}

export interface WorldReport {
	accounts: number;
	endorsements: number;
	refused: number;
	refusedSample: { index: number; status: number; reason: string }[];
	loadMs: number;
	trustMs: number;
	queries: QueryReport[];
	totals: {
		abusiveInTop10Total: number;
		maxAbusiveInTop10: number;
		meanPrecisionAt10: number;
		trustAuc: number;
	};
	trust: { handle: string; label: Label; score: number; band: string; cluster: number | null }[];
}

/** The ids of a world loaded before (development: `--reuse`). */
async function loadedIds(db: Db, world: World) {
	const rows = await db.selectFrom('users').select(['id', 'handle']).execute();
	const userIds = new Map(rows.map((r) => [r.handle, r.id]));
	for (const a of world.accounts)
		if (!userIds.has(a.handle)) throw new Error(`${a.handle} is not loaded`);
	return { userIds, refused: [], ms: 0 };
}

/** AUC of `score` for genuine (positive) against abusive accounts; ties count half. */
export function auc(scores: { label: Label; score: number }[]): number {
	const pos = scores.filter((s) => s.label === 'genuine').map((s) => s.score);
	const neg = scores.filter((s) => s.label === 'abusive').map((s) => s.score);
	if (!pos.length || !neg.length) return 1;
	let wins = 0;
	for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
	return wins / (pos.length * neg.length);
}

export async function evaluateWorld(
	db: Db,
	world: World,
	options: { reuse?: boolean } = {}
): Promise<WorldReport> {
	const loaded = options.reuse ? await loadedIds(db, world) : await loadWorld(db, world);
	const now = new Date(world.now);
	for (const handle of world.trustedHandles) {
		const marked = await markTrusted(db, handle, 'trusted in the world file', null, now);
		if (!marked.ok) throw new Error(marked.error);
	}
	const run = await runTrust(db, { now, reason: 'eval' });

	const labelOf = new Map<number, { handle: string; label: Label }>();
	for (const a of world.accounts)
		labelOf.set(loaded.userIds.get(a.handle)!, { handle: a.handle, label: a.label });

	const queries: QueryReport[] = [];
	for (const query of world.queries) {
		const params = new URLSearchParams();
		if (query.q) params.set('q', query.q);
		for (const s of query.skills) params.append('skill', s);
		if (query.location) params.set('location', query.location);
		const parsed = parseSearchParams(params).query;
		// Every page, to count the genuine accounts the query matches at all.
		const all: { userId: number; band: string }[] = [];
		let after = parsed.after;
		for (let page = 0; page < 100; page++) {
			const found = await searchProfiles(db, { ...parsed, after });
			all.push(...found.results.map((r) => ({ userId: r.userId, band: r.trustBand })));
			if (!found.next) break;
			const [score, id] = found.next.split('_');
			after = { score: Number(score), id: Number(id) };
		}
		const top10 = all.slice(0, 10).map((r) => ({ ...labelOf.get(r.userId)!, band: r.band }));
		const genuineMatching = all.filter((r) => labelOf.get(r.userId)?.label === 'genuine').length;
		const genuineInTop10 = top10.filter((r) => r.label === 'genuine').length;
		queries.push({
			q: query.q,
			skills: query.skills,
			location: query.location,
			top10,
			abusiveInTop10: top10.filter((r) => r.label === 'abusive').length,
			genuineInTop10,
			genuineMatching,
			precisionAt10: genuineMatching ? genuineInTop10 / Math.min(10, genuineMatching) : 1
		});
	}

	const scores = await db
		.selectFrom('trust_scores')
		.select(['user_id', 'score', 'band', 'cluster_id'])
		.execute();
	const byUser = new Map(scores.map((s) => [s.user_id, s]));
	const trust = [...labelOf.entries()].map(([id, who]) => ({
		...who,
		score: byUser.get(id)?.score ?? 0,
		band: byUser.get(id)?.band ?? 'none',
		cluster: byUser.get(id)?.cluster_id ?? null
	}));
	return {
		accounts: world.accounts.length,
		endorsements: world.endorsements.length,
		refused: loaded.refused.length,
		refusedSample: loaded.refused.slice(0, 5),
		loadMs: loaded.ms,
		trustMs: run.ms.total,
		queries,
		totals: {
			abusiveInTop10Total: queries.reduce((sum, q) => sum + q.abusiveInTop10, 0),
			maxAbusiveInTop10: Math.max(0, ...queries.map((q) => q.abusiveInTop10)),
			meanPrecisionAt10: queries.length
				? queries.reduce((sum, q) => sum + q.precisionAt10, 0) / queries.length
				: 1,
			trustAuc: auc(trust)
		},
		trust
	};
}
