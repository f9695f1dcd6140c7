import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
	AVATAR_MAX_BYTES,
	AVATAR_SIZES,
	getInitials,
	pickPlaceholderColour,
	processAvatar
} from '#lib/server/platform/images.js';

const UNSUPPORTED = 'Upload a JPEG, PNG or WebP image.';
const RED = { r: 220, g: 20, b: 20 };
const BLUE = { r: 20, g: 20, b: 220 };
const GREEN = { r: 20, g: 200, b: 20 };

function solid(width: number, height: number, colour: { r: number; g: number; b: number }) {
	return sharp({ create: { width, height, channels: 3, background: colour } });
}

// Side-by-side colour bands, left to right, each band `width` pixels wide.
async function bands(height: number, parts: Array<[number, { r: number; g: number; b: number }]>) {
	const totalWidth = parts.reduce((sum, [width]) => sum + width, 0);
	let left = 0;
	const composites = [];
	for (const [width, colour] of parts) {
		composites.push({ input: await solid(width, height, colour).png().toBuffer(), left, top: 0 });
		left += width;
	}
	return solid(totalWidth, height, { r: 0, g: 0, b: 0 }).composite(composites);
}

async function pixelAt(image: Uint8Array, x: number, y: number) {
	const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
	const offset = (y * info.width + x) * info.channels;
	return { r: data[offset], g: data[offset + 1], b: data[offset + 2] };
}

function isWebp(bytes: Uint8Array): boolean {
	const text = Buffer.from(bytes).toString('latin1');
	return text.startsWith('RIFF') && text.slice(8, 12) === 'WEBP';
}

function expectClose(actual: { r: number; g: number; b: number }, expected: typeof actual) {
	expect(Math.abs(actual.r - expected.r)).toBeLessThan(40);
	expect(Math.abs(actual.g - expected.g)).toBeLessThan(40);
	expect(Math.abs(actual.b - expected.b)).toBeLessThan(40);
}

function pngWithHeader(width: number, height: number): Buffer {
	const chunk = (type: string, data: Buffer) => {
		const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
		const length = Buffer.alloc(4);
		length.writeUInt32BE(data.length);
		const crc = Buffer.alloc(4);
		crc.writeUInt32BE(crc32(body));
		return Buffer.concat([length, body, crc]);
	};
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8; // bit depth; colour type 0 (grey) and the rest stay zero
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(Buffer.alloc(width + 1))),
		chunk('IEND', Buffer.alloc(0))
	]);
}

function contrastWithWhite(hex: string): number {
	const channels = [1, 3, 5].map((start) => {
		const value = parseInt(hex.slice(start, start + 2), 16) / 255;
		return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
	});
	const luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
	return 1.05 / (luminance + 0.05);
}

