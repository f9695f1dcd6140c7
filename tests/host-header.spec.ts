import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// The shared e2e server runs with PUBLIC_URL; this file starts its own built app without it, the
// way `npm start` runs on a fresh clone, and sends it forged Host headers.

let child: ChildProcess;
let port: number;
let dataDir: string;
let log = '';

async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

interface Answer {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: string;
}

function send(
	method: string,
	pathname: string,
	headers: Record<string, string>,
	form?: Record<string, string>
): Promise<Answer> {
	const body = form ? new URLSearchParams(form).toString() : undefined;
	return new Promise((resolve, reject) => {
		const request = http.request(
			{
				host: '127.0.0.1',
				port,
				method,
				path: pathname,
				headers: {
					...headers,
					...(body
						? {
								'Content-Type': 'application/x-www-form-urlencoded',
								'Content-Length': String(Buffer.byteLength(body))
							}
						: {})
				}
			},
			(response) => {
				let text = '';
				response.setEncoding('utf8');
				response.on('data', (chunk) => (text += chunk));
				response.on('end', () =>
					resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text })
				);
			}
		);
		request.on('error', reject);
		request.end(body);
	});
}

const EVIL = { Host: 'evil.example', Origin: 'http://evil.example', Accept: 'text/html' };
const local = () => ({
	Host: `127.0.0.1:${port}`,
	Origin: `http://127.0.0.1:${port}`,
	Accept: 'text/html'
});

/** Links in the mails the server wrote to its log (it has no SMTP_URL, so the log is the mailbox). */
const mailedLinks = () =>
	[...log.matchAll(/https?:\/\/[^\s"\\]+\/(?:reset-password|verify-email)\/[a-z2-7]+/g)].map(
		(m) => m[0]
	);

test.beforeAll(async () => {
	test.setTimeout(120_000);
	port = await freePort();
	dataDir = mkdtempSync(path.join(tmpdir(), 'proofwork-host-'));
	const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '0.0.0.0' };
	for (const name of ['PUBLIC_URL', 'DATABASE_URL', 'SMTP_URL', 'ADDRESS_HEADER', 'XFF_DEPTH'])
		delete env[name];
	env.PGLITE_DATA_DIR = path.join(dataDir, 'pglite');
	env.LOG_LEVEL = 'info';
	child = spawn(process.execPath, ['src/server.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout!.on('data', (chunk) => (log += chunk));
	child.stderr!.on('data', (chunk) => (log += chunk));
	const started = Date.now();
	while (!log.includes('Proofwork is listening')) {
		if (child.exitCode !== null) throw new Error(`server exited:\n${log}`);
		if (Date.now() - started > 90_000) throw new Error(`server did not start:\n${log}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
});

test.afterAll(async () => {
	if (child && child.exitCode === null) {
		child.kill('SIGTERM');
		await new Promise((resolve) => child.once('exit', resolve));
	}
	rmSync(dataDir, { recursive: true, force: true });
});

test('without PUBLIC_URL, a forged Host never reaches a mail, a page, a feed or the cache', async () => {
	test.setTimeout(120_000);
	const canonical = `http://localhost:${port}`;

	// A local person signs up at 127.0.0.1 (not the spelling links use): the CSRF check lets it in.
	const signup = await send('POST', '/signup', local(), {
		email: 'victim@example.com',
		handle: 'victim',
		password: 'a long passphrase'
	});
	expect(signup.status).toBe(303);
	// The log reaches this process through a pipe, a moment after the answer.
	await expect
		.poll(mailedLinks)
		.toEqual([expect.stringMatching(new RegExp(`^${canonical}/verify-email/`))]);
	// ...and so does one at localhost.
	const viaLocalhost = await send(
		'POST',
		'/reset-password',
		{ Host: `localhost:${port}`, Origin: canonical, Accept: 'text/html' },
		{ email: 'victim@example.com' }
	);
	expect(viaLocalhost.status).toBe(200);

	// The attack: a reset for the victim asked through a forged Host with a matching Origin.
	const forged = await send('POST', '/reset-password', EVIL, { email: 'victim@example.com' });
	expect(forged.status).toBe(403);
	await expect.poll(() => mailedLinks().length).toBeGreaterThanOrEqual(2);
	const links = mailedLinks();
	for (const link of links) expect(link.startsWith(`${canonical}/`), link).toBe(true);

	// A forged Host fills the page cache with nothing of its own...
	const poisoned = await send('GET', '/@victim', { Host: 'evil.example' });
	expect(poisoned.status).toBe(200);
	expect(poisoned.body).not.toContain('evil.example');
	expect(poisoned.body).toContain(`<link rel="canonical" href="${canonical}/@victim"`);
	// ...so the next visitor, served from it, gets the real addresses.
	const next = await send('GET', '/@victim', { Host: `localhost:${port}` });
	expect(next.body).not.toContain('evil.example');
	expect(next.body).toContain(`${canonical}/@victim`);

	for (const feed of ['/sitemap.xml', '/robots.txt', '/@victim/resume.json']) {
		const answer = await send('GET', feed, { Host: 'evil.example' });
		expect(answer.status, feed).toBe(200);
		expect(answer.body, feed).not.toContain('evil.example');
		expect(answer.body, feed).toContain(canonical);
	}
	expect(log).not.toContain('evil.example');
});
