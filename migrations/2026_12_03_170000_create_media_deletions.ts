import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

// Media kept in an S3-compatible bucket (issue 14) cannot be deleted in a database transaction:
// the key prefixes to delete are written here in the transaction that deletes their rows, and
// removed from the bucket once it has committed (platform/s3-store.ts), so a rolled-back
// deletion never loses an image and a committed one is never forgotten.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('media_deletions')
		.addColumn('id', 'serial', (col) => col.primaryKey())
		.addColumn('prefix', 'text', (col) => col.notNull().check(sql`prefix <> ''`))
		.addColumn('requested_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('media_deletions').execute();
}
