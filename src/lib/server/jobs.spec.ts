import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as v from 'valibot';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import type { Db } from '#lib/server/db/connect.js';
import { createFetcher, type Fetcher } from '#lib/server/platform/fetcher.js';
import { recordRequestStarts } from '#lib/server/platform/request-starts.js';
import * as accounts from '#lib/server/accounts/index.js';
import * as networkAccounts from '#lib/server/network-accounts.js';
import * as verification from '#lib/server/verification.js';
import * as work from '#lib/server/work.js';
import { startJobs, type Jobs } from '#lib/server/jobs.js';
import { rewriteFor, startFakeNetworks, type FakeNetworks } from '../../../tests/fakes/networks.ts';

const ORIGIN = 'https://proofwork.example';

let fakes: FakeNetworks;
let fetcher: Fetcher;
beforeAll(async () => {
	fakes = await startFakeNetworks();
	fetcher = createFetcher({
		allowAddresses: ['127.0.0.1'],
		rewrite: rewriteFor(fakes),
		hostIntervalMs: 0
	});
});
afterAll(() => fakes.close());
beforeEach(() => fakes.reset());

// Sites for link previews: '/hang' never answers (a dead host); any other path is a page.
const hanging = new Set<Socket>();
let sites: Server;
let sitesOrigin: string;
beforeAll(async () => {
	sites = createServer((req, res) => {
		const path = new URL(req.url!, 'http://x').pathname;
		if (path === '/hang') {
			hanging.add(req.socket);
			return;
		}
		res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
		res.end(`<!doctype html><title>Page ${path}</title><p>Hello</p>`);
	});
	await new Promise<void>((resolve) => sites.listen(0, '127.0.0.1', resolve));
	sitesOrigin = `http://127.0.0.1:${(sites.address() as AddressInfo).port}`;
});
afterAll(async () => {
	for (const socket of hanging) socket.destroy();
	await new Promise((resolve) => sites.close(resolve));
});

/** A fetcher as production has it (1 s between requests to one host), with every test host local. */
function politeFetcher(hosts: string[]): Fetcher {
	return createFetcher({
		allowAddresses: ['127.0.0.1'],
		rewrite: Object.fromEntries(hosts.map((host) => [`https://${host}`, sitesOrigin])),
		timeoutMs: 3000
	});
}

