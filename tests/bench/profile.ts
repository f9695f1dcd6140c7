// `npm run bench:profile [-- --profiles N]`: how fast the built app serves /@handle, to a signed-out
// and a signed-in visitor, next to a bare Node http server sending the same bytes; and how much
// JavaScript the profile page makes a browser download. Runs on a throwaway, seeded database:
// PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set, otherwise PGlite in a temporary dir.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import zlib from 'node:zlib';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { cleanUp, cleanups, throwawayDatabase } from './cleanup.ts';
import { createDatabase, type ConnectOptions } from '#lib/server/db/connect.js';
import { SEED_PASSWORD } from '../../src/cli/seed.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONNECTIONS = 10;
const WARMUP_SECONDS = 1;
const DURATION_SECONDS = 6;
const GOALS = { anonymous: 0.7, signedIn: 0.3, jsKb: 20 };
// Each measure runs this many times, interleaved, and the median counts: one noisy second on a
// shared machine moves a single run, not the figure.
const RUNS = 3;
// A real browser's User-Agent: the app does not count views from tools, and would treat it as one.
const BROWSER_UA =
	'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

interface RawServerData {
	body: Uint8Array;
	contentType: string;
}

interface Measurement {
	label: string;
	rps: number;
	p50: number;
	p99: number;
}

// ---------------------------------------------------------------------------------------------
// Database and processes

interface BenchDatabase {
	engine: 'postgres' | 'pglite';
	connect: ConnectOptions;
	env: Record<string, string>;
}

async function createBenchDatabase(): Promise<BenchDatabase> {
	const adminUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
	if (!adminUrl) {
		const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'proofwork-bench-'));
		cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
		const pgliteDir = path.join(dir, 'pglite');
		return {
			engine: 'pglite',
			connect: { pgliteDir },
			env: { DATABASE_URL: '', PGLITE_DATA_DIR: pgliteDir }
		};
	}
	const url = await throwawayDatabase(adminUrl, `proofwork_bench_${process.pid}`);
	return {
		engine: 'postgres',
		connect: { databaseUrl: url },
		env: { DATABASE_URL: url }
	};
}

function startProcess(args: string[], env: Record<string, string>): ChildProcess {
	const child = spawn(process.execPath, args, {
		cwd: ROOT,
		env: { ...process.env, ...env },
		stdio: ['ignore', 'inherit', 'inherit']
	});
	cleanups.push(() => stopProcess(child));
	return child;
}

function exited(child: ChildProcess): Promise<number | null> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
	return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function stopProcess(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
	await exited(child);
	clearTimeout(timer);
}

async function seed(database: BenchDatabase, profiles: number): Promise<void> {
	const child = startProcess(['src/cli/seed.ts', '--profiles', String(profiles)], database.env);
	const code = await exited(child);
	if (code !== 0) throw new Error(`Seeding failed (exit code ${code}).`);
}

async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

async function startApp(database: BenchDatabase): Promise<{ base: string; port: number }> {
	const port = await freePort();
	const child = startProcess(['src/server.js'], {
		...database.env,
		PORT: String(port),
		HOST: '127.0.0.1',
		LOG_LEVEL: 'warn',
		PUBLIC_URL: '',
		SMTP_URL: ''
	});
	const base = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 60_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`The app exited early (code ${child.exitCode}).`);
		try {
			if ((await fetch(`${base}/`)).ok) return { base, port };
		} catch {
			// not listening yet
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	throw new Error('The app did not answer within 60 s.');
}

/** A listed public profile with a typical amount on it, and another account to sign in as. */
async function pickAccounts(connect: ConnectOptions) {
	// PGlite is single-process: this handle must be closed before the app opens the directory.
	const db = createDatabase(connect);
	try {
		const target = await sql<{ id: number; handle: string; work: number; accounts: number }>`
			select u.id, u.handle,
				(select count(*)::int from work_items w where w.user_id = u.id) as work,
				(select count(*)::int from network_accounts a where a.user_id = u.id) as accounts
			from users u join profiles p on p.user_id = u.id
			where p.visibility = 'public' and p.display_name is not null and p.headline is not null
				and (select count(*) from work_items w where w.user_id = u.id) between 3 and 4
				and (select count(*) from network_accounts a where a.user_id = u.id) >= 2
			order by u.id limit 1`.execute(db);
		const viewer = await sql<{ handle: string }>`
			select handle from users
			where id <> ${target.rows[0]?.id ?? 0} and email_verified_at is not null
			order by id limit 1`.execute(db);
		if (!target.rows[0] || !viewer.rows[0]) throw new Error('The seeded database has no profiles.');
		return { target: target.rows[0], viewer: viewer.rows[0].handle };
	} finally {
		await db.destroy();
	}
}

