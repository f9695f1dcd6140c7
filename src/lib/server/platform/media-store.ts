import type { Executor } from '#lib/server/db/connect.js';

// Where uploaded media's bytes live, behind one interface: this database by default, so one
// backup holds everything. Keys are immutable: a changed image gets a new key (its version).

export interface StoredObject {
	bytes: Uint8Array;
	contentType: string;
}

export interface MediaStore {
	readonly kind: 'database' | 's3';
	/** Writes objects; with the database store, inside the caller's transaction when given one. */
	put(
		db: Executor,
		objects: { key: string; bytes: Uint8Array; contentType: string }[]
	): Promise<void>;
	get(db: Executor, key: string): Promise<StoredObject | undefined>;
	/** Deletes every object whose key starts with one of the prefixes. */
	removePrefixes(db: Executor, prefixes: string[]): Promise<void>;
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
	}
};

let configured: MediaStore = databaseStore;

/** The store in use: the database unless S3 settings select a bucket (see s3-store.ts). */
export function mediaStore(): MediaStore {
	return configured;
}

/** Chooses the store at start-up (and in tests). */
export function useMediaStore(store: MediaStore): void {
	configured = store;
}
