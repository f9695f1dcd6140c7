import { sql } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';
import { LEFT_OUT, SECTIONS } from '#lib/server/data-export/sections.js';

// Which tables of the live schema hold a member's data, read from its foreign keys, so that a
// table added later is caught without anyone remembering to list it.

interface ForeignKey {
	table_name: string;
	column_name: string;
	referenced_table: string;
}

const MEMBER_TABLES = new Set(['users', 'profiles']);

/**
 * Every user key (`table.column` referencing users or profiles) and every table that hangs off a
 * table with one (`table`, e.g. a work item's skills), in the current schema.
 */
export async function memberDataKeys(db: Executor): Promise<string[]> {
	const { rows } = await sql<ForeignKey>`
		select rel.relname as table_name, att.attname as column_name, ref.relname as referenced_table
		from pg_constraint con
		join pg_class rel on rel.oid = con.conrelid
		join pg_class ref on ref.oid = con.confrelid
		join pg_attribute att on att.attrelid = con.conrelid and att.attnum = any (con.conkey)
		where con.contype = 'f' and rel.relnamespace = current_schema()::regnamespace
		order by 1, 2`.execute(db);
	const keys = new Set<string>();
	const owned = new Set<string>();
	for (const fk of rows) {
		if (MEMBER_TABLES.has(fk.referenced_table) && fk.table_name !== fk.referenced_table) {
			keys.add(`${fk.table_name}.${fk.column_name}`);
			owned.add(fk.table_name);
		}
	}
	// Children of owned tables, to any depth: their rows belong to whoever owns the parent.
	let grew = true;
	while (grew) {
		grew = false;
		for (const fk of rows) {
			if (owned.has(fk.referenced_table) && !owned.has(fk.table_name)) {
				if (MEMBER_TABLES.has(fk.table_name)) continue;
				owned.add(fk.table_name);
				keys.add(fk.table_name);
				grew = true;
			}
		}
	}
	return [...keys].sort();
}

/** Whether the exporter reads `key`, or leaves it out on purpose: `t.c` is covered by `t` too. */
function isAccountedFor(key: string, accounted: Set<string>): boolean {
	return accounted.has(key) || accounted.has(key.split('.')[0]);
}

/** User keys and owned tables that neither a section reads nor LEFT_OUT explains. */
export async function missingFromExport(
	db: Executor,
	sections = SECTIONS,
	leftOut = LEFT_OUT
): Promise<string[]> {
	const accounted = new Set([...sections.flatMap((s) => s.covers), ...Object.keys(leftOut)]);
	return (await memberDataKeys(db)).filter((key) => !isAccountedFor(key, accounted));
}