async function logIn(port: number, handle: string): Promise<string> {
	// The app checks Origin against the address the form was posted to.
	const origin = `http://localhost:${port}`;
	const response = await fetch(`${origin}/login`, {
		method: 'POST',
		headers: {
			Origin: origin,
			Accept: 'text/html',
			'Content-Type': 'application/x-www-form-urlencoded'
		},
		body: new URLSearchParams({ identifier: handle, password: SEED_PASSWORD }),
		redirect: 'manual'
	});
	const cookie = response.headers
		.getSetCookie()
		.map((header) => header.split(';')[0])
		.find((pair) => pair.startsWith('pw_session='));
	if (!cookie) throw new Error(`Logging in as ${handle} failed (HTTP ${response.status}).`);
	return cookie;
}

// ---------------------------------------------------------------------------------------------
// Measurements

async function load(url: string, headers: Record<string, string>, duration: number) {
	return autocannon({ url, connections: CONNECTIONS, duration, headers });
}

async function measure(
	label: string,
	url: string,
	headers: Record<string, string> = {}
): Promise<Measurement> {
	await load(url, headers, WARMUP_SECONDS);
	const result = await load(url, headers, DURATION_SECONDS);
	const failed = result.errors + result.timeouts + result.non2xx;
	if (failed > 0) {
		throw new Error(`${label}: ${failed} of ${result.requests.total} requests failed.`);
	}
	return { label, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

/** Starts the baseline in its own thread, as the app has its own process: neither shares a loop with the load generator. */
async function startRawServer(data: RawServerData): Promise<{ url: string }> {
	const worker = new Worker(new URL(import.meta.url), { workerData: data });
	cleanups.push(() => worker.terminate());
	const port = await new Promise<number>((resolve, reject) => {
		worker.once('message', resolve);
		worker.once('error', reject);
	});
	return { url: `http://127.0.0.1:${port}/` };
}

function serveRaw({ body, contentType }: RawServerData): void {
	const bytes = Buffer.from(body);
	const server = http.createServer((_request, response) => {
		response.writeHead(200, { 'content-type': contentType, 'content-length': bytes.length });
		response.end(bytes);
	});
	server.listen(0, '127.0.0.1', () => {
		parentPort!.postMessage((server.address() as AddressInfo).port);
	});
}

/** Every script the page loads from /_app/, and the modules those import statically. */
async function measureJavaScript(pageUrl: string, html: string) {
	const found = [
		...html.matchAll(/<script\b[^>]*\bsrc=["']([^"']+)["']/g),
		...[...html.matchAll(/<link\b[^>]*>/g)]
			.filter(([tag]) => /\brel=["']?modulepreload/.test(tag))
			.map(([tag]) => /\bhref=["']([^"']+)["']/.exec(tag) ?? []),
		// SvelteKit starts the client from an inline script with import("…/start.js").
		...html.matchAll(/\bimport\(\s*["']([^"']+\.js)["']\s*\)/g)
	]
		.map((match) => match[1])
		.filter((ref): ref is string => !!ref);
	const queue = found.map((ref) => new URL(ref, pageUrl));
	const seen = new Set<string>();
	let raw = 0;
	let gzipped = 0;
	for (let url = queue.shift(); url; url = queue.shift()) {
		if (!url.pathname.startsWith('/_app/') || seen.has(url.pathname)) continue;
		seen.add(url.pathname);
		const response = await fetch(url);
		if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
		const code = Buffer.from(await response.arrayBuffer());
		raw += code.length;
		gzipped += zlib.gzipSync(code, { level: 9 }).length;
		for (const [, ref] of code
			.toString('utf8')
			.matchAll(/\b(?:from|import)\s*["']([^"']+\.js)["']/g)) {
			queue.push(new URL(ref, url));
		}
	}
	return { referenced: found.length, files: seen.size, raw, gzipped };
}

// ---------------------------------------------------------------------------------------------

function verdict(ok: boolean): string {
	return ok ? 'PASS' : 'FAIL';
}

/** autocannon records latency in whole milliseconds. */
function ms(value: number): string {
	return value < 1 ? '<1' : String(Math.round(value));
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

/** The median run of each measure (by req/s), with every run's req/s beside it. */
function medianOf(runs: Measurement[]): Measurement & { all: number[] } {
	const all = runs.map((run) => run.rps);
	const middle = runs.find((run) => run.rps === median(all))!;
	return { ...middle, all };
}

function loadAverage(): string {
	return os
		.loadavg()
		.map((n) => n.toFixed(2))
		.join(' ');
}

function printResults(rows: (Measurement & { all: number[] })[]): void {
	const [anonymous, signedIn, raw] = rows;
	console.log(
		`\n${`GET /@handle (median of ${RUNS} runs)`.padEnd(34)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}   runs (req/s)`
	);
	for (const row of rows) {
		console.log(
			`${row.label.padEnd(34)}${Math.round(row.rps).toLocaleString('en-US').padStart(10)}` +
				`${ms(row.p50).padStart(9)}${ms(row.p99).padStart(9)}   ${row.all.map((n) => Math.round(n)).join(', ')}`
		);
	}
	// Each run's ratio compares measures taken seconds apart; on a shared machine whose load moves,
	// the median of those is steadier than a ratio of medians taken a minute apart. Both print.
	const perRun = (app: typeof raw) => median(app.all.map((rps, i) => rps / raw.all[i]));
	const ratios = [
		['anonymous / raw', perRun(anonymous), anonymous.rps / raw.rps, GOALS.anonymous],
		['signed-in / raw', perRun(signedIn), signedIn.rps / raw.rps, GOALS.signedIn]
	] as const;
	console.log(`\n${''.padEnd(18)}${'per run'.padStart(9)}   ${'of medians'.padStart(10)}`);
	for (const [label, ratio, ofMedians, goal] of ratios) {
		console.log(
			`${label.padEnd(18)}${`${(ratio * 100).toFixed(1)} %`.padStart(9)}   ${`${(ofMedians * 100).toFixed(1)} %`.padStart(10)}` +
				`   goal ≥ ${goal * 100} %   ${verdict(ratio >= goal)}`
		);
	}
}

async function main(): Promise<void> {
	const { values } = parseArgs({ options: { profiles: { type: 'string', default: '2000' } } });
	const profiles = Number(values.profiles);
	if (!Number.isSafeInteger(profiles) || profiles < 10) {
		throw new Error(`--profiles must be a whole number of at least 10 (got ${values.profiles}).`);
	}

	const database = await createBenchDatabase();
	console.log(
		`Benchmark database: ${database.engine}, ${profiles.toLocaleString('en-US')} profiles`
	);
	await seed(database, profiles);
	const { target, viewer } = await pickAccounts(database.connect);
	const { base, port } = await startApp(database);
	const pageUrl = `${base}/@${target.handle}`;
	console.log(
		`Profile: /@${target.handle} (${target.work} pieces of work, ${target.accounts} accounts); signed in as @${viewer}`
	);

	// Logging in is a form post, which empties the page cache: do it before measuring.
	const cookie = await logIn(port, viewer);
	const anonymousHeaders = { 'User-Agent': BROWSER_UA };
	const signedInHeaders = { 'User-Agent': BROWSER_UA, Cookie: cookie };

	await fetch(pageUrl, { headers: anonymousHeaders }).then((r) => r.arrayBuffer());
	const sample = await fetch(pageUrl, { headers: anonymousHeaders });
	const html = await sample.text();
	if (sample.status !== 200 || sample.headers.get('x-proofwork-cache') !== 'hit') {
		console.warn(`Note: a repeated anonymous request was not served from the page cache.`);
	}
	const signedInCheck = await fetch(pageUrl, { headers: signedInHeaders });
	await signedInCheck.arrayBuffer();
	if (!signedInCheck.headers.get('cache-control')?.includes('private')) {
		throw new Error('The session cookie did not sign the benchmark in.');
	}

	const raw = await startRawServer({
		body: new TextEncoder().encode(html),
		contentType: sample.headers.get('content-type') ?? 'text/html'
	});

	const measures: [string, string, Record<string, string>][] = [
		['anonymous (page cache)', pageUrl, anonymousHeaders],
		['signed in', pageUrl, signedInHeaders],
		['raw node:http, same bytes', raw.url, anonymousHeaders]
	];
	const loadBefore = loadAverage();
	const runs: Measurement[][] = measures.map(() => []);
	for (let run = 0; run < RUNS; run++) {
		for (const [i, [label, url, headers]] of measures.entries()) {
			runs[i].push(await measure(label, url, headers));
		}
	}
	const rows = runs.map(medianOf);
	console.log(
		`\n${CONNECTIONS} connections, ${DURATION_SECONDS} s each after a ${WARMUP_SECONDS} s warm-up, ` +
			`${RUNS} runs of each, interleaved; page ${(Buffer.byteLength(html) / 1024).toFixed(1)} KB of HTML\n` +
			`Load average (1, 5, 15 min): ${loadBefore} before, ${loadAverage()} after, on ${os.cpus().length} CPUs`
	);
	printResults(rows);

	const js = await measureJavaScript(pageUrl, html);
	const kb = js.gzipped / 1024;
	console.log(
		`\nProfile page JavaScript: ${js.files} files, ${(js.raw / 1024).toFixed(1)} KB, ` +
			`${kb.toFixed(1)} KB gzipped (level 9)   goal ≤ ${GOALS.jsKb} KB   ${verdict(kb <= GOALS.jsKb)}`
	);
}

if (isMainThread) {
	for (const [signal, code] of [
		['SIGINT', 130],
		['SIGTERM', 143]
	] as const) {
		process.once(signal, () => {
			console.error(`\n${signal}: stopping the app and removing the benchmark database…`);
			void cleanUp().finally(() => process.exit(code));
		});
	}
	try {
		await main();
	} catch (error) {
		console.error(error instanceof Error ? error.message : error);
		process.exitCode = 1;
	} finally {
		await cleanUp();
	}
} else {
	serveRaw(workerData as RawServerData);
}
