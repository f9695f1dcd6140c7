// Real users writing through the app's forms as a browser without JavaScript does: form-urlencoded
// POSTs with the site's Origin, redirects not followed. A 303 to the expected page is an
// acknowledged write; each carries a unique token so the database can be checked for it afterwards.
import http from 'node:http';

export const PASSWORD = 'a long passphrase for faults';
const TIMEOUT_MS = 10_000;

export interface User {
	handle: string;
	email: string;
	/** Each user posts from an address of its own, so per-IP limits do not mix them up. */
	address: string;
	cookie: string;
	id: number;
}

export type Kind = 'work' | 'endorsement' | 'message';

export interface Outcome {
	status?: number;
	location?: string | null;
	retryAfter?: string | null;
	/** The request failed without an answer: connection refused or reset (the app was killed). */
	error?: string;
	hung?: boolean;
}

type Form = [string, string][];

export async function post(base: string, path: string, form: Form, user?: Partial<User>) {
	const headers: Record<string, string> = {
		Origin: base,
		Accept: 'text/html',
		'Content-Type': 'application/x-www-form-urlencoded',
		'X-Forwarded-For': user?.address ?? '10.99.0.1'
	};
	if (user?.cookie) headers.Cookie = user.cookie;
	return request(base + path, { method: 'POST', headers, body: new URLSearchParams(form) });
}

export async function request(
	url: string,
	init: RequestInit
): Promise<Outcome & { response?: Response }> {
	try {
		const response = await fetch(url, {
			...init,
			redirect: 'manual',
			signal: AbortSignal.timeout(TIMEOUT_MS)
		});
		await response.arrayBuffer();
		return {
			status: response.status,
			location: response.headers.get('location'),
			retryAfter: response.headers.get('retry-after'),
			response
		};
	} catch (error) {
		const e = error as Error & { cause?: { code?: string } };
		if (e.name === 'TimeoutError') return { hung: true, error: 'timeout' };
		return { error: e.cause?.code ?? e.message };
	}
}

export async function signUp(base: string, handle: string, address: string): Promise<User> {
	const email = `${handle}@example.com`;
	const outcome = await post(
		base,
		'/signup',
		[
			['email', email],
			['handle', handle],
			['password', PASSWORD]
		],
		{ address }
	);
	const cookie = outcome.response?.headers
		.getSetCookie()
		.map((header) => header.split(';')[0])
		.find((pair) => pair.startsWith('pw_session='));
	if (outcome.status !== 303 || !cookie)
		throw new Error(`Signing up @${handle} failed: ${outcome.status ?? outcome.error}`);
	return { handle, email, address, cookie, id: 0 };
}

export interface Write {
	kind: Kind;
	token: string;
	path: string;
	form: Form;
	user: User;
	/** What the Location of a 303 must look like for the write to count as acknowledged. */
	acknowledged: RegExp;
}

export function workWrite(user: User, token: string, skillIds: number[]): Write {
	return {
		kind: 'work',
		token,
		user,
		path: '/settings/work?/create',
		form: [
			['title', `Launch ${token}`],
			['url', ''],
			['role', 'Lead'],
			['outcome', `Shipped ${token}`],
			['happenedOn', '2026-05'],
			['caseStudy', ''],
			...skillIds.map((id): [string, string] => ['skills', String(id)])
		],
		acknowledged: /^\/settings\/work\?saved=created$/
	};
}

export function endorsementWrite(
	endorser: User,
	subject: User,
	token: string,
	skillIds: number[]
): Write {
	return {
		kind: 'endorsement',
		token,
		user: endorser,
		path: `/@${subject.handle}/endorse?/save`,
		form: [
			['relationship', 'worked_together'],
			['organisation', 'Faults Inc'],
			['period', '2025'],
			['workItemId', ''],
			['body', `We ran the copywriting for a launch together for months ${token}; careful work.`],
			...skillIds.map((id): [string, string] => ['skills', String(id)])
		],
		acknowledged: new RegExp(`^/@${subject.handle}/endorse\\?saved=(sent|edited)$`)
	};
}

export function messageWrite(sender: User, recipient: User, token: string): Write {
	return {
		kind: 'message',
		token,
		user: sender,
		path: `/@${recipient.handle}/contact?/send`,
		form: [
			['subject', `Project ${token}`],
			['body', `Hello, could we talk about ${token}? Thanks.`]
		],
		acknowledged: /^\/dashboard\/messages\/\d+\?saved=sent$/
	};
}

/**
 * Posts `write` with its body sent in pieces over `ms`: a request that is still arriving, and
 * still running, when the app is told to stop.
 */
export function slowPost(base: string, write: Write, ms: number): Promise<Outcome> {
	const body = new URLSearchParams(write.form).toString();
	const url = new URL(base + write.path);
	return new Promise((resolve) => {
		const req = http.request(
			{
				host: url.hostname,
				port: url.port,
				path: url.pathname + url.search,
				method: 'POST',
				agent: false,
				headers: {
					Origin: base,
					Accept: 'text/html',
					'Content-Type': 'application/x-www-form-urlencoded',
					'Content-Length': Buffer.byteLength(body),
					'X-Forwarded-For': write.user.address,
					Cookie: write.user.cookie
				}
			},
			(res) => {
				res.resume();
				res.on('end', () => resolve({ status: res.statusCode, location: res.headers.location }));
			}
		);
		req.on('error', (error: Error & { code?: string }) =>
			resolve({ error: error.code ?? error.message })
		);
		const pieces = 8;
		const size = Math.ceil(body.length / pieces);
		let sent = 0;
		const timer = setInterval(() => {
			req.write(body.slice(sent, sent + size));
			sent += size;
			if (sent >= body.length) {
				clearInterval(timer);
				req.end();
			}
		}, ms / pieces);
	});
}
