import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

// The listed profiles' rank index also carries the columns that filters without words test, and
// the listed name (issue 15). A search such as "open to work in Kampala" walks the ranks and
// tests each entry in the index alone, then reads the page's 21 rows: at a million profiles,
// reading the rows of every profile in Kampala (7,300, most on a page of their own) to sort them
// took 45–55 ms; walking the index took 4–11 ms. A misspelled surname finds the best-ranked
// holders of the names spelled like it the same way (query.ts). Same name, same key: every plan
// that used the index still can.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('profile_search_listed_rank_idx').execute();
	await sql`
		create index profile_search_listed_rank_idx on profile_search (evidence_rank desc, user_id desc)
		include (availability, accepted_endorsements, work_count, location, name_text)
		where listed = true`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('profile_search_listed_rank_idx').execute();
	await db.schema
		.createIndex('profile_search_listed_rank_idx')
		.on('profile_search')
		.columns(['evidence_rank desc', 'user_id desc'])
		.where(sql.ref('listed'), '=', true)
		.execute();
}
