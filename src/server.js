// `npm start`: serves the built app (build/) on Node's http server.
//
// adapter-node 6 no longer reads ORIGIN and, without a proxy header, assumes every request came
// over https, which makes SvelteKit's CSRF check refuse form posts on plain http://localhost.
// So this entry decides each request's origin at run time: PUBLIC_URL when it is set (the
// self-hosted public address), otherwise the address this process listens on, over http. A
// request's Host header is never trusted beyond that: links, mail and cached pages are built on
// one fixed origin, which the app reads from LISTEN_ORIGIN (src/lib/server/platform/site.ts).
import http from 'node:http';
import process from 'node:process';

const ORIGIN_HEADER_PROTO = 'x-proofwork-origin-proto';
const ORIGIN_HEADER_HOST = 'x-proofwork-origin-host';

const publicUrl = process.env.PUBLIC_URL ? new URL(process.env.PUBLIC_URL) : null;
if (publicUrl && !/^https?:$/.test(publicUrl.protocol)) {
	console.error(`PUBLIC_URL must start with http:// or https:// (got ${process.env.PUBLIC_URL})`);
	process.exit(1);
}
const host = process.env.HOST || '0.0.0.0';
const port = Number(process.env.PORT || 3000);
const shutdownTimeoutMs = Number(process.env.SHUTDOWN_TIMEOUT || 1.5) * 1000;

// Listening on every interface or on loopback, the site is http://localhost:PORT; on one other
// address, that address. Reached any other way, set PUBLIC_URL.
const loopback =
	['', '0.0.0.0', '::', '::1', 'localhost'].includes(host) || host.startsWith('127.');
const listenOrigin = new URL(
	loopback
		? `http://localhost:${port}`
		: `http://${host.includes(':') ? `[${host}]` : host}:${port}`
);
process.env.LISTEN_ORIGIN = listenOrigin.origin;
// Without PUBLIC_URL a form may come from any loopback spelling of this address (whatever the
// person typed), so Kit's CSRF check sees that origin; any other Host gets the fixed one.
const localHosts = new Set([
	listenOrigin.host,
	...(loopback ? [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`] : [])
]);

// adapter-node reads these once, when its handler module loads.
process.env.PROTOCOL_HEADER = ORIGIN_HEADER_PROTO;
process.env.HOST_HEADER = ORIGIN_HEADER_HOST;
delete process.env.PORT_HEADER;
// Work images may be up to 15 MB (streamed to disk, never held whole); the actions refuse
// anything larger with a clear message.
process.env.BODY_SIZE_LIMIT ??= '16M';

// Visits to /@handle that the app can answer from its page cache (src/lib/server/http/profile-cache.ts)
// are answered here, before SvelteKit turns the request into a web Request and back.
const addressHeader = (process.env.ADDRESS_HEADER || '').toLowerCase();
const xffDepth = Number(process.env.XFF_DEPTH || 1);

/** The client address as adapter-node reads it (ADDRESS_HEADER, XFF_DEPTH), for counting views. */
function clientAddress(/** @type {http.IncomingMessage} */ req) {
	const header = addressHeader ? req.headers[addressHeader] : undefined;
	if (typeof header === 'string') {
		if (addressHeader !== 'x-forwarded-for') return header.trim();
		const addresses = header.split(',');
		return (addresses[addresses.length - xffDepth] ?? addresses[0]).trim();
	}
	return req.socket.remoteAddress ?? '';
}

/** @param {http.IncomingMessage} req */
function header(req, /** @type {string} */ name) {
	const value = req.headers[name];
	return typeof value === 'string' ? value : null;
}

/** @type {((req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void) | undefined} */
let handler;
const RETRY_AFTER_SECONDS = '5';

/** @param {http.ServerResponse} res @param {string} text */
function unavailable(res, text) {
	res.writeHead(503, {
		'content-type': 'text/plain; charset=utf-8',
		'retry-after': RETRY_AFTER_SECONDS,
		'cache-control': 'no-store'
	});
	res.end(text);
}

/** Responses being written, so that shutdown can tell their clients not to reuse the connection. */
const inFlight = new Set();
let stopping = false;

const server = http.createServer((req, res) => {
	// While starting (the database may still be away) and while stopping, the process is alive but
	// not ready: load balancers read that from /healthz and /readyz, everyone else gets a 503.
	if (stopping) res.setHeader('connection', 'close');
	if (!handler || (stopping && req.url === '/readyz')) {
		if (req.url === '/healthz' && !stopping) res.end('ok\n');
		else
			unavailable(res, stopping ? 'Shutting down.\n' : 'Starting; try again in a few seconds.\n');
		return;
	}
	const cache = globalThis.proofworkProfileCache;
	// Only profile pages are cached: other paths skip reading headers for the lookup.
	if (cache && (req.method === 'GET' || req.method === 'HEAD') && req.url?.startsWith('/@')) {
		const hit = cache.lookup({
			path: req.url ?? '',
			cookie: header(req, 'cookie'),
			userAgent: header(req, 'user-agent'),
			accept: header(req, 'accept'),
			fetchDest: header(req, 'sec-fetch-dest'),
			address: clientAddress(req)
		});
		if (hit) {
			res.writeHead(200, hit.headers);
			res.end(req.method === 'HEAD' ? undefined : hit.body);
			return;
		}
	}
	// Cached pages above are written at once; a request the app handles may still be running at
	// shutdown, so it is tracked until its answer is sent.
	inFlight.add(res);
	res.once('close', () => {
		inFlight.delete(res);
		// Keep-alive connections whose last request just finished must not hold the shutdown up.
		if (stopping) server.closeIdleConnections();
	});
	// Whatever a client sends under these names is discarded; only this process sets them.
	req.headers[ORIGIN_HEADER_PROTO] = publicUrl ? publicUrl.protocol.slice(0, -1) : 'http';
	const requestHost = (req.headers.host ?? '').toLowerCase();
	req.headers[ORIGIN_HEADER_HOST] = publicUrl
		? publicUrl.host
		: localHosts.has(requestHost)
			? requestHost
			: listenOrigin.host;
	handler(req, res, () => {
		res.statusCode = 404;
		res.end('Not found');
	});
});

await new Promise((resolve) => server.listen({ host, port }, () => resolve(undefined)));
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

// Runs the app's init (migrations, job queue), which waits for a database that is away.
({ handler } = await import(new URL('../build/handler.js', import.meta.url).href));
if (!stopping) {
	const shown = publicUrl ? publicUrl.origin : listenOrigin.origin;
	console.log(`Proofwork is listening on ${host}:${port}; open ${shown}`);
}

/** @param {string} reason */
function shutdown(reason) {
	if (stopping) return;
	stopping = true;
	if (!handler) process.exit(0);
	// Responses not yet sent close their connection after them, so clients do not reuse it.
	for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
	server.close(() => {
		// Lets the app close its database (see hooks.server.ts), then the process ends by itself.
		// @ts-expect-error adapter-node's own event name, not one of Node's signals
		process.emit('sveltekit:shutdown', reason);
	});
	server.closeIdleConnections();
	// Requests still running after the grace period are cut off.
	setTimeout(() => {
		server.closeAllConnections();
		setTimeout(() => process.exit(0), 1000).unref();
	}, shutdownTimeoutMs).unref();
}
