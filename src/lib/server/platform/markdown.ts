import { Marked, type Token, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';

const LINK_REL = 'nofollow ugc noopener';

// Only used to resolve relative paths; never appears in the output.
const SITE_ORIGIN = 'https://proofwork.invalid';

// Elements whose content is code or metadata rather than prose, so their text is dropped with them.
const NON_TEXT_TAGS = [
	'script',
	'style',
	'textarea',
	'option',
	'noscript',
	'template',
	'title',
	'xmp',
	'iframe',
	'noembed',
	'noframes'
];

const STRIP_ALL_HTML: sanitizeHtml.IOptions = {
	allowedTags: [],
	allowedAttributes: {},
	nonTextTags: NON_TEXT_TAGS
};

// Second line of defence: the renderer below already emits only these, the sanitiser makes sure.
const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
	allowedTags: [
		'p',
		'br',
		'strong',
		'em',
		'del',
		'code',
		'pre',
		'blockquote',
		'ul',
		'ol',
		'li',
		'h2',
		'h3',
		'h4',
		'hr',
		'a',
		'img',
		'table',
		'thead',
		'tbody',
		'tr',
		'th',
		'td'
	],
	allowedAttributes: {
		a: ['href', 'title', 'rel'],
		img: ['src', 'alt', 'title', 'loading', 'decoding', 'srcset', 'sizes', 'width', 'height'],
		ol: ['start'],
		th: [
			{ name: 'align', multiple: false, values: ['left', 'center', 'right'] },
			{ name: 'scope', multiple: false, values: ['row'] }
		],
		td: [{ name: 'align', multiple: false, values: ['left', 'center', 'right'] }]
	},
	allowedClasses: { code: ['language-*'] },
	allowedSchemes: ['http', 'https'],
	allowedSchemesByTag: { img: [] },
	allowedSchemesAppliedToAttributes: ['href', 'src'],
	allowProtocolRelative: false,
	disallowedTagsMode: 'discard',
	nonTextTags: NON_TEXT_TAGS,
	transformTags: {
		a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: LINK_REL } })
	},
	exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src
};

/** What a page knows of an image of its own: its sizes, so a browser fetches only the one it needs. */
export interface KnownImage {
	srcset: string;
	sizes: string;
	width: number;
	height: number;
}

export interface RenderOptions {
	/** The sizes of an image at this same-site path, or null when the page knows nothing of it. */
	knownImage?: (src: string) => KnownImage | null;
}

// marked renders synchronously, so the options of the one render in progress can sit here.
let rendering: RenderOptions = {};

const ESCAPES: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&quot;',
	"'": '&#39;'
};

