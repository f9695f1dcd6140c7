// `npm run test:cluster`: two app processes on one PostgreSQL behind nginx (Debian's package, run
// without root on loopback), as docs/scaling.md and the README describe. Checks that a log-out on
// one process is honoured by the other within the session cache's bound, that a profile edit shows
// through both within the page cache's bound, that rate limits and background jobs are shared, and
// prints throughput through nginx with two processes next to one. Needs TEST_DATABASE_URL (or
// DATABASE_URL); without one it says so and passes. Builds the app first if build/ is missing.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { cleanUp, cleanups, throwawayDatabase } from '../bench/cleanup.ts';
import { App, ROOT, sleep } from '../faults/app.ts';
import { request, signUp, type User } from '../faults/writers.ts';
import { SESSION_CACHE_TTL_MS } from '../../src/lib/server/auth/session-cache.ts';
import { TTL_MS as PAGE_CACHE_TTL_MS } from '../../src/lib/server/http/profile-cache.ts';

// Loopback ports of this suite: nginx, nginx to one process, the two apps, the fake website.
const PORT = Number(process.env.CLUSTER_PORT_BASE || 4650);
const PORTS = { nginx: PORT, nginxOne: PORT + 1, a: PORT + 2, b: PORT + 3, site: PORT + 4 };
const LOAD_SECONDS = Number(process.env.CLUSTER_LOAD_SECONDS || 5);
// How late a poll may notice a change: the interval it polls at, and a request's own time.
const SLACK_MS = 1_000;
const NGINX = process.env.NGINX_BIN || '/usr/sbin/nginx';

async function checkPersonalPages(b: App, owner: User, viewer: User): Promise<void> {
	console.log(
		'\nSigned-in visitors get the cached page with their own header, never anyone else’s'
	);
	const page = `/@${owner.handle}`;
	const own = `>@${viewer.handle}</a>`;
	const seen = [await get(b.base, page, viewer.cookie), await get(b.base, page, viewer.cookie)];
	check(
		seen.every((p) => p.status === 200 && p.body.includes(own) && p.body.includes('Log out')),
		`@${viewer.handle} sees their own header on /@${owner.handle} (${seen.map((p) => p.cache).join(', ')})`
	);
	check(seen[1].cache === 'hit', `the second look is served from the page cache`);
	const anonymous = await get(b.base, page);
	check(
		anonymous.cache === 'hit' &&
			!anonymous.body.includes('Log out') &&
			!anonymous.body.includes(own) &&
			anonymous.body.includes('Log in'),
		'a signed-out visitor then gets the signed-out page from the cache'
	);
	const theirs = await get(b.base, page, owner.cookie);
	check(
		theirs.status === 200 &&
			theirs.cache !== 'hit' &&
			theirs.body.includes(`>@${owner.handle}</a>`),
		'the owner gets a fresh page of their own, not the cached one'
	);
}

const proxy = () => `http://127.0.0.1:${PORTS.nginx}`;

/** A form post to one process, as a browser on the public address (nginx) sends it. */
function post(base: string, pathname: string, form: [string, string][], user: Partial<User>) {
	const headers: Record<string, string> = {
		Origin: proxy(),
		Accept: 'text/html',
		'Content-Type': 'application/x-www-form-urlencoded',
		'X-Forwarded-For': user.address ?? '10.99.0.1'
	};
	if (user.cookie) headers.Cookie = user.cookie;
	return request(base + pathname, { method: 'POST', headers, body: new URLSearchParams(form) });
}

