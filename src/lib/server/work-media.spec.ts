import { crc32 } from 'node:zlib';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import { createTestUser, createTestWork } from '#lib/server/test-fixtures.js';
import { databaseStore } from '#lib/server/platform/media-store.js';
import { PHOTO_ERRORS } from '#lib/server/platform/image-variants.js';
import * as work from '#lib/server/work.js';
import {
	MAX_GALLERY_IMAGES,
	addWorkImage,
	caseStudyImages,
	describeImage,
	listWorkMedia,
	listProfileCovers,
	listWorkPictures,
	moveImage,
	objectKey,
	removeImage
} from '#lib/server/work-media.js';

let dir: string;
let counter = 0;
async function file(bytes: Uint8Array | Buffer): Promise<string> {
	const path = join(dir, `f${counter++}`);
	await writeFile(path, bytes);
	return path;
}

function photo(width: number, height: number, colour = '#336699') {
	return sharp({ create: { width, height, channels: 3, background: colour } });
}

/** A PNG whose header claims 60000 × 60000 pixels: a few bytes that would decode to 10 GB. */
function pngBomb(): Buffer {
	const chunk = (type: string, data: Buffer) => {
		const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
		const length = Buffer.alloc(4);
		length.writeUInt32BE(data.length);
		const crc = Buffer.alloc(4);
		crc.writeUInt32BE(crc32(body));
		return Buffer.concat([length, body, crc]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(60000, 0);
	ihdr.writeUInt32BE(60000, 4);
	ihdr.set([8, 2, 0, 0, 0], 8);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
		chunk('IEND', Buffer.alloc(0))
	]);
}

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'work-media-spec-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each(testEngines())('work images on $name', (engine) => {
	let t: TestDatabase;
	let userId: number;
	let otherId: number;
	let workId: number;

	beforeAll(async () => {
		t = await engine.create();
		userId = await createTestUser(t.db, 'maker');
		otherId = await createTestUser(t.db, 'other');
		workId = await createTestWork(t.db, userId, 'Spring campaign');
	});
	afterAll(() => t.drop());

	it('re-encodes a cover to WebP and AVIF sizes without its EXIF (GPS) and replaces the old one', async () => {
		const jpeg = await photo(2000, 1000)
			.jpeg()
			.withExif({ IFD0: { Copyright: 'Home address 51.5N' } })
			.toBuffer();
		expect((await sharp(jpeg).metadata()).exif).toBeDefined();
		const first = await addWorkImage(t.db, databaseStore, {
			userId,
			workId,
			role: 'cover',
			path: await file(jpeg),
			alt: 'Campaign poster'
		});
		expect(first).toEqual({ ok: true });
		const media = (await listWorkMedia(t.db, [workId])).get(workId)!;
		expect(media.cover).toMatchObject({ width: 1600, height: 800, widths: [320, 640, 1024, 1600] });
		for (const width of media.cover!.widths) {
			for (const format of ['webp', 'avif'] as const) {
				const stored = await databaseStore.get(t.db, objectKey(media.cover!, width, format));
				const meta = await sharp(stored!.bytes).metadata();
				expect(meta.width).toBe(width);
				expect(meta.exif).toBeUndefined();
				expect(stored!.contentType).toBe(`image/${format}`);
			}
		}
		const picture = (await listWorkPictures(t.db, [workId])).get(workId)!.cover!;
		expect(picture.srcset.avif).toContain(
			`/media/${media.cover!.id}/1600.avif?v=${media.cover!.version} 1600w`
		);
		expect(picture).toMatchObject({ width: 1600, height: 800, alt: 'Campaign poster' });

		const old = media.cover!;
		await addWorkImage(t.db, databaseStore, {
			userId,
			workId,
			role: 'cover',
			path: await file(await photo(300, 300, '#aa0000').png().toBuffer()),
			alt: 'Red square'
		});
		const after = (await listWorkMedia(t.db, [workId])).get(workId)!;
		expect(after.cover).toMatchObject({ alt: 'Red square', widths: [300], width: 300 });
		expect(await databaseStore.get(t.db, objectKey(old, 1600, 'webp'))).toBeUndefined();
	});

	it('refuses SVG, empty files, lying headers, bombs, long animations and other owners with clear messages', async () => {
		const before = await listWorkMedia(t.db, [workId], { includeUndescribed: true });
		const attempt = async (bytes: Uint8Array | Buffer, owner = userId) =>
			addWorkImage(t.db, databaseStore, {
				userId: owner,
				workId,
				role: 'gallery',
				path: await file(bytes),
				alt: 'x'
			});
		expect(
			await attempt(
				Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
			)
		).toEqual({ ok: false, error: PHOTO_ERRORS.svg });
		expect(await attempt(Buffer.alloc(0))).toEqual({ ok: false, error: PHOTO_ERRORS.empty });
		// A JPEG signature in front of something that is no JPEG.
		expect(
			await attempt(
				Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('GIF89a not really')])
			)
		).toEqual({ ok: false, error: PHOTO_ERRORS.broken });
		expect(await attempt(Buffer.from('GIF89a'))).toEqual({
			ok: false,
			error: PHOTO_ERRORS.unsupported
		});
		expect(await attempt(pngBomb())).toEqual({ ok: false, error: PHOTO_ERRORS.tooManyPixels });
		// Frames differ, or the encoder would fold them into one.
		const frames = await Promise.all(
			Array.from({ length: 101 }, (_, i) =>
				photo(8, 8, `rgb(${(i * 37) % 256}, ${(i * 91) % 256}, ${(i * 13) % 256})`)
					.png()
					.toBuffer()
			)
		);
		const animation = await sharp(frames, { join: { animated: true } })
			.webp({ lossless: true })
			.toBuffer();
		expect(await attempt(animation)).toEqual({ ok: false, error: PHOTO_ERRORS.tooManyFrames });
		expect(await attempt(await photo(50, 50).png().toBuffer(), otherId)).toEqual({
			ok: false,
			error: 'That work item is not on your profile.'
		});
		expect(await listWorkMedia(t.db, [workId], { includeUndescribed: true })).toEqual(before);
	});

	it('keeps a gallery of at most 12, in the chosen order, public only once described', async () => {
		const png = await photo(400, 300).png().toBuffer();
		for (let i = 0; i < MAX_GALLERY_IMAGES; i++) {
			const result = await addWorkImage(t.db, databaseStore, {
				userId,
				workId,
				role: 'gallery',
				path: await file(png),
				alt: i === 0 ? '' : `Slide ${i + 1}`
			});
			expect(result).toEqual({ ok: true });
		}
		expect(
			await addWorkImage(t.db, databaseStore, {
				userId,
				workId,
				role: 'gallery',
				path: await file(png),
				alt: 'Thirteenth'
			})
		).toEqual({
			ok: false,
			error: 'A gallery holds up to 12 images. Remove one before adding another.'
		});
		const all = (await listWorkMedia(t.db, [workId], { includeUndescribed: true })).get(workId)!;
		expect(all.gallery).toHaveLength(12);
		// The undescribed first image is the owner's to see until it has alt text.
		expect((await listWorkPictures(t.db, [workId])).get(workId)!.gallery).toHaveLength(11);
		const [first, second] = all.gallery;
		expect(await describeImage(t.db, otherId, first.id, 'Hijack')).toEqual({
			ok: false,
			error: 'That image is not on your work.'
		});
		expect(await describeImage(t.db, userId, first.id, 'Slide 1')).toEqual({ ok: true });
		expect(await moveImage(t.db, userId, second.id, 'up')).toEqual({ ok: true });
		const order = (await listWorkPictures(t.db, [workId])).get(workId)!.gallery.map((p) => p.alt);
		expect(order.slice(0, 3)).toEqual(['Slide 2', 'Slide 1', 'Slide 3']);
		expect(await removeImage(t.db, databaseStore, otherId, first.id)).toMatchObject({ ok: false });
		expect(await removeImage(t.db, databaseStore, userId, first.id)).toEqual({ ok: true });
		expect(await databaseStore.get(t.db, objectKey(first, 400, 'webp'))).toBeUndefined();
		expect((await listWorkPictures(t.db, [workId])).get(workId)!.gallery).toHaveLength(11);
	});

	it('gives search one described cover per person, from their first work item', async () => {
		const covers = await listProfileCovers(t.db, [userId, otherId]);
		expect([...covers.keys()]).toEqual([userId]);
		expect(covers.get(userId)).toMatchObject({ alt: 'Red square', workTitle: 'Spring campaign' });
	});

	it('deletes the stored bytes with the work item', async () => {
		const media = (await listWorkMedia(t.db, [workId], { includeUndescribed: true })).get(workId)!;
		expect(await work.deleteWork(t.db, userId, workId)).toBe(true);
		expect(await databaseStore.get(t.db, objectKey(media.cover!, 300, 'webp'))).toBeUndefined();
		expect(await databaseStore.get(t.db, objectKey(media.gallery[0], 400, 'avif'))).toBeUndefined();
	});
});

describe('caseStudyImages', () => {
	const picture = {
		id: 7,
		alt: 'Launch post',
		width: 1200,
		height: 1500,
		src: '/media/7/640.webp?v=abc',
		srcset: {
			webp: '/media/7/320.webp?v=abc 320w, /media/7/640.webp?v=abc 640w, /media/7/1200.webp?v=abc 1200w',
			avif: '/media/7/320.avif?v=abc 320w, /media/7/640.avif?v=abc 640w, /media/7/1200.avif?v=abc 1200w'
		}
	};
	const known = caseStudyImages([picture]);

	it('gives the size the editor hands out (the largest) every size and the dimensions', () => {
		expect(known('/media/7/1200.webp?v=abc')).toEqual({
			srcset: picture.srcset.webp,
			sizes: '(min-width: 768px) 768px, 100vw',
			width: 1200,
			height: 1500
		});
	});

	it('leaves a smaller size someone chose, and images of other work, as written', () => {
		expect(known('/media/7/320.webp?v=abc')).toBeNull();
		expect(known('/media/8/1200.webp?v=abc')).toBeNull();
		expect(known('/avatars/1/large.webp')).toBeNull();
	});
});
