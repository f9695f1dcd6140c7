// How the seed writes: rows of a batch, table by table, through COPY on PostgreSQL (two
// connections, so that the server fills both cores) or one set-based INSERT per table on PGlite;
// and, on a fresh large load, the indexes and constraints that are built once afterwards.
import { once } from 'node:events';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db, Executor } from '#lib/server/db/connect.js';

type ColumnType = 'int' | 'text' | 'boolean' | 'date' | 'timestamptz' | 'text[]';

export interface TableSpec {
	table: string;
	columns: [name: string, type: ColumnType][];
	/** Ids are given, not drawn from the identity column. */
	explicitId?: boolean;
}

/** One batch's rows of one table, column by column. */
export class Rows {
	readonly spec: TableSpec;
	readonly values: unknown[][];
	count = 0;

	constructor(spec: TableSpec) {
		this.spec = spec;
		this.values = spec.columns.map(() => []);
	}

	push(...row: unknown[]): void {
		for (let i = 0; i < row.length; i++) this.values[i].push(row[i]);
		this.count++;
	}
}

export interface Writer {
	/** How many batches it writes at once. */
	readonly parallel: number;
	/** Writes the batch's tables in this order, in one transaction. */
	write(tables: Rows[]): Promise<void>;
	close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// PGlite (and any Kysely executor): one INSERT … SELECT FROM unnest(…) per table.

export function insertWriter(db: Db): Writer {
	return {
		parallel: 1,
		write: (tables) =>
			db.transaction().execute(async (trx) => {
				for (const rows of tables) if (rows.count > 0) await insertRows(trx, rows);
			}),
		close: async () => {}
	};
}

async function insertRows(trx: Executor, rows: Rows): Promise<void> {
	const { table, columns, explicitId } = rows.spec;
	// Arrays of arrays would flatten in unnest: an array column travels as its text form.
	const params = columns.map(
		([, type], i) => sql`${rows.values[i]}::${sql.raw(type === 'text[]' ? 'text' : type)}[]`
	);
	const selected = columns.map(([name, type]) =>
		type === 'text[]' ? sql`${sql.id(name)}::text[]` : sql.id(name)
	);
	const names = columns.map(([name]) => sql.id(name));
	await sql`
		insert into ${sql.id(table)} (${sql.join(names)}) ${sql.raw(explicitId ? 'overriding system value' : '')}
		select ${sql.join(selected)} from unnest(${sql.join(params)}) as t(${sql.join(names)})`.execute(
		trx
	);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: COPY … FROM STDIN in text format, on connections of the seed's own.

const COPY_ESCAPES: Record<string, string> = {
	'\\': '\\\\',
	'\t': '\\t',
	'\n': '\\n',
	'\r': '\\r'
};

function copyValue(value: unknown): string {
	if (value === null || value === undefined) return '\\N';
	if (typeof value === 'boolean') return value ? 't' : 'f';
	const text = String(value);
	return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]) : text;
}

function copyText(rows: Rows): string {
	const { values, count } = rows;
	const width = values.length;
	let out = '';
	for (let r = 0; r < count; r++) {
		for (let c = 0; c < width; c++) {
			if (c > 0) out += '\t';
			out += copyValue(values[c][r]);
		}
		out += '\n';
	}
	return out;
}

/**
 * Writes through `connections` connections of its own, each batch in its own transaction. The
 * seed's writes need not wait for the disk at each commit: a crash loses a seed, not a member's
 * data (synchronous_commit is set for these sessions only).
 */
export async function copyWriter(databaseUrl: string, connections = 2): Promise<Writer> {
	const clients = await Promise.all(
		Array.from({ length: connections }, async () => {
			const client = new pg.Client({ connectionString: databaseUrl });
			await client.connect();
			await client.query('set synchronous_commit = off');
			return client;
		})
	);
	const idle = clients.slice();
	const waiting: ((client: pg.Client) => void)[] = [];
	const acquire = () =>
		idle.length > 0
			? Promise.resolve(idle.pop()!)
			: new Promise<pg.Client>((resolve) => waiting.push(resolve));
	const release = (client: pg.Client) => {
		const next = waiting.shift();
		if (next) next(client);
		else idle.push(client);
	};
	return {
		parallel: connections,
		async write(tables) {
			const client = await acquire();
			try {
				await client.query('begin');
				for (const rows of tables) if (rows.count > 0) await copyRows(client, rows);
				await client.query('commit');
			} catch (error) {
				await client.query('rollback').catch(() => {});
				throw error;
			} finally {
				release(client);
			}
		},
		async close() {
			await Promise.all(clients.map((client) => client.end()));
		}
	};
}

