import { sql } from 'kysely';
import * as v from 'valibot';
import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import type { EndorsementStatus } from '#lib/server/db/schema.js';
import { avatarUrl } from '#lib/server/avatars.js';
import { generateSecureRandomString } from '#lib/server/auth/random.js';
import type { FieldErrors } from '#lib/server/forms.js';
import { sendMail } from '#lib/server/mail.js';
import { refreshSearchDocuments } from '#lib/server/search.js';

export const RELATIONSHIPS = {
	worked_together: 'Worked together',
	managed_them: 'Managed them',
	client: 'Client',
	managed_by_them: 'Was managed by them',
	collaborated: 'Collaborated',
	follows_work: 'Follow their work'
} as const;
export type Relationship = keyof typeof RELATIONSHIPS;

export const BODY_MIN = 40;
export const BODY_MAX = 1000;
export const NEW_ACCOUNT_MS = 7 * 24 * 60 * 60 * 1000;
export const LIMITS = {
	newAccountSpacingMs: 30_000,
	newAccountPerDay: 5,
	establishedPerDay: 30
} as const;
export const DUPLICATE_SIMILARITY = 0.8;
export const REPORTS_TO_HIDE = 3;

const DAY_MS = 24 * 60 * 60 * 1000;
// Anything a reader could follow: a scheme, www., or a bare domain with a common suffix.
const LINK_PATTERN =
	/(https?:\/\/|www\.|\b[a-z0-9-]+\.(com|net|org|io|co|ly|me|info|biz|xyz|app|dev|shop|store|site|online|ru|cn|top|link|click)\b)/i;

const optionalText = (max: number, label: string) =>
	v.pipe(
		v.string(),
		v.trim(),
		v.maxLength(max, `${label}: use at most ${max} characters.`),
		v.transform((value) => (value === '' ? null : value))
	);

export const endorsementSchema = v.object({
	relationship: v.picklist(
		Object.keys(RELATIONSHIPS) as Relationship[],
		'Say how you know this person.'
	),
	organisation: optionalText(120, 'Organisation'),
	period: optionalText(60, 'When'),
	workItemId: v.pipe(
		v.string(),
		v.trim(),
		v.check(
			(value) => value === '' || /^\d{1,9}$/.test(value),
			'Choose a piece of work from the list.'
		),
		v.transform((value) => (value === '' ? null : Number(value)))
	),
	body: v.pipe(
		v.string(),
		v.trim(),
		v.minLength(BODY_MIN, `Write at least ${BODY_MIN} characters: say what you saw them do.`),
		v.maxLength(BODY_MAX, `Use at most ${BODY_MAX.toLocaleString('en')} characters.`)
	)
});
export type EndorsementInput = v.InferOutput<typeof endorsementSchema>;

export const reportSchema = v.object({
	reason: v.pipe(
		v.string(),
		v.trim(),
		v.nonEmpty('Say briefly what is wrong with it.'),
		v.maxLength(300, 'Use at most 300 characters.')
	)
});

export type SubmitResult =
	| { ok: true; id: number; flags: string[]; edited: boolean }
	| { ok: false; status: 400 | 403 | 404 | 429; errors: FieldErrors };

export interface Endorser {
	id: number;
	createdAt: Date;
	emailVerified: boolean;
}

function isNewAccount(endorser: Endorser, now: Date): boolean {
	return now.getTime() - endorser.createdAt.getTime() < NEW_ACCOUNT_MS;
}

/** The subject's skills and work, which an endorsement may cite and should mention. */
async function evidenceOf(db: Executor, subjectId: number) {
	const [skills, work] = await Promise.all([
		db
			.selectFrom('profile_skills')
			.innerJoin('skills', 'skills.id', 'profile_skills.skill_id')
			.select(['skills.id', 'skills.name'])
			.where('profile_skills.user_id', '=', subjectId)
			.execute(),
		db.selectFrom('work_items').select(['id', 'title']).where('user_id', '=', subjectId).execute()
	]);
	return { skills, work };
}

