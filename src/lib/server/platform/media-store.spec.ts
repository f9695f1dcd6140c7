import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '#lib/server/db/connect.js';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import {
	databaseStore,
	withMediaWrites,
	type MediaObject,
	type MediaStore
} from '#lib/server/platform/media-store.js';
import { s3ConfigFromEnv } from '#lib/server/platform/s3-config.js';
import { createS3Store, type S3Store } from '#lib/server/platform/s3-store.js';
import { testBucket, type FakeS3 } from '../../../../tests/fakes/s3.ts';

// The same cases against both media stores, on both database engines: whatever the store, an
// image written is read back, one deleted is gone once its transaction commits, and a transaction
// that fails leaves the store as it was.

const bytes = (text: string) => new TextEncoder().encode(text);
const object = (key: string, text = key): MediaObject => ({
	key,
	bytes: bytes(text),
	contentType: 'image/webp'
});

interface Backend {
	store: MediaStore;
	/** Every key the store holds under a prefix, read past the store's own interface. */
	keysUnder(prefix: string): Promise<string[]>;
	close(): Promise<void>;
}

const backends: Record<'database' | 's3', (t: TestDatabase) => Promise<Backend>> = {
	async database(t) {
		return {
			store: databaseStore,
			keysUnder: async (prefix) =>
				(
					await t.db
						.selectFrom('media_objects')
						.select('key')
						.where(sql<boolean>`starts_with(key, ${prefix})`)
						.execute()
				)
					.map((r) => r.key)
					.sort(),
			close: async () => {}
		};
	},
	async s3() {
		const bucket: FakeS3 = await testBucket();
		const store: S3Store = createS3Store(s3ConfigFromEnv({ S3_URL: bucket.url })!);
		return {
			store,
			keysUnder: async (prefix) => (await store.listKeys(prefix)).sort(),
			close: async () => {
				store.destroy();
				await bucket.close();
			}
		};
	}
};

describe.each(testEngines())('media stores on $name', (engine) => {
	describe.each(['database', 's3'] as const)('%s store', (kind) => {
		let t: TestDatabase;
		let b: Backend;
		beforeAll(async () => {
			t = await engine.create();
			b = await backends[kind](t);
		});
		afterAll(async () => {
			await b?.close();
			await t?.drop();
		});

		it('reads back what was put, with its content type; a missing key is undefined', async () => {
			await b.store.put(t.db, [
				object('work-media/1/v1/320.webp', 'small'),
				{ key: 'work-media/1/v1/320.avif', bytes: bytes('avif'), contentType: 'image/avif' }
			]);
			const webp = await b.store.get(t.db, 'work-media/1/v1/320.webp');
			expect(new TextDecoder().decode(webp!.bytes)).toBe('small');
			expect(webp!.contentType).toBe('image/webp');
			expect((await b.store.get(t.db, 'work-media/1/v1/320.avif'))!.contentType).toBe('image/avif');
			expect(await b.store.get(t.db, 'work-media/1/v1/640.webp')).toBeUndefined();
			expect(await b.store.get(t.db, 'nothing/here')).toBeUndefined();
		});

		it('takes a key it holds again without error (a retried job): still one readable object', async () => {
			await b.store.put(t.db, [object('work-embed/5/abc.webp', 'thumbnail')]);
			await b.store.put(t.db, [object('work-embed/5/abc.webp', 'thumbnail')]);
			expect(await b.keysUnder('work-embed/5/')).toEqual(['work-embed/5/abc.webp']);
			const stored = await b.store.get(t.db, 'work-embed/5/abc.webp');
			expect(new TextDecoder().decode(stored!.bytes)).toBe('thumbnail');
		});

		it('removes every key under the prefixes (over a thousand) once the transaction commits, and nothing else', async () => {
			const many = Array.from({ length: 1_050 }, (_, i) => object(`work-media/7/v/${i}.webp`));
			for (let i = 0; i < many.length; i += 150) await b.store.put(t.db, many.slice(i, i + 150));
			// Neighbours a careless prefix match would take: 70 starts like 7, and _ or % are literal.
			await b.store.put(t.db, [
				object('work-media/70/v/1.webp'),
				object('work-embed/9/x.webp'),
				object('odd_name/1.webp'),
				object('oddXname/1.webp')
			]);
			expect(await b.keysUnder('work-media/7/')).toHaveLength(1_050);

			// Rolled back: nothing goes, even after a purge.
			await expect(
				withTransaction(t.db, async (trx) => {
					await b.store.removePrefixes(trx, ['work-media/7/', 'work-embed/9/']);
					throw new Error('the rest of the deletion failed');
				})
			).rejects.toThrow('the rest of the deletion failed');
			await b.store.purge(t.db);
			expect(await b.keysUnder('work-media/7/')).toHaveLength(1_050);
			expect(await b.keysUnder('work-embed/9/')).toHaveLength(1);

			await withTransaction(t.db, (trx) =>
				b.store.removePrefixes(trx, ['work-media/7/', 'work-embed/9/', 'odd_name/'])
			);
			await b.store.purge(t.db);
			expect(await b.keysUnder('work-media/7/')).toEqual([]);
			expect(await b.keysUnder('work-embed/9/')).toEqual([]);
			expect(await b.keysUnder('odd_name/')).toEqual([]);
			expect(await b.keysUnder('work-media/70/')).toEqual(['work-media/70/v/1.webp']);
			expect(await b.keysUnder('oddXname/')).toEqual(['oddXname/1.webp']);
			// Nothing is left to do.
			expect(await t.db.selectFrom('media_deletions').selectAll().execute()).toEqual([]);
		});

		it('outside a transaction, removes at once', async () => {
			await b.store.put(t.db, [object('work-media/8/v/1.webp'), object('work-media/8/v/2.webp')]);
			await b.store.removePrefixes(t.db, ['work-media/8/']);
			expect(await b.keysUnder('work-media/8/')).toEqual([]);
		});

		it('leaves nothing behind when the transaction that wrote it fails, or an attempt is retried', async () => {
			await expect(
				withMediaWrites(t.db, b.store, async (_trx, put) => {
					await put([object('work-media/20/v/1.webp'), object('work-media/20/v/2.webp')]);
					throw new Error('the row could not be written');
				})
			).rejects.toThrow('the row could not be written');
			expect(await b.keysUnder('work-media/20/')).toEqual([]);

			// A deadlock rolls the first attempt back and withTransaction runs it again: only the
			// attempt that committed keeps its objects.
			let attempt = 0;
			await withMediaWrites(t.db, b.store, async (_trx, put) => {
				attempt++;
				await put([object(`work-media/21/attempt-${attempt}.webp`)]);
				if (attempt === 1) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
			});
			expect(attempt).toBe(2);
			expect(await b.keysUnder('work-media/21/')).toEqual(['work-media/21/attempt-2.webp']);
		});
	});
});
