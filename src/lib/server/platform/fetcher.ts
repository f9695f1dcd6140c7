import type { LookupAddress } from 'node:dns';
import { lookup as lookupHost } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import zlib from 'node:zlib';
import ipaddr from 'ipaddr.js';
import { Client } from 'undici';

export type FetchErrorCode =
	| 'invalid_url'
	| 'blocked_address'
	| 'dns'
	| 'timeout'
	| 'too_large'
	| 'too_many_redirects'
	| 'network';

export class FetchError extends Error {
	readonly code: FetchErrorCode;

	constructor(code: FetchErrorCode, message: string) {
		super(message);
		this.name = 'FetchError';
		this.code = code;
	}
}

export interface FetchOptions {
	accept?: string;
	headers?: Record<string, string>;
	maxBytes?: number;
}

export interface FetchResult {
	url: string;
	status: number;
	contentType: string;
	body: Buffer;
	text(): string;
	json(): unknown;
}

export interface Fetcher {
	fetch(url: string, options?: FetchOptions): Promise<FetchResult>;
}

export interface FetcherOptions {
	// IPs or CIDRs allowed even though they are not public unicast: exists only for tests.
	allowAddresses?: string[];
	// Origin -> origin, tests only: results and redirects are still reported in the original origin.
	rewrite?: Record<string, string>;
	timeoutMs?: number;
	maxBytes?: number;
	maxRedirects?: number;
	userAgent?: string;
	hostIntervalMs?: number;
}

const DEFAULT_USER_AGENT =
	'ProofworkBot/1.0 (+https://github.com/proofwork/proofwork; checks profile links)';
const DEFAULT_ACCEPT = 'text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8';
const ACCEPT_ENCODING = 'gzip, deflate, br';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Credentials a caller attached for one origin must not follow a redirect to another.
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
const MAX_TRACKED_HOSTS = 1000;
// IPv4-compatible IPv6 (::a.b.c.d) is deprecated but ipaddr.js reports it as unicast.
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

export function createFetcher(options: FetcherOptions = {}): Fetcher {
	const allowList = (options.allowAddresses ?? []).map(parseAllowEntry);
	const rewrites = new Map<string, string>();
	const reverseRewrites = new Map<string, string>();
	for (const [from, to] of Object.entries(options.rewrite ?? {})) {
		const fromOrigin = parseOrigin(from);
		const toOrigin = parseOrigin(to);
		rewrites.set(fromOrigin, toOrigin);
		reverseRewrites.set(toOrigin, fromOrigin);
	}
	const timeoutMs = options.timeoutMs ?? 5000;
	const defaultMaxBytes = options.maxBytes ?? 1_048_576;
	const maxRedirects = options.maxRedirects ?? 5;
	const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
	const hostIntervalMs = options.hostIntervalMs ?? 1000;
	const nextStartByHost = new Map<string, number>();

	function isAllowed(address: string): boolean {
		const parsed = ipaddr.process(address);
		if (allowList.some(([range, bits]) => matches(parsed, range, bits))) return true;
		if (matches(parsed, ...IPV4_COMPATIBLE)) return false;
		return parsed.range() === 'unicast';
	}

	// Reserves the next start slot for a host and returns how long to wait for it.
	function reserveSlot(hostname: string): number {
		if (hostIntervalMs <= 0) return 0;
		const now = Date.now();
		if (nextStartByHost.size >= MAX_TRACKED_HOSTS) {
			for (const [host, start] of nextStartByHost) if (start <= now) nextStartByHost.delete(host);
		}
		const start = Math.max(now, nextStartByHost.get(hostname) ?? 0);
		nextStartByHost.set(hostname, start + hostIntervalMs);
		return start - now;
	}

	function toTarget(url: URL): URL {
		const origin = rewrites.get(url.origin);
		return origin ? new URL(origin + url.pathname + url.search) : url;
	}

	function resolveLocation(location: string, current: URL): URL {
		const next = parseHttpUrl(location, current);
		const origin = reverseRewrites.get(next.origin);
		return origin ? parseHttpUrl(origin + next.pathname + next.search) : next;
	}

	async function resolveAllowed(target: URL, signal: AbortSignal): Promise<LookupAddress[]> {
		const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
		let addresses: LookupAddress[];
		const family = isIP(host);
		if (family) addresses = [{ address: host, family }];
		else {
			try {
				addresses = await abortable(lookupHost(host, { all: true, order: 'verbatim' }), signal);
			} catch (error) {
				if (signal.aborted) throw error;
				throw new FetchError('dns', `Could not resolve ${host}`);
			}
			if (addresses.length === 0) throw new FetchError('dns', `Could not resolve ${host}`);
		}
		// Every address must pass, so a name mixing public and private records is refused outright.
		if (!addresses.every((entry) => isAllowed(entry.address))) {
			throw new FetchError('blocked_address', `${host} is not a public address`);
		}
		return addresses;
	}

	async function fetch(input: string, fetchOptions: FetchOptions = {}): Promise<FetchResult> {
		let url = parseHttpUrl(input);
		const maxBytes = fetchOptions.maxBytes ?? defaultMaxBytes;
		const headers: Record<string, string> = {};
		for (const [name, value] of Object.entries(fetchOptions.headers ?? {})) {
			headers[name.toLowerCase()] = value;
		}
		headers['user-agent'] = userAgent;
		headers.accept = fetchOptions.accept ?? headers.accept ?? DEFAULT_ACCEPT;
		headers['accept-encoding'] = ACCEPT_ENCODING;

		const deadline = startDeadline(timeoutMs);
		try {
			for (let redirects = 0; ; redirects++) {
				const target = toTarget(url);
				const addresses = await resolveAllowed(target, deadline.signal);
				// Waiting politely for a host is queueing, not network time, so it does not count.
				const wait = reserveSlot(url.hostname);
				if (wait > 0) {
					deadline.pause();
					await sleep(wait);
					deadline.resume();
				}
				const response = await requestOnce(target, addresses, headers, maxBytes, deadline.signal);
				const location = firstHeader(response.headers.location);
				if (!REDIRECT_STATUSES.has(response.status) || !location) {
					return toResult(
						url,
						response.status,
						firstHeader(response.headers['content-type']),
						response.body
					);
				}
				if (redirects >= maxRedirects) {
					throw new FetchError('too_many_redirects', `More than ${maxRedirects} redirects`);
				}
				const next = resolveLocation(location, url);
				if (next.origin !== url.origin) {
					for (const name of ORIGIN_BOUND_HEADERS) delete headers[name];
				}
				url = next;
			}
		} catch (error) {
			if (error instanceof FetchError) throw error;
			if (deadline.signal.aborted) {
				throw new FetchError('timeout', `${url.hostname} did not answer within ${timeoutMs} ms`);
			}
			throw new FetchError('network', `Request to ${url.hostname} failed: ${describe(error)}`);
		} finally {
			deadline.stop();
		}
	}

	return { fetch };
}

