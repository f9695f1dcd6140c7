import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

export async function up(db: Kysely<any>): Promise<void> {
	// "Download my data": a request lets one download start within minutes; one download a day.
	await db.schema
		.createTable('data_exports')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('user_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('requested_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.addColumn('downloaded_at', 'timestamptz')
		.execute();
	await db.schema
		.createIndex('data_exports_user_id_idx')
		.on('data_exports')
		.columns(['user_id', 'requested_at'])
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('data_exports').execute();
}
