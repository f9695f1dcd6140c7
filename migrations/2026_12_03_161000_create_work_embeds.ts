import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

// Videos and posts on work items (issue 14): a link to YouTube, Vimeo, TikTok, Instagram, Bluesky
// or Mastodon, with the title, author and thumbnail a background job reads from the provider.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('work_embeds')
		.addColumn('id', 'serial', (col) => col.primaryKey())
		.addColumn('work_item_id', 'integer', (col) =>
			col.notNull().references('work_items.id').onDelete('cascade')
		)
		.addColumn('user_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('position', 'integer', (col) => col.notNull().defaultTo(0))
		.addColumn('url', 'text', (col) => col.notNull())
		.addColumn('provider', 'text', (col) => col.notNull())
		// The provider's id of the video or post, from which the player's address is built.
		.addColumn('external_id', 'text', (col) => col.notNull())
		// 'pending' until first read, 'ok', 'gone' (deleted or private), 'failed' (unreachable).
		.addColumn('status', 'text', (col) => col.notNull().defaultTo('pending'))
		.addColumn('title', 'text')
		.addColumn('author', 'text')
		// Kept when the post goes away, so the work still shows what it was.
		.addColumn('thumbnail_version', 'text')
		.addColumn('thumbnail_width', 'integer')
		.addColumn('thumbnail_height', 'integer')
		.addColumn('gone_since', 'timestamptz')
		.addColumn('fetched_at', 'timestamptz')
		.addColumn('next_fetch_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema
		.createIndex('work_embeds_work_item_idx')
		.on('work_embeds')
		.columns(['work_item_id', 'position'])
		.execute();
	await db.schema
		.createIndex('work_embeds_due_idx')
		.on('work_embeds')
		.column('next_fetch_at')
		.execute();
	await db.schema.createIndex('work_embeds_user_idx').on('work_embeds').column('user_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('work_embeds').execute();
}