const failures: string[] = [];
function check(ok: boolean, message: string): void {
	console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${message}`);
	if (!ok) failures.push(message);
}

/** nginx from tests/cluster/nginx.conf.template, in the foreground, every path under `dir`. */
let nginxLog = '';
/** What nginx logged (warnings and up), printed when a request through it failed. */
function printNginxErrors(): void {
	const lines = fs.existsSync(nginxLog) ? fs.readFileSync(nginxLog, 'utf8').trim().split('\n') : [];
	console.log(`  nginx error.log (${lines.length} lines):`);
	for (const line of lines.slice(-10)) console.log(`    ${line}`);
}

async function startNginx(dir: string): Promise<void> {
	nginxLog = path.join(dir, 'error.log');
	const config = fs
		.readFileSync(path.join(import.meta.dirname, 'nginx.conf.template'), 'utf8')
		.replaceAll('{{PREFIX}}', dir)
		.replaceAll('{{PORT}}', String(PORTS.nginx))
		.replaceAll('{{PORT_ONE}}', String(PORTS.nginxOne))
		.replaceAll('{{APP_A}}', String(PORTS.a))
		.replaceAll('{{APP_B}}', String(PORTS.b));
	const file = path.join(dir, 'nginx.conf');
	fs.writeFileSync(file, config);
	execFileSync(NGINX, ['-t', '-q', '-p', dir, '-c', file, '-e', path.join(dir, 'error.log')]);
	const child: ChildProcess = spawn(
		NGINX,
		['-p', dir, '-c', file, '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'],
		{ stdio: 'inherit' }
	);
	cleanups.push(async () => {
		if (child.exitCode !== null) return;
		child.kill('SIGQUIT');
		await new Promise((resolve) => child.once('exit', resolve));
	});
	for (let i = 0; i < 50; i++) {
		try {
			await fetch(`http://127.0.0.1:${PORTS.nginx}/healthz`);
			return;
		} catch {
			await sleep(100);
		}
	}
	throw new Error('nginx did not start.');
}

/** A personal website for link previews: every fetch of it is counted. */
function startSite(): { fetched: () => number } {
	let fetched = 0;
	const server = http.createServer((req, res) => {
		fetched++;
		const title = decodeURIComponent((req.url ?? '/').slice(1)) || 'home';
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
		res.end(
			`<!doctype html><html><head><title>${title}</title>` +
				`<meta property="og:title" content="Preview of ${title}"></head><body>${title}</body></html>`
		);
	});
	server.listen(PORTS.site, '127.0.0.1');
	cleanups.push(() => new Promise((resolve) => server.close(resolve)));
	return { fetched: () => fetched };
}

function startApps(databaseUrl: string, dir: string): { a: App; b: App } {
	const env = (jobs: boolean) => ({
		DATABASE_URL: databaseUrl,
		// Only B works on jobs; A only enqueues them, so a job done proves the queue is shared.
		JOBS_IN_PROCESS: jobs ? 'true' : 'false',
		FETCH_ALLOW_ADDRESSES: '127.0.0.1',
		FETCH_REWRITE: `https://website.example=http://127.0.0.1:${PORTS.site}`
	});
	const make = (name: string, port: number, jobs: boolean) => {
		const app = new App({
			port,
			env: env(jobs),
			logFile: path.join(dir, `app-${name}.log`),
			shutdownTimeout: 1,
			// Both processes build links and check forms against the one public address: nginx's.
			publicUrl: proxy()
		});
		cleanups.push(() => app.terminate());
		return app;
	};
	return { a: make('a', PORTS.a, false), b: make('b', PORTS.b, true) };
}

/** GET with a cookie, on one process directly: status, body and where it redirects. */
async function get(base: string, pathname: string, cookie?: string) {
	const response = await fetch(base + pathname, {
		headers: { ...(cookie ? { Cookie: cookie } : {}), Accept: 'text/html' },
		redirect: 'manual',
		signal: AbortSignal.timeout(10_000)
	});
	return {
		status: response.status,
		location: response.headers.get('location'),
		body: await response.text(),
		cache: response.headers.get('x-proofwork-cache')
	};
}

/** Polls `probe` every 100 ms until it holds; returns the milliseconds it took, or null. */
async function waitFor(probe: () => Promise<boolean>, limitMs: number): Promise<number | null> {
	const started = performance.now();
	while (performance.now() - started < limitMs) {
		if (await probe()) return performance.now() - started;
		await sleep(100);
	}
	return null;
}