async function copyRows(client: pg.Client, rows: Rows): Promise<void> {
	const names = rows.spec.columns.map(([name]) => client.escapeIdentifier(name)).join(', ');
	const stream = client.query(
		copyFrom(`copy ${client.escapeIdentifier(rows.spec.table)} (${names}) from stdin`)
	);
	const done = once(stream, 'finish');
	stream.end(copyText(rows));
	await done;
}

// ---------------------------------------------------------------------------------------------
// A fresh large load: secondary indexes and constraints built once, from the finished tables.

export interface Deferred {
	table: string;
	name: string;
	/** What builds it again, as PostgreSQL itself printed it. */
	build: string;
	/** A unique constraint's index is built first, then becomes the constraint. */
	attach?: string;
	gin: boolean;
	foreignKey: boolean;
	state: 'dropped' | 'building' | 'built' | 'attached';
}

// What a bulk load dropped and has not built again yet, kept in the database itself (dropped with
// it in one transaction): a seed that was stopped meanwhile leaves the list, and the next seed
// builds what it names before anything else, so no index or constraint is ever lost.
const LEDGER = 'seed_pending_indexes';

/**
 * Drops the foreign keys, unique constraints (other than primary keys) and other indexes of
 * `tables`, so that rows go in without an index entry or a key check each; `restoreIndexes` builds
 * them again, checking every row once. Only for a database nobody uses yet: queries would scan
 * meanwhile and nothing holds a key. Primary keys stay: ids are drawn in order, so entries append.
 */
export function dropSecondaryIndexes(db: Db, tables: string[]): Promise<Deferred[]> {
	return db.transaction().execute(async (trx) => {
		const constraints = await sql<{
			table: string;
			name: string;
			definition: string;
			index: string | null;
			type: string;
		}>`
			select c.conrelid::regclass::text as table, c.conname as name, c.contype as type,
				pg_get_constraintdef(c.oid) as definition,
				case when c.contype = 'u' then pg_get_indexdef(c.conindid) end as index
			from pg_constraint c
			where c.conrelid = any(${tables}::regclass[]) and c.contype in ('f', 'u')
			order by c.contype, c.conname`.execute(trx);
		const indexes = await sql<{ table: string; name: string; definition: string }>`
			select tablename as table, indexname as name, indexdef as definition from pg_indexes i
			where schemaname = current_schema() and tablename = any(${tables}::text[])
				and not exists (select 1 from pg_constraint c
					where c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)
			order by indexname`.execute(trx);
		const deferred: Deferred[] = [
			...constraints.rows.map((c) => ({
				table: c.table,
				name: c.name,
				build:
					c.index ??
					`alter table ${quote(c.table)} add constraint ${quote(c.name)} ${c.definition}`,
				attach: c.index
					? `alter table ${quote(c.table)} add constraint ${quote(c.name)} unique using index ${quote(c.name)}`
					: undefined,
				gin: false,
				foreignKey: c.type === 'f',
				state: 'dropped' as const
			})),
			...indexes.rows.map((i) => ({
				table: i.table,
				name: i.name,
				build: i.definition,
				gin: / using gin /i.test(i.definition),
				foreignKey: false,
				state: 'dropped' as const
			}))
		];
		await sql`
			create table if not exists ${sql.id(LEDGER)} (name text primary key, table_name text not null,
				build text not null, attach text, gin boolean not null, foreign_key boolean not null)`.execute(trx);
		for (const d of deferred) {
			await sql`
				insert into ${sql.id(LEDGER)} (name, table_name, build, attach, gin, foreign_key)
				values (${d.name}, ${d.table}, ${d.build}, ${d.attach ?? null}, ${d.gin}, ${d.foreignKey})`.execute(
				trx
			);
		}
		// Foreign keys first (sorted so by contype): a unique constraint can be what one references.
		for (const d of deferred) {
			await (
				d.foreignKey || d.attach
					? sql`alter table ${sql.id(d.table)} drop constraint ${sql.id(d.name)}`
					: sql`drop index ${sql.id(d.name)}`
			).execute(trx);
		}
		return deferred;
	});
}

