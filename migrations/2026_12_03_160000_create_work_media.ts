import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

// Images on work items (issue 14): a cover and a gallery per work item, their re-encoded sizes kept
// by the media store (this database by default, so one backup holds everything).
export async function up(db: Kysely<any>): Promise<void> {
	// The media store's database backend: one row per stored object, addressed by key.
	await db.schema
		.createTable('media_objects')
		.addColumn('key', 'text', (col) => col.primaryKey())
		.addColumn('content_type', 'text', (col) => col.notNull())
		.addColumn('bytes', 'bytea', (col) => col.notNull())
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.execute();

	await db.schema
		.createTable('work_media')
		.addColumn('id', 'serial', (col) => col.primaryKey())
		.addColumn('work_item_id', 'integer', (col) =>
			col.notNull().references('work_items.id').onDelete('cascade')
		)
		.addColumn('user_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		// 'cover' (at most one per work item) or 'gallery' (at most 12, ordered by position).
		.addColumn('role', 'text', (col) => col.notNull().check(sql`role in ('cover', 'gallery')`))
		.addColumn('position', 'integer', (col) => col.notNull().defaultTo(0))
		// Empty until the member describes the image; an image without alt text is not shown publicly.
		.addColumn('alt', 'text', (col) => col.notNull().defaultTo(''))
		.addColumn('width', 'integer', (col) => col.notNull())
		.addColumn('height', 'integer', (col) => col.notNull())
		// Widths of the stored sizes, ascending; each exists as WebP and AVIF.
		.addColumn('widths', sql`integer[]`, (col) => col.notNull())
		// Hash of the re-encoded image: part of every URL, so a URL's bytes never change.
		.addColumn('version', 'text', (col) => col.notNull())
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema
		.createIndex('work_media_work_item_idx')
		.on('work_media')
		.columns(['work_item_id', 'role', 'position'])
		.execute();
	await db.schema
		.createIndex('work_media_one_cover_idx')
		.on('work_media')
		.column('work_item_id')
		.unique()
		.where(sql.ref('role'), '=', 'cover')
		.execute();
	await db.schema.createIndex('work_media_user_idx').on('work_media').column('user_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('work_media').execute();
	await db.schema.dropTable('media_objects').execute();
}