async function checkLogOut(a: App, b: App, user: User): Promise<void> {
	console.log(`\nLog-out on one process (bound: the session cache, ${SESSION_CACHE_TTL_MS} ms)`);
	// Both processes have the session in their caches, and B has the profile page cached for them.
	const other = `/@${user.handle}`;
	for (const app of [a, b]) {
		const page = await get(app.base, '/dashboard', user.cookie);
		check(
			page.status === 200,
			`${app.base}: /dashboard is open to @${user.handle} (${page.status})`
		);
	}
	const out = await post(a.base, '/logout', [], {
		...user,
		address: '10.1.0.1'
	});
	// Posting straight to A: its Origin must be the public address both processes check against.
	check(out.status === 303, `log-out on A answers 303 (${out.status ?? out.error})`);
	const loggedOut = await waitFor(async () => {
		const page = await get(b.base, '/dashboard', user.cookie);
		return page.status !== 200 && !!page.location?.startsWith('/login');
	}, SESSION_CACHE_TTL_MS + 5_000);
	check(
		loggedOut !== null && loggedOut <= SESSION_CACHE_TTL_MS + SLACK_MS,
		`B sends the logged-out cookie to /login after ${loggedOut === null ? 'never' : `${Math.round(loggedOut)} ms`}`
	);
	const page = await get(b.base, other, user.cookie);
	check(
		!page.body.includes('Log out') && page.body.includes('Log in'),
		`B's profile page no longer shows @${user.handle} as signed in`
	);
}

async function checkProfileEdit(a: App, b: App, user: User): Promise<void> {
	console.log(`\nProfile edit on one process (bound: the page cache, ${PAGE_CACHE_TTL_MS} ms)`);
	const page = `/@${user.handle}`;
	const headline = `Cluster headline ${Date.now()}`;
	for (const app of [a, b]) await get(app.base, page);
	const cached = await get(b.base, page);
	check(cached.cache === 'hit', `B serves /@${user.handle} from its page cache before the edit`);
	const saved = await post(
		a.base,
		'/settings/profile?/save',
		[
			['displayName', 'Cluster Person'],
			['headline', headline],
			['bio', ''],
			['location', ''],
			['availability', 'open_to_work'],
			['visibility', 'public']
		],
		{ ...user, address: '10.1.0.2' }
	);
	check(saved.status === 303, `the edit is saved through A (${saved.status ?? saved.error})`);
	const onA = await get(a.base, page);
	check(onA.body.includes(headline), 'A shows the new headline at once (its cache was emptied)');
	const onB = await waitFor(
		async () => (await get(b.base, page)).body.includes(headline),
		PAGE_CACHE_TTL_MS + 5_000
	);
	check(
		onB !== null && onB <= PAGE_CACHE_TTL_MS + SLACK_MS,
		`B shows it after ${onB === null ? 'never' : `${Math.round(onB)} ms`}`
	);
	const viaNginx = await waitFor(async () => {
		const [first, second] = [await get(proxy(), page), await get(proxy(), page)];
		return first.body.includes(headline) && second.body.includes(headline);
	}, 2_000);
	check(viaNginx !== null, 'two requests in a row through nginx (one per process) both show it');
}

async function checkRateLimits(a: App, b: App, user: User): Promise<void> {
	console.log('\nRate limits are counted in PostgreSQL, for both processes at once');
	// Five wrong passwords per account and address, then 429: here alternately on A and B.
	const statuses: number[] = [];
	for (let i = 0; i < 6; i++) {
		const app = i % 2 === 0 ? a : b;
		const outcome = await post(
			app.base,
			'/login',
			[
				['identifier', user.handle],
				['password', `wrong password ${i}`]
			],
			{ address: '10.2.0.9' }
		);
		statuses.push(outcome.status ?? 0);
	}
	check(
		statuses.slice(0, 5).every((s) => s === 400) && statuses[5] === 429,
		`five wrong passwords split over A and B, then 429 on B (${statuses.join(', ')})`
	);
}

async function checkJobs(a: App, user: User, site: { fetched: () => number }): Promise<void> {
	console.log('\nJobs go through one queue in PostgreSQL: A enqueues, B works');
	const title = `cluster-work-${Date.now()}`;
	const created = await post(
		a.base,
		'/settings/work?/create',
		[
			['title', 'A piece of work'],
			['url', `https://website.example/${title}`],
			['role', ''],
			['outcome', ''],
			['happenedOn', ''],
			['caseStudy', '']
		],
		{ ...user, address: '10.1.0.3' }
	);
	check(
		created.status === 303,
		`work with a link saved through A (${created.status ?? created.error})`
	);
	const shown = await waitFor(
		async () => (await get(a.base, `/@${user.handle}?fresh`)).body.includes(`Preview of ${title}`),
		20_000
	);
	check(
		shown !== null && site.fetched() > 0,
		`the link preview was fetched by B and shows on A's page after ${shown === null ? 'never' : `${Math.round(shown)} ms`}`
	);
}

