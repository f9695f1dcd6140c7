// Stand-ins for the networks the back-link checks read: the Mastodon API (and its HTML profile
// pages), the Bluesky AppView, the GitHub API and personal websites. Each is a node:http server
// on 127.0.0.1 whose state is set from code (specs in the same process) or over HTTP with
// POST /__fake/<kind> (end-to-end tests, where the app runs in another process).
// Runs under Node's type stripping too, so only erasable TypeScript here.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeKind = 'mastodon' | 'bluesky' | 'github' | 'website';

export interface MastodonState {
	/** Field values are written as a person types them; links become anchors as Mastodon does. */
	fields?: { name: string; value: string }[];
	note?: string;
	followers?: number;
}

export interface BlueskyState {
	description?: string;
	displayName?: string;
	followers?: number;
}

export interface GithubState {
	blog?: string;
	bio?: string | null;
	followers?: number;
	socialAccounts?: { provider: string; url: string }[];
}

/** An HTML page, a redirect (absolute or a path on the same server), or any file (e.g. an image). */
export type WebsiteState =
	string | { redirect: string; status?: number } | { base64: string; type: string };

export interface FakePorts {
	mastodon: number;
	bluesky: number;
	github: number;
	websites: number;
}

export interface RecordedRequest {
	kind: FakeKind;
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
}

export interface FakeNetworks {
	ports: FakePorts;
	/** http://127.0.0.1:<port> of each server. */
	origins: Record<keyof FakePorts, string>;
	setMastodon(user: string, state: MastodonState | null): void;
	setBluesky(handle: string, state: BlueskyState | null): void;
	setGithub(user: string, state: GithubState | null): void;
	setWebsite(path: string, state: WebsiteState | null): void;
	/** The next request to that kind of server answers this status, or never answers. */
	failNext(kind: FakeKind, failure: number | 'hang'): void;
	/** Every request the fakes answered (control calls excepted), oldest first. */
	requests: RecordedRequest[];
	reset(): void;
	close(): Promise<void>;
}

const KINDS: FakeKind[] = ['mastodon', 'bluesky', 'github', 'website'];

/** The fetcher's rewrite map sending the real API origins (and example hosts) to the fakes. */
export function rewriteFor(fakes: Pick<FakeNetworks, 'origins'>): Record<string, string> {
	return {
		'https://mastodon.example': fakes.origins.mastodon,
		'https://public.api.bsky.app': fakes.origins.bluesky,
		'https://api.github.com': fakes.origins.github,
		'https://website.example': fakes.origins.websites,
		'http://website.example': fakes.origins.websites
	};
}

function escapeHtml(text: string): string {
	return text
		.replaceAll('&', '&amp;')
		.replaceAll('<', '&lt;')
		.replaceAll('>', '&gt;')
		.replaceAll('"', '&quot;');
}

// Mastodon renders a link as an anchor with the scheme in an invisible span, marked rel="me".
function linkify(text: string): string {
	return text
		.split(' ')
		.map((word) => {
			const match = /^(https?:\/\/)(\S+)$/.exec(word);
			if (!match) return escapeHtml(word);
			return (
				`<a href="${escapeHtml(word)}" target="_blank" rel="nofollow noopener me" translate="no">` +
				`<span class="invisible">${escapeHtml(match[1])}</span>` +
				`<span class="">${escapeHtml(match[2])}</span><span class="invisible"></span></a>`
			);
		})
		.join(' ');
}

function websiteState(body: Record<string, unknown>): WebsiteState | null {
	if (typeof body.base64 === 'string' && typeof body.type === 'string')
		return { base64: body.base64, type: body.type };
	if (typeof body.redirect === 'string')
		return { redirect: body.redirect, status: typeof body.status === 'number' ? body.status : 302 };
	return typeof body.html === 'string' ? body.html : null;
}

function send(
	response: http.ServerResponse,
	status: number,
	body: unknown,
	type = 'application/json; charset=utf-8'
) {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
	response.end(text);
}

async function readBody(request: http.IncomingMessage): Promise<unknown> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	const text = Buffer.concat(chunks).toString('utf8');
	return text ? JSON.parse(text) : {};
}

function listen(server: http.Server, port: number): Promise<number> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => {
			server.off('error', reject);
			resolve((server.address() as AddressInfo).port);
		});
	});
}

