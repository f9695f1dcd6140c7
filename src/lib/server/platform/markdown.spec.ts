import { describe, expect, it } from 'vitest';
import { markdownToText, renderMarkdown } from '#lib/server/platform/markdown.js';

const ALLOWED_TAGS = new Set([
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
]);

const ALLOWED_ATTRIBUTES = new Set([
	'href',
	'title',
	'rel',
	'src',
	'alt',
	'class',
	'start',
	'align',
	'scope'
]);

// The sanitiser escapes every literal '<' in text, so each remaining '<' opens a real element.
function openingTags(html: string): string[] {
	return html.match(/<[a-z][^>]*>/gi) ?? [];
}

// Attribute values come out quoted with inner quotes escaped, so this reads them exactly.
function attributesOf(tag: string): [string, string][] {
	return [...tag.matchAll(/\s([^\s="/>]+)(?:="([^"]*)")?/g)].map(([, name, value]) => [
		name.toLowerCase(),
		value ?? ''
	]);
}

function expectInert(html: string) {
	for (const tag of openingTags(html)) {
		const name = tag
			.slice(1)
			.split(/[\s/>]/)[0]
			.toLowerCase();
		expect(ALLOWED_TAGS, `unexpected <${name}> in ${html}`).toContain(name);
		for (const [attribute, value] of attributesOf(tag)) {
			expect(ALLOWED_ATTRIBUTES, `unexpected ${attribute}= in ${tag}`).toContain(attribute);
			if (attribute === 'href' || attribute === 'src') {
				expect(value).toMatch(/^(?:https?:\/\/|\/(?![/\\]))/);
			}
		}
	}
}

describe('renderMarkdown', () => {
	it('renders emphasis, links and lists', () => {
		const html = renderMarkdown(
			'**Bold** and _italic_ and ~~gone~~ with [a link](https://example.com/work).\n\n- one\n- two\n\n1. first\n2. second'
		);
		expect(html).toContain('<strong>Bold</strong>');
		expect(html).toContain('<em>italic</em>');
		expect(html).toContain('<del>gone</del>');
		expect(html).toContain(
			'<a href="https://example.com/work" rel="nofollow ugc noopener">a link</a>'
		);
		expect(html).toMatch(/<ul>\s*<li>one<\/li>\s*<li>two<\/li>\s*<\/ul>/);
		expect(html).toMatch(/<ol>\s*<li>first<\/li>\s*<li>second<\/li>\s*<\/ol>/);
	});

	it('renders code blocks, quotes and rules with their content escaped', () => {
		const html = renderMarkdown('> quoted\n\n---\n\n```html\n<b>not bold</b>\n```\n\nUse `a < b`.');
		expect(html).toMatch(/<blockquote>\s*<p>quoted<\/p>\s*<\/blockquote>/);
		expect(html).toContain('<hr />');
		expect(html).toContain('<pre><code class="language-html">&lt;b&gt;not bold&lt;/b&gt;');
		expect(html).toContain('<code>a &lt; b</code>');
		expectInert(html);
	});

	it('turns a level-one heading into h2 so the page keeps a single h1', () => {
		const html = renderMarkdown('# About me\n\n### Skills\n\n###### Small print');
		expect(html).toContain('<h2>About me</h2>');
		expect(html).toContain('<h3>Skills</h3>');
		expect(html).toContain('<h4>Small print</h4>');
		expect(html).not.toContain('<h1');
	});

	it('marks every link nofollow ugc noopener and never opens a new tab', () => {
		const html = renderMarkdown(
			'[http](http://example.com) and <https://example.org> and www.example.net and [home](/profiles/ada)'
		);
		const links = openingTags(html).filter((tag) => tag.startsWith('<a '));
		expect(links).toHaveLength(4);
		for (const link of links) {
			expect(link).toContain('rel="nofollow ugc noopener"');
			expect(link).not.toContain('target');
		}
		expect(html).toContain('href="http://example.com/"');
		expect(html).toContain('href="/profiles/ada"');
	});

	describe('leaves hostile input inert', () => {
		const cases: { name: string; markdown: string; keeps: string[]; absent: string[] }[] = [
			{
				name: 'a script block',
				markdown: 'Hello\n\n<script>alert(1)</script>\n\nworld',
				keeps: ['Hello', 'world'],
				absent: ['<script', 'alert(1)']
			},
			{
				name: 'an inline script',
				markdown: 'Hello <script>document.cookie</script> world',
				keeps: ['Hello', 'world'],
				absent: ['<script', '</script', 'document.cookie']
			},
			{
				name: 'an iframe',
				markdown: 'Look <iframe src="https://evil.example/"></iframe> here',
				keeps: ['Look', 'here'],
				absent: ['<iframe', 'evil.example']
			},
			{
				name: 'an image with an event handler',
				markdown: 'Photo <img src=x onerror=alert(1)> caption',
				keeps: ['Photo', 'caption'],
				absent: ['<img', 'onerror', 'alert(1)']
			},
			{
				name: 'svg, style, object, embed and form elements',
				markdown:
					'A <svg onload=alert(1)><circle r="1"/></svg> <style>body{display:none}</style> <object data="x"></object> <embed src="x"> <form action="/x"><button>Go</button></form> Z',
				keeps: ['A', 'Go', 'Z'],
				absent: [
					'<svg',
					'onload',
					'<style',
					'display:none',
					'<object',
					'<embed',
					'<form',
					'<button'
				]
			},
			{
				name: 'a javascript: link',
				markdown: '[click me](javascript:alert(1))',
				keeps: ['click me'],
				absent: ['<a', 'javascript', 'href']
			},
			{
				name: 'a mixed-case javascript: link',
				markdown: '[click me](JaVaScRiPt:alert(1))',
				keeps: ['click me'],
				absent: ['<a', 'javascript', 'href']
			},
			{
				name: 'a space-prefixed javascript: link',
				markdown: '[click me]( javascript:alert(1))',
				keeps: ['click me'],
				absent: ['<a', 'javascript', 'href']
			},
			{
				name: 'a tab-prefixed javascript: link',
				markdown: '[click me](<\tjavascript:alert(1)>)',
				keeps: ['click me'],
				absent: ['<a', 'javascript', 'href']
			},
			{
				name: 'an entity-encoded javascript: link',
				markdown: '[click me](&#106;avascript:alert(1))',
				keeps: ['click me'],
				absent: ['<a', 'href']
			},
			{
				name: 'a javascript: reference link',
				markdown: '[click me][evil]\n\n[evil]: javascript:alert(1)',
				keeps: ['click me'],
				absent: ['<a', 'javascript', 'href']
			},
			{
				name: 'a javascript: autolink',
				markdown: '<javascript:alert(1)>',
				keeps: [],
				absent: ['<a', 'href']
			},
			{
				name: 'a data: link',
				markdown: '[click me](data:text/html,<script>alert(1)</script>)',
				keeps: ['click me'],
				absent: ['<a', 'data:', 'href', '<script']
			},
			{
				name: 'a vbscript: link',
				markdown: '[click me](vbscript:msgbox(1))',
				keeps: ['click me'],
				absent: ['<a', 'vbscript', 'href']
			},
			{
				name: 'a protocol-relative link',
				markdown: '[click me](//evil.example/) and [other](/\\evil.example/)',
				keeps: ['click me', 'other'],
				absent: ['<a', 'evil.example', 'href']
			},
			{
				name: 'a link with credentials',
				markdown: '[bank](https://bank.example@evil.example/)',
				keeps: ['bank'],
				absent: ['<a', 'evil.example', 'href']
			},
			{
				name: 'a raw HTML anchor',
				markdown: '<a href="javascript:alert(1)" onclick="alert(2)">click me</a>',
				keeps: ['click me'],
				absent: ['<a', 'javascript', 'onclick', 'href']
			},
			{
				name: 'an image from another host',
				markdown: 'Before ![tracking pixel](https://evil.example/a.png) after',
				keeps: ['Before', 'tracking pixel', 'after'],
				absent: ['<img', 'evil.example', 'src=']
			},
			{
				name: 'a protocol-relative image',
				markdown: '![pixel](//evil.example/a.png)',
				keeps: ['pixel'],
				absent: ['<img', 'evil.example']
			},
			{
				name: 'a javascript: image',
				markdown: '![pixel](javascript:alert(1))',
				keeps: ['pixel'],
				absent: ['<img', 'javascript']
			},
			{
				name: 'a quote-breaking link title',
				markdown: '[x](https://example.com "a\\" onmouseover=\\"alert(1)")',
				keeps: ['x'],
				absent: ['" onmouseover']
			}
		];

		it.each(cases)('$name', ({ markdown, keeps, absent }) => {
			const html = renderMarkdown(markdown);
			for (const text of keeps) expect(html).toContain(text);
			for (const text of absent) expect(html.toLowerCase()).not.toContain(text.toLowerCase());
			expectInert(html);
		});
	});

	it('keeps images served from this site, lazily loaded, without srcset', () => {
		const html = renderMarkdown('![My avatar](/avatars/1/large.webp "Me")');
		expect(html).toContain(
			'<img src="/avatars/1/large.webp" alt="My avatar" title="Me" loading="lazy" decoding="async" />'
		);
		expect(html).not.toContain('srcset');
	});

	it('gives an image the page knows its sizes and dimensions, and leaves others as written', () => {
		const knownImage = (src: string) =>
			src === '/media/7/1600.webp?v=abc'
				? {
						srcset: '/media/7/320.webp?v=abc 320w, /media/7/1600.webp?v=abc 1600w',
						sizes: '(min-width: 768px) 768px, 100vw',
						width: 1600,
						height: 1067
					}
				: null;
		const html = renderMarkdown(
			'![Launch post](/media/7/1600.webp?v=abc)\n\n![Avatar](/avatars/1/large.webp)',
			{ knownImage }
		);
		expect(html).toContain(
			'<img src="/media/7/1600.webp?v=abc" alt="Launch post" srcset="/media/7/320.webp?v=abc 320w, /media/7/1600.webp?v=abc 1600w" sizes="(min-width: 768px) 768px, 100vw" width="1600" height="1067" loading="lazy" decoding="async" />'
		);
		expect(html).toContain(
			'<img src="/avatars/1/large.webp" alt="Avatar" loading="lazy" decoding="async" />'
		);
		// A remote image never reaches the lookup, known or not.
		expect(
			renderMarkdown('![x](https://evil.example/1600.webp)', {
				knownImage: () => knownImage('/media/7/1600.webp?v=abc')
			})
		).toBe('<p>x</p>');
	});

	it('makes the first column row headers when the top-left cell is empty', () => {
		const html = renderMarkdown(
			'| | Before | After |\n| --- | ---: | ---: |\n| Followers | 1,200 | 14,000 |'
		);
		expect(html).toContain('<td></td>\n<th align="right">Before</th>');
		expect(html).toContain(
			'<th scope="row">Followers</th>\n<td align="right">1,200</td>\n<td align="right">14,000</td>'
		);
		expectInert(html);
		// With a label in the corner, every body cell stays a data cell.
		const plain = renderMarkdown('| Metric | Value |\n| --- | --- |\n| Reach | 9k |');
		expect(plain).toContain('<th>Metric</th>');
		expect(plain).toContain('<td>Reach</td>\n<td>9k</td>');
	});

	it('does not let raw HTML through even when the tag itself is allowed', () => {
		const html = renderMarkdown(
			'<strong>loud</strong> <a href="https://example.com">x</a> <img src="/avatars/1/large.webp">'
		);
		expect(openingTags(html)).toEqual(['<p>']);
		expect(html).toContain('loud');
	});

	it('renders an empty document as an empty string', () => {
		expect(renderMarkdown('')).toBe('');
		expect(renderMarkdown('<script>alert(1)</script>')).toBe('');
	});
});

describe('markdownToText', () => {
	it('returns the words without markup, entities decoded and whitespace collapsed', () => {
		const text = markdownToText(
			'# Hello\n\nI build **fast** sites for [AT&T](https://example.com).\n\n- one\n- two\n\n<script>alert(1)</script>'
		);
		expect(text).toBe('Hello I build fast sites for AT&T. one two');
	});

	it('keeps words on either side of a line break or rule apart', () => {
		expect(markdownToText("Ada's work  \nships fast\n\n---\n\nDone")).toBe(
			"Ada's work ships fast Done"
		);
	});

	it('keeps text shorter than the limit as is', () => {
		expect(markdownToText('Short bio.', 160)).toBe('Short bio.');
	});

	it('truncates on a word boundary and ends with an ellipsis', () => {
		const text = markdownToText('The quick brown fox jumps over the lazy dog', 20);
		expect(text).toBe('The quick brown fox…');
		expect(Array.from(text).length).toBeLessThanOrEqual(20);
	});

	it('cuts inside a single overlong word rather than returning nothing', () => {
		expect(markdownToText('Supercalifragilisticexpialidocious', 10)).toBe('Supercali…');
	});

	it('never splits an emoji in half', () => {
		const text = markdownToText('🎨🎨🎨🎨🎨🎨', 4);
		expect(text).toBe('🎨🎨🎨…');
	});
});
