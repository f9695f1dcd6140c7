import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('profiles')
		.addColumn('allow_contact', 'boolean', (col) => col.notNull().defaultTo(true))
		.execute();

	await db.schema
		.createTable('shortlists')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('owner_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('name', 'text', (col) => col.notNull())
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema
		.createIndex('shortlists_owner_name_key')
		.on('shortlists')
		.unique()
		.expression(sql`owner_id, lower(name)`)
		.execute();

	await db.schema
		.createTable('shortlist_entries')
		.addColumn('shortlist_id', 'integer', (col) =>
			col.notNull().references('shortlists.id').onDelete('cascade')
		)
		.addColumn('profile_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('note', 'text', (col) => col.notNull().defaultTo(''))
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('shortlist_entries_pkey', ['shortlist_id', 'profile_id'])
		.execute();

	// A conversation starts with a contact message from `sender` to the practitioner `recipient`.
	await db.schema
		.createTable('conversations')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('sender_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('recipient_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('subject', 'text', (col) => col.notNull())
		.addColumn('status', 'text', (col) => col.notNull().defaultTo('open'))
		.addColumn('created_at', 'timestamptz', (col) => col.notNull())
		.addColumn('updated_at', 'timestamptz', (col) => col.notNull())
		.addCheckConstraint('conversations_status', sql`status in ('open', 'declined')`)
		.addCheckConstraint('conversations_not_self', sql`sender_id <> recipient_id`)
		.execute();
	await db.schema
		.createIndex('conversations_recipient_idx')
		.on('conversations')
		.columns(['recipient_id', 'updated_at'])
		.execute();
	await db.schema
		.createIndex('conversations_sender_idx')
		.on('conversations')
		.columns(['sender_id', 'created_at'])
		.execute();

	await db.schema
		.createTable('conversation_messages')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('conversation_id', 'integer', (col) =>
			col.notNull().references('conversations.id').onDelete('cascade')
		)
		.addColumn('author_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('body', 'text', (col) => col.notNull())
		.addColumn('created_at', 'timestamptz', (col) => col.notNull())
		.execute();
	await db.schema
		.createIndex('conversation_messages_conversation_idx')
		.on('conversation_messages')
		.columns(['conversation_id', 'created_at'])
		.execute();

	// How often a profile appeared in search results, per day, for its owner's dashboard.
	await db.schema
		.createTable('search_appearances')
		.addColumn('user_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('day', 'date', (col) => col.notNull())
		.addColumn('appearances', 'integer', (col) => col.notNull())
		.addPrimaryKeyConstraint('search_appearances_pkey', ['user_id', 'day'])
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of [
		'search_appearances',
		'conversation_messages',
		'conversations',
		'shortlist_entries',
		'shortlists'
	]) {
		await db.schema.dropTable(table).execute();
	}
	await db.schema.alterTable('profiles').dropColumn('allow_contact').execute();
}
