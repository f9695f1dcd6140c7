import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { decodeHeic } from '#lib/server/platform/heic.js';

const FIXTURE = new URL('./fixtures/photo.heic', import.meta.url);
const MAX_PIXELS = 50_000_000;

/** The fixture with its container claiming other dimensions (the ispe box), pixels unchanged. */
function withClaimedSize(bytes: Uint8Array, width: number, height: number): Uint8Array {
	const copy = new Uint8Array(bytes);
	const at = Buffer.from(copy).indexOf('ispe');
	if (at < 0) throw new Error('no ispe box');
	const view = new DataView(copy.buffer);
	view.setUint32(at + 8, width);
	view.setUint32(at + 12, height);
	return copy;
}

function pixel(rgba: Uint8Array, width: number, x: number, y: number) {
	const i = (y * width + x) * 4;
	return [rgba[i], rgba[i + 1], rgba[i + 2]];
}

describe('decodeHeic', () => {
	it('decodes an HEVC-coded HEIC into the colours it was made from', async () => {
		const result = await decodeHeic(new Uint8Array(await readFile(FIXTURE)), MAX_PIXELS);
		if (!result.ok) throw new Error(`not decoded: ${result.reason}`);
		expect(result).toMatchObject({ width: 1200, height: 800, hasAlpha: false });
		expect(result.rgba.byteLength).toBe(1200 * 800 * 4);
		// Made with red growing left to right, green top to bottom and a blue band at x 500–700.
		const near = (actual: number[], expected: number[]) =>
			actual.forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThan(24));
		near(pixel(result.rgba, 1200, 100, 100), [21, 32, 60]);
		near(pixel(result.rgba, 1200, 600, 400), [128, 128, 220]);
		near(pixel(result.rgba, 1200, 1100, 700), [234, 223, 60]);
	});

	it('decodes photos uploaded at the same moment, each to its own pixels', async () => {
		const bytes = new Uint8Array(await readFile(FIXTURE));
		const results = await Promise.all([
			decodeHeic(bytes, MAX_PIXELS),
			decodeHeic(bytes.subarray(0, 3000), MAX_PIXELS),
			decodeHeic(bytes, MAX_PIXELS)
		]);
		expect(results.map((result) => result.ok)).toEqual([true, false, true]);
		const [first, , third] = results;
		if (!first.ok || !third.ok) throw new Error('not decoded');
		expect(Buffer.from(third.rgba).equals(Buffer.from(first.rgba))).toBe(true);
	});

	it('refuses a container claiming too many pixels before decoding them', async () => {
		const bomb = withClaimedSize(new Uint8Array(await readFile(FIXTURE)), 30000, 30000);
		expect(await decodeHeic(bomb, MAX_PIXELS)).toEqual({ ok: false, reason: 'tooManyPixels' });
	});

	it('answers broken for a truncated file and for bytes that are no HEIC', async () => {
		const bytes = new Uint8Array(await readFile(FIXTURE));
		expect(await decodeHeic(bytes.subarray(0, 3000), MAX_PIXELS)).toEqual({
			ok: false,
			reason: 'broken'
		});
		expect(await decodeHeic(new TextEncoder().encode('not an image'), MAX_PIXELS)).toEqual({
			ok: false,
			reason: 'broken'
		});
	});
});
