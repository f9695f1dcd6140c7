import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
	createFetcher,
	FetchError,
	fetcherOptionsFromEnv,
	type FetchErrorCode,
	type FetcherOptions
} from '#lib/server/platform/fetcher.js';
import { recordRequestStarts } from '#lib/server/platform/request-starts.js';

interface Seen {
	path: string;
	headers: http.IncomingHttpHeaders;
	at: number;
}

const seen: Seen[] = [];
let origin = '';
let port = 0;
let otherOrigin = '';
const otherSeen: Seen[] = [];
const servers: http.Server[] = [];
const BOMB = zlib.gzipSync(Buffer.alloc(20 * 1024 * 1024));

function handle(req: http.IncomingMessage, res: http.ServerResponse) {
	const url = new URL(req.url ?? '/', 'http://local');
	const redirect = (location: string, status = 302) => {
		res.writeHead(status, { location });
		res.end();
	};
	switch (url.pathname) {
		case '/hello':
			res.writeHead(200, { 'content-type': 'Text/HTML; charset=utf-8' });
			return res.end('<h1>Hello</h1>');
		case '/latin1':
			res.writeHead(200, { 'content-type': 'text/plain; charset=iso-8859-1' });
			return res.end(Buffer.from('café', 'latin1'));
		case '/json':
			res.writeHead(200, { 'content-type': 'application/json' });
			return res.end(JSON.stringify({ followers: 42 }));
		case '/missing':
			res.writeHead(404, { 'content-type': 'text/plain' });
			return res.end('nope');
		case '/echo-headers':
			res.writeHead(200, { 'content-type': 'application/json' });
			return res.end(JSON.stringify(req.headers));
		case '/hop2':
			return redirect('/hop1', 301);
		case '/hop1':
			return redirect(`${origin}/hello?from=hop1`);
		case '/to-metadata':
			return redirect('http://169.254.169.254/latest/meta-data/');
		case '/to-file':
			return redirect('file:///etc/passwd');
		case '/to-other':
			return redirect(`${otherOrigin}/echo-headers`);
		case '/loop': {
			const n = Number(url.searchParams.get('n') ?? 0);
			const stop = Number(url.searchParams.get('stop') ?? Infinity);
			if (n >= stop) return res.end('landed');
			return redirect(`/loop?n=${n + 1}&stop=${stop}`, 307);
		}
		case '/big-declared':
			res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5000' });
			return res.end('x'.repeat(5000));
		case '/big-chunked': {
			res.writeHead(200, { 'content-type': 'text/plain' });
			for (let i = 0; i < 5; i++) res.write('y'.repeat(1000));
			return res.end();
		}
		case '/exact':
			res.writeHead(200, { 'content-type': 'text/plain' });
			return res.end('z'.repeat(1000));
		case '/gzip':
			res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
			return res.end(zlib.gzipSync('compressed hello'));
		case '/bomb':
			res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
			return res.end(BOMB);
		case '/stall':
			return; // never answers
		case '/stall-body':
			res.writeHead(200, { 'content-type': 'text/plain' });
			res.write('partial');
			return; // never ends
		default:
			res.writeHead(200, { 'content-type': 'text/plain' });
			return res.end(`path ${url.pathname}${url.search}`);
	}
}

