// What every adapter shares: finding a Proofwork profile link in HTML or plain text, and turning
// a failed request into an outcome. HTML is always read with htmlparser2, never with patterns.
import { parseDocument, DomUtils } from 'htmlparser2';
import { isTag, isText, type AnyNode, type Document, type Element } from 'domhandler';
import {
	FetchError,
	type FetchOptions,
	type FetchResult,
	type Fetcher
} from '#lib/server/platform/fetcher.js';
import type { AdapterCheck } from '#lib/server/adapters/types.js';

// Elements whose edges separate words, so text from two paragraphs never runs together.
const BLOCK_ELEMENTS = new Set([
	'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'figcaption',
	'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p',
	'pre', 'section', 'table', 'td', 'th', 'tr', 'ul'
]); // prettier-ignore
const OPENING_PUNCTUATION = '([{<"\'«“‘';
const CLOSING_PUNCTUATION = ')]}>"\'».,;:!?…“”’。';

function decodePath(path: string): string {
	try {
		return decodeURIComponent(path);
	} catch {
		return path;
	}
}

/** Host (with any non-default port) and path, in the form two links to one profile share. */
function comparable(url: URL): string {
	const path = decodePath(url.pathname).replace(/\/+$/, '');
	// Handles are case-insensitive, and http and https of one host serve the same profile.
	return `${url.host}${path}`.toLowerCase();
}

function parseHttpUrl(value: string, base?: string): URL | null {
	try {
		const url = base === undefined ? new URL(value) : new URL(value, base);
		return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
	} catch {
		return null;
	}
}

/** The accepted profile URL that `href` (resolved against `base`) points to, if any. */
export function matchHref(href: string, profileUrls: string[], base?: string): string | null {
	const url = parseHttpUrl(href.trim(), base);
	if (!url) return null;
	const key = comparable(url);
	return profileUrls.find((profileUrl) => comparable(new URL(profileUrl)) === key) ?? null;
}

function trimPunctuation(word: string): string {
	let start = 0;
	let end = word.length;
	while (start < end && OPENING_PUNCTUATION.includes(word[start])) start++;
	while (end > start && CLOSING_PUNCTUATION.includes(word[end - 1])) end--;
	return word.slice(start, end);
}

/** The accepted profile URL written in plain text, with or without its scheme. */
export function matchText(text: string, profileUrls: string[]): string | null {
	for (const word of text.split(/\s+/)) {
		const candidate = trimPunctuation(word);
		if (!candidate.includes('/')) continue;
		const absolute = /^https?:\/\//i.test(candidate)
			? candidate
			: `https://${candidate.replace(/^\/\//, '')}`;
		const match = matchHref(absolute, profileUrls);
		if (match) return match;
	}
	return null;
}

export function parseHtml(html: string): Document {
	return parseDocument(html, {
		decodeEntities: true,
		lowerCaseTags: true,
		lowerCaseAttributeNames: true
	});
}

function textOf(nodes: AnyNode[], parts: string[]): void {
	for (const node of nodes) {
		if (isText(node)) parts.push(node.data);
		else if (isTag(node)) {
			const block = BLOCK_ELEMENTS.has(node.name);
			if (block) parts.push(' ');
			if (node.name !== 'script' && node.name !== 'style') textOf(node.children, parts);
			if (block) parts.push(' ');
		}
	}
}

/** Visible text of an HTML fragment, with block boundaries kept as spaces. */
export function htmlText(html: string): string {
	const parts: string[] = [];
	textOf(parseHtml(html).children, parts);
	return parts.join('');
}

/**
 * A profile link anywhere in an HTML fragment a network stores for the person (a Mastodon field
 * or bio): the person wrote it there, so any link or written-out address counts.
 */
export function matchHtmlFragment(html: string, profileUrls: string[]): string | null {
	const document = parseHtml(html);
	for (const anchor of DomUtils.findAll((el) => el.name === 'a', document.children)) {
		const href = DomUtils.getAttributeValue(anchor, 'href');
		const match = href ? matchHref(href, profileUrls) : null;
		if (match) return match;
	}
	const parts: string[] = [];
	textOf(document.children, parts);
	return matchText(parts.join(''), profileUrls);
}

function hasRelMe(element: Element): boolean {
	const rel = DomUtils.getAttributeValue(element, 'rel') ?? '';
	return rel
		.toLowerCase()
		.split(/[\t\n\f\r ]+/)
		.includes('me');
}

export interface PageLinks {
	/** Accepted profile URL linked with rel="me", if any. */
	relMe: string | null;
	/** Accepted profile URL linked without rel="me", to tell the person what is missing. */
	plain: string | null;
}

