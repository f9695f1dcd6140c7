// `node tests/bench/previews.ts [-- --links N] [--timeout-ms MS]`: how long the background queue
// takes to settle N link previews whose sites never answer (each fetch runs into the fetcher's
// timeout), one site per link, with no retries. Runs on a throwaway in-memory PGlite database.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { testEngines } from '#lib/server/db/testing.js';
import * as accounts from '#lib/server/accounts/index.js';
import * as work from '#lib/server/work.js';
import { createFetcher } from '#lib/server/platform/fetcher.js';
import { startJobs } from '#lib/server/jobs.js';

const { values: args } = parseArgs({
	options: {
		links: { type: 'string', default: '100' },
		'timeout-ms': { type: 'string', default: '5000' }
	}
});
const links = Math.min(Number(args.links), work.MAX_WORK_ITEMS);
const timeoutMs = Number(args['timeout-ms']);

// Accepts every connection and never answers: the worst kind of dead link.
const sockets = new Set<import('node:net').Socket>();
const hanging: Server = createServer(() => {});
hanging.on(
	'connection',
	(socket) => (sockets.add(socket), socket.on('close', () => sockets.delete(socket)))
);
await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
const target = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;

const rewrite: Record<string, string> = {};
for (let i = 0; i < links; i++) rewrite[`https://dead${i}.example`] = target;
const fetcher = createFetcher({ allowAddresses: ['127.0.0.1'], rewrite, timeoutMs });

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
for (let i = 0; i < links; i++) {
	const input = v.parse(work.workSchema, {
		title: `Dead link ${i}`,
		url: `https://dead${i}.example/post`,
		role: '',
		outcome: '',
		happenedOn: '',
		caseStudy: ''
	});
	const created = await work.createWork(t.db, signedUp.value.user.id, input);
	if (!created.ok) throw new Error(created.error);
}

const pending = async () =>
	Number(
		(
			await t.db
				.selectFrom('link_previews')
				.select((eb) => eb.fn.countAll<string | number>().as('n'))
				.where('status', '=', 'pending')
				.executeTakeFirstOrThrow()
		).n
	);

const started = Date.now();
const jobs = await startJobs({
	db: t.db,
	fetcher,
	work: true,
	pollingIntervalSeconds: 0.5,
	retryLimit: 0
});
let left = await pending();
let lastReport = 0;
while (left > 0) {
	await new Promise((resolve) => setTimeout(resolve, 250));
	left = await pending();
	const elapsed = (Date.now() - started) / 1000;
	if (elapsed - lastReport >= 10) {
		lastReport = elapsed;
		console.log(`${elapsed.toFixed(0)} s: ${links - left} of ${links} settled`);
	}
}
const seconds = (Date.now() - started) / 1000;
console.log(
	`${links} dead-link previews (fetch timeout ${timeoutMs} ms) settled in ${seconds.toFixed(1)} s`
);
await jobs.stop();
await t.drop();
for (const socket of sockets) socket.destroy();
hanging.close();
