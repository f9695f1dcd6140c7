// What load balancers and the request hooks need to know about the database: is it reachable,
// is its schema current, and was an error only the database being away (a 503, not a 500).
import fs from 'node:fs/promises';
import { sql } from 'kysely';
import type { Db } from '#lib/server/db/connect.js';
import { MIGRATIONS_DIR } from '#lib/server/db/migrate.js';

/** Seconds a client is asked to wait (Retry-After) while the database is away. */
export const RETRY_AFTER_SECONDS = 5;

// Node socket errors, and PostgreSQL's SQLSTATEs for a server that is gone, starting or stopping
// (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, class 08 connection
// exceptions, 53300 too_many_connections).
const UNAVAILABLE_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'ETIMEDOUT',
	'EPIPE',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ENOTFOUND',
	'EAI_AGAIN',
	'57P01',
	'57P02',
	'57P03',
	'53300',
	'08000',
	'08001',
	'08003',
	'08004',
	'08006'
]);
// node-postgres reports a lost or never-made connection by message only.
const UNAVAILABLE_MESSAGES = [
	'Connection terminated',
	'timeout exceeded when trying to connect',
	'Client has encountered a connection error',
	'Connection closed',
	'the database system is starting up',
	'the database system is shutting down'
];

/** True when `error` (or what caused it) says the database could not be reached, not that a query was wrong. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
	if (!error || typeof error !== 'object' || depth > 5) return false;
	const e = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
	if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
	if (
		typeof e.message === 'string' &&
		UNAVAILABLE_MESSAGES.some((m) => e.message === m || (e.message as string).startsWith(m))
	)
		return true;
	if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1)))
		return true;
	return isDatabaseUnavailable(e.cause, depth + 1);
}

export type Readiness = { ready: true } | { ready: false; reason: string };

let migrationNames: Promise<string[]> | undefined;

/** Names of the migrations shipped with this build, as Kysely's FileMigrationProvider names them. */
function shippedMigrations(folder: string): Promise<string[]> {
	const read = async () =>
		(await fs.readdir(folder))
			.filter((file) => /\.(ts|js|mjs|mts|cjs|cts)$/.test(file) && !file.endsWith('.d.ts'))
			.map((file) => file.replace(/\.[^.]+$/, ''))
			.sort();
	if (folder !== MIGRATIONS_DIR) return read();
	// The folder does not change while the app runs.
	return (migrationNames ??= read().catch((error) => {
		migrationNames = undefined;
		throw error;
	}));
}

/**
 * Ready means the database answers within `timeoutMs` and every shipped migration has run. Never
 * throws and never waits longer than the timeout, so a probe gets an answer while the database hangs.
 */
export async function checkReadiness(
	db: Db,
	{ timeoutMs = 2000, folder = MIGRATIONS_DIR } = {}
): Promise<Readiness> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<Readiness>((resolve) => {
		timer = setTimeout(
			() => resolve({ ready: false, reason: `the database did not answer within ${timeoutMs} ms` }),
			timeoutMs
		);
	});
	const check = (async (): Promise<Readiness> => {
		try {
			const [shipped, applied] = await Promise.all([
				shippedMigrations(folder),
				sql<{ name: string }>`select name from kysely_migration`.execute(db).then(
					(result) => new Set(result.rows.map((row) => row.name)),
					(error) => {
						// 42P01 undefined_table: the database answers but was never migrated.
						if ((error as { code?: string }).code === '42P01') return new Set<string>();
						throw error;
					}
				)
			]);
			const pending = shipped.filter((name) => !applied.has(name));
			if (pending.length)
				return {
					ready: false,
					reason: `${pending.length} migration(s) not applied: ${pending[0]}`
				};
			return { ready: true };
		} catch (error) {
			return {
				ready: false,
				reason: isDatabaseUnavailable(error)
					? 'the database is unavailable'
					: `the database check failed: ${error instanceof Error ? error.message : String(error)}`
			};
		}
	})();
	try {
		return await Promise.race([check, timeout]);
	} finally {
		clearTimeout(timer);
	}
}
