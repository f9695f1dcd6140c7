import * as v from 'valibot';
import type { Executor } from '#lib/server/db/connect.js';
import { DAY_MS } from '#lib/server/platform/time.js';
import { optionalText } from '#lib/server/platform/forms.js';
import { containsWord, isNewAccount, type Newcomer } from '#lib/server/newcomers.js';

// What an endorsement must say, what flags it, and how many one person may send.

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
export const LIMITS = {
	newAccountSpacingMs: 30_000,
	newAccountPerDay: 5,
	establishedPerDay: 30
} as const;
export const DUPLICATE_SIMILARITY = 0.8;
export const REPORTS_TO_HIDE = 3;

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

/** The subject's skills and work, which an endorsement may cite and should mention. */
export async function evidenceOf(db: Executor, subjectId: number) {
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

/**
 * A hint, not a verdict: true when the text shows nothing of the person's work. It names none of
 * their skills or work and gives no figure ("grew our IG from 4k to 19k" is specific however terse).
 * The organisation typed beside the text proves nothing: a sender who wants the flag off would type
 * a word of their own text there, so it is not read.
 */
export function isGeneric(
	body: string,
	evidence: { skills: { name: string }[]; work: { title: string }[] }
): boolean {
	const text = body.toLowerCase();
	// A figure (followers, months, per cent, money) is what copy-paste praise never carries.
	if (/\p{N}/u.test(text)) return false;
	const phrases = [...evidence.skills.map((s) => s.name), ...evidence.work.map((w) => w.title)].map(
		(p) => p.toLowerCase().trim()
	);
	// Whole words only: a skill like "PR" must not be found inside "surprised".
	if (phrases.some((p) => p.length >= 2 && containsWord(text, p))) return false;
	// Distinctive words of work titles count too ("the Starfall launch" for "Launch of Starfall Discord").
	const words = evidence.work
		.flatMap((w) => w.title.toLowerCase().split(/[^\p{L}\p{N}]+/u))
		.filter((word) => word.length >= 5 && !STOPWORDS.has(word));
	return !words.some((word) => containsWord(text, word));
}

/** Why the endorser may not send another one now, or null when they may. */
export async function checkRateLimit(
	db: Executor,
	endorser: Newcomer & { id: number },
	now: Date
): Promise<string | null> {
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