async function listen(log: Seen[]): Promise<http.Server> {
	const server = http.createServer((req, res) => {
		log.push({ path: req.url ?? '', headers: req.headers, at: performance.now() });
		handle(req, res);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	servers.push(server);
	return server;
}

function local(options: FetcherOptions = {}) {
	return createFetcher({ allowAddresses: ['127.0.0.1'], hostIntervalMs: 0, ...options });
}

async function failure(promise: Promise<unknown>): Promise<FetchErrorCode> {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(FetchError);
	return (error as FetchError).code;
}

beforeAll(async () => {
	const main = await listen(seen);
	port = (main.address() as AddressInfo).port;
	origin = `http://127.0.0.1:${port}`;
	const other = await listen(otherSeen);
	otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});

afterAll(async () => {
	for (const server of servers) {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	}
});

beforeEach(() => {
	seen.length = 0;
	otherSeen.length = 0;
});

describe('fetching allowed addresses', () => {
	it('returns the body, status, media type and url of a 200', async () => {
		const result = await local().fetch(`${origin}/hello#fragment`);
		expect(result.status).toBe(200);
		expect(result.contentType).toBe('text/html');
		expect(result.url).toBe(`${origin}/hello`);
		expect(result.body.toString()).toBe('<h1>Hello</h1>');
		expect(result.text()).toBe('<h1>Hello</h1>');
	});

	it('decodes text with the declared charset and parses json', async () => {
		const fetcher = local();
		expect((await fetcher.fetch(`${origin}/latin1`)).text()).toBe('café');
		expect((await fetcher.fetch(`${origin}/json`)).json()).toEqual({ followers: 42 });
	});

	it('returns a 404 instead of throwing', async () => {
		const result = await local().fetch(`${origin}/missing`);
		expect(result.status).toBe(404);
		expect(result.text()).toBe('nope');
	});

	it('sends the bot User-Agent, the default Accept and caller headers', async () => {
		const result = await local().fetch(`${origin}/echo-headers`, { headers: { 'X-Trace': 'a1' } });
		const headers = result.json() as Record<string, string>;
		expect(headers['user-agent']).toBe(
			'ProofworkBot/1.0 (+https://github.com/proofwork/proofwork; checks profile links)'
		);
		expect(headers.accept).toBe('text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8');
		expect(headers['x-trace']).toBe('a1');

		const custom = await local({ userAgent: 'TestBot/2' }).fetch(`${origin}/echo-headers`, {
			accept: 'application/activity+json'
		});
		expect(custom.json()).toMatchObject({
			'user-agent': 'TestBot/2',
			accept: 'application/activity+json'
		});
	});

	it('decompresses a gzip body', async () => {
		const result = await local().fetch(`${origin}/gzip`);
		expect(result.text()).toBe('compressed hello');
	});
});

describe('refusing non-public addresses', () => {
	it.each([
		['127.0.0.1', () => `${origin}/hello`],
		['localhost', () => `http://localhost:${port}/hello`],
		['an octal/hex loopback form', () => `http://0x7f.1:${port}/hello`],
		['a decimal loopback form', () => `http://2130706433:${port}/hello`],
		['0.0.0.0', () => `http://0.0.0.0:${port}/hello`],
		['[::1]', () => `http://[::1]:${port}/hello`],
		['IPv4-mapped loopback', () => `http://[::ffff:127.0.0.1]:${port}/hello`],
		['10.x', () => 'http://10.0.0.1/'],
		['192.168.x', () => 'http://192.168.1.1/'],
		['the metadata service', () => 'http://169.254.169.254/latest/meta-data/'],
		['IPv6 unique local', () => 'http://[fd00::1]/']
	])('refuses %s before connecting', async (_name, url) => {
		const code = await failure(createFetcher({ hostIntervalMs: 0 }).fetch(url()));
		expect(code).toBe('blocked_address');
		expect(seen).toHaveLength(0);
	});

	it('allows a CIDR from allowAddresses but nothing outside it', async () => {
		const fetcher = createFetcher({ allowAddresses: ['127.0.0.0/8'], hostIntervalMs: 0 });
		expect((await fetcher.fetch(`${origin}/hello`)).status).toBe(200);
		expect(await failure(fetcher.fetch('http://10.1.2.3/'))).toBe('blocked_address');
	});
});

describe('redirects', () => {
	it('follows a chain of two and reports the final url', async () => {
		const result = await local().fetch(`${origin}/hop2`);
		expect(result.url).toBe(`${origin}/hello?from=hop1`);
		expect(result.text()).toBe('<h1>Hello</h1>');
		expect(seen.map((s) => s.path)).toEqual(['/hop2', '/hop1', '/hello?from=hop1']);
	});

	it('re-checks each hop and refuses a redirect to the metadata address', async () => {
		expect(await failure(local().fetch(`${origin}/to-metadata`))).toBe('blocked_address');
	});

	it('refuses a redirect to a non-http scheme', async () => {
		expect(await failure(local().fetch(`${origin}/to-file`))).toBe('invalid_url');
	});

	it('follows five redirects and refuses the sixth', async () => {
		const fetcher = local();
		const five = await fetcher.fetch(`${origin}/loop?n=0&stop=5`);
		expect(five.text()).toBe('landed');
		expect(await failure(fetcher.fetch(`${origin}/loop?n=0&stop=Infinity`))).toBe(
			'too_many_redirects'
		);
		expect(seen.filter((s) => s.path.includes('stop=Infinity'))).toHaveLength(6);
	});

	it('drops Authorization when a redirect leaves the origin', async () => {
		const result = await local().fetch(`${origin}/to-other`, {
			headers: { Authorization: 'Bearer secret' }
		});
		expect(seen[0].headers.authorization).toBe('Bearer secret');
		expect(otherSeen).toHaveLength(1);
		expect((result.json() as Record<string, string>).authorization).toBeUndefined();
	});
});

describe('limits', () => {
	it('refuses a body over maxBytes with or without Content-Length', async () => {
		const fetcher = local({ maxBytes: 1000 });
		expect(await failure(fetcher.fetch(`${origin}/big-declared`))).toBe('too_large');
		expect(await failure(fetcher.fetch(`${origin}/big-chunked`))).toBe('too_large');
		expect((await fetcher.fetch(`${origin}/exact`)).body).toHaveLength(1000);
	});

	it('applies the cap after decompression so a gzip bomb is refused', async () => {
		expect(BOMB.length).toBeLessThan(1_048_576);
		expect(await failure(local().fetch(`${origin}/bomb`))).toBe('too_large');
	});

	it('times out a server that stalls before or during the body', async () => {
		const fetcher = local({ timeoutMs: 300 });
		const started = performance.now();
		expect(await failure(fetcher.fetch(`${origin}/stall`))).toBe('timeout');
		expect(await failure(fetcher.fetch(`${origin}/stall-body`))).toBe('timeout');
		expect(performance.now() - started).toBeLessThan(2000);
	});

	it.each(['file:///etc/passwd', 'ftp://example.com/file', 'javascript:alert(1)', 'not a url'])(
		'refuses %s as invalid_url',
		async (url) => {
			expect(await failure(local().fetch(url))).toBe('invalid_url');
		}
	);

	it('refuses credentials in the URL', async () => {
		expect(await failure(local().fetch(`http://user:pw@127.0.0.1:${port}/hello`))).toBe(
			'invalid_url'
		);
		expect(seen).toHaveLength(0);
	});

	it('spaces concurrent requests to one host by hostIntervalMs', async () => {
		const fetcher = local({ hostIntervalMs: 150 });
		const recorder = recordRequestStarts(origin);
		const asked = performance.now();
		try {
			await Promise.all([fetcher.fetch(`${origin}/a`), fetcher.fetch(`${origin}/b`)]);
		} finally {
			recorder.stop();
		}
		expect(seen).toHaveLength(2);
		expect(recorder.starts.map((start) => start.path)).toEqual(['/a', '/b']);
		// Measured from when both were asked for to when the second starts (undici creates it), so
		// neither connection set-up nor a busy machine delaying the first start can shrink it; the
		// 5 ms allowed cover the fetcher scheduling in whole ms of Date.now(). Unspaced: under 5 ms.
		expect(recorder.starts[1].at - asked).toBeGreaterThanOrEqual(145);
	});
});

describe('test rewrites', () => {
	it('sends the request to the rewritten origin but reports the original url', async () => {
		const fetcher = local({ rewrite: { 'https://mastodon.example': origin } });
		const result = await fetcher.fetch('https://mastodon.example/api/v1/accounts/lookup?acct=ann');
		expect(result.url).toBe('https://mastodon.example/api/v1/accounts/lookup?acct=ann');
		expect(seen[0].path).toBe('/api/v1/accounts/lookup?acct=ann');
	});

	it('resolves redirects in terms of the original origin', async () => {
		const fetcher = local({ rewrite: { 'https://mastodon.example': origin } });
		const result = await fetcher.fetch('https://mastodon.example/hop2');
		expect(result.url).toBe('https://mastodon.example/hello?from=hop1');
		expect(result.text()).toBe('<h1>Hello</h1>');
	});

	it('still checks the rewritten address', async () => {
		const fetcher = createFetcher({ rewrite: { 'https://mastodon.example': origin } });
		expect(await failure(fetcher.fetch('https://mastodon.example/hello'))).toBe('blocked_address');
		expect(seen).toHaveLength(0);
	});
});

describe('fetcherOptionsFromEnv', () => {
	it('parses the allow list, rewrites and user agent', () => {
		const options = fetcherOptionsFromEnv({
			FETCH_ALLOW_ADDRESSES: '127.0.0.1, 10.0.0.0/8',
			FETCH_REWRITE:
				'https://mastodon.example=http://127.0.0.1:4181,https://api.github.com=http://127.0.0.1:4183',
			FETCH_USER_AGENT: 'E2EBot/1'
		});
		expect(options).toEqual({
			allowAddresses: ['127.0.0.1', '10.0.0.0/8'],
			rewrite: {
				'https://mastodon.example': 'http://127.0.0.1:4181',
				'https://api.github.com': 'http://127.0.0.1:4183'
			},
			userAgent: 'E2EBot/1'
		});
		expect(fetcherOptionsFromEnv({})).toEqual({});
	});
});
