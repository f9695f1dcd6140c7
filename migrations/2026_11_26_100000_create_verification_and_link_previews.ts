import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

// Proven network presence: each account's back-link check state and a dated history of checks
// (which doubles as the follower-count snapshots), and link previews for work items. The job
// queue itself is pg-boss, which keeps its own tables in the `pgboss` schema.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('network_accounts')
		// unverified: never proven; verified: the last check found the back-link; lapsed: it was
		// proven once and a later check no longer found it.
		.addColumn('verification_status', 'text', (col) =>
			col
				.notNull()
				.defaultTo('unverified')
				.check(sql`verification_status in ('unverified', 'verified', 'lapsed')`)
		)
		.addColumn('verified_at', 'timestamptz')
		.addColumn('lapsed_at', 'timestamptz')
		.addColumn('last_checked_at', 'timestamptz')
		.addColumn('last_check_outcome', 'text')
		.addColumn('last_check_detail', 'text')
		// When the background worker should check next; null when no check is due.
		.addColumn('next_check_at', 'timestamptz')
		// Follower count read from the network itself with the last successful check.
		.addColumn('reach_followers', 'integer')
		.addColumn('reach_checked_at', 'timestamptz')
		.addColumn('reach_source', 'text')
		.execute();
	await db.schema
		.createIndex('network_accounts_next_check_idx')
		.on('network_accounts')
		.column('next_check_at')
		.where(sql.ref('next_check_at'), 'is not', null)
		.execute();

	await db.schema
		.createTable('network_account_checks')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('account_id', 'integer', (col) =>
			col.notNull().references('network_accounts.id').onDelete('cascade')
		)
		.addColumn('checked_at', 'timestamptz', (col) => col.notNull())
		// verified | missing | not_found | unreachable
		.addColumn('outcome', 'text', (col) => col.notNull())
		.addColumn('detail', 'text', (col) => col.notNull().defaultTo(''))
		// The profile address the check looked for, so history stays readable after a handle change.
		.addColumn('profile_url', 'text', (col) => col.notNull())
		.addColumn('followers', 'integer')
		.addColumn('source', 'text')
		.execute();
	await db.schema
		.createIndex('network_account_checks_account_idx')
		.on('network_account_checks')
		.columns(['account_id', 'checked_at desc'])
		.execute();

	await db.schema
		.createTable('link_previews')
		.addColumn('work_item_id', 'integer', (col) =>
			col.primaryKey().references('work_items.id').onDelete('cascade')
		)
		// The link this preview belongs to; a changed work link starts a new preview.
		.addColumn('url', 'text', (col) => col.notNull())
		// pending | ok | failed
		.addColumn('status', 'text', (col) =>
			col
				.notNull()
				.defaultTo('pending')
				.check(sql`status in ('pending', 'ok', 'failed')`)
		)
		.addColumn('title', 'text')
		.addColumn('description', 'text')
		.addColumn('site_name', 'text')
		.addColumn('image', 'bytea')
		.addColumn('image_etag', 'text')
		.addColumn('image_width', 'integer')
		.addColumn('image_height', 'integer')
		.addColumn('fetched_at', 'timestamptz')
		.addColumn('last_ok_at', 'timestamptz')
		// Set when the link first failed to answer after having answered, cleared when it answers.
		.addColumn('failing_since', 'timestamptz')
		.addColumn('last_error', 'text')
		.addColumn('next_fetch_at', 'timestamptz')
		.execute();
	await db.schema
		.createIndex('link_previews_next_fetch_idx')
		.on('link_previews')
		.column('next_fetch_at')
		.where(sql.ref('next_fetch_at'), 'is not', null)
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('link_previews').execute();
	await db.schema.dropTable('network_account_checks').execute();
	await db.schema.dropIndex('network_accounts_next_check_idx').execute();
	await db.schema
		.alterTable('network_accounts')
		.dropColumn('verification_status')
		.dropColumn('verified_at')
		.dropColumn('lapsed_at')
		.dropColumn('last_checked_at')
		.dropColumn('last_check_outcome')
		.dropColumn('last_check_detail')
		.dropColumn('next_check_at')
		.dropColumn('reach_followers')
		.dropColumn('reach_checked_at')
		.dropColumn('reach_source')
		.execute();
}