export async function startFakeNetworks(ports: Partial<FakePorts> = {}): Promise<FakeNetworks> {
	const mastodon = new Map<string, MastodonState>();
	const bluesky = new Map<string, BlueskyState>();
	const github = new Map<string, GithubState>();
	const websites = new Map<string, WebsiteState>();
	const failures: Record<FakeKind, (number | 'hang')[]> = {
		mastodon: [],
		bluesky: [],
		github: [],
		website: []
	};
	const requests: RecordedRequest[] = [];
	const origins = {} as Record<keyof FakePorts, string>;

	const control: Omit<FakeNetworks, 'ports' | 'origins' | 'requests' | 'close'> = {
		setMastodon: (user, state) =>
			state ? mastodon.set(user.toLowerCase(), state) : mastodon.delete(user.toLowerCase()),
		setBluesky: (handle, state) =>
			state ? bluesky.set(handle.toLowerCase(), state) : bluesky.delete(handle.toLowerCase()),
		setGithub: (user, state) =>
			state ? github.set(user.toLowerCase(), state) : github.delete(user.toLowerCase()),
		setWebsite: (path, state) => (state ? websites.set(path, state) : websites.delete(path)),
		failNext: (kind, failure) => failures[kind].push(failure),
		reset: () => {
			for (const map of [mastodon, bluesky, github, websites]) map.clear();
			for (const kind of KINDS) failures[kind] = [];
			requests.length = 0;
		}
	};

	// POST /__fake/<kind> on any of the servers: the state is shared.
	async function handleControl(kind: string, body: Record<string, unknown>): Promise<boolean> {
		const account = (body.account ?? null) as never;
		if (kind === 'mastodon') control.setMastodon(String(body.user), account);
		else if (kind === 'bluesky') control.setBluesky(String(body.handle), account);
		else if (kind === 'github') control.setGithub(String(body.user), account);
		else if (kind === 'website') control.setWebsite(String(body.path), websiteState(body));
		else if (kind === 'fail') {
			if (!KINDS.includes(body.kind as FakeKind)) return false;
			control.failNext(
				body.kind as FakeKind,
				body.status === 'hang' ? 'hang' : Number(body.status)
			);
		} else if (kind === 'reset') control.reset();
		else return false;
		return true;
	}

	function answerMastodon(url: URL, response: http.ServerResponse) {
		const host = url.host;
		if (url.pathname === '/.well-known/nodeinfo')
			return send(response, 200, {
				links: [
					{
						rel: 'http://nodeinfo.diaspora.software/ns/schema/2.0',
						href: `https://mastodon.example/nodeinfo/2.0`
					}
				]
			});
		if (url.pathname === '/api/v1/accounts/lookup') {
			const acct = (url.searchParams.get('acct') ?? '').replace(/^@/, '').split('@')[0];
			const state = mastodon.get(acct.toLowerCase());
			if (!state) return send(response, 404, { error: 'Record not found' });
			return send(response, 200, {
				id: '109' + acct.length,
				username: acct,
				acct,
				display_name: acct,
				url: `https://mastodon.example/@${acct}`,
				note: state.note ? `<p>${linkify(state.note)}</p>` : '',
				followers_count: state.followers ?? 0,
				following_count: 0,
				statuses_count: 0,
				fields: (state.fields ?? []).map((field) => ({
					name: field.name,
					value: linkify(field.value),
					verified_at: null
				}))
			});
		}
		const page = /^\/@([^/@]+)\/?$/.exec(url.pathname);
		const state = page ? mastodon.get(page[1].toLowerCase()) : undefined;
		if (!page || !state)
			return send(response, 404, '<!doctype html><title>Not found</title>', 'text/html');
		const fields = (state.fields ?? [])
			.map((f) => `<dl><dt>${escapeHtml(f.name)}</dt><dd>${linkify(f.value)}</dd></dl>`)
			.join('');
		return send(
			response,
			200,
			`<!doctype html><html><head><title>${page[1]} (@${page[1]}@${host})</title></head>` +
				`<body><div class="account__header__content">${linkify(state.note ?? '')}</div>` +
				`<div class="account__header__fields">${fields}</div></body></html>`,
			'text/html; charset=utf-8'
		);
	}

	function answerBluesky(url: URL, response: http.ServerResponse) {
		if (url.pathname !== '/xrpc/app.bsky.actor.getProfile')
			return send(response, 501, {
				error: 'MethodNotImplemented',
				message: 'Method Not Implemented'
			});
		const actor = (url.searchParams.get('actor') ?? '').replace(/^@/, '').toLowerCase();
		if (!actor)
			return send(response, 400, {
				error: 'InvalidRequest',
				message: 'Error: Params must have the property "actor"'
			});
		const state = bluesky.get(actor);
		if (!state)
			return send(response, 400, { error: 'InvalidRequest', message: 'Profile not found' });
		return send(response, 200, {
			did: `did:plc:${actor
				.replace(/[^a-z2-7]/g, '')
				.padEnd(24, 'a')
				.slice(0, 24)}`,
			handle: actor,
			displayName: state.displayName ?? actor,
			description: state.description ?? '',
			followersCount: state.followers ?? 0,
			followsCount: 0,
			postsCount: 0
		});
	}

	function answerGithub(url: URL, response: http.ServerResponse) {
		const match = /^\/users\/([^/]+)(\/social_accounts)?\/?$/.exec(url.pathname);
		const state = match ? github.get(decodeURIComponent(match[1]).toLowerCase()) : undefined;
		const notFound = {
			message: 'Not Found',
			documentation_url: 'https://docs.github.com/rest',
			status: '404'
		};
		if (!match || !state) return send(response, 404, notFound);
		const login = decodeURIComponent(match[1]);
		if (match[2]) return send(response, 200, state.socialAccounts ?? []);
		return send(response, 200, {
			login,
			id: 1000 + login.length,
			html_url: `https://github.com/${login}`,
			type: 'User',
			name: login,
			company: null,
			blog: state.blog ?? '',
			location: null,
			bio: state.bio ?? null,
			public_repos: 0,
			followers: state.followers ?? 0,
			following: 0
		});
	}

	function answerWebsite(url: URL, response: http.ServerResponse) {
		const state = websites.get(url.pathname);
		if (state === undefined)
			return send(response, 404, '<!doctype html><title>Not found</title>', 'text/html');
		if (typeof state !== 'string' && 'base64' in state) {
			const bytes = Buffer.from(state.base64, 'base64');
			response.writeHead(200, { 'content-type': state.type, 'content-length': bytes.length });
			return response.end(bytes);
		}
		if (typeof state !== 'string') {
			response.writeHead(state.status ?? 302, { location: state.redirect });
			return response.end();
		}
		return send(response, 200, state, 'text/html; charset=utf-8');
	}

	const answer: Record<FakeKind, (url: URL, response: http.ServerResponse) => void> = {
		mastodon: answerMastodon,
		bluesky: answerBluesky,
		github: answerGithub,
		website: answerWebsite
	};

	function createServer(kind: FakeKind): http.Server {
		return http.createServer((request, response) => {
			const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
			if (url.pathname.startsWith('/__fake/')) {
				if (request.method !== 'POST') return send(response, 405, { error: 'POST only' });
				readBody(request)
					.then((body) =>
						handleControl(url.pathname.slice('/__fake/'.length), body as Record<string, unknown>)
					)
					.then((ok) =>
						ok
							? (response.writeHead(204), response.end())
							: send(response, 404, { error: 'unknown control' })
					)
					.catch((error: Error) => send(response, 400, { error: error.message }));
				return;
			}
			requests.push({
				kind,
				method: request.method ?? 'GET',
				url: url.pathname + url.search,
				headers: request.headers
			});
			const failure = failures[kind].shift();
			if (failure === 'hang') return; // Never answers; close() ends the connection.
			if (failure !== undefined)
				return send(response, failure, { error: 'Fake failure', status: failure });
			answer[kind](url, response);
		});
	}

	const servers = {
		mastodon: createServer('mastodon'),
		bluesky: createServer('bluesky'),
		github: createServer('github'),
		websites: createServer('website')
	};
	const bound = {} as FakePorts;
	try {
		for (const name of Object.keys(servers) as (keyof FakePorts)[]) {
			bound[name] = await listen(servers[name], ports[name] ?? 0);
			origins[name] = `http://127.0.0.1:${bound[name]}`;
		}
	} catch (error) {
		for (const server of Object.values(servers)) if (server.listening) server.close();
		throw error;
	}

	return {
		...control,
		ports: bound,
		origins,
		requests,
		close: async () => {
			await Promise.all(
				Object.values(servers).map(
					(server) =>
						new Promise<void>((resolve) => {
							server.close(() => resolve());
							server.closeAllConnections();
						})
				)
			);
		}
	};
}
