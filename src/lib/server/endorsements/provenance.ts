import type { Executor } from '#lib/server/db/connect.js';
import type { TrustBand } from '#lib/server/db/schema.js';

// Where an endorsement comes from, as the trust job last judged its endorser (docs/trust.md):
// vouched for through members this instance trusts, independent, or one of a closely connected
// group (accounts created or acting together, or sharing one website domain) that counts once.

export type ProvenanceKind = 'vouched' | 'independent' | 'group';

export interface Provenance {
	kind: ProvenanceKind;
	/** The group the endorser belongs to, and how many accounts it holds. */
	group: number | null;
	groupSize: number | null;
}

export function provenanceOf(
	band: TrustBand | null,
	clusterId: number | null,
	clusterSize: number | null
): Provenance {
	if (clusterId !== null) return { kind: 'group', group: clusterId, groupSize: clusterSize };
	return {
		kind: band && band !== 'none' ? 'vouched' : 'independent',
		group: null,
		groupSize: null
	};
}

export interface ProvenanceSummary {
	/** Endorsers outside any closely connected group; `vouched` of them carry trust themselves. */
	independent: number;
	vouched: number;
	/** Each group's endorsements here, which count as one. */
	groups: { endorsements: number; size: number | null }[];
}

export function summariseProvenance(items: { provenance: Provenance }[]): ProvenanceSummary {
	const groups = new Map<number, { endorsements: number; size: number | null }>();
	let independent = 0;
	let vouched = 0;
	for (const { provenance: p } of items) {
		if (p.kind === 'group' && p.group !== null) {
			const group = groups.get(p.group) ?? { endorsements: 0, size: p.groupSize };
			group.endorsements++;
			groups.set(p.group, group);
		} else {
			independent++;
			if (p.kind === 'vouched') vouched++;
		}
	}
	return {
		independent,
		vouched,
		groups: [...groups.values()].sort((a, b) => b.endorsements - a.endorsements)
	};
}

/** Plain sentences of a summary, as the profile and the inbox print them. */
export function describeSummary(summary: ProvenanceSummary): string[] {
	const lines: string[] = [];
	if (summary.independent > 0)
		lines.push(
			`${summary.independent} independent ${summary.independent === 1 ? 'endorser' : 'endorsers'}` +
				(summary.vouched > 0
					? `, ${summary.vouched === summary.independent && summary.vouched > 1 ? 'all' : summary.vouched} of them vouched for by others`
					: '')
		);
	for (const group of summary.groups)
		lines.push(
			group.endorsements === 1
				? '1 from a closely connected group of accounts'
				: `${group.endorsements} from one closely connected group, counted as 1`
		);
	return lines;
}

/** One endorser's provenance in words, for the owner deciding whether to accept. */
export function describeEndorser(p: Provenance, joinedAt: Date, now = new Date()): string {
	if (p.kind === 'group')
		return `Part of a closely connected group${p.groupSize ? ` of ${p.groupSize} accounts` : ''} (created or acting together): the group's endorsements count as one.`;
	if (p.kind === 'vouched') return 'Vouched for by others this instance trusts.';
	const days = Math.floor((now.getTime() - joinedAt.getTime()) / 86_400_000);
	return days < 90
		? `Independent, but new (joined ${days === 0 ? 'today' : `${days} ${days === 1 ? 'day' : 'days'} ago`}); nobody vouches for them yet.`
		: 'Independent, established account; not yet vouched for by others.';
}

export interface TrustStanding {
	band: TrustBand;
	/** Names of endorsers who carry trust themselves, best first (never a private member's). */
	carriedBy: string[];
}

/** A person's trust band as of the last trust run; 'none' before any run. */
export async function trustBandOf(db: Executor, userId: number): Promise<TrustBand> {
	const row = await db
		.selectFrom('trust_scores')
		.select('band')
		.where('user_id', '=', userId)
		.executeTakeFirst();
	return row?.band ?? 'none';
}
