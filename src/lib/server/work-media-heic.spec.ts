import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import { createTestUser, createTestWork } from '#lib/server/test-fixtures.js';
import { databaseStore } from '#lib/server/platform/media-store.js';
import { PHOTO_ERRORS } from '#lib/server/platform/image-variants.js';
import { addWorkImage, listWorkMedia, objectKey } from '#lib/server/work-media.js';

// Issue 14: iPhone photos (HEVC-coded HEIC), which sharp's own libvips cannot decode.
// The fixture is 1200 × 800 with EXIF naming a place and GPS tags (see platform/fixtures/README.md).

const FIXTURE = new URL('./platform/fixtures/photo.heic', import.meta.url);

let dir: string;
let heic: Buffer;
let counter = 0;
async function file(bytes: Uint8Array): Promise<string> {
	const path = join(dir, `h${counter++}.heic`);
	await writeFile(path, bytes);
	return path;
}

/** The fixture with its container (the ispe box) claiming other dimensions. */
function withClaimedSize(bytes: Buffer, width: number, height: number): Buffer {
	const copy = Buffer.from(bytes);
	const at = copy.indexOf('ispe');
	copy.writeUInt32BE(width, at + 8);
	copy.writeUInt32BE(height, at + 12);
	return copy;
}

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'work-media-heic-spec-'));
	heic = await readFile(FIXTURE);
	// The fixture really is what an iPhone sends: HEVC, with location in its EXIF.
	const meta = await sharp(heic).metadata();
	expect(meta).toMatchObject({ format: 'heif', compression: 'hevc' });
	expect(heic.includes('Taken at 51.5072 N')).toBe(true);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each(testEngines())('HEIC work images on $name', (engine) => {
	let t: TestDatabase;
	let userId: number;
	let workId: number;

	beforeAll(async () => {
		t = await engine.create();
		userId = await createTestUser(t.db, 'iphone', { ip: '10.5.0.2' });
		workId = await createTestWork(t.db, userId, 'Menu shoot');
	});
	afterAll(() => t.drop());

	const upload = async (bytes: Uint8Array, role: 'cover' | 'gallery' = 'cover') =>
		addWorkImage(t.db, databaseStore, {
			userId,
			workId,
			role,
			path: await file(bytes),
			alt: 'Plated dessert'
		});

	it('re-encodes an iPhone HEIC to WebP and AVIF sizes with its colours and without its EXIF', async () => {
		expect(await upload(heic)).toEqual({ ok: true });
		const cover = (await listWorkMedia(t.db, [workId])).get(workId)!.cover!;
		expect(cover).toMatchObject({ width: 1200, height: 800, widths: [320, 640, 1024, 1200] });
		for (const width of cover.widths) {
			for (const format of ['webp', 'avif'] as const) {
				const stored = await databaseStore.get(t.db, objectKey(cover, width, format));
				expect(stored!.contentType).toBe(`image/${format}`);
				const meta = await sharp(stored!.bytes).metadata();
				expect(meta).toMatchObject({ width, height: Math.round((800 * width) / 1200) });
				expect(meta.exif).toBeUndefined();
				expect(meta.hasAlpha).toBe(false);
				expect(Buffer.from(stored!.bytes).includes('51.5072')).toBe(false);
			}
		}
		// The picture itself came through: the blue band in the middle, red growing to the right.
		const largest = await databaseStore.get(t.db, objectKey(cover, 1200, 'webp'));
		const { data, info } = await sharp(largest!.bytes).raw().toBuffer({ resolveWithObject: true });
		const at = (x: number, y: number) =>
			[...data.subarray((y * 1200 + x) * info.channels)].slice(0, 3);
		expect(at(600, 400)[2]).toBeGreaterThan(190);
		expect(at(100, 400)[2]).toBeLessThan(90);
		expect(at(1100, 400)[0]).toBeGreaterThan(at(100, 400)[0] + 150);
	});

	it('refuses a truncated HEIC and a HEIC bomb with clear messages, storing nothing', async () => {
		const before = await listWorkMedia(t.db, [workId], { includeUndescribed: true });
		expect(await upload(heic.subarray(0, 3000), 'gallery')).toEqual({
			ok: false,
			error: PHOTO_ERRORS.heic
		});
		// A few KB whose container claims 30000 × 30000: refused from the header, never decoded.
		expect(await upload(withClaimedSize(heic, 30000, 30000), 'gallery')).toEqual({
			ok: false,
			error: PHOTO_ERRORS.tooManyPixels
		});
		expect(await listWorkMedia(t.db, [workId], { includeUndescribed: true })).toEqual(before);
	});
});
