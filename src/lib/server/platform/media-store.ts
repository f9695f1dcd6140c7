import type { Transaction } from 'kysely';
import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import type { Database } from '#lib/server/db/schema.js';
import { logger } from '#lib/server/platform/log.js';

// Where uploaded media's bytes live, behind one interface: this database by default, so one
// backup holds everything, or an S3-compatible bucket (s3-store.ts). Keys are immutable: a
// changed image gets a new key (its version), so a key's bytes never change.

export interface StoredObject {
	bytes: Uint8Array;
	contentType: string;
}

export interface MediaObject {
	key: string;
	bytes: Uint8Array;
	contentType: string;
}

export interface MediaStore {
	readonly kind: 'database' | 's3';
	/**
	 * Writes objects; a key already stored keeps its bytes. The database store writes in the
	 * caller's transaction; a bucket at once, before the caller commits (see withMediaWrites).
	 */
	put(db: Executor, objects: MediaObject[]): Promise<void>;
	get(db: Executor, key: string): Promise<StoredObject | undefined>;
	/**
	 * Deletes every object whose key starts with one of the prefixes, once the caller's
	 * transaction commits: the database store in it, a bucket after it (purge).
	 */
	removePrefixes(db: Executor, prefixes: string[]): Promise<void>;
	/** Deletes objects written for a transaction that rolled back (nothing to do in the database). */
	discard(keys: string[]): Promise<void>;
	/**
	 * Carries out committed removePrefixes (a bucket's; nothing for the database). `ifPending`:
	 * only when this process asked for one since the last purge (after every form post).
	 */
	purge(db: Executor, options?: { ifPending?: boolean }): Promise<number>;
}

const LIKE_SPECIAL = /[\\%_]/g;

export const databaseStore: MediaStore = {
	kind: 'database',
	async put(db, objects) {
		if (objects.length === 0) return;
		await db
			.insertInto('media_objects')
			.values(objects.map((o) => ({ key: o.key, bytes: o.bytes, content_type: o.contentType })))
			.onConflict((oc) => oc.column('key').doNothing())
			.execute();
	},
	async get(db, key) {
		const row = await db
			.selectFrom('media_objects')
			.select(['bytes', 'content_type'])
			.where('key', '=', key)
			.executeTakeFirst();
		return row ? { bytes: row.bytes, contentType: row.content_type } : undefined;
	},
	async removePrefixes(db, prefixes) {
		if (prefixes.length === 0) return;
		await db
			.deleteFrom('media_objects')
			.where((eb) =>
				eb.or(
					prefixes.map((prefix) => eb('key', 'like', `${prefix.replace(LIKE_SPECIAL, '\\$&')}%`))
				)
			)
			.execute();
	},
	// Rows put in a transaction that rolled back went with it.
	async discard() {},
	async purge() {
		return 0;
	}
};

/**
 * Runs `fn` in a transaction (the caller's, when given one) with a `put` that remembers what it
 * wrote. A bucket's objects are written before the rows that name them commit, so objects put
 * by an attempt that rolled back (its error, or a deadlock withTransaction retries) are deleted
 * again. Best effort: a crash in between, a failed COMMIT (it may have committed) or a failure of
 * an outer transaction leaves objects that no row names, which nothing serves.
 */
export async function withMediaWrites<T>(
	db: Executor,
	store: MediaStore,
	fn: (trx: Transaction<Database>, put: (objects: MediaObject[]) => Promise<void>) => Promise<T>
): Promise<T> {
	let written: string[] = [];
	let rolledBack = false;
	const discard = async () => {
		const keys = written;
		written = [];
		if (keys.length)
			await store
				.discard(keys)
				.catch((error) =>
					logger.warn({ err: error, keys: keys.length }, 'could not delete unused media')
				);
	};
	try {
		return await withTransaction(db, async (trx) => {
			// Only a retry gets here with keys: its earlier attempt was rolled back.
			await discard();
			rolledBack = false;
			try {
				return await fn(trx, async (objects) => {
					written.push(...objects.map((o) => o.key));
					await store.put(trx, objects);
				});
			} catch (error) {
				rolledBack = true;
				throw error;
			}
		});
	} catch (error) {
		if (rolledBack) await discard();
		throw error;
	}
}

let configured: MediaStore = databaseStore;

/** The store in use: the database unless S3 settings select a bucket (media-config.ts). */
export function mediaStore(): MediaStore {
	return configured;
}

/** Chooses the store (at start-up: media-config.ts; tests). */
export function useMediaStore(store: MediaStore): void {
	configured = store;
}

/**
 * Carries out the store's committed deletions (after a form post: only those this process
 * recorded). A bucket that fails is logged; the next sweep tries again.
 */
export async function purgeMedia(db: Executor, options: { ifPending?: boolean } = {}) {
	return configured.purge(db, options).catch((error) => {
		logger.warn({ err: error }, 'media deletions wait for the next sweep: the bucket failed');
		return 0;
	});
}
