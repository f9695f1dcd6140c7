import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as accounts from '#lib/server/accounts/index.js';
import { exportArchive } from '#lib/server/data-export/archive.js';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import { TEST_PASSWORD, createTestUser, createTestWork } from '#lib/server/test-fixtures.js';
import {
	databaseStore,
	mediaStore,
	purgeMedia,
	useMediaStore
} from '#lib/server/platform/media-store.js';
import { s3ConfigFromEnv } from '#lib/server/platform/s3-config.js';
import { createS3Store, type S3Store } from '#lib/server/platform/s3-store.js';
import { readZip } from '#lib/server/platform/zip.js';
import { updateProfile } from '#lib/server/profiles.js';
import * as work from '#lib/server/work.js';
import { addWorkImage, listWorkMedia, readServedImage } from '#lib/server/work-media.js';
import { testBucket, type FakeS3 } from '../../../tests/fakes/s3.ts';

// Work images with the media in an S3-compatible bucket (issue 14): uploaded through the domain
// function, served by the app (never by the bucket) to whom the profile allows, exported, and
// gone from the bucket with their work item or account. The bucket is a local S3 server.

const ORIGIN = 'http://proofwork.test';
let dir: string;
let bucket: FakeS3;
let store: S3Store;
let counter = 0;

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 's3-media-spec-'));
	bucket = await testBucket();
	store = createS3Store(s3ConfigFromEnv({ S3_URL: bucket.url })!);
	// As the app does at start-up with S3_URL set: deletion and export find it there.
	useMediaStore(store);
});
afterAll(async () => {
	useMediaStore(databaseStore);
	store?.destroy();
	await bucket?.close();
	await rm(dir, { recursive: true, force: true });
});

async function jpeg(colour: string, width = 1200, height = 800): Promise<string> {
	const path = join(dir, `photo-${counter++}.jpg`);
	await writeFile(
		path,
		await sharp({ create: { width, height, channels: 3, background: colour } })
			.jpeg()
			.toBuffer()
	);
	return path;
}

