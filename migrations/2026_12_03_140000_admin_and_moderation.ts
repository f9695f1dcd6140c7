import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

// Running an instance (issue 13): admins, account states, reports, instance settings and
// registration (modes, invites), and an append-only audit log of every admin action.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('users')
		// Only `npm run admin -- grant` makes an admin; sign-ups are always members.
		.addColumn('role', 'text', (col) =>
			col
				.notNull()
				.defaultTo('member')
				.check(sql`role in ('member', 'admin')`)
		)
		// pending: signed up while registration needs approval; suspended: by an admin, data kept.
		.addColumn('status', 'text', (col) =>
			col
				.notNull()
				.defaultTo('active')
				.check(sql`status in ('active', 'pending', 'suspended')`)
		)
		// Limited accounts keep working but stay out of search and the sitemap.
		.addColumn('limited_at', 'timestamptz')
		// What a sign-up in approval mode said when asked "why are you joining?".
		.addColumn('join_reason', 'text')
		.execute();

	await db.schema
		.createTable('reports')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('reporter_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('target_kind', 'text', (col) =>
			col.notNull().check(sql`target_kind in ('profile', 'endorsement', 'message')`)
		)
		// The profile's user id, the endorsement's id or the message's id.
		.addColumn('target_id', 'integer', (col) => col.notNull())
		// The account the reported thing belongs to; null once that account is deleted.
		.addColumn('account_id', 'integer', (col) => col.references('users.id').onDelete('set null'))
		.addColumn('category', 'text', (col) =>
			col.notNull().check(sql`category in ('spam', 'rules', 'other')`)
		)
		.addColumn('comment', 'text', (col) => col.notNull().defaultTo(''))
		// What the reporter saw, kept even when the thing is edited or deleted.
		.addColumn('snapshot', 'jsonb', (col) => col.notNull())
		.addColumn('status', 'text', (col) =>
			col
				.notNull()
				.defaultTo('open')
				.check(sql`status in ('open', 'resolved')`)
		)
		.addColumn('resolution', 'text')
		.addColumn('resolved_by', 'integer', (col) => col.references('users.id').onDelete('set null'))
		.addColumn('resolved_at', 'timestamptz')
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema
		.createIndex('reports_status_created_idx')
		.on('reports')
		.columns(['status', 'created_at desc'])
		.execute();
	await db.schema.createIndex('reports_account_idx').on('reports').column('account_id').execute();
	await db.schema.createIndex('reports_reporter_idx').on('reports').column('reporter_id').execute();

	// One row, made here, so a fresh instance starts open with sensible defaults.
	await db.schema
		.createTable('instance_settings')
		.addColumn('id', 'integer', (col) =>
			col
				.primaryKey()
				.defaultTo(1)
				.check(sql`id = 1`)
		)
		.addColumn('name', 'text', (col) => col.notNull())
		.addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
		.addColumn('contact_email', 'text', (col) => col.notNull().defaultTo(''))
		.addColumn('rules_md', 'text', (col) => col.notNull().defaultTo(''))
		.addColumn('registration', 'text', (col) =>
			col
				.notNull()
				.defaultTo('open')
				.check(sql`registration in ('open', 'approval', 'closed')`)
		)
		.addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.execute();
	await sql`insert into instance_settings (id, name) values (1, 'Proofwork')`.execute(db);

	await db.schema
		.createTable('invites')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('code', 'text', (col) => col.notNull().unique())
		.addColumn('note', 'text', (col) => col.notNull().defaultTo(''))
		.addColumn('max_uses', 'integer', (col) => col.notNull().check(sql`max_uses > 0`))
		.addColumn('uses', 'integer', (col) => col.notNull().defaultTo(0))
		.addColumn('expires_at', 'timestamptz')
		.addColumn('revoked_at', 'timestamptz')
		.addColumn('created_by', 'integer', (col) => col.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema
		.alterTable('users')
		.addColumn('invite_id', 'integer', (col) => col.references('invites.id').onDelete('set null'))
		.execute();

	// A message an admin hid: kept for the record, shown to nobody.
	await db.schema
		.alterTable('conversation_messages')
		.addColumn('hidden_at', 'timestamptz')
		.execute();

	// Who did what. No foreign keys (a deleted admin or account keeps its history), and a trigger
	// refuses every UPDATE and DELETE: rows are only ever added.
	await db.schema
		.createTable('audit_log')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		// Null for the command line.
		.addColumn('actor_id', 'integer')
		.addColumn('actor_label', 'text', (col) => col.notNull())
		.addColumn('action', 'text', (col) => col.notNull())
		.addColumn('target_kind', 'text', (col) => col.notNull())
		.addColumn('target_id', 'integer')
		// What the target was called then (a handle, an invite code), readable after it is gone.
		.addColumn('target_label', 'text', (col) => col.notNull().defaultTo(''))
		.addColumn('reason', 'text', (col) => col.notNull().defaultTo(''))
		.addColumn('metadata', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema
		.createIndex('audit_log_created_idx')
		.on('audit_log')
		.column('created_at desc')
		.execute();
	await db.schema
		.createIndex('audit_log_target_idx')
		.on('audit_log')
		.columns(['target_kind', 'target_id'])
		.execute();
	await db.schema.createIndex('audit_log_actor_idx').on('audit_log').column('actor_id').execute();
	await sql`
		create function audit_log_append_only() returns trigger language plpgsql as $$
		begin
			raise exception 'audit_log is append-only';
		end
		$$`.execute(db);
	await sql`
		create trigger audit_log_append_only before update or delete on audit_log
		for each row execute function audit_log_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('audit_log').execute();
	await sql`drop function audit_log_append_only()`.execute(db);
	await db.schema.alterTable('conversation_messages').dropColumn('hidden_at').execute();
	await db.schema.alterTable('users').dropColumn('invite_id').execute();
	await db.schema.dropTable('invites').execute();
	await db.schema.dropTable('instance_settings').execute();
	await db.schema.dropTable('reports').execute();
	await db.schema
		.alterTable('users')
		.dropColumn('role')
		.dropColumn('status')
		.dropColumn('limited_at')
		.dropColumn('join_reason')
		.execute();
}
