import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { pickPlaceholderColour } from '#lib/server/platform/images.js';
import {
	OG_HEIGHT,
	OG_WIDTH,
	renderOgImage,
	type OgProfile
} from '#lib/server/platform/og-image.js';

type Rgb = { r: number; g: number; b: number };

const ORANGE: Rgb = { r: 240, g: 140, b: 40 };
const BRAND: Rgb = { r: 0x0f, g: 0x76, b: 0x6e };
const BACKGROUND: Rgb = { r: 0xf8, g: 0xfa, b: 0xfc };
// The avatar circle's centre: past the left padding, halfway down the area above the footer.
const AVATAR_CENTRE = { x: 190, y: 276 };
const FOOTER_DIVIDER = { top: 534, bottom: 540 };

const baseProfile: OgProfile = {
	name: 'Ada Lovelace',
	handle: 'ada',
	headline: 'Analytical engine programmer writing notes on Bernoulli numbers.',
	skills: ['Mathematics', 'Algorithms', 'Technical writing'],
	avatarPng: null
};

async function readPixels(png: Uint8Array) {
	const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
	return (x: number, y: number): Rgb => {
		const offset = (y * info.width + x) * info.channels;
		return { r: data[offset], g: data[offset + 1], b: data[offset + 2] };
	};
}

function hexToRgb(hex: string): Rgb {
	const [r, g, b] = [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16));
	return { r, g, b };
}

function isClose(actual: Rgb, expected: Rgb, tolerance = 12): boolean {
	return (
		Math.abs(actual.r - expected.r) <= tolerance &&
		Math.abs(actual.g - expected.g) <= tolerance &&
		Math.abs(actual.b - expected.b) <= tolerance
	);
}

function expectPngOfOgSize(png: Uint8Array) {
	const bytes = Buffer.from(png);
	expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	expect(bytes.toString('latin1', 12, 16)).toBe('IHDR');
	expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([OG_WIDTH, OG_HEIGHT]);
}

describe('renderOgImage', () => {
	it('renders a 1200×630 PNG card with the brand bar and the avatar photo', async () => {
		const avatarPng = await sharp({
			create: { width: 400, height: 400, channels: 3, background: ORANGE }
		})
			.png()
			.toBuffer();
		const png = await renderOgImage({ ...baseProfile, avatarPng });

		expectPngOfOgSize(png);
		const pixelAt = await readPixels(png);
		expect(isClose(pixelAt(600, 4), BRAND)).toBe(true);
		expect(isClose(pixelAt(AVATAR_CENTRE.x, AVATAR_CENTRE.y), ORANGE)).toBe(true);
		// The circle is clipped: a corner of the avatar's square stays background.
		expect(isClose(pixelAt(AVATAR_CENTRE.x - 110, AVATAR_CENTRE.y - 110), BACKGROUND)).toBe(true);
	});

	it('draws an initials circle when there is no photo, headline or skills', async () => {
		const png = await renderOgImage({
			name: 'Анна 张伟 محمد Δημήτρης 🚀',
			handle: 'anna',
			headline: null,
			skills: [],
			avatarPng: null,
			siteName: 'Proofwork Staging',
			placeholderSeed: 42
		});

		expectPngOfOgSize(png);
		const pixelAt = await readPixels(png);
		const placeholder = hexToRgb(pickPlaceholderColour(42));
		expect(isClose(pixelAt(AVATAR_CENTRE.x, AVATAR_CENTRE.y + 85), placeholder)).toBe(true);
	});

	it('ignores avatar bytes that are not a PNG rather than failing the render', async () => {
		const jpeg = await sharp({ create: { width: 50, height: 50, channels: 3, background: ORANGE } })
			.jpeg()
			.toBuffer();
		const png = await renderOgImage({ ...baseProfile, avatarPng: jpeg });

		const pixelAt = await readPixels(png);
		const placeholder = hexToRgb(pickPlaceholderColour('ada'));
		expect(isClose(pixelAt(AVATAR_CENTRE.x, AVATAR_CENTRE.y + 85), placeholder)).toBe(true);
	});

	it('keeps very long text inside the card instead of running off the edge', async () => {
		const png = await renderOgImage({
			...baseProfile,
			name: `Wolfeschlegelsteinhausenbergerdorff ${'Maria José Fernández '.repeat(8)}`,
			handle: 'a_handle_that_is_far_too_long_to_fit_on_a_single_line_of_the_card',
			headline: `${'x'.repeat(200)} ${'A headline that keeps on going. '.repeat(30)}`,
			skills: [
				'A skill with an extremely long name that goes on and on',
				'Another skill with a long name',
				'TypeScript',
				'Rust',
				'Kubernetes',
				'A sixth skill that must not be shown'
			]
		});

		expectPngOfOgSize(png);
		const pixelAt = await readPixels(png);
		const strays: Array<[number, number]> = [];
		// The right margin, and the footer to the right of its short tagline, must stay empty;
		// only the footer's divider line, around y = 537, may cross them.
		for (let y = 20; y < OG_HEIGHT; y += 2) {
			if (y >= FOOTER_DIVIDER.top && y <= FOOTER_DIVIDER.bottom) continue;
			for (let x = 1140; x < OG_WIDTH; x += 4) {
				if (!isClose(pixelAt(x, y), BACKGROUND)) strays.push([x, y]);
			}
		}
		for (let y = FOOTER_DIVIDER.bottom + 1; y < OG_HEIGHT; y += 2) {
			for (let x = 700; x < 1140; x += 4) {
				if (!isClose(pixelAt(x, y), BACKGROUND)) strays.push([x, y]);
			}
		}
		expect(strays).toEqual([]);
	});
});
