import { createHash } from 'node:crypto';
import sharp from 'sharp';

export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
export const AVATAR_SIZES = { large: 400, small: 96 } as const;

// Decoding cost grows with pixels, not bytes: a tiny PNG can declare a 60000×60000 canvas.
const AVATAR_MAX_PIXELS = 50_000_000;
const AVATAR_QUALITY = 82;

const UNSUPPORTED_ERROR = 'Upload a JPEG, PNG or WebP image.';
const TOO_LARGE_ERROR = 'The image is larger than 5 MB. Choose a smaller one.';
const TOO_MANY_PIXELS_ERROR =
	'The image dimensions are too large. Choose one under 50 megapixels, such as 6000 × 6000.';

// Darker shades so white initials keep a contrast ratio of at least 4.5:1.
const PLACEHOLDER_COLOURS = [
	'#0f766e',
	'#1d4ed8',
	'#6d28d9',
	'#be123c',
	'#b45309',
	'#15803d',
	'#a21caf',
	'#0369a1',
	'#4338ca',
	'#c2410c',
	'#334155',
	'#9f1239'
] as const;

export type AvatarResult =
	{ ok: true; large: Uint8Array; small: Uint8Array; etag: string } | { ok: false; error: string };

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif';

export async function processAvatar(input: Uint8Array): Promise<AvatarResult> {
	if (input.byteLength > AVATAR_MAX_BYTES) return { ok: false, error: TOO_LARGE_ERROR };
	const format = detectImageFormat(input);
	// Checked before sharp sees the bytes, so SVG, PDF and the like never reach their decoders.
	if (!format || format === 'gif') return { ok: false, error: UNSUPPORTED_ERROR };

	try {
		const metadata = await sharp(input, { limitInputPixels: false }).metadata();
		if (metadata.format !== format) return { ok: false, error: UNSUPPORTED_ERROR };
		if (metadata.width * metadata.height > AVATAR_MAX_PIXELS) {
			return { ok: false, error: TOO_MANY_PIXELS_ERROR };
		}

		// Cropping once and deriving both sizes from it keeps the small avatar the same framing.
		const square = await sharp(input, {
			limitInputPixels: AVATAR_MAX_PIXELS,
			// 'error' rejects truncated files yet tolerates the harmless warnings many phone JPEGs raise.
			failOn: 'error'
		})
			.rotate()
			// Centre rather than attention: it matches the object-fit: cover preview the user saw.
			.resize(AVATAR_SIZES.large, AVATAR_SIZES.large, { fit: 'cover', position: 'centre' })
			.raw({ depth: 'uchar' })
			.toBuffer({ resolveWithObject: true });
		const raw = {
			width: square.info.width,
			height: square.info.height,
			channels: square.info.channels
		};

		const large = await sharp(square.data, { raw }).webp({ quality: AVATAR_QUALITY }).toBuffer();
		const small = await sharp(square.data, { raw })
			.resize(AVATAR_SIZES.small, AVATAR_SIZES.small)
			.webp({ quality: AVATAR_QUALITY })
			.toBuffer();
		const etag = createHash('sha256').update(large).digest('hex').slice(0, 16);
		return { ok: true, large, small, etag };
	} catch (error) {
		if (isPixelLimitError(error)) return { ok: false, error: TOO_MANY_PIXELS_ERROR };
		return { ok: false, error: UNSUPPORTED_ERROR };
	}
}

/** The image format the bytes start with, read from their signature rather than a name or a type. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | null {
	if (startsWith(bytes, 0, [0xff, 0xd8, 0xff])) return 'jpeg';
	if (startsWith(bytes, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
	if (startsWith(bytes, 0, ascii('RIFF')) && startsWith(bytes, 8, ascii('WEBP'))) return 'webp';
	if (startsWith(bytes, 0, ascii('GIF87a')) || startsWith(bytes, 0, ascii('GIF89a'))) return 'gif';
	return null;
}

function startsWith(bytes: Uint8Array, offset: number, expected: number[]): boolean {
	if (bytes.byteLength < offset + expected.length) return false;
	return expected.every((byte, index) => bytes[offset + index] === byte);
}

function ascii(text: string): number[] {
	return Array.from(text, (char) => char.charCodeAt(0));
}

function isPixelLimitError(error: unknown): boolean {
	return error instanceof Error && /pixel limit/i.test(error.message);
}

// The share image's initials circle for a person without a photo.
export function getInitials(name: string): string {
	const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
	const firstGraphemes = name
		.split(/\s+/)
		.map((word) => word.replace(/[^\p{L}\p{M}\p{N}]/gu, ''))
		.filter((word) => word.length > 0)
		.map((word) => segmenter.segment(word)[Symbol.iterator]().next().value?.segment ?? '');
	if (firstGraphemes.length === 0) return '?';
	const picked =
		firstGraphemes.length === 1
			? firstGraphemes
			: [firstGraphemes[0], firstGraphemes[firstGraphemes.length - 1]];
	return picked.join('').toLocaleUpperCase();
}

export function pickPlaceholderColour(seed: string | number): string {
	// FNV-1a: stable across processes and releases, unlike anything tied to a runtime's hashing.
	let hash = 0x811c9dc5;
	for (const char of String(seed)) {
		hash ^= char.codePointAt(0) ?? 0;
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return PLACEHOLDER_COLOURS[hash % PLACEHOLDER_COLOURS.length];
}
