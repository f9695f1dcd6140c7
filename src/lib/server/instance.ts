import * as v from 'valibot';
import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import type { RegistrationMode } from '#lib/server/db/schema.js';
import { renderMarkdown } from '#lib/server/platform/markdown.js';
import type { FieldErrors } from '#lib/server/platform/forms.js';
import { recordAudit, type Actor } from '#lib/server/admin/audit.js';

// The instance's own name, description, contact address, rules and registration mode: one row,
// shown on /about, the sign-up page and the report form.

export interface InstanceSettings {
	name: string;
	description: string;
	contactEmail: string;
	rulesMd: string;
	/** The rules rendered and sanitised: safe to insert into a page as is. */
	rulesHtml: string;
	registration: RegistrationMode;
}

export const REGISTRATION_MODES: Record<RegistrationMode, string> = {
	open: 'Open: anyone can sign up',
	approval: 'Approval: people say why they are joining and an admin approves them',
	closed: 'Closed: only people with an invite link can sign up'
};

export async function getInstanceSettings(db: Executor): Promise<InstanceSettings> {
	const row = await db
		.selectFrom('instance_settings')
		.selectAll()
		.where('id', '=', 1)
		.executeTakeFirstOrThrow();
	return {
		name: row.name,
		description: row.description,
		contactEmail: row.contact_email,
		rulesMd: row.rules_md,
		rulesHtml: row.rules_md ? renderMarkdown(row.rules_md) : '',
		registration: row.registration
	};
}

export const settingsSchema = v.object({
	name: v.pipe(
		v.string(),
		v.trim(),
		v.nonEmpty('Give the instance a name.'),
		v.maxLength(80, 'Use at most 80 characters.')
	),
	description: v.pipe(v.string(), v.trim(), v.maxLength(500, 'Use at most 500 characters.')),
	contactEmail: v.pipe(
		v.string(),
		v.trim(),
		v.maxLength(254, 'Use at most 254 characters.'),
		v.check(
			(value) => value === '' || v.is(v.pipe(v.string(), v.email()), value),
			'Enter an email address like admin@example.com, or leave it empty.'
		)
	),
	rulesMd: v.pipe(v.string(), v.trim(), v.maxLength(20_000, 'Use at most 20,000 characters.'))
});

export type SettingsInput = v.InferOutput<typeof settingsSchema>;

export async function saveInstanceSettings(
	db: Executor,
	actor: Actor,
	input: SettingsInput,
	now = new Date()
): Promise<void> {
	await withTransaction(db, async (trx) => {
		await trx
			.updateTable('instance_settings')
			.set({
				name: input.name,
				description: input.description,
				contact_email: input.contactEmail,
				rules_md: input.rulesMd,
				updated_at: now
			})
			.where('id', '=', 1)
			.execute();
		await recordAudit(
			trx,
			actor,
			{
				action: 'settings.update',
				targetKind: 'settings',
				targetId: null,
				targetLabel: input.name,
				metadata: { rulesLength: input.rulesMd.length }
			},
			now
		);
	});
}

export type ModeResult = { ok: true } | { ok: false; status: 400; errors: FieldErrors };

export async function setRegistrationMode(
	db: Executor,
	actor: Actor,
	mode: string,
	now = new Date()
): Promise<ModeResult> {
	if (!Object.hasOwn(REGISTRATION_MODES, mode))
		return { ok: false, status: 400, errors: { mode: 'Choose open, approval or closed.' } };
	const chosen = mode as RegistrationMode;
	await withTransaction(db, async (trx) => {
		const before = await trx
			.selectFrom('instance_settings')
			.select('registration')
			.where('id', '=', 1)
			.forUpdate()
			.executeTakeFirstOrThrow();
		await trx
			.updateTable('instance_settings')
			.set({ registration: chosen, updated_at: now })
			.where('id', '=', 1)
			.execute();
		await recordAudit(
			trx,
			actor,
			{
				action: 'registration.mode',
				targetKind: 'settings',
				targetId: null,
				targetLabel: chosen,
				metadata: { from: before.registration, to: chosen }
			},
			now
		);
	});
	return { ok: true };
}