export function fetcherOptionsFromEnv(env: Record<string, string | undefined>): FetcherOptions {
	const options: FetcherOptions = {};
	const allow = splitList(env.FETCH_ALLOW_ADDRESSES);
	if (allow.length > 0) options.allowAddresses = allow;
	const rewrite: Record<string, string> = {};
	for (const pair of splitList(env.FETCH_REWRITE)) {
		const at = pair.indexOf('=');
		if (at <= 0) throw new Error(`FETCH_REWRITE entry is not origin=origin: ${pair}`);
		rewrite[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
	}
	if (Object.keys(rewrite).length > 0) options.rewrite = rewrite;
	const userAgent = env.FETCH_USER_AGENT?.trim();
	if (userAgent) options.userAgent = userAgent;
	return options;
}

interface RawResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
}

// A client per hop whose lookup only returns the addresses already checked: no DNS rebinding window.
async function requestOnce(
	target: URL,
	addresses: LookupAddress[],
	headers: Record<string, string>,
	maxBytes: number,
	signal: AbortSignal
): Promise<RawResponse> {
	const client = new Client(target.origin, { connect: { lookup: pinnedLookup(addresses) } });
	try {
		const response = await client.request({
			method: 'GET',
			path: target.pathname + target.search,
			headers,
			signal
		});
		const status = response.statusCode;
		if (REDIRECT_STATUSES.has(status) && response.headers.location) {
			discard(response.body);
			return { status, headers: response.headers, body: Buffer.alloc(0) };
		}
		const declared = Number(firstHeader(response.headers['content-length']) || 0);
		if (declared > maxBytes) {
			discard(response.body);
			throw tooLarge(maxBytes);
		}
		const raw = await readCapped(response.body, maxBytes);
		const body = decodeContent(raw, firstHeader(response.headers['content-encoding']), maxBytes);
		return { status, headers: response.headers, body };
	} finally {
		client.destroy().catch(() => {});
	}
}

// Destroying an unread undici body emits an abort error; nobody else listens for it.
function discard(body: Readable): void {
	body.on('error', () => {});
	body.destroy();
}

function pinnedLookup(addresses: LookupAddress[]): LookupFunction {
	return (_hostname, options, callback) => {
		const usable = addresses.filter((entry) => !options.family || entry.family === options.family);
		if (usable.length === 0) {
			callback(Object.assign(new Error('No checked address'), { code: 'ENOTFOUND' }), '', 0);
		} else if (options.all) callback(null, usable);
		else callback(null, usable[0].address, usable[0].family);
	};
}

async function readCapped(body: AsyncIterable<Buffer>, maxBytes: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of body) {
		size += chunk.length;
		if (size > maxBytes) throw tooLarge(maxBytes);
		chunks.push(chunk);
	}
	return Buffer.concat(chunks, size);
}