// Leaves existing entities alone because marked hands some text over already escaped.
function escapeHtml(text: string): string {
	return text.replace(/[<>"']|&(?!#\d{1,7};|#x[a-f\d]{1,6};|\w+;)/gi, (char) => ESCAPES[char]);
}

function toSameSitePath(href: string): string | null {
	// A second slash or a backslash would make browsers treat the path as another host.
	if (!/^\/(?![/\\])/.test(href)) return null;
	let url: URL;
	try {
		url = new URL(href, SITE_ORIGIN);
	} catch {
		return null;
	}
	return url.origin === SITE_ORIGIN ? url.pathname + url.search + url.hash : null;
}

function toSafeLinkHref(href: string): string | null {
	const path = toSameSitePath(href);
	if (path) return path;
	// Checked on the raw text so that prefixed or obfuscated schemes never reach the URL parser.
	if (!/^https?:\/\//i.test(href)) return null;
	let url: URL;
	try {
		url = new URL(href);
	} catch {
		return null;
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
	if (url.username || url.password) return null;
	return url.href;
}

const NON_TEXT_OPENING = new RegExp(`^<(${NON_TEXT_TAGS.join('|')})[\\s>]`, 'i');

// Inline raw HTML arrives tag by tag, so what sits between <script> and </script> looks like prose.
function dropNonTextContent(token: Token): void {
	if (!('tokens' in token) || !token.tokens) return;
	let closing: RegExp | null = null;
	token.tokens = token.tokens.filter((child) => {
		if (closing) {
			if (child.type === 'html' && closing.test(child.raw)) closing = null;
			return false;
		}
		const opening = child.type === 'html' ? NON_TEXT_OPENING.exec(child.raw) : null;
		if (opening) closing = new RegExp(`^</${opening[1]}\\s*>`, 'i');
		return true;
	});
}

const markdown = new Marked<string, string>({
	gfm: true,
	async: false,
	walkTokens: dropNonTextContent,
	renderer: {
		heading({ tokens, depth }) {
			// The page's own h1 stays the only one, and deeper levels stay within the allowed set.
			const level = Math.min(Math.max(depth, 2), 4);
			return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
		},
		paragraph({ tokens }) {
			// A paragraph that held only stripped HTML would otherwise leave stray vertical space.
			const html = this.parser.parseInline(tokens);
			return html.trim() ? `<p>${html}</p>\n` : '';
		},
		html(token) {
			const text = sanitizeHtml(token.text, STRIP_ALL_HTML).trim();
			if (!text) return '';
			return 'block' in token && token.block ? `<p>${text}</p>\n` : text;
		},
		text(token) {
			// Text inside a raw <pre>, <code> or <kbd> arrives unescaped; the tags around it are dropped.
			if (token.type === 'text' && token.escaped && !token.tokens) return escapeHtml(token.text);
			return false;
		},
		link({ href, title, tokens }) {
			const text = this.parser.parseInline(tokens);
			const safeHref = toSafeLinkHref(href);
			if (!safeHref) return text;
			const titleAttribute = title ? ` title="${escapeHtml(title)}"` : '';
			return `<a href="${escapeHtml(safeHref)}" rel="${LINK_REL}"${titleAttribute}>${text}</a>`;
		},
		image({ href, title, text, tokens }) {
			const alt = escapeHtml(
				tokens ? this.parser.parseInline(tokens, this.parser.textRenderer) : text
			);
			const src = toSameSitePath(href);
			if (!src) return alt;
			const titleAttribute = title ? ` title="${escapeHtml(title)}"` : '';
			const known = rendering.knownImage?.(src);
			const sized = known
				? ` srcset="${escapeHtml(known.srcset)}" sizes="${escapeHtml(known.sizes)}" width="${known.width}" height="${known.height}"`
				: '';
			return `<img src="${escapeHtml(src)}" alt="${alt}"${titleAttribute}${sized} loading="lazy" decoding="async">`;
		},
		table({ header, rows }) {
			// An empty top-left cell ("| | Before | After |") makes the first column the rows' labels:
			// they become row headers, so every figure has headers a screen reader can announce.
			const rowHeaders = header.length > 1 && !header[0].text.trim();
			const cell = (token: Tokens.TableCell, tag: string, scope = '') =>
				`<${tag}${token.align ? ` align="${token.align}"` : ''}${scope}>${this.parser.parseInline(token.tokens)}</${tag}>\n`;
			const head = header
				.map((token, i) => (rowHeaders && i === 0 ? '<td></td>\n' : cell(token, 'th')))
				.join('');
			const body = rows
				.map(
					(row) =>
						`<tr>\n${row
							.map((token, i) =>
								rowHeaders && i === 0 ? cell(token, 'th', ' scope="row"') : cell(token, 'td')
							)
							.join('')}</tr>\n`
				)
				.join('');
			return `<table>\n<thead>\n<tr>\n${head}</tr>\n</thead>\n${body ? `<tbody>${body}</tbody>` : ''}</table>\n`;
		},
		checkbox({ checked }) {
			return checked ? '☑ ' : '☐ ';
		}
	}
});

/** Renders user Markdown to HTML that is safe to insert into a page as is. */
export function renderMarkdown(source: string, options: RenderOptions = {}): string {
	rendering = options;
	try {
		const html = markdown.parse(source, { async: false });
		return sanitizeHtml(html, SANITIZE_OPTIONS).trim();
	} finally {
		rendering = {};
	}
}

const BLOCK_BOUNDARY =
	/<\/?(?:p|li|h[2-4]|blockquote|pre|ul|ol|table|thead|tbody|tr|th|td|br|hr)\b[^>]*>/g;

// The sanitiser only ever escapes these four characters in its output.
function decodeEntities(text: string): string {
	return text
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&amp;/g, '&');
}

function truncateOnWord(text: string, maxLength: number): string {
	const chars = Array.from(text);
	if (chars.length <= maxLength) return text;
	if (maxLength < 1) return '';
	let cut = chars.slice(0, maxLength - 1).join('');
	if (!/\s/.test(chars[maxLength - 1])) {
		const lastSpace = cut.search(/\s\S*$/);
		if (lastSpace > 0) cut = cut.slice(0, lastSpace);
	}
	return `${cut.trimEnd()}…`;
}

/** Plain text of user Markdown, for meta descriptions and structured data. */
export function markdownToText(source: string, maxLength?: number): string {
	const html = renderMarkdown(source);
	const text = decodeEntities(html.replace(BLOCK_BOUNDARY, ' ').replace(/<[^>]*>/g, ''))
		.replace(/\s+/g, ' ')
		.trim();
	return maxLength === undefined ? text : truncateOnWord(text, maxLength);
}
