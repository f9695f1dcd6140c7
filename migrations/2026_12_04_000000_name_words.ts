import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one instead.

// The distinct words of listed profiles' names, each with how many listed profiles' names hold
// it (issue 11). A misspelled name is matched against these few words by trigrams, and the
// profiles holding the close ones are then found by their exact words: before, every profile
// whose name shared trigrams with the query (hundreds at 100,000 profiles) had its whole name
// compared by word similarity, the dearest part of a typo search.
//
// Triggers on profile_search keep the counts, whatever writes the search rows (the projection,
// a cascade from a deleted account, the seed), one statement at a time from its transition
// tables; a word no listed name holds any more is deleted in the same transaction, so a deleted
// or hidden member's name does not stay behind.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('name_words')
		.addColumn('word', 'text', (col) => col.primaryKey())
		.addColumn('holders', 'integer', (col) => col.notNull())
		.execute();
	await sql`create index name_words_word_trgm_idx on name_words using gin (word gin_trgm_ops)`.execute(
		db
	);
	// The words of a name as a search can be given them: letters and digits, lowercased, 2 to 40.
	await sql`
		create function name_words_of(name text) returns setof text
		language sql immutable parallel safe as $$
			select distinct w from regexp_split_to_table(lower(name), '[^[:alnum:]]+') w
			where length(w) between 2 and 40
		$$`.execute(db);
	// Counts added (+1 per listed row holding a word after the statement, -1 per one before),
	// applied in the words' order, so that concurrent writers take the rows' locks in one order.
	await sql`
		create function name_words_count() returns trigger language plpgsql as $$
		declare
			words text[];
			deltas int[];
		begin
			if tg_op = 'INSERT' then
				select array_agg(w order by w), array_agg(n order by w) into words, deltas from (
					select w, count(*)::int as n from new_rows r cross join name_words_of(r.name_text) w
					where r.listed group by w) counted;
			elsif tg_op = 'DELETE' then
				select array_agg(w order by w), array_agg(-n order by w) into words, deltas from (
					select w, count(*)::int as n from old_rows r cross join name_words_of(r.name_text) w
					where r.listed group by w) counted;
			else
				-- Only rows whose listed name changed: a trust run rewrites every score, no name.
				-- Set operations (hashed) find them; transition tables have no statistics to join by.
				select array_agg(w order by w), array_agg(d order by w) into words, deltas from (
					select w, sum(d)::int as d from (
						select w, 1 as d from (
							select user_id, name_text from new_rows where listed
							except select user_id, name_text from old_rows where listed) r
						cross join name_words_of(r.name_text) w
						union all
						select w, -1 from (
							select user_id, name_text from old_rows where listed
							except select user_id, name_text from new_rows where listed) r
						cross join name_words_of(r.name_text) w
					) both_sides group by w having sum(d) <> 0) counted;
			end if;
			if words is null then
				return null;
			end if;
			insert into name_words (word, holders)
			select * from unnest(words, deltas) order by 1
			on conflict (word) do update set holders = name_words.holders + excluded.holders;
			if exists (select 1 from unnest(deltas) d where d < 0) then
				delete from name_words where holders <= 0 and word = any(words);
			end if;
			return null;
		end
		$$`.execute(db);
	await sql`
		create trigger profile_search_name_words_insert after insert on profile_search
		referencing new table as new_rows
		for each statement execute function name_words_count()`.execute(db);
	await sql`
		create trigger profile_search_name_words_update after update on profile_search
		referencing old table as old_rows new table as new_rows
		for each statement execute function name_words_count()`.execute(db);
	await sql`
		create trigger profile_search_name_words_delete after delete on profile_search
		referencing old table as old_rows
		for each statement execute function name_words_count()`.execute(db);
	await sql`
		insert into name_words (word, holders)
		select w, count(*)::int from profile_search s cross join name_words_of(s.name_text) w
		where s.listed group by w`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`drop trigger profile_search_name_words_insert on profile_search`.execute(db);
	await sql`drop trigger profile_search_name_words_update on profile_search`.execute(db);
	await sql`drop trigger profile_search_name_words_delete on profile_search`.execute(db);
	await sql`drop function name_words_count()`.execute(db);
	await sql`drop function name_words_of(text)`.execute(db);
	await db.schema.dropTable('name_words').execute();
}