async function throughput(url: string, headers: Record<string, string> = {}): Promise<number> {
	await autocannon({ url, connections: 20, duration: 1, headers });
	// Why requests failed, by message (a reset, a refused connection, a parse error).
	const errors = new Map<string, number>();
	const result = await new Promise<autocannon.Result>((resolve, reject) => {
		const run = autocannon(
			{ url, connections: 20, duration: LOAD_SECONDS, headers },
			(error, done) => (error ? reject(error) : resolve(done))
		);
		run.on('reqError', (error: Error) => {
			const key = String(error?.message ?? error);
			errors.set(key, (errors.get(key) ?? 0) + 1);
		});
	});
	if (result.non2xx + result.errors > 0) {
		const codes = Object.entries(result.statusCodeStats ?? {})
			.map(([code, { count }]) => `${code}×${count}`)
			.join(' ');
		failures.push(
			`${url}: ${result.non2xx + result.errors} failed requests under load ` +
				`(status ${codes}; errors ${result.errors}: ${[...errors].map(([message, count]) => `${message} ×${count}`).join(', ') || 'none'}; ` +
				`timeouts ${result.timeouts})`
		);
		printNginxErrors();
	}
	return result.requests.average;
}

async function measureThroughput(user: User): Promise<void> {
	console.log(
		`\nThroughput through nginx, 20 connections, ${LOAD_SECONDS} s, on ${os.cpus().length} CPUs ` +
			`(load average ${os
				.loadavg()
				.map((n) => n.toFixed(2))
				.join(' ')})`
	);
	const one = `http://127.0.0.1:${PORTS.nginxOne}`;
	const rows: [string, string][] = [
		['/@handle (page cache)', `/@${user.handle}`],
		['/ (rendered every time)', '/']
	];
	for (const [label, pathname] of rows) {
		const single = await throughput(one + pathname);
		const double = await throughput(proxy() + pathname);
		console.log(
			`  ${label.padEnd(26)} one process ${Math.round(single).toLocaleString('en-US').padStart(7)} req/s · ` +
				`two ${Math.round(double).toLocaleString('en-US').padStart(7)} req/s · ×${(double / single).toFixed(2)}`
		);
	}
}

async function main(): Promise<void> {
	const adminUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
	if (!adminUrl) {
		console.log('test:cluster needs PostgreSQL (TEST_DATABASE_URL); skipped.');
		return;
	}
	if (!fs.existsSync(NGINX))
		throw new Error(`nginx is not installed (${NGINX}); apt-get install nginx`);
	if (!fs.existsSync(path.join(ROOT, 'build/handler.js')) || process.argv.includes('--build')) {
		execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
	}
	const started = performance.now();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofwork-cluster-'));
	cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
	const databaseUrl = await throwawayDatabase(adminUrl, `proofwork_cluster_${process.pid}`);
	const site = startSite();
	const { a, b } = startApps(databaseUrl, dir);
	// A migrates the new database; B starts on it once that is done.
	a.start();
	await a.waitReady();
	b.start();
	await b.waitReady();
	await startNginx(dir);
	console.log(`nginx on 127.0.0.1:${PORTS.nginx} → app processes on ${PORTS.a} and ${PORTS.b}`);

	const users: User[] = [];
	for (const handle of ['cluster_ann', 'cluster_bo', 'cluster_cy']) {
		users.push(await signUp(proxy(), handle, '10.0.0.1'));
	}
	// Sign-up is one process, the checks below use the other too: the session is in PostgreSQL.
	await checkLogOut(a, b, users[0]);
	await checkProfileEdit(a, b, users[1]);
	await checkPersonalPages(b, users[1], users[2]);
	await checkRateLimits(a, b, users[2]);
	await checkJobs(a, users[1], site);
	await measureThroughput(users[1]);
	for (const app of [a, b]) check(app.crashes.length === 0, `${app.base} did not crash`);
	console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s`);
}

try {
	await main();
} catch (error) {
	failures.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
} finally {
	await cleanUp();
}
if (failures.length > 0) {
	console.error(`\ntest:cluster failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
	process.exitCode = 1;
} else {
	console.log('test:cluster passed');
}
