// Hostile input at every route, parameter and form action: NUL bytes, ids outside PostgreSQL's
// int4, numbers in other notations, very long strings, broken multipart bodies, bytes that are not
// UTF-8, duplicate fields and open-redirect targets. None may answer 5xx; each answers the 4xx a
// person would expect (404 for something that cannot exist, 400 for a form to correct).
import {
	expect,
	request as playwrightRequest,
	test,
	type APIRequestContext
} from '@playwright/test';
import { newUser } from './helpers';

const PORT = Number(process.env.E2E_PORT || 4173);
const BASE = `http://localhost:${PORT}`;
const ORIGIN = { Origin: BASE, Accept: 'text/html', 'X-Forwarded-For': '127.0.0.7' };

const NUL = 'a\u0000b';
const LONG = 'x'.repeat(6000);
const BAD_IDS = ['99999999999', '2147483648', '-1', '0', '1e5', '0x10', '1.5', 'abc', '%00', '%FF'];

/** 'ok': any answer below 500 (the page ignores or explains the odd value). */
type Expect = 400 | 404 | '4xx' | 'ok';
interface Case {
	name: string;
	method?: 'GET' | 'POST';
	path: string;
	form?: Record<string, string>;
	/** A raw body with its content type (broken multipart, raw bytes, duplicate fields). */
	body?: { type: string; data: string | Buffer };
	expect: Expect;
	signedOut?: boolean;
}

let me: APIRequestContext;
let anonymous: APIRequestContext;
const owner = newUser('badin');
const other = newUser('badother');

async function signUp(context: APIRequestContext, user: typeof owner) {
	const response = await context.post('/signup', {
		headers: ORIGIN,
		form: { email: user.email, handle: user.handle, password: user.password },
		maxRedirects: 0
	});
	expect(response.status()).toBe(303);
}

test.beforeAll(async () => {
	const make = () => playwrightRequest.newContext({ baseURL: BASE, extraHTTPHeaders: ORIGIN });
	me = await make();
	anonymous = await make();
	const stranger = await make();
	await signUp(stranger, other);
	await stranger.dispose();
	await signUp(me, owner);
});
test.afterAll(async () => {
	await me?.dispose();
	await anonymous?.dispose();
});

const form = (fields: Record<string, string>) => fields;
const multipart = (boundary: string, body: string) => ({
	type: `multipart/form-data; boundary=${boundary}`,
	data: body
});
const BROKEN_MULTIPART = [
	// The header names a boundary the body never uses.
	multipart(
		'right',
		'--wrong\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--wrong--\r\n'
	),
	// Cut off in the middle of a part.
	multipart(
		'cut',
		'--cut\r\nContent-Disposition: form-data; name="avatar"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\u0089PNG'
	),
	// No boundary at all.
	{ type: 'multipart/form-data', data: 'garbage' }
];
const NOT_UTF8 = {
	type: 'application/x-www-form-urlencoded',
	data: Buffer.concat([
		Buffer.from('title='),
		Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
		Buffer.from('&url=')
	])
};