/** Links from a web page to a profile, resolved against the page's own (final) address. */
export function findPageLinks(html: string, pageUrl: string, profileUrls: string[]): PageLinks {
	const document = parseHtml(html);
	const baseElement = DomUtils.findOne(
		(el) => el.name === 'base' && DomUtils.hasAttrib(el, 'href'),
		document.children
	);
	const base =
		(baseElement &&
			parseHttpUrl(DomUtils.getAttributeValue(baseElement, 'href')!, pageUrl)?.href) ||
		pageUrl;
	const links = DomUtils.findAll(
		(el) => (el.name === 'a' || el.name === 'link') && DomUtils.hasAttrib(el, 'href'),
		document.children
	);
	let plain: string | null = null;
	for (const link of links) {
		const match = matchHref(DomUtils.getAttributeValue(link, 'href')!, profileUrls, base);
		if (!match) continue;
		if (hasRelMe(link)) return { relMe: match, plain: null };
		plain ??= match;
	}
	return { relMe: null, plain };
}

export function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return url;
	}
}

/** One site, whatever the spelling: case, a trailing dot and a leading www. do not matter. */
export function siteOf(url: string): string {
	let host: string;
	try {
		host = new URL(url).host.toLowerCase();
	} catch {
		return url;
	}
	return host.replace(/\.(?=:|$)/, '').replace(/^www\./, '');
}

/** Whether an HTTP status means the network is down or busy, not that the account is. */
export function isUnavailable(status: number): boolean {
	return status >= 500 || status === 429;
}

const FETCH_ERROR_WORDS: Record<string, string> = {
	invalid_url: 'the address is not valid',
	blocked_address: 'the address points to a private network',
	dns: 'the name does not resolve',
	timeout: 'timeout',
	too_large: 'the answer was too large',
	too_many_redirects: 'too many redirects',
	network: 'network error'
};

/**
 * A request that failed before any answer. Addresses Proofwork will never visit are final; the
 * rest may pass, so they leave the account as it was.
 */
export function fetchFailed(name: string, error: FetchError, source: string): AdapterCheck {
	const words = FETCH_ERROR_WORDS[error.code] ?? error.code;
	if (error.code === 'invalid_url' || error.code === 'blocked_address')
		return {
			outcome: 'not_found',
			detail: `${name} cannot be checked (${words}).`,
			followers: null,
			source
		};
	if (error.code === 'too_large')
		return {
			outcome: 'missing',
			detail: `${name} could not be read (${words}).`,
			followers: null,
			source
		};
	return {
		outcome: 'unreachable',
		detail: `${name} did not answer (${words}).`,
		followers: null,
		source
	};
}

/** The network answered that it has no such account. */
export function noSuchAccount(network: string, identifier: string, source: string): AdapterCheck {
	return {
		outcome: 'not_found',
		detail: `${network} has no account ${identifier}.`,
		followers: null,
		source
	};
}

/** The network answered, but not with what its API returns: treated as down, so retried. */
export function unexpectedAnswer(network: string, status: number, source: string): AdapterCheck {
	return {
		outcome: 'unreachable',
		detail: `${network} did not answer like ${network} (HTTP ${status}).`,
		followers: null,
		source
	};
}

export function unavailable(name: string, status: number, source: string): AdapterCheck {
	const words = status === 429 ? 'too many requests' : `HTTP ${status}`;
	return {
		outcome: 'unreachable',
		detail: `${name} did not answer (${words}).`,
		followers: null,
		source
	};
}

/** Fetches, turning a FetchError into its outcome so adapters can return it as it is. */
export async function tryFetch(
	fetcher: Fetcher,
	url: string,
	options: FetchOptions,
	name: string,
	source: string
): Promise<FetchResult | AdapterCheck> {
	try {
		return await fetcher.fetch(url, options);
	} catch (error) {
		if (error instanceof FetchError) return fetchFailed(name, error, source);
		throw error;
	}
}

export function isCheck(value: FetchResult | AdapterCheck): value is AdapterCheck {
	return 'outcome' in value;
}

/** The JSON body as an object, or null when the answer is not what an API would send. */
export function readJson(result: FetchResult): Record<string, unknown> | null {
	try {
		const value = result.json();
		return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
	} catch {
		return null;
	}
}

export function readCount(value: unknown): number | null {
	return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** A creation date the network reports (ISO 8601), or null; never in the future. */
export function readDate(value: unknown, now = new Date()): Date | undefined {
	if (typeof value !== 'string') return undefined;
	const date = new Date(value);
	return Number.isNaN(date.getTime()) || date > now ? undefined : date;
}
