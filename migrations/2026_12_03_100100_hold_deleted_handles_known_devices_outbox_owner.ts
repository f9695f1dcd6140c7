import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

export async function up(db: Kysely<any>): Promise<void> {
	// A deleted account's handles stay held for 90 days like renamed ones: the row outlives the
	// account (user_id becomes null), so it no longer redirects or proves anything for anyone.
	await sql`alter table handle_history alter column user_id drop not null`.execute(db);
	await sql`alter table handle_history drop constraint handle_history_user_id_fkey`.execute(db);
	await db.schema
		.alterTable('handle_history')
		.addForeignKeyConstraint('handle_history_user_id_fkey', ['user_id'], 'users', ['id'], (fk) =>
			fk.onDelete('set null')
		)
		.execute();

	// Browsers that logged in to an account before: they get in even while strangers have used
	// up the account's attempts. Only a hash of the cookie's random value is stored.
	await db.schema
		.createTable('known_devices')
		.addColumn('user_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('token_hash', 'text', (col) => col.notNull())
		.addColumn('created_at', 'timestamptz', (col) => col.notNull())
		.addColumn('last_used_at', 'timestamptz', (col) => col.notNull())
		.addPrimaryKeyConstraint('known_devices_pkey', ['user_id', 'token_hash'])
		.execute();

	// The account a mail was about goes with it; old mail is pruned by age.
	await db.schema
		.alterTable('outbox')
		.addColumn('user_id', 'integer', (col) => col.references('users.id').onDelete('cascade'))
		.execute();
	await db.schema.createIndex('outbox_user_id_idx').on('outbox').column('user_id').execute();
	await db.schema.createIndex('outbox_created_at_idx').on('outbox').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('outbox_created_at_idx').execute();
	await db.schema.dropIndex('outbox_user_id_idx').execute();
	await db.schema.alterTable('outbox').dropColumn('user_id').execute();
	await db.schema.dropTable('known_devices').execute();
	await sql`delete from handle_history where user_id is null`.execute(db);
	await sql`alter table handle_history drop constraint handle_history_user_id_fkey`.execute(db);
	await db.schema
		.alterTable('handle_history')
		.addForeignKeyConstraint('handle_history_user_id_fkey', ['user_id'], 'users', ['id'], (fk) =>
			fk.onDelete('cascade')
		)
		.execute();
	await sql`alter table handle_history alter column user_id set not null`.execute(db);
}