let sequence = 0;
async function personWithWebsite(db: Db, prefix: string, backLink: boolean) {
	const handle = `${prefix}${++sequence}`;
	const result = await accounts.signUp(db, {
		email: `${handle}@example.com`,
		handle,
		password: 'a long passphrase',
		ip: `10.8.${Math.floor(sequence / 200)}.${sequence % 200}`,
		origin: ORIGIN
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	const userId = result.value.user.id;
	const added = await networkAccounts.addAccount(db, userId, {
		network: 'website',
		address: `https://website.example/${handle}`,
		followers: ''
	});
	if (!added.ok) throw new Error(JSON.stringify(added.errors));
	const [account] = await networkAccounts.listAccounts(db, userId);
	if (backLink) serveBackLink(handle);
	return { handle, userId, accountId: account.id };
}

function serveBackLink(handle: string) {
	fakes.setWebsite(`/${handle}`, `<a rel="me" href="${ORIGIN}/@${handle}">Proofwork</a>`);
}

async function personWithWork(db: Db, prefix: string, urls: string[]) {
	const handle = `${prefix}${++sequence}`;
	const result = await accounts.signUp(db, {
		email: `${handle}@example.com`,
		handle,
		password: 'a long passphrase',
		ip: `10.9.${Math.floor(sequence / 200)}.${sequence % 200}`,
		origin: ORIGIN
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	const ids: number[] = [];
	for (const [i, url] of urls.entries()) {
		const input = v.parse(work.workSchema, {
			title: `Work ${i}`,
			url,
			role: '',
			outcome: '',
			happenedOn: '',
			caseStudy: ''
		});
		const created = await work.createWork(db, result.value.user.id, input);
		if (!created.ok) throw new Error(created.error);
		ids.push(created.item.id);
	}
	return ids;
}

async function previewStatuses(db: Db, workItemIds: number[]) {
	const rows = await db
		.selectFrom('link_previews')
		.select(['work_item_id', 'status'])
		.where('work_item_id', 'in', workItemIds)
		.execute();
	return workItemIds.map((id) => rows.find((row) => row.work_item_id === id)?.status);
}

async function checksOf(db: Db, accountId: number) {
	return db
		.selectFrom('network_account_checks')
		.select(['outcome'])
		.where('account_id', '=', accountId)
		.orderBy('id')
		.execute();
}

async function statusOf(db: Db, accountId: number) {
	const row = await db
		.selectFrom('network_accounts')
		.select('verification_status')
		.where('id', '=', accountId)
		.executeTakeFirstOrThrow();
	return row.verification_status;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000) {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error('timed out waiting for the background jobs');
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

describe.each(testEngines())('background jobs on $name', (engine) => {
	let t: TestDatabase;
	const running: Jobs[] = [];
	const start = (options: { work: boolean; retryLimit?: number; fetcher?: Fetcher }) =>
		startJobs({
			db: t.db,
			databaseUrl: t.url,
			fetcher: options.fetcher ?? fetcher,
			work: options.work,
			publicUrl: ORIGIN,
			pollingIntervalSeconds: 0.5,
			retryLimit: options.retryLimit ?? 3,
			retryDelaySeconds: 1
		}).then((jobs) => (running.push(jobs), jobs));

	beforeAll(async () => {
		t = await engine.create();
	});
	afterAll(async () => {
		for (const jobs of running) await jobs.stop();
		await t.drop();
	});

	it('runs a requested check in the background and retries a network that did not answer', async () => {
		const jobs = await start({ work: true });
		const person = await personWithWebsite(t.db, 'retry', true);
		fakes.failNext('website', 503);
		fakes.failNext('website', 503);
		expect(await verification.requestCheck(t.db, person.userId, person.accountId)).toBe('queued');
		await jobs.requestVerification(person.accountId);
		await waitFor(async () => (await statusOf(t.db, person.accountId)) === 'verified');
		// Two failed attempts, then success: the failures were retried, not recorded as results.
		const pageRequests = fakes.requests.filter((r) => r.url === `/${person.handle}`);
		expect(pageRequests).toHaveLength(3);
		expect(await checksOf(t.db, person.accountId)).toEqual([{ outcome: 'verified' }]);
		await jobs.stop();
	});

	it('records an unreachable network only after the last retry, keeping the status', async () => {
		const jobs = await start({ work: true, retryLimit: 1 });
		const person = await personWithWebsite(t.db, 'down', true);
		fakes.failNext('website', 503);
		fakes.failNext('website', 503);
		await jobs.requestVerification(person.accountId);
		await waitFor(async () => (await checksOf(t.db, person.accountId)).length > 0);
		expect(await checksOf(t.db, person.accountId)).toEqual([{ outcome: 'unreachable' }]);
		expect(await statusOf(t.db, person.accountId)).toBe('unverified');
		await jobs.stop();
	});

	it('never runs one job twice when two workers share the queue', async () => {
		const [first, second] = [await start({ work: true }), await start({ work: true })];
		const people: Awaited<ReturnType<typeof personWithWebsite>>[] = [];
		for (let i = 0; i < 8; i++) people.push(await personWithWebsite(t.db, 'pair', true));
		for (const [i, person] of people.entries()) {
			await (i % 2 ? first : second).requestVerification(person.accountId);
		}
		await waitFor(async () => {
			const rows = await t.db
				.selectFrom('network_accounts')
				.select('id')
				.where('verification_status', '=', 'verified')
				.where(
					'id',
					'in',
					people.map((p) => p.accountId)
				)
				.execute();
			return rows.length === people.length;
		});
		// Each page was fetched once and each account has exactly one check in its history.
		for (const person of people) {
			expect(fakes.requests.filter((r) => r.url === `/${person.handle}`)).toHaveLength(1);
			expect(await checksOf(t.db, person.accountId)).toEqual([{ outcome: 'verified' }]);
		}
		await first.stop();
		await second.stop();
	});

	it('the sweep re-checks verified accounts when due, and a removed back-link lapses the badge', async () => {
		const producer = await start({ work: false });
		const person = await personWithWebsite(t.db, 'sweep', true);
		await verification.checkAccount(t.db, fetcher, person.accountId, { origin: ORIGIN });
		expect(await statusOf(t.db, person.accountId)).toBe('verified');
		// Nothing is due for a week.
		expect(await producer.sweep()).toEqual({ checks: 0, previews: 0 });

		fakes.setWebsite(`/${person.handle}`, '<p>Moved on.</p>');
		// A week later (the other specs' accounts are not due yet).
		await t.db
			.updateTable('network_accounts')
			.set({ next_check_at: new Date(Date.now() - 60_000) })
			.where('id', '=', person.accountId)
			.execute();
		expect(await producer.sweep()).toEqual({ checks: 1, previews: 0 });
		// Queued once however often the sweep runs before a worker gets to it.
		expect(await producer.sweep()).toEqual({ checks: 0, previews: 0 });

		const worker = await start({ work: true });
		await waitFor(async () => (await statusOf(t.db, person.accountId)) === 'lapsed');
		expect(await checksOf(t.db, person.accountId)).toEqual([
			{ outcome: 'verified' },
			{ outcome: 'missing' }
		]);
		await worker.stop();
		await producer.stop();
	});

	it('a dead host holds up only its own previews: links to other sites are fetched meanwhile', async () => {
		const dead = ['dead.example', 'dead.example', 'dead.example'].map((h) => `https://${h}/hang`);
		const alive = Array.from({ length: 6 }, (_, i) => `https://site${i}.example/alive-${i}`);
		const hosts = ['dead.example', ...alive.map((url) => new URL(url).host)];
		// The dead links are saved first, so a one-at-a-time queue would reach them first.
		const deadIds = await personWithWork(t.db, 'dead', dead);
		const aliveIds = await personWithWork(t.db, 'alive', alive);
		const started = Date.now();
		const jobs = await start({ work: true, retryLimit: 0, fetcher: politeFetcher(hosts) });
		await waitFor(
			async () => (await previewStatuses(t.db, aliveIds)).every((s) => s === 'ok'),
			6_000
		);
		// Each dead link takes the 3 s timeout; the live ones did not wait behind them.
		expect(Date.now() - started).toBeLessThan(6_000);
		expect(await previewStatuses(t.db, deadIds)).toContain('pending');
		await jobs.stop();
	});

	it('two previews of one host are still fetched at least a second apart', async () => {
		const urls = [0, 1, 2].map((i) => `https://same.example/spaced-${i}`);
		const ids = await personWithWork(t.db, 'spaced', urls);
		const recorder = recordRequestStarts(sitesOrigin);
		const jobs = await start({
			work: true,
			retryLimit: 0,
			fetcher: politeFetcher(['same.example'])
		});
		try {
			await waitFor(async () => (await previewStatuses(t.db, ids)).every((s) => s === 'ok'));
		} finally {
			recorder.stop();
		}
		const times = recorder.starts
			.filter((start) => start.path.startsWith('/spaced-'))
			.map((start) => start.at)
			.sort((a, b) => a - b);
		expect(times).toHaveLength(3);
		// Starts (undici creating the request), not arrivals at the host, so connection set-up on a
		// busy machine does not count. What is allowed: Date.now()'s whole ms and the few
		// steps between the fetcher reserving a slot and the request being created, which wait
		// for the event loop (10 ms at most in 200 tries at load average 5 to 8, 21.5 ms once in
		// the whole suite at load 5). Unspaced, they start a few ms apart.
		expect(times[1] - times[0]).toBeGreaterThanOrEqual(900);
		expect(times[2] - times[1]).toBeGreaterThanOrEqual(900);
		await jobs.stop();
	});
});
