import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// HEVC-coded HEIC (iPhone photos), which sharp's prebuilt libvips cannot decode, decoded by libheif
// compiled to WebAssembly (libheif-js) into RGBA pixels for sharp.
// Each decode runs in a worker thread of its own: the decoder is synchronous and would otherwise
// stall every request for its duration, and WebAssembly memory never shrinks, so a fresh instance
// per photo hands its pixels' memory back when the worker exits.

// A photo that takes longer than this is refused rather than holding a decode slot.
const DECODE_TIMEOUT_MS = 60_000;

export type HeicResult =
	| { ok: true; width: number; height: number; hasAlpha: boolean; rgba: Uint8Array }
	| { ok: false; reason: 'broken' | 'tooManyPixels' };

const LIBHEIF = createRequire(import.meta.url).resolve('libheif-js/wasm-bundle');

// Plain CommonJS so it needs no build step; handed the module path and the bytes as workerData.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// libheif-js reports failures on the console; the answer below carries them instead.
console.log = () => {};
const libheif = require(workerData.libheif);
const decoder = new libheif.HeifDecoder();
const images = decoder.decode(workerData.bytes);
// A burst or live photo holds several images; the primary one is the photo shown.
const image = images.find((candidate) => candidate.is_primary()) ?? images[0];
if (!image) {
	parentPort.postMessage({ ok: false, reason: 'broken' });
} else {
	// The container's dimensions (after rotation), read before a single pixel is decoded.
	const width = image.get_width();
	const height = image.get_height();
	if (!(width > 0 && height > 0)) {
		parentPort.postMessage({ ok: false, reason: 'broken' });
	} else if (width * height > workerData.maxPixels) {
		parentPort.postMessage({ ok: false, reason: 'tooManyPixels' });
	} else {
		const hasAlpha = image.has_alpha_channel();
		const rgba = new Uint8Array(width * height * 4);
		// display() applies the file's rotation and mirroring (irot/imir) and converts to RGBA.
		image.display({ data: rgba, width, height }, (result) => {
			if (!result) parentPort.postMessage({ ok: false, reason: 'broken' });
			else parentPort.postMessage({ ok: true, width, height, hasAlpha, rgba }, [rgba.buffer]);
		});
	}
}
`;

// One HEIC decode at a time, within image-variants' two: a 48 MP photo peaks at about 600 MB
// (the decoder's planes and RGBA inside WebAssembly, plus the RGBA handed to sharp).
let previous: Promise<unknown> = Promise.resolve();

/** Decodes the primary image of a HEIC file, refusing one over `maxPixels` before decoding it. */
export function decodeHeic(bytes: Uint8Array, maxPixels: number): Promise<HeicResult> {
	const turn = previous.then(() => decodeInWorker(bytes, maxPixels));
	previous = turn.catch(() => undefined);
	return turn;
}

function decodeInWorker(bytes: Uint8Array, maxPixels: number): Promise<HeicResult> {
	return new Promise((resolve) => {
		const worker = new Worker(WORKER_SOURCE, {
			eval: true,
			workerData: { libheif: LIBHEIF, bytes, maxPixels }
		});
		let settled = false;
		const settle = (result: HeicResult) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			resolve(result);
			void worker.terminate();
		};
		const timer = setTimeout(() => settle({ ok: false, reason: 'broken' }), DECODE_TIMEOUT_MS);
		worker.once('message', (message: HeicResult) => settle(message));
		// An abort inside the decoder (out of memory, a malformed stream) ends the worker, not the app.
		worker.once('error', () => settle({ ok: false, reason: 'broken' }));
		worker.once('exit', () => settle({ ok: false, reason: 'broken' }));
	});
}