// Decompression runs with maxOutputLength, so a compression bomb stops at the same cap as a plain body.
function decodeContent(raw: Buffer, encodingHeader: string, maxBytes: number): Buffer {
	const codings = encodingHeader
		.toLowerCase()
		.split(',')
		.map((coding) => coding.trim())
		.filter((coding) => coding && coding !== 'identity');
	let body = raw;
	for (const coding of codings.reverse()) {
		if (body.length === 0) break;
		body = decodeOne(body, coding, maxBytes);
	}
	return body;
}

function decodeOne(data: Buffer, coding: string, maxBytes: number): Buffer {
	const lenient = { maxOutputLength: maxBytes, finishFlush: zlib.constants.Z_SYNC_FLUSH };
	try {
		if (coding === 'gzip' || coding === 'x-gzip') return zlib.gunzipSync(data, lenient);
		// Some servers send raw deflate despite the spec asking for a zlib wrapper.
		if (coding === 'deflate') {
			return (data[0] & 0x0f) === 0x08
				? zlib.inflateSync(data, lenient)
				: zlib.inflateRawSync(data, lenient);
		}
		if (coding === 'br') return zlib.brotliDecompressSync(data, { maxOutputLength: maxBytes });
	} catch (error) {
		if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
		throw new FetchError('network', `Could not decode ${coding} body`);
	}
	throw new FetchError('network', `Unsupported content-encoding ${coding}`);
}

function toResult(url: URL, status: number, contentTypeHeader: string, body: Buffer): FetchResult {
	const text = () => decodeText(body, contentTypeHeader);
	return {
		url: url.href,
		status,
		contentType: contentTypeHeader.split(';')[0].trim().toLowerCase(),
		body,
		text,
		json: () => JSON.parse(text())
	};
}

function decodeText(body: Buffer, contentTypeHeader: string): string {
	const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentTypeHeader)?.[1];
	let decoder: TextDecoder;
	try {
		decoder = new TextDecoder(charset ?? 'utf-8');
	} catch {
		decoder = new TextDecoder('utf-8');
	}
	return decoder.decode(body);
}

function parseHttpUrl(input: string, base?: URL): URL {
	const url = URL.parse(input, base);
	if (!url) throw new FetchError('invalid_url', 'The URL could not be parsed');
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new FetchError('invalid_url', 'Only http and https URLs are fetched');
	}
	if (url.username || url.password) {
		throw new FetchError('invalid_url', 'URLs with credentials are refused');
	}
	if (!url.hostname) throw new FetchError('invalid_url', 'The URL has no host');
	url.hash = '';
	return url;
}

function parseOrigin(input: string): string {
	const url = URL.parse(input);
	if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
		throw new Error(`Fetcher rewrite needs http(s) origins, got ${input}`);
	}
	return url.origin;
}

function parseAllowEntry(entry: string): Cidr {
	const text = entry.trim();
	try {
		if (!text.includes('/')) {
			const address = ipaddr.process(text);
			return [address, address.kind() === 'ipv4' ? 32 : 128];
		}
		const [address, bits] = ipaddr.parseCIDR(text);
		// Addresses are compared after ipaddr.process(), which unwraps IPv4-mapped IPv6.
		if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
			return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
		}
		return [address, bits];
	} catch {
		throw new Error(`Fetcher allowAddresses entry is not an IP or CIDR: ${text}`);
	}
}

function matches(
	address: ipaddr.IPv4 | ipaddr.IPv6,
	range: ipaddr.IPv4 | ipaddr.IPv6,
	bits: number
) {
	return address.kind() === range.kind() && address.match(range, bits);
}

function startDeadline(ms: number) {
	const controller = new AbortController();
	let remaining = ms;
	let startedAt = 0;
	let timer: ReturnType<typeof setTimeout> | undefined;
	const resume = () => {
		startedAt = Date.now();
		timer = setTimeout(() => controller.abort(), Math.max(0, remaining));
	};
	resume();
	return {
		signal: controller.signal,
		resume,
		pause() {
			clearTimeout(timer);
			remaining -= Date.now() - startedAt;
		},
		stop() {
			clearTimeout(timer);
		}
	};
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
	return new Promise((resolve, reject) => {
		if (signal.aborted) return reject(new Error('aborted'));
		const onAbort = () => reject(new Error('aborted'));
		signal.addEventListener('abort', onAbort, { once: true });
		promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
	});
}

function firstHeader(value: string | string[] | undefined): string {
	return (Array.isArray(value) ? value[0] : value) ?? '';
}

function splitList(value: string | undefined): string[] {
	return (value ?? '')
		.split(',')
		.map((item) => item.trim())
		.filter(Boolean);
}

function tooLarge(maxBytes: number): FetchError {
	return new FetchError('too_large', `The response is larger than ${maxBytes} bytes`);
}

function describe(error: unknown): string {
	const code = (error as { code?: unknown })?.code;
	if (typeof code === 'string') return code;
	return error instanceof Error ? error.message : 'unknown error';
}
