// `npm run bench:media [-- --rounds N]`: what the media store costs per upload and per image
// served, in the database and in an S3-compatible bucket. An upload writes the 8 stored sizes of
// one photo (4 widths × WebP/AVIF, 470 KB, as a 1600 px photo gives) in one transaction; a read
// is one 640 px WebP, what a profile page's <img> asks for. The bucket is the local S3 server
// (tests/fakes/s3-server.ts) in a process of its own, or TEST_S3_URL's; PostgreSQL runs too when
// TEST_DATABASE_URL is set. Prints median and 95th percentile milliseconds.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { testEngines } from '#lib/server/db/testing.js';
import {
	databaseStore,
	withMediaWrites,
	type MediaObject,
	type MediaStore
} from '#lib/server/platform/media-store.js';
import { s3ConfigFromEnv } from '#lib/server/platform/s3-config.js';
import { createS3Store } from '#lib/server/platform/s3-store.js';
import { testBucket } from '../fakes/s3.ts';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '60' } } });
const rounds = Number(args.rounds);

// Sizes of the stored variants of a 1600 × 1000 photo: 320/640/1024/1600 px, WebP then AVIF.
const SIZES = [
	[320, 14_000, 9_000],
	[640, 42_000, 27_000],
	[1024, 95_000, 60_000],
	[1600, 140_000, 85_000]
] as const;

function upload(round: number): MediaObject[] {
	return SIZES.flatMap(([width, webp, avif]) => [
		{
			key: `bench/${round}/${width}.webp`,
			bytes: crypto.randomBytes(webp),
			contentType: 'image/webp'
		},
		{
			key: `bench/${round}/${width}.avif`,
			bytes: crypto.randomBytes(avif),
			contentType: 'image/avif'
		}
	]);
}

async function startServer(): Promise<{ url: string; stop: () => void }> {
	const shared = process.env.TEST_S3_URL;
	if (shared) return { url: shared, stop: () => {} };
	const child = spawn(process.execPath, ['tests/fakes/s3-server.ts'], {
		stdio: ['ignore', 'pipe', 'inherit']
	});
	const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
	return { url: line.trim(), stop: () => child.kill('SIGTERM') };
}

function summary(samples: number[]) {
	const sorted = [...samples].sort((a, b) => a - b);
	const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
	return `median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms`;
}

const server = await startServer();
// A bucket of its own, emptied and removed at the end.
process.env.TEST_S3_URL = server.url;
const fresh = await testBucket();
const bucket = createS3Store(s3ConfigFromEnv({ S3_URL: fresh.url })!);
try {
	for (const engine of testEngines()) {
		const t = await engine.create();
		for (const [name, store] of [
			['database', databaseStore],
			['S3 bucket', bucket]
		] as [string, MediaStore][]) {
			const puts: number[] = [];
			const gets: number[] = [];
			// A few rounds first, so connections and JIT are warm.
			for (let round = -5; round < rounds; round++) {
				const objects = upload(round + 5 + (name === 'database' ? 0 : 10_000));
				let start = performance.now();
				await withMediaWrites(t.db, store, (_trx, put) => put(objects));
				const put = performance.now() - start;
				start = performance.now();
				const read = await store.get(t.db, objects[2].key);
				const get = performance.now() - start;
				if (read?.bytes.length !== objects[2].bytes.length) throw new Error('read back wrong');
				if (round >= 0) {
					puts.push(put);
					gets.push(get);
				}
			}
			console.log(
				`${engine.name.padEnd(8)} ${name.padEnd(9)}  upload (8 sizes, 470 KB): ${summary(puts)};  read 640 px WebP (42 KB): ${summary(gets)}`
			);
		}
		await t.drop();
	}
} finally {
	bucket.destroy();
	await fresh.close();
	server.stop();
}