function cases(): Case[] {
	const h = other.handle;
	const list: Case[] = [];
	const add = (c: Case) => list.push(c);

	// Path parameters of pages and files.
	// Kit itself answers 400 to a path that is not valid percent-encoded UTF-8.
	const notFound = (param: string): Expect => (param === '%FF' ? '4xx' : 404);
	for (const id of BAD_IDS) {
		const missing = notFound(id);
		add({ name: `avatar of ${id}`, path: `/avatars/${id}/large.webp`, expect: missing });
		add({
			name: `preview of ${id}`,
			path: `/previews/${id}/0123456789abcdef.webp`,
			expect: missing
		});
		add({ name: `shortlist ${id}`, path: `/shortlists/${id}`, expect: missing });
		add({ name: `shortlist csv ${id}`, path: `/shortlists/${id}/export.csv`, expect: missing });
		add({ name: `work ${id}`, path: `/settings/work/${id}`, expect: missing });
		add({ name: `conversation ${id}`, path: `/dashboard/messages/${id}`, expect: missing });
		add({
			name: `save work ${id}`,
			method: 'POST',
			path: `/settings/work/${id}?/save`,
			form: { title: 'Title', url: '' },
			expect: missing
		});
		add({
			name: `rename shortlist ${id}`,
			method: 'POST',
			path: `/shortlists/${id}?/rename`,
			form: { name: 'List' },
			expect: missing
		});
		add({
			name: `reply in conversation ${id}`,
			method: 'POST',
			path: `/dashboard/messages/${id}?/reply`,
			form: { body: 'Hello there' },
			expect: missing
		});
	}
	for (const bad of ['x%00y', LONG, '%FF', 'a%0Ab']) {
		const missing = notFound(bad);
		add({ name: `profile ${bad.slice(0, 8)}`, path: `/@${bad}`, expect: missing });
		add({ name: `resume of ${bad.slice(0, 8)}`, path: `/@${bad}/resume.json`, expect: missing });
		add({ name: `share image of ${bad.slice(0, 8)}`, path: `/@${bad}/og.png`, expect: missing });
		add({ name: `endorse ${bad.slice(0, 8)}`, path: `/@${bad}/endorse`, expect: missing });
		add({ name: `contact ${bad.slice(0, 8)}`, path: `/@${bad}/contact`, expect: missing });
		add({ name: `shortlist ${bad.slice(0, 8)}`, path: `/@${bad}/shortlist`, expect: missing });
		add({ name: `work slug ${bad.slice(0, 8)}`, path: `/@${h}/work/${bad}`, expect: missing });
		add({ name: `avatar file ${bad.slice(0, 8)}`, path: `/avatars/1/${bad}`, expect: missing });
		add({
			name: `endorsement request ${bad.slice(0, 8)}`,
			path: `/endorse/r/${bad}`,
			expect: 'ok'
		});
		add({ name: `reset token ${bad.slice(0, 8)}`, path: `/reset-password/${bad}`, expect: '4xx' });
		add({
			name: `verify token ${bad.slice(0, 8)}`,
			path: `/verify-email/${bad}`,
			expect: 'ok'
		});
		add({
			name: `endorse with request ${bad.slice(0, 8)}`,
			path: `/@${h}/endorse?request=${bad}`,
			expect: 'ok'
		});
	}

	for (const token of ['x%00y', 'a'.repeat(3000)]) {
		for (const path of [`/verify-email/${token}`, `/reset-password/${token}`]) {
			add({
				name: `token ${token.slice(0, 5)} posted to ${path.slice(0, 20)}`,
				method: 'POST',
				path,
				form: { newPassword: 'a new long passphrase' },
				expect: 'ok',
				signedOut: true
			});
		}
	}

	// Query parameters (answered normally, with the odd value ignored or refused).
	for (const query of [
		'q=%00',
		`q=${LONG}`,
		'skill=%00',
		'skill=a&skill=b&skill=%00',
		'min=99999999999',
		'min=-1',
		'min=%00',
		'availability=%00',
		'after=%00',
		'after=99999999999',
		'q=%FF%FE'
	]) {
		add({ name: `search ${query.slice(0, 20)}`, path: `/search?${query}`, expect: 'ok' });
	}
	for (const saved of ['%00', LONG]) {
		add({
			name: `saved ${saved.slice(0, 3)}`,
			path: `/@${h}/shortlist?saved=${saved}`,
			expect: 'ok'
		});
	}

	// Text fields with NUL bytes: a 400 naming the field, never a database error.
	const nulForms: [string, Record<string, string>][] = [
		[
			'/settings/profile?/save',
			{
				displayName: NUL,
				headline: 'h',
				bio: '',
				location: '',
				availability: 'open',
				visibility: 'public'
			}
		],
		['/settings/profile?/handle', { handle: NUL }],
		['/settings/profile?/addSkill', { skill: NUL }],
		['/settings/profile?/importMerge', { json: `{"basics":{"name":"${'\\u0000'}"}}` }],
		[
			'/settings/networks?/add',
			{ network: 'website', address: `https://${NUL}.example`, followers: '' }
		],
		['/settings/networks?/add', { network: NUL, address: 'https://ok.example', followers: '' }],
		[
			'/settings/work?/create',
			{
				title: NUL,
				url: 'https://example.com',
				role: '',
				outcome: '',
				happenedOn: '',
				caseStudy: ''
			}
		],
		[
			'/settings/work?/create',
			{
				title: 'Fine',
				url: `https://example.com/${NUL}`,
				role: '',
				outcome: '',
				happenedOn: '',
				caseStudy: ''
			}
		],
		['/settings/account?/email', { email: `x${NUL}@example.com`, currentPassword: owner.password }],
		['/shortlists?/create', { name: NUL }],
		[`/@${h}/shortlist?/save`, { shortlist: '', newName: NUL, note: NUL }],
		[`/@${h}/contact?/send`, { subject: NUL, body: `${NUL} ${'long enough text '.repeat(3)}` }],
		[
			`/@${h}/endorse?/save`,
			{
				relationship: 'colleague',
				organisation: NUL,
				period: '',
				workItemId: '',
				text: `${NUL} ${'a long endorsement text '.repeat(3)}`
			}
		],
		[`/@${h}?/report`, { id: '1', reason: NUL }],
		['/dashboard/endorsements?/report', { id: '1', reason: NUL }],
		['/dashboard/endorsements?/request', { workItemId: '1', invitee: NUL }]
	];
	for (const [path, fields] of nulForms) {
		add({ name: `NUL in ${path}`, method: 'POST', path, form: form(fields), expect: '4xx' });
	}
	for (const [path, fields] of [
		['/login', { identifier: NUL, password: 'a long passphrase' }],
		[
			'/signup',
			{ email: `n${NUL}@example.com`, handle: 'nulhandle', password: 'a long passphrase' }
		],
		['/signup', { email: 'nul2@example.com', handle: NUL, password: 'a long passphrase' }],
		['/reset-password', { email: `r${NUL}@example.com` }],
		['/reset-password/sometoken', { newPassword: NUL }]
	] as const) {
		add({
			name: `NUL in ${path}`,
			method: 'POST',
			path,
			form: form(fields),
			expect: 400,
			signedOut: true
		});
	}

	// Ids in forms outside int4, in other notations or repeated.
	for (const id of ['99999999999', '-1', '1e5', '0x10', NUL, LONG]) {
		for (const path of [
			'/settings/work?/delete',
			'/settings/work?/pin',
			'/settings/work?/unpin',
			'/settings/work?/up',
			'/settings/work?/down',
			'/settings/networks?/check',
			'/settings/networks?/remove',
			'/dashboard/endorsements?/accept',
			'/dashboard/endorsements?/hide',
			'/dashboard/endorsements?/show',
			'/dashboard/endorsements?/revoke'
		]) {
			add({
				name: `id ${id.slice(0, 12)} to ${path}`,
				method: 'POST',
				path,
				form: { id },
				expect: '4xx'
			});
		}
		add({
			name: `followers of ${id.slice(0, 12)}`,
			method: 'POST',
			path: '/settings/networks?/followers',
			form: { id, followers: '10' },
			expect: '4xx'
		});
		add({
			name: `skill ${id.slice(0, 12)}`,
			method: 'POST',
			path: '/settings/profile?/removeSkill',
			form: { skillId: id },
			expect: '4xx'
		});
		add({
			name: `report endorsement ${id.slice(0, 12)}`,
			method: 'POST',
			path: `/@${h}?/report`,
			form: { id, reason: 'Spam' },
			expect: '4xx'
		});
		add({
			name: `request for work ${id.slice(0, 12)}`,
			method: 'POST',
			path: '/dashboard/endorsements?/request',
			form: { workItemId: id, invitee: 'Sam' },
			expect: '4xx'
		});
		add({
			name: `endorse work ${id.slice(0, 12)}`,
			method: 'POST',
			path: `/@${h}/endorse?/save`,
			form: {
				relationship: 'colleague',
				workItemId: id,
				text: 'a long endorsement text '.repeat(3)
			},
			expect: '4xx'
		});
		add({
			name: `shortlist pick ${id.slice(0, 12)}`,
			method: 'POST',
			path: `/@${h}/shortlist?/save`,
			form: { shortlist: id, newName: '', note: '' },
			expect: '4xx'
		});
	}
	for (const skills of ['99999999999', '-1', '1e5']) {
		add({
			name: `work with skill ${skills}`,
			method: 'POST',
			path: '/settings/work?/create',
			body: {
				type: 'application/x-www-form-urlencoded',
				data: `title=Skilled&url=&role=&outcome=&happenedOn=&caseStudy=&skills=${skills}`
			},
			expect: 'ok'
		});
	}
	add({
		name: 'duplicate ids',
		method: 'POST',
		path: '/settings/work?/delete',
		body: { type: 'application/x-www-form-urlencoded', data: 'id=1&id=99999999999' },
		expect: '4xx'
	});

	// Bodies that are not forms at all.
	for (const [i, body] of BROKEN_MULTIPART.entries()) {
		for (const path of [
			'/settings/profile?/avatar',
			'/settings/profile?/importPreview',
			'/settings/work?/create',
			'/shortlists?/create'
		]) {
			add({ name: `broken multipart ${i} to ${path}`, method: 'POST', path, body, expect: 400 });
		}
		add({
			name: `broken multipart ${i} to /login`,
			method: 'POST',
			path: '/login',
			body,
			expect: 400,
			signedOut: true
		});
	}
	add({
		name: 'bytes that are not UTF-8',
		method: 'POST',
		path: '/settings/work?/create',
		body: NOT_UTF8,
		expect: 'ok'
	});
	add({
		name: 'JSON Resume file with a NUL',
		method: 'POST',
		path: '/settings/profile?/importPreview',
		body: multipart(
			'b',
			`--b\r\nContent-Disposition: form-data; name="resume"; filename="r.json"\r\nContent-Type: application/json\r\n\r\n{"basics":{"name":"\\u0000"}}\r\n--b--\r\n`
		),
		expect: '4xx'
	});
	return list;
}