const STOPWORDS = new Set([
	'about',
	'after',
	'their',
	'there',
	'these',
	'which',
	'where',
	'while',
	'with',
	'from',
	'into',
	'your'
]);

/** True when the text names none of the person's skills, work or the organisation given. */
export function isGeneric(
	body: string,
	evidence: { skills: { name: string }[]; work: { title: string }[] },
	organisation: string | null
): boolean {
	const text = body.toLowerCase();
	const phrases = [
		...evidence.skills.map((s) => s.name),
		...evidence.work.map((w) => w.title),
		...(organisation ? [organisation] : [])
	].map((p) => p.toLowerCase().trim());
	// Whole words only: a skill like "PR" must not be found inside "surprised".
	if (phrases.some((p) => p.length >= 2 && containsWord(text, p))) return false;
	// Distinctive words of work titles count too ("the Starfall launch" for "Launch of Starfall Discord").
	const words = evidence.work
		.flatMap((w) => w.title.toLowerCase().split(/[^\p{L}\p{N}]+/u))
		.filter((word) => word.length >= 5 && !STOPWORDS.has(word));
	return !words.some((word) => containsWord(text, word));
}

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function containsWord(text: string, phrase: string): boolean {
	return new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(phrase)}($|[^\\p{L}\\p{N}])`, 'u').test(
		text
	);
}

/** Whether a text holds something a reader could follow, the person's own skill names ("ASP.NET") aside. */
export function containsLink(text: string, skillNames: string[]): boolean {
	let rest = text;
	for (const name of skillNames) rest = rest.replace(new RegExp(escapeRegExp(name), 'gi'), ' ');
	return LINK_PATTERN.test(rest);
}

async function checkRateLimit(db: Executor, endorser: Endorser, now: Date): Promise<string | null> {
	const since = (ms: number) =>
		db
			.selectFrom('endorsement_submissions')
			.select((eb) => eb.fn.countAll<string | number>().as('n'))
			.where('endorser_id', '=', endorser.id)
			.where('created_at', '>', new Date(now.getTime() - ms))
			.executeTakeFirstOrThrow()
			.then((r) => Number(r.n));
	if (isNewAccount(endorser, now)) {
		if ((await since(LIMITS.newAccountSpacingMs)) >= 1)
			return 'New accounts can send one endorsement every 30 seconds. Wait a moment and send it again.';
		if ((await since(DAY_MS)) >= LIMITS.newAccountPerDay)
			return `New accounts can send ${LIMITS.newAccountPerDay} endorsements a day. Try again tomorrow.`;
	} else if ((await since(DAY_MS)) >= LIMITS.establishedPerDay) {
		return `You can send ${LIMITS.establishedPerDay} endorsements a day. Try again tomorrow.`;
	}
	return null;
}

export interface SubmitInput {
	endorser: Endorser;
	subjectId: number;
	input: EndorsementInput;
	skillIds: number[];
	requestToken?: string | null;
	origin?: string;
	now?: Date;
}

/**
 * Leaves or replaces the endorser's endorsement of the subject. It always arrives pending; the
 * owner decides. Heuristics only add flags for the owner to see; nothing is dropped silently.
 */
export async function submitEndorsement(db: Executor, args: SubmitInput): Promise<SubmitResult> {
	const now = args.now ?? new Date();
	const { endorser, subjectId, input } = args;
	if (!endorser.emailVerified)
		return {
			ok: false,
			status: 403,
			errors: { form: 'Verify your email address before endorsing anyone.' }
		};
	if (endorser.id === subjectId)
		return { ok: false, status: 400, errors: { form: 'You cannot endorse yourself.' } };

	return withTransaction(db, async (trx) => {
		// One submission at a time per endorser, so concurrent requests cannot slip past the limits.
		await trx.selectFrom('users').select('id').where('id', '=', endorser.id).forUpdate().execute();
		const subject = await trx
			.selectFrom('users')
			.innerJoin('profiles', 'profiles.user_id', 'users.id')
			.select(['users.id', 'users.handle', 'users.email', 'profiles.visibility'])
			.where('users.id', '=', subjectId)
			.executeTakeFirst();
		if (!subject || subject.visibility === 'private')
			return {
				ok: false as const,
				status: 404 as const,
				errors: { form: 'This profile cannot be endorsed.' }
			};

		const evidence = await evidenceOf(trx, subjectId);
		const errors: FieldErrors = {};
		const skillIds = [...new Set(args.skillIds)];
		if (skillIds.some((id) => !evidence.skills.some((s) => s.id === id)))
			errors.skills = 'Choose skills from this person’s profile.';
		if (input.workItemId !== null && !evidence.work.some((w) => w.id === input.workItemId))
			errors.workItemId = 'Choose a piece of work from this person’s profile.';
		if (skillIds.length === 0 && input.workItemId === null)
			errors.skills = 'Pick at least one skill or a piece of work that you vouch for.';
		if (isNewAccount(endorser, now)) {
			const names = evidence.skills.map((s) => s.name);
			const noLinks =
				'Accounts younger than 7 days cannot put links in endorsements. Remove the link.';
			if (containsLink(input.body, names)) errors.body = noLinks;
			if (input.organisation && containsLink(input.organisation, names))
				errors.organisation = noLinks;
			if (input.period && containsLink(input.period, names)) errors.period = noLinks;
		}
		if (Object.keys(errors).length) return { ok: false as const, status: 400 as const, errors };

		const limited = await checkRateLimit(trx, endorser, now);
		if (limited) return { ok: false as const, status: 429 as const, errors: { form: limited } };

		const flags: string[] = [];
		const similar = await trx
			.selectFrom('endorsements')
			.select('id')
			.where('endorser_id', '=', endorser.id)
			.where('subject_id', '!=', subjectId)
			.where(sql<number>`similarity(body, ${input.body})`, '>=', DUPLICATE_SIMILARITY)
			.execute();
		if (similar.length) {
			flags.push('duplicate');
			await trx
				.updateTable('endorsements')
				.set({ flags: sql`array_append(flags, 'duplicate')` })
				.where(
					'id',
					'in',
					similar.map((s) => s.id)
				)
				.where(sql<boolean>`not ('duplicate' = any(flags))`)
				.execute();
		}
		if (isGeneric(input.body, evidence, input.organisation)) flags.push('generic');

		const existing = await trx
			.selectFrom('endorsements')
			.select(['id', 'flags'])
			.where('endorser_id', '=', endorser.id)
			.where('subject_id', '=', subjectId)
			.executeTakeFirst();
		// Editing does not wash away reports: the owner still sees that it was reported.
		if (existing?.flags.includes('reported')) flags.push('reported');
		const values = {
			relationship: input.relationship,
			organisation: input.organisation,
			period: input.period,
			work_item_id: input.workItemId,
			body: input.body,
			status: 'pending' as const,
			flags,
			updated_at: now,
			decided_at: null
		};
		let id: number;
		if (existing) {
			// An edit goes back to the owner for approval.
			await trx.updateTable('endorsements').set(values).where('id', '=', existing.id).execute();
			await trx
				.deleteFrom('endorsement_skills')
				.where('endorsement_id', '=', existing.id)
				.execute();
			id = existing.id;
		} else {
			const row = await trx
				.insertInto('endorsements')
				.values({ ...values, endorser_id: endorser.id, subject_id: subjectId, created_at: now })
				.returning('id')
				.executeTakeFirstOrThrow();
			id = row.id;
		}
		if (skillIds.length) {
			await trx
				.insertInto('endorsement_skills')
				.values(skillIds.map((skillId) => ({ endorsement_id: id, skill_id: skillId })))
				.execute();
		}
		await trx
			.insertInto('endorsement_submissions')
			.values({ endorser_id: endorser.id, created_at: now })
			.execute();
		if (args.requestToken) {
			await trx
				.updateTable('endorsement_requests')
				.set({ status: 'answered', endorsement_id: id })
				.where('token', '=', args.requestToken)
				.where('owner_id', '=', subjectId)
				.where('status', '=', 'open')
				.execute();
		}
		const from = await trx
			.selectFrom('users')
			.select('handle')
			.where('id', '=', endorser.id)
			.executeTakeFirstOrThrow();
		await sendMail(trx, {
			to: subject.email,
			subject: `@${from.handle} ${existing ? 'edited their' : 'sent you an'} endorsement`,
			text: [
				`Hello @${subject.handle},`,
				'',
				`@${from.handle} ${existing ? 'edited the endorsement they left you' : 'endorsed you'} on Proofwork. It stays off your profile until you accept it:`,
				`${args.origin ?? ''}/dashboard/endorsements`
			].join('\n')
		});
		// An edit of an accepted endorsement takes it off the profile until it is accepted again.
		if (existing) await refreshSearchDocuments(trx, [subjectId]);
		return { ok: true as const, id, flags, edited: !!existing };
	});
}

/** The endorser takes theirs back; it disappears everywhere at once. */
export async function withdrawEndorsement(
	db: Executor,
	endorserId: number,
	subjectId: number
): Promise<boolean> {
	return withTransaction(db, async (trx) => {
		const row = await trx
			.deleteFrom('endorsements')
			.where('endorser_id', '=', endorserId)
			.where('subject_id', '=', subjectId)
			.returning('id')
			.executeTakeFirst();
		if (row) await refreshSearchDocuments(trx, [subjectId]);
		return !!row;
	});
}

export type Decision = 'accept' | 'hide' | 'show';

/**
 * The owner's decision on an endorsement of them. A single conditional UPDATE, so a decision racing
 * a withdrawal either lands on the row or finds it gone; never both.
 */
export async function decideEndorsement(
	db: Executor,
	ownerId: number,
	id: number,
	decision: Decision,
	now = new Date()
): Promise<boolean> {
	const status: EndorsementStatus = decision === 'hide' ? 'hidden' : 'accepted';
	return withTransaction(db, async (trx) => {
		const row = await trx
			.updateTable('endorsements')
			.set({ status, decided_at: now })
			.where('id', '=', id)
			.where('subject_id', '=', ownerId)
			.returning('id')
			.executeTakeFirst();
		// Showing it is the owner's review of any reports: later reports start counting afresh.
		if (row && status === 'accepted') {
			await trx.deleteFrom('endorsement_reports').where('endorsement_id', '=', id).execute();
		}
		if (row) await refreshSearchDocuments(trx, [ownerId]);
		return !!row;
	});
}

/**
 * Records a report. The owner's report hides the endorsement at once; reports from three different
 * people hide it until the owner reviews it. The endorser cannot report their own.
 */
export async function reportEndorsement(
	db: Executor,
	reporterId: number,
	id: number,
	reason: string,
	now = new Date()
): Promise<{ ok: true; hidden: boolean } | { ok: false; status: 400 | 404; error: string }> {
	return withTransaction(db, async (trx) => {
		const endorsement = await trx
			.selectFrom('endorsements')
			.select(['id', 'subject_id', 'endorser_id', 'status'])
			.where('id', '=', id)
			.forUpdate()
			.executeTakeFirst();
		const isOwner = endorsement?.subject_id === reporterId;
		// Others can only see, and so only report, accepted endorsements.
		if (!endorsement || (!isOwner && endorsement.status !== 'accepted'))
			return {
				ok: false as const,
				status: 404 as const,
				error: 'That endorsement is not shown anywhere.'
			};
		if (endorsement.endorser_id === reporterId)
			return {
				ok: false as const,
				status: 400 as const,
				error: 'You cannot report your own endorsement; withdraw it instead.'
			};
		await trx
			.insertInto('endorsement_reports')
			.values({ endorsement_id: id, reporter_id: reporterId, reason, created_at: now })
			.onConflict((oc) => oc.columns(['endorsement_id', 'reporter_id']).doUpdateSet({ reason }))
			.execute();
		const { n } = await trx
			.selectFrom('endorsement_reports')
			.select((eb) => eb.fn.count<string | number>('reporter_id').distinct().as('n'))
			.where('endorsement_id', '=', id)
			.executeTakeFirstOrThrow();
		const hide = isOwner || Number(n) >= REPORTS_TO_HIDE;
		if (hide) {
			await trx
				.updateTable('endorsements')
				.set({
					status: 'hidden',
					decided_at: now,
					flags: sql`case when 'reported' = any(flags) then flags else array_append(flags, 'reported') end`
				})
				.where('id', '=', id)
				.execute();
			await refreshSearchDocuments(trx, [endorsement.subject_id]);
		}
		return { ok: true as const, hidden: hide };
	});
}

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
	};
	mutual: boolean;
	reports: number;
}

/** Endorsements of a person with everything the inbox or the profile shows about each. */
async function listEndorsementsOf(
	db: Executor,
	subjectId: number,
	statuses: EndorsementStatus[]
): Promise<EndorsementView[]> {
	if (statuses.length === 0) return [];
	const rows = await db
		.selectFrom('endorsements as e')
		.innerJoin('users as u', 'u.id', 'e.endorser_id')
		.innerJoin('profiles as p', 'p.user_id', 'e.endorser_id')
		.leftJoin('avatars as a', 'a.user_id', 'e.endorser_id')
		.leftJoin('work_items as w', 'w.id', 'e.work_item_id')
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
			'a.etag',
			'w.id as work_id',
			'w.title as work_title',
			'w.slug as work_slug',
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
			verifiedAccounts: Number(r.verified_accounts ?? 0)
		},
		mutual: Boolean(r.mutual),
		reports: Number(r.reports ?? 0)
	}));
}

/** What a visitor may see: accepted endorsements only, never pending or hidden ones. */
export async function listPublicEndorsements(
	db: Executor,
	subjectId: number
): Promise<EndorsementView[]> {
	return listEndorsementsOf(db, subjectId, ['accepted']);
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

// Requests: a link a practitioner sends to a client or colleague to ask for an endorsement.

export const requestSchema = v.object({
	workItemId: v.pipe(
		v.string(),
		v.regex(/^\d{1,9}$/, 'Choose the piece of work to be endorsed for.'),
		v.transform(Number)
	),
	invitee: optionalText(120, 'Who you are asking')
});

export async function createRequest(
	db: Executor,
	ownerId: number,
	workItemId: number,
	invitee: string | null
): Promise<{ ok: true; token: string } | { ok: false; error: string }> {
	const work = await db
		.selectFrom('work_items')
		.select('id')
		.where('id', '=', workItemId)
		.where('user_id', '=', ownerId)
		.executeTakeFirst();
	if (!work) return { ok: false, error: 'Choose a piece of work from your profile.' };
	const token = generateSecureRandomString();
	await db
		.insertInto('endorsement_requests')
		.values({ owner_id: ownerId, work_item_id: workItemId, invitee, token })
		.execute();
	return { ok: true, token };
}

export async function listRequests(db: Executor, ownerId: number) {
	return db
		.selectFrom('endorsement_requests as r')
		.innerJoin('work_items as w', 'w.id', 'r.work_item_id')
		.select(['r.id', 'r.token', 'r.invitee', 'r.status', 'r.created_at', 'w.title as work_title'])
		.where('r.owner_id', '=', ownerId)
		.where('r.status', '!=', 'revoked')
		.orderBy('r.created_at', 'desc')
		.execute();
}

export async function revokeRequest(db: Executor, ownerId: number, id: number): Promise<boolean> {
	const row = await db
		.updateTable('endorsement_requests')
		.set({ status: 'revoked' })
		.where('id', '=', id)
		.where('owner_id', '=', ownerId)
		.returning('id')
		.executeTakeFirst();
	return !!row;
}

/** An open request by its link token, with where it leads. */
export async function findOpenRequest(db: Executor, token: string) {
	if (!/^[a-z2-7]{16,64}$/.test(token)) return undefined;
	return db
		.selectFrom('endorsement_requests as r')
		.innerJoin('users as u', 'u.id', 'r.owner_id')
		.select(['r.id', 'r.owner_id', 'r.work_item_id', 'r.invitee', 'u.handle'])
		.where('r.token', '=', token)
		.where('r.status', '=', 'open')
		.executeTakeFirst();
}
