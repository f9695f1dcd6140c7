import { sql } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';
import type { EndorsementStatus } from '#lib/server/db/schema.js';
import { avatarUrl } from '#lib/server/avatar-url.js';
import { RELATIONSHIPS, type Relationship } from '#lib/server/endorsements/rules.js';
import { provenanceOf, type Provenance } from '#lib/server/endorsements/provenance.js';

export interface EndorsementView {
	id: number;
	relationship: Relationship;
	relationshipLabel: string;
	organisation: string | null;
	period: string | null;
	body: string;
	status: EndorsementStatus;
	flags: string[];
	createdAt: Date;
	updatedAt: Date;
	work: { id: number; title: string; slug: string } | null;
	skills: { id: number; name: string }[];
	endorser: {
		id: number;
		handle: string;
		name: string;
		headline: string | null;
		avatar: string;
		joinedAt: Date;
		acceptedReceived: number;
		/** Network accounts the endorser has proven to be their own by a back-link. */
		verifiedAccounts: number;
		/** Their profile is private: no public page may show who they are. */
		private: boolean;
	};
	mutual: boolean;
	reports: number;
	/** Where it comes from, as the last trust run judged the endorser. */
	provenance: Provenance;
}

// What a public page says of an endorser whose profile is private.
export const PRIVATE_ENDORSER = 'A private member';

/**
 * An endorser as public pages show them. A private profile answers 404 to everyone but its owner,
 * so its owner is shown without name, link, headline, picture or standing (their own endorsements
 * and accounts); their endorsement still counts as evidence for the person they endorsed.
 */
export type PublicEndorser =
	| { private: true; name: string }
	| {
			private: false;
			handle: string;
			name: string;
			headline: string | null;
			avatar: string;
			acceptedReceived: number;
			verifiedAccounts: number;
	  };

export interface PublicEndorsementView extends Omit<
	EndorsementView,
	'endorser' | 'flags' | 'reports' | 'status' | 'updatedAt'
> {
	endorser: PublicEndorser;
}

/** Endorsements of a person with everything the inbox or the profile shows about each. */
async function listEndorsementsOf(
	db: Executor,
	subjectId: number,
	statuses: EndorsementStatus[],
	options: { withoutCopies?: boolean } = {}
): Promise<EndorsementView[]> {
	if (statuses.length === 0) return [];
	const rows = await db
		.selectFrom('endorsements as e')
		.innerJoin('users as u', 'u.id', 'e.endorser_id')
		.innerJoin('profiles as p', 'p.user_id', 'e.endorser_id')
		.leftJoin('avatars as a', 'a.user_id', 'e.endorser_id')
		.leftJoin('work_items as w', 'w.id', 'e.work_item_id')
		.leftJoin('trust_scores as ts', 'ts.user_id', 'e.endorser_id')
		.leftJoin('trust_clusters as tc', 'tc.id', 'ts.cluster_id')
		// What a suspended account wrote is not shown anywhere while it is suspended.
		.where('u.status', '=', 'active')
		.select((eb) => [
			'e.id',
			'e.relationship',
			'e.organisation',
			'e.period',
			'e.body',
			'e.status',
			'e.flags',
			'e.created_at',
			'e.updated_at',
			'e.endorser_id',
			'u.handle',
			'u.created_at as joined_at',
			'p.display_name',
			'p.headline',
			'p.visibility',
			'a.etag',
			'w.id as work_id',
			'w.title as work_title',
			'w.slug as work_slug',
			'ts.band as endorser_band',
			'ts.cluster_id as endorser_cluster',
			'tc.size as cluster_size',
			eb
				.selectFrom('endorsements as r')
				.select((x) => x.fn.countAll<string | number>().as('n'))
				.whereRef('r.subject_id', '=', 'e.endorser_id')
				.where('r.status', '=', 'accepted')
				.as('accepted_received'),
			eb
				.selectFrom('network_accounts as na')
				.select((x) => x.fn.countAll<string | number>().as('n'))
				.whereRef('na.user_id', '=', 'e.endorser_id')
				.where('na.verification_status', '=', 'verified')
				.as('verified_accounts'),
			eb
				.exists(
					eb
						.selectFrom('endorsements as back')
						.select('back.id')
						.whereRef('back.endorser_id', '=', 'e.subject_id')
						.whereRef('back.subject_id', '=', 'e.endorser_id')
						.where('back.status', '=', 'accepted')
				)
				.as('mutual'),
			eb
				.selectFrom('endorsement_reports as rep')
				.select((x) => x.fn.countAll<string | number>().as('n'))
				.whereRef('rep.endorsement_id', '=', 'e.id')
				.as('reports')
		])
		.where('e.subject_id', '=', subjectId)
		.where('e.status', 'in', statuses)
		.$if(!!options.withoutCopies, (qb) => qb.where(sql<boolean>`not ('duplicate' = any(e.flags))`))
		.orderBy('e.updated_at', 'desc')
		.execute();
	const ids = rows.map((r) => r.id);
	const skills = ids.length
		? await db
				.selectFrom('endorsement_skills as es')
				.innerJoin('skills as s', 's.id', 'es.skill_id')
				.select(['es.endorsement_id', 's.id', 's.name'])
				.where('es.endorsement_id', 'in', ids)
				.orderBy('s.name')
				.execute()
		: [];
	return rows.map((r) => ({
		id: r.id,
		relationship: r.relationship as Relationship,
		relationshipLabel: RELATIONSHIPS[r.relationship as Relationship] ?? r.relationship,
		organisation: r.organisation,
		period: r.period,
		body: r.body,
		status: r.status,
		flags: r.flags,
		createdAt: r.created_at,
		updatedAt: r.updated_at,
		work:
			r.work_id !== null && r.work_title !== null && r.work_slug !== null
				? { id: r.work_id, title: r.work_title, slug: r.work_slug }
				: null,
		skills: skills
			.filter((s) => s.endorsement_id === r.id)
			.map((s) => ({ id: s.id, name: s.name })),
		endorser: {
			id: r.endorser_id,
			handle: r.handle,
			name: r.display_name ?? r.handle,
			headline: r.headline,
			avatar: avatarUrl(r.endorser_id, r.etag, 'small'),
			joinedAt: r.joined_at,
			acceptedReceived: Number(r.accepted_received ?? 0),
			verifiedAccounts: Number(r.verified_accounts ?? 0),
			private: r.visibility === 'private'
		},
		mutual: Boolean(r.mutual),
		reports: Number(r.reports ?? 0),
		provenance: provenanceOf(r.endorser_band, r.endorser_cluster, r.cluster_size)
	}));
}

