import {
	DeleteObjectsCommand,
	GetObjectCommand,
	HeadBucketCommand,
	ListObjectsV2Command,
	PutObjectCommand,
	S3Client,
	S3ServiceException
} from '@aws-sdk/client-s3';
import type { Executor } from '#lib/server/db/connect.js';
import { databaseStore, type MediaStore } from '#lib/server/platform/media-store.js';
import type { S3Config } from '#lib/server/platform/s3-config.js';

// Media in an S3-compatible bucket (AWS S3, MinIO, Garage, Ceph, R2, B2…). The bucket stays
// private: the app reads objects and serves them itself (routes/media), so a private profile's
// images reach its owner only and every URL carries its version.
//
// A bucket takes no part in database transactions. Objects are written before the rows that name
// them commit (withMediaWrites deletes them again if the transaction fails). Deletions are written
// to media_deletions in the caller's transaction and carried out once it has committed: after
// each form post in the app, and every minute by the job sweep for anything left over.
//
// Media uploaded while the database held them stay there: read from it when the bucket has no
// such key, and deleted from it with the rest, so switching to a bucket needs no copy.

/** S3 lists and deletes at most 1,000 keys per request. */
const PAGE = 1000;
/** Deletions taken from media_deletions per round of a purge. */
const PURGE_BATCH = 100;

export interface S3Store extends MediaStore {
	readonly kind: 's3';
	readonly bucket: string;
	readonly client: S3Client;
	/** Whether the bucket answers with these keys (HeadBucket); throws if not. */
	check(): Promise<void>;
	/** Every key under a prefix, page by page. */
	listKeys(prefix: string): Promise<string[]>;
	destroy(): void;
}

function statusOf(error: unknown): number | undefined {
	return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

export function createS3Store(config: S3Config): S3Store {
	const client = new S3Client({
		endpoint: config.endpoint,
		region: config.region,
		credentials: config.credentials,
		forcePathStyle: config.forcePathStyle,
		// Checksums only where S3 demands them (DeleteObjects): newer SDKs add CRC headers and
		// chunked bodies to every write, which many S3-compatible servers still refuse.
		requestChecksumCalculation: 'WHEN_REQUIRED',
		responseChecksumValidation: 'WHEN_REQUIRED',
		// A bucket that hangs fails the request instead of holding it.
		requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 }
	});
	const Bucket = config.bucket;
	// Set when this process recorded a deletion; purge({ ifPending }) skips the query otherwise.
	let pending = false;

	async function listKeys(prefix: string): Promise<string[]> {
		const keys: string[] = [];
		let ContinuationToken: string | undefined;
		do {
			const page = await client.send(
				new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken, MaxKeys: PAGE })
			);
			for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
			ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
		} while (ContinuationToken);
		return keys;
	}

	async function deleteKeys(keys: string[]): Promise<void> {
		for (let i = 0; i < keys.length; i += PAGE) {
			const result = await client.send(
				new DeleteObjectsCommand({
					Bucket,
					Delete: { Objects: keys.slice(i, i + PAGE).map((Key) => ({ Key })), Quiet: true }
				})
			);
			// A key that is already gone is no error; anything listed here was not deleted.
			if (result.Errors?.length) {
				const [first] = result.Errors;
				throw new Error(
					`S3 did not delete ${result.Errors.length} object(s), e.g. ${first.Key}: ${first.Code} ${first.Message ?? ''}`
				);
			}
		}
	}

	const store: S3Store = {
		kind: 's3',
		bucket: Bucket,
		client,
		listKeys,
		async put(_db, objects) {
			await Promise.all(
				objects.map(async (o) => {
					try {
						await client.send(
							new PutObjectCommand({
								Bucket,
								Key: o.key,
								Body: o.bytes,
								ContentType: o.contentType,
								// Keys are immutable: one already there keeps its bytes (S3 answers 412).
								IfNoneMatch: '*'
							})
						);
					} catch (error) {
						// 412: already there; 409: a concurrent write of the same key won.
						const status = statusOf(error);
						if (status !== 412 && status !== 409) throw error;
					}
				})
			);
		},
		async get(db, key) {
			try {
				const object = await client.send(new GetObjectCommand({ Bucket, Key: key }));
				if (!object.Body) return undefined;
				return {
					bytes: await object.Body.transformToByteArray(),
					contentType: object.ContentType ?? 'application/octet-stream'
				};
			} catch (error) {
				if (statusOf(error) !== 404) throw error;
				// Uploaded before the switch to a bucket: still in the database.
				return databaseStore.get(db, key);
			}
		},
		async removePrefixes(db, prefixes) {
			if (prefixes.length === 0) return;
			// An empty prefix would be the whole bucket.
			if (prefixes.some((prefix) => !prefix)) throw new Error('refusing to delete an empty prefix');
			// Anything uploaded before the switch to a bucket goes with this transaction.
			await databaseStore.removePrefixes(db, prefixes);
			await db
				.insertInto('media_deletions')
				.values(prefixes.map((prefix) => ({ prefix })))
				.execute();
			pending = true;
			// Outside a transaction the rows are committed already.
			if (!db.isTransaction) await store.purge(db);
		},
		discard: deleteKeys,
		async purge(db: Executor, { ifPending = false } = {}) {
			if (ifPending && !pending) return 0;
			pending = false;
			let deleted = 0;
			for (;;) {
				const rows = await db
					.selectFrom('media_deletions')
					.select(['id', 'prefix'])
					.orderBy('id')
					.limit(PURGE_BATCH)
					.execute();
				if (rows.length === 0) return deleted;
				// Two purges at once (servers, the sweep) delete the same keys twice, harmlessly.
				for (const row of rows) {
					const keys = await listKeys(row.prefix);
					await deleteKeys(keys);
					deleted += keys.length;
					await db.deleteFrom('media_deletions').where('id', '=', row.id).execute();
				}
				if (rows.length < PURGE_BATCH) return deleted;
			}
		},
		async check() {
			await client.send(new HeadBucketCommand({ Bucket }));
		},
		destroy() {
			client.destroy();
		}
	};
	return store;
}