describe.each(testEngines())('work images in S3 on $name', (engine) => {
	let t: TestDatabase;
	let ip = 0;

	beforeAll(async () => {
		t = await engine.create();
	});
	afterAll(() => t.drop());

	async function member(handle: string, visibility: 'public' | 'private' = 'public') {
		const userId = await createTestUser(t.db, handle, {
			ip: `10.9.${engine.name === 'pglite' ? 1 : 2}.${++ip}`,
			origin: ORIGIN
		});
		await updateProfile(t.db, userId, {
			displayName: handle,
			headline: 'Community lead',
			bio: '',
			location: null,
			availability: 'open_to_work',
			visibility
		});
		return { userId, workId: await createTestWork(t.db, userId, `${handle}'s launch`) };
	}

	async function cover(userId: number, workId: number, colour: string) {
		const result = await addWorkImage(t.db, mediaStore(), {
			userId,
			workId,
			role: 'cover',
			path: await jpeg(colour),
			alt: 'Launch poster'
		});
		expect(result).toEqual({ ok: true });
		return (await listWorkMedia(t.db, [workId])).get(workId)!.cover!;
	}

	const mediaObjectCount = async () =>
		Number(
			(
				await t.db
					.selectFrom('media_objects')
					.select((eb) => eb.fn.countAll<string>().as('n'))
					.executeTakeFirstOrThrow()
			).n
		);

	it('keeps the sizes in the bucket, not the database, and serves them with versioned, immutable caching', async () => {
		const { userId, workId } = await member('bucketeer');
		const media = await cover(userId, workId, '#1d4ed8');
		const keys = await store.listKeys(`work-media/${media.id}/`);
		// Four widths, as WebP and AVIF, under the image's version.
		expect(keys).toHaveLength(8);
		expect(keys.every((key) => key.startsWith(`work-media/${media.id}/${media.version}/`))).toBe(
			true
		);
		expect(await mediaObjectCount()).toBe(0);

		const served = await readServedImage(t.db, store, {
			mediaId: media.id,
			width: 640,
			format: 'webp',
			version: media.version,
			viewerId: undefined
		});
		expect(served?.cacheControl).toBe('public, max-age=31536000, immutable');
		expect(served?.stored.contentType).toBe('image/webp');
		const inBucket = await store.get(t.db, `work-media/${media.id}/${media.version}/640.webp`);
		expect(Buffer.from(served!.stored.bytes).equals(Buffer.from(inBucket!.bytes))).toBe(true);
		const decoded = await sharp(served!.stored.bytes).metadata();
		expect([decoded.format, decoded.width]).toEqual(['webp', 640]);
	});

	it("serves a private profile's images to its owner only", async () => {
		const { userId, workId } = await member('hidden', 'private');
		const media = await cover(userId, workId, '#15803d');
		const request = { mediaId: media.id, width: 320, format: 'avif' as const };
		for (const viewerId of [undefined, userId + 1000]) {
			expect(
				await readServedImage(t.db, store, { ...request, version: media.version, viewerId })
			).toBeUndefined();
		}
		const own = await readServedImage(t.db, store, {
			...request,
			version: media.version,
			viewerId: userId
		});
		expect(own?.cacheControl).toBe('private, no-store');
		expect((await sharp(own!.stored.bytes).metadata()).format).toBe('heif');
	});

	it("exports a member's images read from the bucket", async () => {
		const { userId, workId } = await member('exporter');
		const media = await cover(userId, workId, '#a21caf');
		const chunks: Buffer[] = [];
		await pipeline(
			await exportArchive(t.db, userId, { origin: ORIGIN }),
			new Writable({
				write(chunk: Buffer, _encoding, done) {
					chunks.push(chunk);
					done();
				}
			})
		);
		const files = await readZip(Buffer.concat(chunks));
		const exported = files.get(`media/work/${media.id}.webp`);
		const largest = await store.get(t.db, `work-media/${media.id}/${media.version}/1200.webp`);
		expect(exported?.length).toBeGreaterThan(0);
		expect(exported!.equals(Buffer.from(largest!.bytes))).toBe(true);
	});

	it('still serves and deletes images uploaded while the database held media', async () => {
		const { userId, workId } = await member('early');
		expect(
			await addWorkImage(t.db, databaseStore, {
				userId,
				workId,
				role: 'cover',
				path: await jpeg('#334155'),
				alt: 'Before the bucket'
			})
		).toEqual({ ok: true });
		const media = (await listWorkMedia(t.db, [workId])).get(workId)!.cover!;
		const key = `work-media/${media.id}/${media.version}/320.webp`;
		const inDatabase = await databaseStore.get(t.db, key);
		expect(await store.listKeys(`work-media/${media.id}/`)).toEqual([]);

		const served = await readServedImage(t.db, store, {
			mediaId: media.id,
			width: 320,
			format: 'webp',
			version: media.version,
			viewerId: undefined
		});
		expect(Buffer.from(served!.stored.bytes).equals(Buffer.from(inDatabase!.bytes))).toBe(true);

		expect(await work.deleteWork(t.db, userId, workId)).toBe(true);
		expect(await databaseStore.get(t.db, key)).toBeUndefined();
	});

	it('removes the bucket objects of a replaced cover, a deleted work item and a deleted account', async () => {
		const { userId, workId } = await member('leaver');
		const first = await cover(userId, workId, '#b91c1c');
		const second = await cover(userId, workId, '#c2410c');
		await purgeMedia(t.db);
		expect(await store.listKeys(`work-media/${first.id}/`)).toEqual([]);
		expect(await store.listKeys(`work-media/${second.id}/`)).toHaveLength(8);

		expect(await work.deleteWork(t.db, userId, workId)).toBe(true);
		// The deletion committed first; the purge (after the form post, or the minute's sweep)
		// then empties the bucket.
		expect(await store.listKeys(`work-media/${second.id}/`)).toHaveLength(8);
		await purgeMedia(t.db);
		expect(await store.listKeys(`work-media/${second.id}/`)).toEqual([]);

		const third = await cover(
			userId,
			await createTestWork(t.db, userId, 'Another launch'),
			'#0f766e'
		);
		const deleted = await accounts.deleteAccount(t.db, {
			userId,
			currentPassword: TEST_PASSWORD
		});
		expect(deleted.ok).toBe(true);
		await purgeMedia(t.db);
		expect(await store.listKeys(`work-media/${third.id}/`)).toEqual([]);
		expect(await t.db.selectFrom('media_deletions').selectAll().execute()).toEqual([]);
	});
});