test('no route answers 5xx to hostile input, and each says 400 or 404', async () => {
	test.setTimeout(240_000);
	const failures: string[] = [];
	for (const c of cases()) {
		const context = c.signedOut ? anonymous : me;
		const response = await context.fetch(c.path, {
			method: c.method ?? 'GET',
			headers: c.body ? { ...ORIGIN, 'Content-Type': c.body.type } : ORIGIN,
			form: c.form,
			data: c.body?.data,
			maxRedirects: 0
		});
		const status = response.status();
		const ok =
			c.expect === 'ok'
				? status < 500
				: c.expect === '4xx'
					? status >= 400 && status < 500
					: status === c.expect;
		// A 303 after a refused value is fine only for '4xx' cases that ended in a harmless redirect.
		if (!ok && !(c.expect === '4xx' && status === 303 && c.method === 'POST'))
			failures.push(`${c.name}: ${status} (expected ${c.expect})`);
		if (status >= 400 && (response.headers()['content-type'] ?? '').startsWith('text/html')) {
			const html = await response.text();
			if (status >= 500 || html.includes('Something went wrong on our side'))
				failures.push(`${c.name}: the error page says it was our fault`);
		}
	}
	expect(failures).toEqual([]);
});

test('a NUL byte in a field is named next to the field and the rest of the input is kept', async () => {
	const response = await me.post('/settings/work?/create', {
		headers: ORIGIN,
		form: {
			title: NUL,
			url: 'https://example.com/kept',
			role: 'Lead',
			outcome: '',
			happenedOn: '',
			caseStudy: ''
		}
	});
	expect(response.status()).toBe(400);
	const html = await response.text();
	expect(html).toContain('invisible control character');
	expect(html).toContain('https://example.com/kept');
});