/**
 * What a visitor may see: accepted endorsements only, never pending or hidden ones, never a text
 * copied across endorsers or people (owners accept flattery; copies prove nothing), and nothing
 * of an endorser whose profile is private (not even that the two endorsed each other).
 */
export async function listPublicEndorsements(
	db: Executor,
	subjectId: number
): Promise<PublicEndorsementView[]> {
	const views = await listEndorsementsOf(db, subjectId, ['accepted'], { withoutCopies: true });
	return views.map(({ endorser, flags: _f, reports: _r, status: _s, updatedAt: _u, ...e }) =>
		endorser.private
			? { ...e, mutual: false, endorser: { private: true, name: PRIVATE_ENDORSER } }
			: {
					...e,
					endorser: {
						private: false,
						handle: endorser.handle,
						name: endorser.name,
						headline: endorser.headline,
						avatar: endorser.avatar,
						acceptedReceived: endorser.acceptedReceived,
						verifiedAccounts: endorser.verifiedAccounts
					}
				}
	);
}

export async function listInbox(db: Executor, ownerId: number): Promise<EndorsementView[]> {
	return listEndorsementsOf(db, ownerId, ['pending', 'accepted', 'hidden']);
}

export async function countPending(db: Executor, ownerId: number): Promise<number> {
	const { n } = await db
		.selectFrom('endorsements')
		.select((eb) => eb.fn.countAll<string | number>().as('n'))
		.where('subject_id', '=', ownerId)
		.where('status', '=', 'pending')
		.executeTakeFirstOrThrow();
	return Number(n);
}

/** The endorser's own endorsement of the subject, to edit or withdraw. */
export async function findOwnEndorsement(db: Executor, endorserId: number, subjectId: number) {
	const row = await db
		.selectFrom('endorsements')
		.selectAll()
		.where('endorser_id', '=', endorserId)
		.where('subject_id', '=', subjectId)
		.executeTakeFirst();
	if (!row) return undefined;
	const skills = await db
		.selectFrom('endorsement_skills')
		.select('skill_id')
		.where('endorsement_id', '=', row.id)
		.execute();
	return { ...row, skillIds: skills.map((s) => s.skill_id) };
}

export async function listGiven(db: Executor, endorserId: number) {
	return db
		.selectFrom('endorsements as e')
		.innerJoin('users as u', 'u.id', 'e.subject_id')
		.innerJoin('profiles as p', 'p.user_id', 'e.subject_id')
		.select(['e.id', 'e.status', 'e.updated_at', 'u.handle', 'p.display_name'])
		.where('e.endorser_id', '=', endorserId)
		.orderBy('e.updated_at', 'desc')
		.execute();
}