/** What an earlier bulk load dropped and did not build again (it was stopped), if anything. */
export async function pendingIndexes(db: Db): Promise<Deferred[]> {
	const ledger = await sql<{ found: boolean }>`
		select to_regclass(${LEDGER}) is not null as found`.execute(db);
	if (!ledger.rows[0].found) return [];
	const rows = await sql<{
		name: string;
		table: string;
		build: string;
		attach: string | null;
		gin: boolean;
		foreign_key: boolean;
		index_exists: boolean;
		constraint_exists: boolean;
	}>`
		select l.name, l.table_name as table, l.build, l.attach, l.gin, l.foreign_key,
			to_regclass(quote_ident(l.name)) is not null as index_exists,
			exists (select 1 from pg_constraint c
				where c.conname = l.name and c.conrelid = to_regclass(l.table_name)) as constraint_exists
		from ${sql.id(LEDGER)} l order by l.foreign_key, l.name`.execute(db);
	const done = rows.rows.filter(
		(row) => row.constraint_exists || (!row.attach && !row.foreign_key && row.index_exists)
	);
	for (const row of done) {
		await sql`delete from ${sql.id(LEDGER)} where name = ${row.name}`.execute(db);
	}
	return rows.rows
		.filter((row) => !done.includes(row))
		.map((row) => ({
			table: row.table,
			name: row.name,
			build: row.build,
			attach: row.attach ?? undefined,
			gin: row.gin,
			foreignKey: row.foreign_key,
			state: row.index_exists ? ('built' as const) : ('dropped' as const)
		}));
}

/** Forgets the list once everything on it is built again. */
export async function closeLedger(db: Db): Promise<void> {
	const ledger = await sql<{ found: boolean }>`
		select to_regclass(${LEDGER}) is not null as found`.execute(db);
	if (!ledger.rows[0].found) return;
	const left = await sql<{ n: number }>`select count(*)::int as n from ${sql.id(LEDGER)}`.execute(
		db
	);
	if (left.rows[0].n === 0) await sql`drop table ${sql.id(LEDGER)}`.execute(db);
}

function quote(name: string): string {
	return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Builds the ones of `deferred` not built yet, `lanes` at a time, each with room to sort in memory;
 * with `attach`, also makes unique indexes constraints again (which waits for every other build
 * on their table: it locks the table whole, for a moment).
 */
export async function restoreIndexes(
	db: Db,
	deferred: Deferred[],
	memory: string,
	{ lanes = 2, attach = true } = {}
): Promise<void> {
	const tasks = deferred
		.filter((d) => d.state === 'dropped')
		.map((d) => async () => {
			d.state = 'building';
			try {
				await db.transaction().execute(async (trx) => {
					// A foreign key is checked by one join of the whole tables: room for its hash too.
					await sql`select set_config('maintenance_work_mem', ${memory}, true),
						set_config('work_mem', ${memory}, true)`.execute(trx);
					await sql.raw(d.build).execute(trx);
					if (!d.attach) await forget(trx, d);
				});
				d.state = d.attach ? 'built' : 'attached';
			} catch (error) {
				d.state = 'dropped';
				throw error;
			}
		});
	await inParallel(tasks, lanes);
	if (!attach) return;
	for (const d of deferred) {
		if (d.state !== 'built') continue;
		await db.transaction().execute(async (trx) => {
			await sql.raw(d.attach!).execute(trx);
			await forget(trx, d);
		});
		d.state = 'attached';
	}
}

async function forget(trx: Executor, d: Deferred): Promise<void> {
	await sql`delete from ${sql.id(LEDGER)} where name = ${d.name}`.execute(trx);
}

/**
 * `vacuum analyze` of this schema's tables but `except`, `lanes` at a time, the largest first: the
 * visibility maps that index-only scans need, and statistics for the planner. Each table's vacuum
 * is one process's work, so a single `vacuum analyze` of everything left a core idle.
 */
export async function vacuumTables(
	db: Db,
	{ except = [], lanes = 2 }: { except?: string[]; lanes?: number } = {}
): Promise<void> {
	const tables = await sql<{ name: string }>`
		select c.relname as name from pg_class c
		where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'
			and c.relname <> all(${[...except, LEDGER]}::text[])
		order by pg_total_relation_size(c.oid) desc, c.relname`.execute(db);
	await inParallel(
		tables.rows.map((table) => () => sql`vacuum analyze ${sql.id(table.name)}`.execute(db)),
		lanes
	);
}

/** Runs `tasks` two at a time: both cores busy on the server, or the server and Node at once. */
export function inPairs(tasks: (() => Promise<unknown>)[]): Promise<void> {
	return inParallel(tasks, 2);
}

async function inParallel(tasks: (() => Promise<unknown>)[], lanes: number): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < tasks.length) await tasks[next++]();
	};
	await Promise.all(Array.from({ length: lanes }, worker));
}
