import { sql } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import type { FieldErrors } from '#lib/server/platform/forms.js';
import { sendMail } from '#lib/server/platform/mail.js';
import { containsLink, isNewAccount, type Newcomer } from '#lib/server/newcomers.js';
import { refreshSearchDocuments } from '#lib/server/search/projection.js';
import {
	checkRateLimit,
	DUPLICATE_SIMILARITY,
	evidenceOf,
	isGeneric,
	type EndorsementInput
} from '#lib/server/endorsements/rules.js';

export type SubmitResult =
	| { ok: true; id: number; flags: string[]; edited: boolean }
	| { ok: false; status: 400 | 403 | 404 | 429; errors: FieldErrors };

export interface Endorser extends Newcomer {
	id: number;
	emailVerified: boolean;
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

	return withTransaction<SubmitResult>(db, async (trx) => {
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
				ok: false,
				status: 404,
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
		if (Object.keys(errors).length) return { ok: false, status: 400, errors };

		const limited = await checkRateLimit(trx, endorser, now);
		if (limited) return { ok: false, status: 429, errors: { form: limited } };

		const flags: string[] = [];
		// Near-identical texts: this endorser's to other people and, for praise naming nothing of
		// the person (copy-pasted flattery), anyone else's to anyone; the trigram index finds those
		// candidates (`%`).
		const generic = isGeneric(input.body, evidence);
		const similar = await trx
			.selectFrom('endorsements')
			.select('id')
			.where((eb) =>
				eb.or([
					eb.and([eb('endorser_id', '=', endorser.id), eb('subject_id', '!=', subjectId)]),
					eb.and([
						eb('endorser_id', '!=', endorser.id),
						eb(sql<string>`body`, '%' as never, input.body),
						eb.lit(generic)
					])
				])
			)
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
		if (generic) flags.push('generic');

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
			userId: endorser.id,
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
		return { ok: true, id, flags, edited: !!existing };
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
