// `npm run bench:export [-- --items N --image-kb K]`: memory of "Download my data" for a member
// with N work items, each with a K KB preview image (plus an avatar). The zip is streamed; the
// baseline reads the same images into memory at once, as building the zip in memory would.
// Prints the peak heap growth of each and their ratio. Runs on a throwaway in-memory PGlite.
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { testEngines } from '#lib/server/db/testing.js';
import * as accounts from '#lib/server/accounts/index.js';
import { exportArchive } from '#lib/server/data-export/archive.js';

const { values: args } = parseArgs({
	options: {
		items: { type: 'string', default: '100' },
		'image-kb': { type: 'string', default: '100' }
	}
});
const items = Number(args.items);
const imageBytes = Number(args['image-kb']) * 1024;

const [engine] = testEngines();
const t = await engine.create();
const signedUp = await accounts.signUp(t.db, {
	email: 'bench@example.com',
	handle: 'bench',
	password: 'a long passphrase',
	ip: '10.0.0.1',
	origin: 'https://proofwork.example'
});
if (!signedUp.ok) throw new Error(JSON.stringify(signedUp.errors));
const userId = signedUp.value.user.id;
await t.db
	.insertInto('avatars')
	.values({
		user_id: userId,
		large: crypto.randomBytes(60_000),
		small: crypto.randomBytes(8_000),
		etag: 'e'
	})
	.execute();
for (let i = 0; i < items; i++) {
	const { id } = await t.db
		.insertInto('work_items')
		.values({ user_id: userId, title: `Work ${i}`, slug: `work-${i}`, position: i })
		.returning('id')
		.executeTakeFirstOrThrow();
	await t.db
		.insertInto('link_previews')
		.values({
			work_item_id: id,
			url: `https://example.com/${i}`,
			status: 'ok',
			// Random bytes do not compress, like WebP.
			image: crypto.randomBytes(imageBytes),
			image_etag: crypto.randomBytes(8).toString('hex')
		})
		.execute();
}

/** Peak growth of live memory (MB) while `work` runs: a full collection, then a sample, every 10 ms. */
async function peakHeap(work: () => Promise<unknown>): Promise<{ mb: number }> {
	globalThis.gc?.();
	const base = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
	let peak = 0;
	const timer = setInterval(() => {
		globalThis.gc?.();
		const m = process.memoryUsage();
		peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base);
	}, 10);
	await work();
	clearInterval(timer);
	return { mb: peak / 1024 / 1024 };
}

let zipBytes = 0;
const download = async () => {
	zipBytes = 0;
	await pipeline(
		await exportArchive(t.db, userId, { origin: 'https://proofwork.example' }),
		new Writable({
			// A client reading at its own pace: each chunk is acknowledged on the next tick.
			write(chunk: Buffer, _encoding, done) {
				zipBytes += chunk.length;
				setImmediate(done);
			}
		})
	);
};
const readAll = () => t.db.selectFrom('link_previews').select(['work_item_id', 'image']).execute();
// Time first, without the collections the memory samples force.
let started = performance.now();
await download();
const downloadMs = performance.now() - started;
started = performance.now();
await readAll();
const readAllMs = performance.now() - started;
const streamed = await peakHeap(download);
// Held until measured: what a zip built in memory would hold at its peak at least.
let held: unknown;
const baseline = await peakHeap(async () => {
	held = await readAll();
	await new Promise((resolve) => setTimeout(resolve, 50));
});
if (!held) throw new Error('nothing read');
await t.drop();

const mediaMb = (items * imageBytes + 68_000) / 1024 / 1024;
console.log(
	`${items} previews of ${args['image-kb']} KB: zip ${(zipBytes / 1024 / 1024).toFixed(1)} MB in ${downloadMs.toFixed(0)} ms (reading all images at once: ${readAllMs.toFixed(0)} ms)`
);
console.log(
	`peak live heap + buffers growth: streamed zip ${streamed.mb.toFixed(2)} MB, all images in memory (baseline) ${baseline.mb.toFixed(2)} MB, ` +
		`ratio ${(streamed.mb / baseline.mb).toFixed(2)} (media ${mediaMb.toFixed(1)} MB)`
);