describe('processAvatar', () => {
	it('turns a wide PNG into square WebPs cropped around the centre', async () => {
		const png = await (
			await bands(300, [
				[150, RED],
				[300, BLUE],
				[150, GREEN]
			])
		)
			.png()
			.toBuffer();
		const result = await processAvatar(png);
		if (!result.ok) throw new Error(result.error);

		for (const [bytes, size] of [
			[result.large, AVATAR_SIZES.large],
			[result.small, AVATAR_SIZES.small]
		] as const) {
			expect(isWebp(bytes)).toBe(true);
			const metadata = await sharp(bytes).metadata();
			expect(metadata.format).toBe('webp');
			expect([metadata.width, metadata.height]).toEqual([size, size]);
		}
		// Only the blue middle survives a centred square crop of a 2:1 image.
		expectClose(await pixelAt(result.large, 2, 200), BLUE);
		expectClose(await pixelAt(result.large, 397, 200), BLUE);
		expectClose(await pixelAt(result.small, 48, 48), BLUE);
	});

	it('applies EXIF orientation and strips the metadata', async () => {
		// Stored landscape, red left and blue right; orientation 6 says "turn 90° clockwise to view".
		const jpeg = await (
			await bands(100, [
				[100, RED],
				[100, BLUE]
			])
		)
			.jpeg()
			.withMetadata({ orientation: 6 })
			.withExif({ IFD0: { Copyright: 'Secret Camera Owner', Software: 'PhoneCam 1.0' } })
			.toBuffer();
		expect((await sharp(jpeg).metadata()).orientation).toBe(6);

		const result = await processAvatar(jpeg);
		if (!result.ok) throw new Error(result.error);
		// Viewed upright, the red half is on top and the blue half below.
		expectClose(await pixelAt(result.large, 200, 20), RED);
		expectClose(await pixelAt(result.large, 200, 380), BLUE);

		for (const bytes of [result.large, result.small]) {
			const metadata = await sharp(bytes).metadata();
			expect(metadata.exif).toBeUndefined();
			expect(metadata.orientation).toBeUndefined();
			expect(Buffer.from(bytes).includes('Secret Camera Owner')).toBe(false);
		}
	});

	it('accepts a WebP and gives the same etag for the same picture', async () => {
		const webp = await solid(500, 800, GREEN).webp().toBuffer();
		const first = await processAvatar(webp);
		const second = await processAvatar(new Uint8Array(webp));
		if (!first.ok || !second.ok) throw new Error('WebP was rejected');
		expect(first.etag).toMatch(/^[0-9a-f]{16}$/);
		expect(second.etag).toBe(first.etag);

		const other = await processAvatar(await solid(500, 800, RED).webp().toBuffer());
		if (!other.ok) throw new Error(other.error);
		expect(other.etag).not.toBe(first.etag);
	});

	it('upscales a tiny image to the full avatar size', async () => {
		const result = await processAvatar(await solid(20, 10, RED).png().toBuffer());
		if (!result.ok) throw new Error(result.error);
		const metadata = await sharp(result.large).metadata();
		expect([metadata.width, metadata.height]).toEqual([400, 400]);
	});

	it('rejects formats other than JPEG, PNG and WebP whatever they claim to be', async () => {
		const gif = await solid(50, 50, RED).gif().toBuffer();
		const svg = Buffer.from(
			'<svg xmlns="http://www.w3.org/2000/svg" width="50" height="50"><rect width="50"/></svg>'
		);
		const pdf = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF');
		const tiff = await solid(50, 50, RED).tiff().toBuffer();
		const inputs = [
			gif,
			svg,
			pdf,
			tiff,
			Buffer.from('just some text, not an image'),
			randomBytes(4096),
			new Uint8Array(0)
		];
		for (const input of inputs) {
			expect(await processAvatar(input)).toEqual({ ok: false, error: UNSUPPORTED });
		}
	});

	it('rejects corrupt images that start like a real one', async () => {
		const png = await solid(300, 300, BLUE).png().toBuffer();
		const jpeg = await (
			await bands(300, [
				[150, RED],
				[150, BLUE]
			])
		)
			.jpeg()
			.toBuffer();
		const riffHeader = Buffer.from('RIFF\0\0\0\0WEBPVP8 ');
		const inputs = [
			png.subarray(0, png.length / 2),
			jpeg.subarray(0, jpeg.length / 2),
			Buffer.concat([png.subarray(0, 8), randomBytes(500)]),
			Buffer.concat([riffHeader, randomBytes(500)])
		];
		for (const input of inputs) {
			expect(await processAvatar(input)).toEqual({ ok: false, error: UNSUPPORTED });
		}
	});

	it('rejects files over 5 MB before decoding them', async () => {
		const png = await solid(10, 10, RED).png().toBuffer();
		const oversized = Buffer.concat([png, Buffer.alloc(AVATAR_MAX_BYTES + 1 - png.length)]);
		expect(await processAvatar(oversized)).toEqual({
			ok: false,
			error: 'The image is larger than 5 MB. Choose a smaller one.'
		});
	});

	it('rejects images with absurd dimensions instead of decoding them', async () => {
		// A few hundred bytes may declare 60 megapixels; the header alone must stop it.
		const bomb = pngWithHeader(10_000, 6_000);
		expect(bomb.byteLength).toBeLessThan(1024);
		const result = await processAvatar(bomb);
		expect(result).toEqual({ ok: false, error: expect.stringMatching(/dimensions are too large/) });
	});
});

describe('the share image placeholder', () => {
	it('shows up to two initials of the name', () => {
		expect(getInitials('Ada Lovelace')).toBe('AL');
		expect(getInitials('grace brewster murray hopper')).toBe('GH');
		expect(getInitials('Madonna')).toBe('M');
		expect(getInitials('  émile   zola ')).toBe('ÉZ');
		expect(getInitials('')).toBe('?');
		expect(getInitials('  -- !! ')).toBe('?');
	});

	it('picks the same background for the same seed', () => {
		expect(pickPlaceholderColour('user-42')).toBe(pickPlaceholderColour('user-42'));
		const fills = new Set(Array.from({ length: 60 }, (_, seed) => pickPlaceholderColour(seed)));
		expect(fills.size).toBeGreaterThan(4);
		for (const colour of fills) expect(contrastWithWhite(colour)).toBeGreaterThanOrEqual(4.5);
	});
});
