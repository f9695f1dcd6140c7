import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('profiles')
		.addColumn('user_id', 'integer', (col) =>
			col.primaryKey().references('users.id').onDelete('cascade')
		)
		.addColumn('display_name', 'text')
		.addColumn('headline', 'text')
		.addColumn('bio_md', 'text', (col) => col.notNull().defaultTo(''))
		.addColumn('location', 'text')
		.addColumn('availability', 'text', (col) => col.notNull().defaultTo('not_looking'))
		.addColumn('visibility', 'text', (col) => col.notNull().defaultTo('public'))
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.addCheckConstraint(
			'profiles_availability',
			sql`availability in ('open_to_work', 'open_to_freelance', 'not_looking')`
		)
		.addCheckConstraint('profiles_visibility', sql`visibility in ('public', 'unlisted', 'private')`)
		.execute();
	// Every existing account gets its (empty) profile.
	await sql`insert into profiles (user_id) select id from users`.execute(db);

	await db.schema
		.createTable('avatars')
		.addColumn('user_id', 'integer', (col) =>
			col.primaryKey().references('users.id').onDelete('cascade')
		)
		.addColumn('large', 'bytea', (col) => col.notNull())
		.addColumn('small', 'bytea', (col) => col.notNull())
		.addColumn('etag', 'text', (col) => col.notNull())
		.addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.execute();

	await db.schema
		.createTable('skills')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('name', 'text', (col) => col.notNull())
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema
		.createIndex('skills_name_lower_key')
		.on('skills')
		.unique()
		.expression(sql`lower(name)`)
		.execute();

	await db.schema
		.createTable('profile_skills')
		.addColumn('user_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('skill_id', 'integer', (col) =>
			col.notNull().references('skills.id').onDelete('cascade')
		)
		.addColumn('position', 'integer', (col) => col.notNull())
		.addPrimaryKeyConstraint('profile_skills_pkey', ['user_id', 'skill_id'])
		.execute();
	await db.schema
		.createIndex('profile_skills_skill_id_idx')
		.on('profile_skills')
		.column('skill_id')
		.execute();

	await db.schema
		.createTable('work_items')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('user_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('title', 'text', (col) => col.notNull())
		.addColumn('url', 'text')
		.addColumn('role', 'text', (col) => col.notNull().defaultTo(''))
		.addColumn('outcome', 'text', (col) => col.notNull().defaultTo(''))
		// 'YYYY-MM' or 'YYYY-MM-DD': when the work shipped, as precisely as the person knows it.
		.addColumn('happened_on', 'text')
		.addColumn('slug', 'text', (col) => col.notNull())
		.addColumn('case_study_md', 'text', (col) => col.notNull().defaultTo(''))
		.addColumn('pinned', 'boolean', (col) => col.notNull().defaultTo(false))
		.addColumn('position', 'integer', (col) => col.notNull().defaultTo(0))
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.addUniqueConstraint('work_items_user_slug_key', ['user_id', 'slug'])
		.addCheckConstraint(
			'work_items_happened_on_format',
			sql`happened_on is null or happened_on ~ '^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$'`
		)
		.execute();

	await db.schema
		.createTable('work_item_skills')
		.addColumn('work_item_id', 'integer', (col) =>
			col.notNull().references('work_items.id').onDelete('cascade')
		)
		.addColumn('skill_id', 'integer', (col) =>
			col.notNull().references('skills.id').onDelete('cascade')
		)
		.addPrimaryKeyConstraint('work_item_skills_pkey', ['work_item_id', 'skill_id'])
		.execute();

	await db.schema
		.createTable('network_accounts')
		.addColumn('id', 'integer', (col) => col.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('user_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('network', 'text', (col) => col.notNull())
		.addColumn('identifier', 'text', (col) => col.notNull())
		.addColumn('url', 'text', (col) => col.notNull())
		.addColumn('followers', 'integer')
		.addColumn('followers_reported_at', 'timestamptz')
		.addColumn('position', 'integer', (col) => col.notNull().defaultTo(0))
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.addUniqueConstraint('network_accounts_user_url_key', ['user_id', 'url'])
		.addCheckConstraint('network_accounts_followers', sql`followers is null or followers >= 0`)
		.execute();

	// A changed handle keeps redirecting, and no one else may take it for 90 days.
	await db.schema
		.createTable('handle_history')
		.addColumn('handle', 'text', (col) => col.primaryKey())
		.addColumn('user_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('released_at', 'timestamptz', (col) => col.notNull())
		.execute();

	await db.schema
		.createTable('profile_views')
		.addColumn('user_id', 'integer', (col) =>
			col.notNull().references('users.id').onDelete('cascade')
		)
		.addColumn('day', 'date', (col) => col.notNull())
		.addColumn('views', 'integer', (col) => col.notNull())
		.addPrimaryKeyConstraint('profile_views_pkey', ['user_id', 'day'])
		.execute();

	// The share image, rendered once per profile version.
	await db.schema
		.createTable('og_images')
		.addColumn('user_id', 'integer', (col) =>
			col.primaryKey().references('users.id').onDelete('cascade')
		)
		.addColumn('version', 'text', (col) => col.notNull())
		.addColumn('png', 'bytea', (col) => col.notNull())
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of [
		'og_images',
		'profile_views',
		'handle_history',
		'network_accounts',
		'work_item_skills',
		'work_items',
		'profile_skills',
		'skills',
		'avatars',
		'profiles'
	]) {
		await db.schema.dropTable(table).execute();
	}
}
