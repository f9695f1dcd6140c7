import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { decodeHeic } from '#lib/server/platform/heic.js';

// Photos of work (covers, galleries, case-study images): sniffed by content, decoded under pixel
// and frame limits, EXIF dropped, re-encoded to a few widths as WebP and AVIF.

export const PHOTO_MAX_BYTES = 15 * 1024 * 1024;
// Decoding cost grows with pixels, not bytes: a tiny PNG can declare a 60000×60000 canvas.
export const PHOTO_MAX_PIXELS = 50_000_000;
// An animation is reduced to its first frame; past this many frames it is refused outright.
export const PHOTO_MAX_FRAMES = 100;
/** Widths offered in srcset; an image narrower than one gets its own width as the largest. */
export const PHOTO_WIDTHS = [320, 640, 1024, 1600] as const;
// Tall images (screenshots of a feed) keep their full width up to this height.
const PHOTO_MAX_HEIGHT = 2400;
const WEBP_QUALITY = 80;
const AVIF_QUALITY = 55;
// AVIF effort 2 of 9: a 1600 px image encodes in well under a second on one core.
const AVIF_EFFORT = 2;
// One photo at a time per process: a 24 MP photo costs about 35 MB to decode and 55 MB more to
// encode as a 1600 px AVIF, so four 15 MB uploads at once wait their turn instead of stacking that
// up (tests/upload-memory.spec.ts). One libvips thread each, so page requests keep the other core;
// no operation cache, since every upload is new and a cached decode would only hold memory.
const MAX_CONCURRENT = 1;
sharp.concurrency(1);
sharp.cache(false);

export type PhotoFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'heic';
export type PhotoEncoding = 'webp' | 'avif';

export const PHOTO_ERRORS = {
	empty: 'The file is empty. Choose an image.',
	tooLarge: 'The image is larger than 15 MB. Choose a smaller one.',
	unsupported: 'Upload a JPEG, PNG, WebP, AVIF or HEIC image.',
	svg: 'SVG drawings are not accepted (they can carry scripts). Export the drawing as PNG.',
	broken: 'The image could not be read: it may be damaged or not really the type it claims to be.',
	heic: 'This HEIC photo could not be read: it may be damaged. Export it as JPEG (on iPhone: Settings › Camera › Formats › Most Compatible) and upload that.',
	tooManyPixels:
		'The image dimensions are too large. Choose one under 50 megapixels, such as 6000 × 6000.',
	tooManyFrames: `The animation has more than ${PHOTO_MAX_FRAMES} frames. Upload a still image.`
} as const;

export interface PhotoVariant {
	width: number;
	height: number;
	format: PhotoEncoding;
	bytes: Uint8Array;
}

export type PhotoResult =
	| { ok: true; width: number; height: number; version: string; variants: PhotoVariant[] }
	| { ok: false; error: string };

let running = 0;
const waiting: (() => void)[] = [];

async function withSlot<T>(work: () => Promise<T>): Promise<T> {
	if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
	running++;
	try {
		return await work();
	} finally {
		running--;
		waiting.shift()?.();
	}
}

/** Reads the first bytes of a file, enough for every signature below. */
async function readHead(path: string): Promise<{ head: Uint8Array; size: number }> {
	const file = await open(path, 'r');
	try {
		const { size } = await file.stat();
		const head = new Uint8Array(64);
		const { bytesRead } = await file.read(head, 0, head.length, 0);
		return { head: head.subarray(0, bytesRead), size };
	} finally {
		await file.close();
	}
}

/** Re-encodes the photo at `path` (a file the upload was streamed to) into its stored sizes. */
export async function processPhoto(path: string): Promise<PhotoResult> {
	const { head, size } = await readHead(path);
	if (size === 0) return { ok: false, error: PHOTO_ERRORS.empty };
	if (size > PHOTO_MAX_BYTES) return { ok: false, error: PHOTO_ERRORS.tooLarge };
	const format = detectPhotoFormat(head);
	// Checked before sharp sees the bytes, so SVG, PDF and the like never reach their decoders.
	if (!format)
		return { ok: false, error: looksLikeSvg(head) ? PHOTO_ERRORS.svg : PHOTO_ERRORS.unsupported };
	return withSlot(() => encode(path, format));
}

