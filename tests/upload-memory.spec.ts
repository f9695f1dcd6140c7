// Issue 14: four 15 MB photos uploaded at once keep the app's memory bounded: each upload is
// streamed to a temporary file (busboy) and one photo at a time is decoded and encoded. The app is
// started here on its own, as `npm start` runs it (same Node flags and malloc settings), so the RSS
// read is its own and not the shared e2e server's; PGlite always, PostgreSQL when TEST_DATABASE_URL
// is set.
import { randomBytes, randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import sharp from 'sharp';
import { App, freePort, sleep } from './faults/app.ts';
import { post, signUp } from './faults/writers.ts';

const UPLOADS = 4;
const MB = 1024 * 1024;
// The fault suite's bounds for the app's RSS under load: 250 MB on PostgreSQL, 512 MB on PGlite,
// whose database lives in the same process (README, "Memory").
const RSS_LIMIT = { postgres: 250 * MB, pglite: 512 * MB };
// What the uploads may add to the app at rest, on either engine: one photo in flight (about 35 MB
// to decode a 24 MP JPEG, 55 MB more to encode its 1600 px AVIF) and the four request streams,
// with room to spare. Four photos held at once would take over 300 MB.
const UPLOAD_GROWTH_LIMIT = 128 * MB;

type Engine = 'pglite' | 'postgres';
const engines: Engine[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

test.describe.configure({ timeout: 240_000 });

let dir: string;
const photos: string[] = [];

test.beforeAll(async () => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofwork-upload-memory-'));
	// 24-megapixel camera-sized JPEGs of noise (no two alike), each just under the 15 MB limit.
	for (let i = 0; i < UPLOADS; i++) {
		const raw = randomFillSync(Buffer.alloc(6000 * 4000 * 3));
		const file = path.join(dir, `photo-${i}.jpg`);
		await sharp(raw, { raw: { width: 6000, height: 4000, channels: 3 } })
			.jpeg({ quality: 79 })
			.toFile(file);
		photos.push(file);
	}
});

test.afterAll(() => {
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
	const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0) * 1024;
}

/** Resets the kernel's peak-RSS counter (VmHWM) so that it covers the uploads only. */
function resetPeak(pid: number): boolean {
	try {
		fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
		return true;
	} catch {
		return false;
	}
}

/**
 * The app's RSS at rest: start-up leaves garbage (a CI run measured 521 MB one second after the
 * sign-up, 345 MB after the uploads), which V8 frees once the process has been idle a while. So
 * RSS is sampled for at least 10 s, and until it has not fallen for 3 s (at most 30 s).
 */
async function atRest(pid: number): Promise<{ rss: number; fell: number; seconds: number }> {
	const started = performance.now();
	const first = status(pid, 'VmRSS');
	let low = first;
	let lowAt = started;
	for (;;) {
		await sleep(250);
		const now = performance.now();
		const rss = status(pid, 'VmRSS');
		if (rss < low - 2 * MB) {
			low = rss;
			lowAt = now;
		}
		const quiet = now - started >= 10_000 && now - lowAt >= 3_000;
		if (quiet || now - started >= 30_000) {
			return { rss, fell: first - rss, seconds: (now - started) / 1000 };
		}
	}
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;

async function startApp(engine: Engine, logFile: string) {
	let env: Record<string, string>;
	let drop = async () => {};
	if (engine === 'postgres') {
		const name = `proofwork_upload_memory_${randomBytes(4).toString('hex')}`;
		const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
		await admin.connect();
		await admin.query(`CREATE DATABASE ${name}`);
		const url = new URL(process.env.TEST_DATABASE_URL!);
		url.pathname = `/${name}`;
		env = { DATABASE_URL: url.href };
		drop = async () => {
			await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
			await admin.end();
		};
	} else {
		env = { DATABASE_URL: '', PGLITE_DATA_DIR: path.join(dir, `pglite-${Date.now()}`) };
	}
	const app = new App({ port: await freePort(), env, logFile, shutdownTimeout: 1.5 });
	app.start();
	await app.waitReady(120_000);
	return { app, drop };
}

for (const engine of engines) {
	test(`four 15 MB photos uploaded at once keep the app's memory bounded (${engine})`, async () => {
		const info = test.info();
		for (const photo of photos) expect(fs.statSync(photo).size).toBeGreaterThan(13 * MB);
		for (const photo of photos) expect(fs.statSync(photo).size).toBeLessThanOrEqual(15 * MB);
		const { app, drop } = await startApp(engine, info.outputPath('server.log'));
		try {
			const user = await signUp(app.base, `upmem_${Date.now().toString(36)}`, '10.148.0.1');
			const created = await post(
				app.base,
				'/settings/work?/create',
				[
					['title', 'Camera roll'],
					['url', ''],
					['role', ''],
					['outcome', ''],
					['happenedOn', ''],
					['caseStudy', '']
				],
				user
			);
			expect(created.status).toBe(303);
			const list = await fetch(`${app.base}/settings/work`, {
				headers: { Cookie: user.cookie, 'X-Forwarded-For': user.address }
			}).then((r) => r.text());
			const workId = /\/settings\/work\/(\d+)/.exec(list)?.[1];
			expect(workId).toBeTruthy();

			const pid = app.child!.pid!;
			const { rss: before, fell, seconds: settled } = await atRest(pid);
			const peakReset = resetPeak(pid);
			let polled = before;
			const sampler = setInterval(() => {
				polled = Math.max(polled, status(pid, 'VmRSS'));
			}, 20);
			const started = performance.now();
			const answers = await Promise.all(
				photos.map(async (photo, i) => {
					const form = new FormData();
					form.set('alt', `Photo ${i + 1}`);
					form.set('image', await fs.openAsBlob(photo, { type: 'image/jpeg' }), `photo-${i}.jpg`);
					const response = await fetch(`${app.base}/settings/work/${workId}?/image`, {
						method: 'POST',
						body: form,
						redirect: 'manual',
						headers: {
							Origin: app.base,
							Accept: 'text/html',
							Cookie: user.cookie,
							'X-Forwarded-For': user.address
						}
					});
					await response.arrayBuffer();
					return { status: response.status, location: response.headers.get('location') };
				})
			);
			const seconds = (performance.now() - started) / 1000;
			clearInterval(sampler);
			const peak = Math.max(polled, peakReset ? status(pid, 'VmHWM') : 0);
			const after = status(pid, 'VmRSS');
			const bound = Math.min(RSS_LIMIT[engine], before + UPLOAD_GROWTH_LIMIT);
			console.log(
				`[${engine}] ${UPLOADS} uploads of ${photos.map((p) => (fs.statSync(p).size / MB).toFixed(1)).join(', ')} MB at once: ` +
					`RSS at rest ${mb(before)} (after ${settled.toFixed(1)} s; it fell by ${mb(Math.max(0, fell))}), peak ${mb(peak)} (${peakReset ? 'VmHWM' : 'VmRSS every 20 ms'}), ` +
					`after ${mb(after)}; bound ${mb(bound)}; all answered in ${seconds.toFixed(1)} s`
			);

			for (const answer of answers) {
				expect(answer.status).toBe(303);
				expect(answer.location).toBe(`/settings/work/${workId}?saved=image#images`);
			}
			// All four are in the gallery, each re-encoded.
			const edit = await fetch(`${app.base}/settings/work/${workId}`, {
				headers: { Cookie: user.cookie, 'X-Forwarded-For': user.address }
			}).then((r) => r.text());
			expect(edit).toContain(`Gallery (${UPLOADS} of 12)`);
			expect(peak).toBeLessThanOrEqual(bound);
			expect(app.crashes).toEqual([]);
		} finally {
			await app.terminate();
			await drop();
		}
	});
}
