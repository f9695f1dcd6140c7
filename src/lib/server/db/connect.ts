import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PGliteDialect, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from '#lib/server/db/schema.js';
import { logger } from '#lib/server/platform/log.js';

export type Db = Kysely<Database>;
/** A database handle or an open transaction: what every domain function takes first. */
export type Executor = Kysely<Database> | Transaction<Database>;

export interface ConnectOptions {
	/** PostgreSQL connection string; when absent the embedded PGlite engine is used. */
	databaseUrl?: string;
	/** PGlite data directory; 'memory://' keeps it in memory (tests). */
	pgliteDir?: string;
}

export function engineOf(options: ConnectOptions): 'postgres' | 'pglite' {
	return options.databaseUrl ? 'postgres' : 'pglite';
}

export function createDatabase(options: ConnectOptions): Db {
	if (options.databaseUrl) {
		const pool = new pg.Pool({
			connectionString: options.databaseUrl,
			max: 10,
			// A server that is down or unreachable fails the request (503) instead of holding it.
			connectionTimeoutMillis: 5_000,
			keepAlive: true
		});
		// An idle connection the server ends (restart, failover, a dropped test database) must not
		// crash the process: the pool replaces it on the next query.
		pool.on('error', (error) => logger.warn({ err: error }, 'idle PostgreSQL connection closed'));
		// The pool only listens while a connection is idle. One held by a transaction between two
		// queries when the server goes (57P01 on restart) would otherwise emit an unhandled 'error'
		// and end the process; its next query fails instead, and the pool discards it on release.
		pool.on('connect', (client) =>
			client.on('error', (error) =>
				logger.warn({ err: error }, 'PostgreSQL connection lost while in use')
			)
		);
		return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
	}
	const dir = options.pgliteDir ?? './data/pglite';
	let instance: Promise<PGlite> | undefined;
	const open = () =>
		(instance ??= (async () => {
			if (!dir.startsWith('memory://')) {
				// PGlite creates the data directory itself but not its parents.
				fs.mkdirSync(path.dirname(path.resolve(dir)), { recursive: true });
			}
			return openPglite(dir);
		})());
	const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite: open }) });
	embedded.set(db, open);
	return db;
}

/** The embedded engine as the app runs it; `loadDataDir` fills a new directory from a dump. */
export async function openPglite(dir: string, options: { loadDataDir?: Blob } = {}) {
	const pglite = new PGlite(dir, {
		extensions: { pg_trgm },
		// PostgreSQL's default 128 MB of shared buffers would live in this process's WASM heap;
		// the OS file cache holds the pages anyway.
		startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'],
		...options
	});
	await pglite.waitReady;
	return pglite;
}

/** A Kysely over an open PGlite instance; its destroy() closes the instance. */
export function databaseOn(pglite: PGlite): Db {
	return new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
}

// The job queue (pg-boss) talks to PGlite directly; PGlite serialises its queries with Kysely's
// transactions, so both can share the one embedded instance.
const embedded = new WeakMap<Db, () => Promise<PGlite>>();

/** The embedded PGlite instance behind a database created here, or undefined for PostgreSQL. */
export function embeddedInstance(db: Db): Promise<PGlite> | undefined {
	return embedded.get(db)?.();
}

/** Runs `fn` in the caller's transaction when there is one, otherwise in a new one. */
export async function withTransaction<T>(
	db: Executor,
	fn: (trx: Transaction<Database>) => Promise<T>
): Promise<T> {
	if (db.isTransaction) return fn(db as Transaction<Database>);
	// Two writers taking the same rows in opposite order (a conversation and the rate-limit bucket
	// of a send, say) deadlock; PostgreSQL rolls one back whole, so it is safe to run it again.
	for (let attempt = 1; ; attempt++) {
		try {
			return await (db as Kysely<Database>).transaction().execute(fn);
		} catch (error) {
			const code = (error as { code?: unknown } | null)?.code;
			if (attempt >= RETRIES || (code !== '40P01' && code !== '40001')) throw error;
			await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
		}
	}
}

/** Runs of a transaction PostgreSQL rolled back for a deadlock or serialization failure. */
const RETRIES = 3;
