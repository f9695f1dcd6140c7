import { mediaStore } from '#lib/server/platform/media-store.js';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import type { Db, Executor } from '#lib/server/db/connect.js';
import { lastAppliedMigration } from '#lib/server/db/migrate.js';
import { getAvatar } from '#lib/server/avatars.js';
import { getPreviewImage } from '#lib/server/link-previews.js';
import { logger } from '#lib/server/platform/log.js';
import { SECTIONS, type MediaFile } from '#lib/server/data-export/sections.js';

// The zip of "Download my data": data.json first, then media/ streamed one file at a time, so a
// member with hundreds of previews never has more than one image in memory.

/** The layout of data.json; raise it when a key changes meaning or goes away. */
export const EXPORT_SCHEMA_VERSION = 1;

export interface ExportData {
	schema_version: number;
	exported_at: string;
	/** The site it came from and the database migration it was read at. */
	source: { origin: string; database_schema: string | null };
	media: string[];
	[section: string]: unknown;
}

/** Everything data.json holds, read in one transaction so the sections agree with each other. */
export async function readExportData(
	db: Db,
	userId: number,
	options: { origin: string; now?: Date }
): Promise<{ data: ExportData; media: MediaFile[] }> {
	return db.transaction().execute(async (trx) => {
		const media: MediaFile[] = [];
		const data: ExportData = {
			schema_version: EXPORT_SCHEMA_VERSION,
			exported_at: (options.now ?? new Date()).toISOString(),
			source: { origin: options.origin, database_schema: await lastAppliedMigration(trx) },
			media: []
		};
		for (const section of SECTIONS) {
			data[section.key] = await section.read(trx, { userId, media });
		}
		data.media = media.map((m) => m.path);
		return { data, media };
	});
}

/**
 * The zip as a stream: the caller sends it (HTTP) or writes it (tests). Media are read when the
 * zip reaches them; one that went away meanwhile is written empty and logged.
 */
export async function exportArchive(
	db: Db,
	userId: number,
	options: { origin: string; now?: Date }
): Promise<Readable> {
	const { data, media } = await readExportData(db, userId, options);
	const mtime = options.now ?? new Date();
	const zip = new yazl.ZipFile();
	zip.addBuffer(Buffer.from(JSON.stringify(data, null, 2) + '\n'), 'data.json', { mtime });
	for (const file of media) {
		// WebP is compressed already.
		zip.addReadStreamLazy(file.path, { mtime, compress: false }, (callback) => {
			readMedia(db, userId, file).then(
				(bytes) => callback(null, Readable.from([bytes])),
				(error: unknown) => callback(error as Error, null as unknown as Readable)
			);
		});
	}
	zip.end();
	const output = zip.outputStream as Readable;
	// A failed read ends the download with an error instead of a zip that looks complete.
	zip.on('error', (error: Error) => {
		logger.error({ err: error, userId }, 'data export failed while zipping');
		output.destroy(error);
	});
	return output;
}

async function readMedia(db: Executor, userId: number, file: MediaFile): Promise<Buffer> {
	const bytes =
		file.kind === 'avatar'
			? (await getAvatar(db, userId, file.size ?? 'large'))?.bytes
			: file.kind === 'work-image'
				? await workImageOf(db, userId, file)
				: await previewOf(db, userId, file.id);
	if (!bytes) {
		logger.warn({ userId, path: file.path }, 'export media went away while zipping');
		return Buffer.alloc(0);
	}
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

async function previewOf(db: Executor, userId: number, workItemId: number) {
	const preview = await getPreviewImage(db, workItemId);
	// The work item may have changed hands only by deletion; never another member's image.
	return preview && preview.userId === userId ? preview.image : undefined;
}

async function workImageOf(db: Executor, userId: number, file: MediaFile) {
	const owned = await db
		.selectFrom('work_media')
		.select('id')
		.where('id', '=', file.id)
		.where('user_id', '=', userId)
		.executeTakeFirst();
	if (!owned || !file.key) return undefined;
	return (await mediaStore().get(db, file.key))?.bytes;
}
