import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

// Reading zips back (backups, and specs reading a data export): entries are streamed, never the
// whole archive held in memory.

function open(source: string | Buffer): Promise<yauzl.ZipFile> {
	return new Promise((resolve, reject) => {
		const done = (error: Error | null, zip?: yauzl.ZipFile) =>
			error || !zip ? reject(error ?? new Error('unreadable zip')) : resolve(zip);
		if (typeof source === 'string') yauzl.open(source, { lazyEntries: true }, done);
		else yauzl.fromBuffer(source, { lazyEntries: true }, done);
	});
}

export interface ZipEntry {
	name: string;
	size: number;
	/** The entry's bytes; read it to the end before the visit returns. Skipped if never opened. */
	open: () => Promise<Readable>;
}

/** Calls `visit` for each file entry in order; the next entry waits until the visit is done. */
export async function forEachEntry(
	source: string | Buffer,
	visit: (entry: ZipEntry) => Promise<void>
): Promise<void> {
	const zip = await open(source);
	try {
		await new Promise<void>((resolve, reject) => {
			zip.on('error', reject);
			zip.on('end', () => resolve());
			zip.on('entry', (entry: yauzl.Entry) => {
				if (entry.fileName.endsWith('/')) return zip.readEntry();
				const openStream = () =>
					new Promise<Readable>((resolveStream, rejectStream) =>
						zip.openReadStream(entry, (error, stream) =>
							error || !stream
								? rejectStream(error ?? new Error('unreadable entry'))
								: resolveStream(stream)
						)
					);
				visit({ name: entry.fileName, size: entry.uncompressedSize, open: openStream }).then(
					() => zip.readEntry(),
					reject
				);
			});
			zip.readEntry();
		});
	} finally {
		zip.close();
	}
}

/** Every entry of a small zip in memory, by name. */
export async function readZip(source: string | Buffer): Promise<Map<string, Buffer>> {
	const entries = new Map<string, Buffer>();
	await forEachEntry(source, async (entry) => {
		const chunks: Buffer[] = [];
		for await (const chunk of await entry.open()) chunks.push(chunk as Buffer);
		entries.set(entry.name, Buffer.concat(chunks));
	});
	return entries;
}

/** Writes one entry of a zip file to `destination`; false when the zip has no such entry. */
export async function extractEntry(
	zipPath: string,
	name: string,
	destination: string
): Promise<boolean> {
	let found = false;
	await forEachEntry(zipPath, async (entry) => {
		if (entry.name !== name) return;
		found = true;
		await pipeline(await entry.open(), fs.createWriteStream(destination));
	});
	return found;
}