test('log-in sends people only to paths on this site', async () => {
	const targets = [
		'/\t/evil.example',
		'//evil.example',
		'/\\evil.example',
		'javascript:alert(1)',
		'https://evil.example/',
		'/%09/evil.example',
		'/\u0000/evil.example',
		'/\r\nSet-Cookie: x=1'
	];
	const user = newUser('redir');
	const context = await playwrightRequest.newContext({ baseURL: BASE, extraHTTPHeaders: ORIGIN });
	await signUp(context, user);
	for (const [i, target] of targets.entries()) {
		const query = `?redirectTo=${encodeURIComponent(target)}`;
		// Log-in attempts are limited to 5 a minute per account: post the first few only.
		if (i < 4) {
			const login = await context.post(`/login${query}`, {
				headers: ORIGIN,
				form: { identifier: user.handle, password: user.password },
				maxRedirects: 0
			});
			expect(login.status(), target).toBe(303);
			const location = login.headers()['location'];
			expect(new URL(location, BASE).origin, target).toBe(BASE);
			// One leading slash, no whitespace or backslash: the browser stays on this site.
			expect(location, target).toMatch(/^\/(?![/\\])[^\s\\]*$/);
		}
		const signedInVisit = await context.get(`/login${query}`, { maxRedirects: 0 });
		expect(signedInVisit.status(), target).toBe(303);
		expect(new URL(signedInVisit.headers()['location'], BASE).origin, target).toBe(BASE);
	}
	// A real path on the site still works, query included.
	const kept = await context.get(`/login?redirectTo=${encodeURIComponent('/search?q=seo')}`, {
		maxRedirects: 0
	});
	expect(kept.headers()['location']).toBe('/search?q=seo');
	await context.dispose();
});