async function encode(path: string, format: PhotoFormat): Promise<PhotoResult> {
	let metadata: Metadata;
	try {
		metadata = await sharp(path, { limitInputPixels: false }).metadata();
	} catch {
		return { ok: false, error: format === 'heic' ? PHOTO_ERRORS.heic : PHOTO_ERRORS.broken };
	}
	// libvips reads HEIC and AVIF as one 'heif' container; any other disagreement is a lying file.
	const decoded =
		metadata.format === 'heif' ? (format === 'avif' ? 'avif' : 'heic') : metadata.format;
	if (decoded !== format && !(format === 'avif' && decoded === 'heic'))
		return { ok: false, error: PHOTO_ERRORS.broken };
	if ((metadata.pages ?? 1) > PHOTO_MAX_FRAMES)
		return { ok: false, error: PHOTO_ERRORS.tooManyFrames };
	const frameHeight = metadata.pageHeight ?? metadata.height;
	if (metadata.width * frameHeight > PHOTO_MAX_PIXELS)
		return { ok: false, error: PHOTO_ERRORS.tooManyPixels };

	let input: Sharp;
	if (format === 'heic' && metadata.compression === 'hevc') {
		// libvips here has no HEVC decoder (iPhone photos): libheif decodes the primary image to
		// RGBA pixels, which carry no EXIF, with the container's rotation already applied.
		const heic = await decodeHeic(new Uint8Array(await readFile(path)), PHOTO_MAX_PIXELS);
		if (!heic.ok)
			return {
				ok: false,
				error: heic.reason === 'tooManyPixels' ? PHOTO_ERRORS.tooManyPixels : PHOTO_ERRORS.heic
			};
		input = sharp(heic.rgba, {
			raw: { width: heic.width, height: heic.height, channels: 4 },
			limitInputPixels: PHOTO_MAX_PIXELS
		});
		if (!heic.hasAlpha) input = input.removeAlpha();
	} else {
		input = sharp(path, {
			limitInputPixels: PHOTO_MAX_PIXELS,
			// 'error' rejects truncated files yet tolerates the harmless warnings many phone JPEGs raise.
			failOn: 'error',
			pages: 1
		}).rotate();
	}

	try {
		// Decoded and scaled once; every size is derived from this, so memory is one bounded image.
		// The output carries no EXIF (no GPS, no camera serial): sharp writes metadata only when asked.
		const base = await input
			.resize(PHOTO_WIDTHS[PHOTO_WIDTHS.length - 1], PHOTO_MAX_HEIGHT, {
				fit: 'inside',
				withoutEnlargement: true
			})
			.toColourspace('srgb')
			.raw({ depth: 'uchar' })
			.toBuffer({ resolveWithObject: true });
		const raw = { width: base.info.width, height: base.info.height, channels: base.info.channels };
		const widths = variantWidths(raw.width);
		const variants: PhotoVariant[] = [];
		for (const width of widths) {
			const height = Math.max(1, Math.round((raw.height * width) / raw.width));
			for (const encoding of ['webp', 'avif'] as const) {
				let pipeline = sharp(base.data, { raw });
				if (width !== raw.width) pipeline = pipeline.resize(width, height);
				const bytes =
					encoding === 'webp'
						? await pipeline.webp({ quality: WEBP_QUALITY }).toBuffer()
						: await pipeline.avif({ quality: AVIF_QUALITY, effort: AVIF_EFFORT }).toBuffer();
				variants.push({ width, height, format: encoding, bytes: new Uint8Array(bytes) });
			}
		}
		const largest = variants.find((v) => v.width === raw.width && v.format === 'webp')!;
		const version = createHash('sha256').update(largest.bytes).digest('hex').slice(0, 16);
		return { ok: true, width: raw.width, height: raw.height, version, variants };
	} catch (error) {
		if (error instanceof Error && /pixel limit/i.test(error.message))
			return { ok: false, error: PHOTO_ERRORS.tooManyPixels };
		return { ok: false, error: format === 'heic' ? PHOTO_ERRORS.heic : PHOTO_ERRORS.broken };
	}
}

/** The srcset widths for an image `width` pixels wide (after the size cap), ascending. */
export function variantWidths(width: number): number[] {
	const smaller = PHOTO_WIDTHS.filter((w) => w < width);
	return [...smaller, Math.min(width, PHOTO_WIDTHS[PHOTO_WIDTHS.length - 1])];
}

const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

/** The photo format the bytes start with, read from their signature rather than a name or a type. */
export function detectPhotoFormat(bytes: Uint8Array): PhotoFormat | null {
	if (startsWith(bytes, 0, [0xff, 0xd8, 0xff])) return 'jpeg';
	if (startsWith(bytes, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
	if (startsWith(bytes, 0, ascii('RIFF')) && startsWith(bytes, 8, ascii('WEBP'))) return 'webp';
	// ISO base media file: a box of type 'ftyp' whose major brand names the codec.
	if (startsWith(bytes, 4, ascii('ftyp')) && bytes.byteLength >= 12) {
		const brand = String.fromCharCode(...bytes.subarray(8, 12));
		if (AVIF_BRANDS.has(brand)) return 'avif';
		if (HEIC_BRANDS.has(brand)) return 'heic';
	}
	return null;
}

function looksLikeSvg(head: Uint8Array): boolean {
	const text = new TextDecoder().decode(head).trimStart().toLowerCase();
	return (
		text.startsWith('<svg') ||
		(text.startsWith('<?xml') && text.includes('<svg')) ||
		text.startsWith('<!doctype svg')
	);
}

function startsWith(bytes: Uint8Array, offset: number, expected: number[]): boolean {
	if (bytes.byteLength < offset + expected.length) return false;
	return expected.every((byte, index) => bytes[offset + index] === byte);
}

function ascii(text: string): number[] {
	return Array.from(text, (char) => char.charCodeAt(0));
}
