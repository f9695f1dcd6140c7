import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

export async function up(db: Kysely<any>): Promise<void> {
	// Used by later search and spam checks; created here so both engines have it from the start.
	await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);

	await db.schema
		.createTable('users')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('email', 'text', (col) => col.notNull())
		.addColumn('email_verified_at', 'timestamptz')
		.addColumn('handle', 'text', (col) => col.notNull())
		.addColumn('password_hash', 'text', (col) => col.notNull())
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.addCheckConstraint('users_handle_format', sql`handle ~ '^[a-z0-9_]{3,30}$'`)
		.execute();
	await db.schema
		.createIndex('users_email_lower_key')
		.on('users')
		.unique()
		.expression(sql`lower(email)`)
		.execute();
	await db.schema
		.createIndex('users_handle_lower_key')
		.on('users')
		.unique()
		.expression(sql`lower(handle)`)
		.execute();

	await db.schema
		.createTable('sessions')
		.addColumn('id', 'text', (col) => col.primaryKey())
		.addColumn('user_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('secret_hash', 'bytea', (col) => col.notNull())
		.addColumn('created_at', 'timestamptz', (col) => col.notNull())
		.addColumn('refreshed_at', 'timestamptz', (col) => col.notNull())
		.addColumn('expires_at', 'timestamptz', (col) => col.notNull())
		.execute();
	await db.schema.createIndex('sessions_user_id_idx').on('sessions').column('user_id').execute();

	for (const table of ['email_verification_tokens', 'password_reset_tokens']) {
		await db.schema
			.createTable(table)
			.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
			.addColumn('user_id', 'integer', (col) =>
				col.notNull().references('users.id').onDelete('cascade')
			)
			.addColumn('email', 'text', (col) => col.notNull())
			.addColumn('token_hash', 'text', (col) => col.notNull().unique())
			.addColumn('expires_at', 'timestamptz', (col) => col.notNull())
			.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
			.execute();
		await db.schema.createIndex(`${table}_user_id_idx`).on(table).column('user_id').execute();
	}

	await db.schema
		.createTable('rate_limit_buckets')
		.addColumn('key', 'text', (col) => col.primaryKey())
		.addColumn('tokens', 'double precision', (col) => col.notNull())
		.addColumn('updated_at', 'timestamptz', (col) => col.notNull())
		.execute();

	await db.schema
		.createTable('outbox')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('to_address', 'text', (col) => col.notNull())
		.addColumn('subject', 'text', (col) => col.notNull())
		.addColumn('text_body', 'text', (col) => col.notNull())
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.addColumn('sent_at', 'timestamptz')
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of [
		'outbox',
		'rate_limit_buckets',
		'password_reset_tokens',
		'email_verification_tokens',
		'sessions',
		'users'
	]) {
		await db.schema.dropTable(table).execute();
	}
}
