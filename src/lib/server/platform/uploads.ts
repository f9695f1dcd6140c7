import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { stripControlCharacters } from '#lib/server/platform/forms.js';

// A multipart form with one file, streamed to a temporary file as it arrives: a 15 MB upload
// holds a few 64 KB chunks in memory, never the whole body (request.formData() would).

const MAX_FIELD_BYTES = 64 * 1024;
const MAX_FIELDS = 20;

export interface ReceivedUpload {
	fields: Record<string, string>;
	/** The uploaded file on disk, or null when none was chosen. */
	file: { path: string; size: number; name: string } | null;
	/** True when the file went past maxBytes; the rest of it was read and dropped. */
	tooLarge: boolean;
	/** Deletes the temporary file; call it in a finally block. */
	cleanup: () => Promise<void>;
}

export type UploadResult = { ok: true; upload: ReceivedUpload } | { ok: false; error: string };

export async function receiveUpload(
	request: Request,
	options: { fileField: string; maxBytes: number }
): Promise<UploadResult> {
	const type = request.headers.get('content-type') ?? '';
	if (!request.body || !/^multipart\/form-data/i.test(type))
		return { ok: false, error: 'The form could not be read. Reload the page and send it again.' };
	const dir = await mkdtemp(join(tmpdir(), 'proofwork-upload-'));
	const cleanup = () => rm(dir, { recursive: true, force: true });
	const fields: Record<string, string> = {};
	let file: ReceivedUpload['file'] = null;
	let tooLarge = false;
	const writes: Promise<void>[] = [];
	try {
		const parser = busboy({
			headers: { 'content-type': type },
			limits: {
				files: 1,
				fields: MAX_FIELDS,
				fieldSize: MAX_FIELD_BYTES,
				// One byte over the limit tells "too large" apart from "exactly the limit".
				fileSize: options.maxBytes + 1
			}
		});
		parser.on('field', (name, value) => {
			fields[name] = stripControlCharacters(value);
		});
		parser.on('file', (name, stream, info) => {
			// A file input left empty still sends a part with no name and no bytes.
			if (name !== options.fileField || file || !info.filename) {
				stream.resume();
				return;
			}
			const path = join(dir, 'upload');
			const received = { path, size: 0, name: info.filename };
			file = received;
			stream.on('data', (chunk: Buffer) => {
				received.size += chunk.length;
			});
			stream.on('limit', () => {
				tooLarge = true;
			});
			writes.push(pipeline(stream, createWriteStream(path)));
		});
		await pipeline(
			Readable.fromWeb(request.body as import('node:stream/web').ReadableStream),
			parser
		);
		await Promise.all(writes);
	} catch {
		await cleanup();
		return { ok: false, error: 'The upload was cut off or could not be read. Try again.' };
	}
	return { ok: true, upload: { fields, file, tooLarge, cleanup } };
}
