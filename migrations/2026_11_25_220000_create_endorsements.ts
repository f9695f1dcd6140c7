import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('endorsements')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('endorser_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('subject_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('relationship', 'text', (col) => col.notNull())
		.addColumn('organisation', 'text')
		.addColumn('period', 'text')
		.addColumn('work_item_id', 'integer', (col) =>
			col.references('work_items.id').onDelete('set null')
		)
		.addColumn('body', 'text', (col) => col.notNull())
		.addColumn('status', 'text', (col) => col.notNull().defaultTo('pending'))
		// Why the heuristics held it: 'generic', 'duplicate', 'reported'. Shown to the owner only.
		.addColumn('flags', sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'::text[]`))
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.addColumn('decided_at', 'timestamptz')
		.addUniqueConstraint('endorsements_endorser_subject_key', ['endorser_id', 'subject_id'])
		.addCheckConstraint('endorsements_not_self', sql`endorser_id <> subject_id`)
		.addCheckConstraint('endorsements_status', sql`status in ('pending', 'accepted', 'hidden')`)
		.addCheckConstraint(
			'endorsements_relationship',
			sql`relationship in ('worked_together', 'managed_them', 'client', 'managed_by_them', 'collaborated', 'follows_work')`
		)
		.execute();
	await db.schema
		.createIndex('endorsements_subject_status_idx')
		.on('endorsements')
		.columns(['subject_id', 'status'])
		.execute();
	await db.schema
		.createIndex('endorsements_body_trgm_idx')
		.on('endorsements')
		.using('gin')
		.expression(sql`body gin_trgm_ops`)
		.execute();

	await db.schema
		.createTable('endorsement_skills')
		.addColumn('endorsement_id', 'integer', (col) =>
			col.notNull().references('endorsements.id').onDelete('cascade')
		)
		.addColumn('skill_id', 'integer', (col) =>
			col.notNull().references('skills.id').onDelete('cascade')
		)
		.addPrimaryKeyConstraint('endorsement_skills_pkey', ['endorsement_id', 'skill_id'])
		.execute();

	await db.schema
		.createTable('endorsement_reports')
		.addColumn('endorsement_id', 'integer', (col) =>
			col.notNull().references('endorsements.id').onDelete('cascade')
		)
		.addColumn('reporter_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('reason', 'text', (col) => col.notNull())
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('endorsement_reports_pkey', ['endorsement_id', 'reporter_id'])
		.execute();

	// Every submission (new or edited), for the per-endorser rate limits.
	await db.schema
		.createTable('endorsement_submissions')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('endorser_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('created_at', 'timestamptz', (col) => col.notNull())
		.execute();
	await db.schema
		.createIndex('endorsement_submissions_endorser_idx')
		.on('endorsement_submissions')
		.columns(['endorser_id', 'created_at'])
		.execute();

	await db.schema
		.createTable('endorsement_requests')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('owner_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('work_item_id', 'integer', (col) =>
			col.notNull().references('work_items.id').onDelete('cascade')
		)
		.addColumn('invitee', 'text')
		.addColumn('token', 'text', (col) => col.notNull().unique())
		.addColumn('status', 'text', (col) => col.notNull().defaultTo('open'))
		.addColumn('endorsement_id', 'integer', (col) =>
			col.references('endorsements.id').onDelete('set null')
		)
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.addCheckConstraint(
			'endorsement_requests_status',
			sql`status in ('open', 'answered', 'revoked')`
		)
		.execute();
	await db.schema
		.createIndex('endorsement_requests_owner_idx')
		.on('endorsement_requests')
		.column('owner_id')
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of [
		'endorsement_requests',
		'endorsement_submissions',
		'endorsement_reports',
		'endorsement_skills',
		'endorsements'
	]) {
		await db.schema.dropTable(table).execute();
	}
}
