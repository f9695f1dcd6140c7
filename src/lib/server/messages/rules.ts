import * as v from 'valibot';
import type { Executor } from '#lib/server/db/connect.js';
import type { FieldErrors } from '#lib/server/platform/forms.js';

// What a message must look like and how many one person may send.

export const SUBJECT_MAX = 120;
export const BODY_MAX = 2000;
export const LIMITS = {
	newAccountPerDay: 3,
	establishedPerDay: 20,
	// Per person and conversation: the one contacted can decline, the one who wrote first cannot.
	repliesPerDay: 20
} as const;

// PostgreSQL refuses NUL in text, and no control character but line breaks and tabs belongs in a message.
const CONTROL = /[^\P{Cc}\n\t]/gu;

const messageBody = (empty: string) =>
	v.pipe(
		v.string(),
		v.transform((value) => value.replace(/\r\n?/g, '\n').replace(CONTROL, '').trim()),
		v.nonEmpty(empty),
		v.maxLength(BODY_MAX, `Use at most ${BODY_MAX.toLocaleString('en')} characters.`)
	);

export const contactSchema = v.object({
	// One line: it becomes the subject of an email too.
	subject: v.pipe(
		v.string(),
		v.transform((value) =>
			value
				.replace(/\p{Cc}/gu, ' ')
				.replace(/\s+/g, ' ')
				.trim()
		),
		v.nonEmpty('Give your message a subject.'),
		v.maxLength(SUBJECT_MAX, `Use at most ${SUBJECT_MAX} characters.`)
	),
	body: messageBody('Write your message.')
});
export type ContactInput = v.InferOutput<typeof contactSchema>;

export const replySchema = v.object({ body: messageBody('Write your reply.') });

export interface Author {
	id: number;
	createdAt: Date;
	emailVerified: boolean;
}

export type Failure = { ok: false; status: 400 | 403 | 404 | 409 | 429; errors: FieldErrors };

export const NO_LINKS =
	'Accounts younger than 7 days cannot put links in messages. Remove the link.';
export const UNVERIFIED = 'Verify your email address before sending messages.';

export async function skillNamesOf(db: Executor, userId: number): Promise<string[]> {
	const rows = await db
		.selectFrom('profile_skills')
		.innerJoin('skills', 'skills.id', 'profile_skills.skill_id')
		.select('skills.name')
		.where('profile_skills.user_id', '=', userId)
		.execute();
	return rows.map((r) => r.name);
}

export async function personOf(db: Executor, userId: number) {
	const row = await db
		.selectFrom('users')
		.innerJoin('profiles', 'profiles.user_id', 'users.id')
		.select(['users.handle', 'users.email', 'profiles.display_name'])
		.where('users.id', '=', userId)
		.executeTakeFirstOrThrow();
	return { handle: row.handle, email: row.email, name: row.display_name ?? row.handle };
}
