import { describe, expect, it } from 'vitest';
import {
	NETWORK_LABELS,
	NETWORKS,
	normalizeAccount,
	safeHttpUrl,
	type Network
} from '#lib/server/networks.js';

type Accepted = [network: Network, input: string, identifier: string, url: string];

const ACCEPTED: Accepted[] = [
	[
		'mastodon',
		'@Alice@Mastodon.Social',
		'@Alice@mastodon.social',
		'https://mastodon.social/@Alice'
	],
	['mastodon', 'alice@hachyderm.io', '@alice@hachyderm.io', 'https://hachyderm.io/@alice'],
	['mastodon', 'https://fosstodon.org/@bob', '@bob@fosstodon.org', 'https://fosstodon.org/@bob'],
	['mastodon', 'fosstodon.org/@bob/', '@bob@fosstodon.org', 'https://fosstodon.org/@bob'],
	[
		'mastodon',
		'https://fosstodon.org/users/bob',
		'@bob@fosstodon.org',
		'https://fosstodon.org/@bob'
	],
	[
		'mastodon',
		'https://mastodon.social/@carol@example.social',
		'@carol@example.social',
		'https://example.social/@carol'
	],
	[
		'bluesky',
		'alice.bsky.social',
		'@alice.bsky.social',
		'https://bsky.app/profile/alice.bsky.social'
	],
	[
		'bluesky',
		'@Alice.bsky.social',
		'@alice.bsky.social',
		'https://bsky.app/profile/alice.bsky.social'
	],
	['bluesky', 'alice', '@alice.bsky.social', 'https://bsky.app/profile/alice.bsky.social'],
	['bluesky', 'alice.com', '@alice.com', 'https://bsky.app/profile/alice.com'],
	[
		'bluesky',
		'https://bsky.app/profile/alice.bsky.social',
		'@alice.bsky.social',
		'https://bsky.app/profile/alice.bsky.social'
	],
	[
		'bluesky',
		'bsky.app/profile/Alice.com/post/3kabc',
		'@alice.com',
		'https://bsky.app/profile/alice.com'
	],
	[
		'bluesky',
		'https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur',
		'did:plc:z72i7hdynmk6r22z27h6tvur',
		'https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur'
	],
	['github', 'octocat', 'octocat', 'https://github.com/octocat'],
	['github', '@OctoCat', 'OctoCat', 'https://github.com/OctoCat'],
	['github', 'github.com/octo-cat', 'octo-cat', 'https://github.com/octo-cat'],
	['github', 'https://github.com/octocat', 'octocat', 'https://github.com/octocat'],
	['github', 'https://www.github.com/octocat/hello-world', 'octocat', 'https://github.com/octocat'],
	['github', '  octocat  ', 'octocat', 'https://github.com/octocat'],
	['github', 'a'.repeat(39), 'a'.repeat(39), `https://github.com/${'a'.repeat(39)}`],
	['x', '@jack', '@jack', 'https://x.com/jack'],
	['x', 'jack_2', '@jack_2', 'https://x.com/jack_2'],
	['x', 'https://x.com/jack', '@jack', 'https://x.com/jack'],
	['x', 'https://twitter.com/jack/status/20', '@jack', 'https://x.com/jack'],
	['x', 'https://mobile.twitter.com/jack', '@jack', 'https://x.com/jack'],
	[
		'linkedin',
		'https://www.linkedin.com/in/ada-lovelace-123/',
		'ada-lovelace-123',
		'https://www.linkedin.com/in/ada-lovelace-123'
	],
	['linkedin', 'linkedin.com/in/ada', 'ada', 'https://www.linkedin.com/in/ada'],
	['linkedin', 'https://uk.linkedin.com/in/ada', 'ada', 'https://www.linkedin.com/in/ada'],
	['linkedin', 'ada-lovelace', 'ada-lovelace', 'https://www.linkedin.com/in/ada-lovelace'],
	[
		'linkedin',
		'https://www.linkedin.com/company/proofwork/about/',
		'company/proofwork',
		'https://www.linkedin.com/company/proofwork'
	],
	['instagram', '@ada.codes', '@ada.codes', 'https://www.instagram.com/ada.codes'],
	['instagram', 'Ada_Codes', '@ada_codes', 'https://www.instagram.com/ada_codes'],
	[
		'instagram',
		'https://www.instagram.com/ada.codes/?igsh=abc',
		'@ada.codes',
		'https://www.instagram.com/ada.codes'
	],
	['tiktok', '@ada.codes', '@ada.codes', 'https://www.tiktok.com/@ada.codes'],
	[
		'tiktok',
		'https://www.tiktok.com/@ada_codes',
		'@ada_codes',
		'https://www.tiktok.com/@ada_codes'
	],
	['youtube', '@AdaCodes', '@AdaCodes', 'https://www.youtube.com/@AdaCodes'],
	[
		'youtube',
		'https://www.youtube.com/@AdaCodes',
		'@AdaCodes',
		'https://www.youtube.com/@AdaCodes'
	],
	['youtube', 'youtube.com/@ada.codes/videos', '@ada.codes', 'https://www.youtube.com/@ada.codes'],
	[
		'youtube',
		'https://www.youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw',
		'UC_x5XG1OV2P6uZZ5FSM9Ttw',
		'https://www.youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw'
	],
	['facebook', 'ada.lovelace', 'ada.lovelace', 'https://www.facebook.com/ada.lovelace'],
	[
		'facebook',
		'facebook.com/ada.lovelace',
		'ada.lovelace',
		'https://www.facebook.com/ada.lovelace'
	],
	[
		'facebook',
		'https://m.facebook.com/adalovelace/',
		'adalovelace',
		'https://www.facebook.com/adalovelace'
	],
	[
		'facebook',
		'https://www.facebook.com/profile.php?id=100012345678',
		'100012345678',
		'https://www.facebook.com/profile.php?id=100012345678'
	],
	['website', 'example.com', 'example.com', 'https://example.com/'],
	[
		'website',
		'https://Ada.Example.com/about#me',
		'ada.example.com/about',
		'https://ada.example.com/about'
	],
	['website', 'http://example.com:8080/', 'example.com:8080', 'http://example.com:8080/'],
	['other', 'https://dribbble.com/ada/', 'dribbble.com/ada', 'https://dribbble.com/ada/'],
	[
		'other',
		'codeberg.org/ada?tab=repositories',
		'codeberg.org/ada',
		'https://codeberg.org/ada?tab=repositories'
	]
];

type Refused = [network: string, input: string, error: string];

const LINK_ERROR = 'Enter a link that starts with http:// or https://.';

const REFUSED: Refused[] = [
	['website', 'javascript:alert(1)', LINK_ERROR],
	['website', ' javascript:alert(1)', LINK_ERROR],
	['website', '\tjavascript:alert(1)', LINK_ERROR],
	['website', '\u0001javascript:alert(1)', LINK_ERROR],
	['website', 'JaVaScRiPt:alert(1)', LINK_ERROR],
	['website', 'data:text/html,<script>alert(1)</script>', LINK_ERROR],
	['website', 'vbscript:msgbox(1)', LINK_ERROR],
	['website', 'ftp://example.com', LINK_ERROR],
	['website', 'https://user:pw@example.com', LINK_ERROR],
	['website', 'https://bank.example@evil.example', LINK_ERROR],
	['website', '//example.com', LINK_ERROR],
	['website', 'https://localhost', LINK_ERROR],
	['other', 'javascript:alert(1)', LINK_ERROR],
	['other', 'mailto:ada@example.com', LINK_ERROR],
	['website', '', LINK_ERROR],
	['website', '   ', LINK_ERROR],
	['github', '', 'Enter a GitHub username or profile URL.'],
	['github', 'octo cat', 'Enter a GitHub username or profile URL.'],
	['github', 'octo_cat', 'Enter a GitHub username or profile URL.'],
	['github', '-octocat', 'Enter a GitHub username or profile URL.'],
	['github', 'octocat-', 'Enter a GitHub username or profile URL.'],
	['github', 'octo--cat', 'Enter a GitHub username or profile URL.'],
	['github', 'a'.repeat(40), 'Enter a GitHub username or profile URL.'],
	['github', 'https://gitlab.com/octocat', 'Enter a GitHub username or profile URL.'],
	['github', 'https://github.com/', 'Enter a GitHub username or profile URL.'],
	['github', 'javascript:alert(1)', 'Enter a GitHub username or profile URL.'],
	['github', 'https://evil.example/github.com/octocat', 'Enter a GitHub username or profile URL.'],
	['github', 'https://github.com.evil.example/octocat', 'Enter a GitHub username or profile URL.'],
	['x', 'this_name_is_too_long', 'Enter an X username or profile URL.'],
	['x', 'https://x.evil.example/jack', 'Enter an X username or profile URL.'],
	['mastodon', 'alice', 'Enter a Mastodon address like @name@mastodon.social or a profile URL.'],
	[
		'mastodon',
		'https://mastodon.social/',
		'Enter a Mastodon address like @name@mastodon.social or a profile URL.'
	],
	[
		'mastodon',
		'@alice@@mastodon.social',
		'Enter a Mastodon address like @name@mastodon.social or a profile URL.'
	],
	[
		'bluesky',
		'https://evil.example/profile/alice.com',
		'Enter a Bluesky handle like name.bsky.social or a profile URL.'
	],
	['bluesky', 'alice_b', 'Enter a Bluesky handle like name.bsky.social or a profile URL.'],
	['linkedin', 'https://www.linkedin.com/feed/', 'Enter a LinkedIn profile or company page URL.'],
	[
		'linkedin',
		'https://linkedin.com.evil.example/in/ada',
		'Enter a LinkedIn profile or company page URL.'
	],
	['instagram', '.ada', 'Enter an Instagram username or profile URL.'],
	['instagram', 'ada..codes', 'Enter an Instagram username or profile URL.'],
	[
		'youtube',
		'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
		'Enter a YouTube handle like @name or a channel URL.'
	],
	[
		'youtube',
		'https://www.youtube.com/channel/not-a-channel',
		'Enter a YouTube handle like @name or a channel URL.'
	],
	[
		'facebook',
		'https://www.facebook.com/profile.php?id=abc',
		'Enter a Facebook username or page URL.'
	],
	['myspace', 'tom', 'Choose a network from the list.'],
	['', 'tom', 'Choose a network from the list.'],
	['__proto__', 'tom', 'Choose a network from the list.']
];

describe('normalizeAccount', () => {
	it.each(ACCEPTED)('%s: %j', (network, input, identifier, url) => {
		expect(normalizeAccount(network, input)).toEqual({
			ok: true,
			account: { network, identifier, url }
		});
	});

	it.each(REFUSED)('refuses %s: %j', (network, input, error) => {
		expect(normalizeAccount(network, input)).toEqual({ ok: false, error });
	});

	it('refuses input longer than 300 characters', () => {
		const result = normalizeAccount('website', `https://example.com/${'a'.repeat(300)}`);
		expect(result).toEqual({ ok: false, error: 'Keep this under 300 characters.' });
	});

	it('accepts input of exactly 300 characters once trimmed', () => {
		const input = `https://example.com/${'a'.repeat(280)}`;
		expect(input).toHaveLength(300);
		expect(normalizeAccount('website', `  ${input}  `).ok).toBe(true);
	});

	it('gives every network a label', () => {
		expect(NETWORKS.map((network) => NETWORK_LABELS[network])).toEqual([
			'Mastodon',
			'Bluesky',
			'GitHub',
			'X',
			'LinkedIn',
			'Instagram',
			'TikTok',
			'YouTube',
			'Facebook',
			'Personal website',
			'Other'
		]);
	});
});

describe('safeHttpUrl', () => {
	it('accepts http and https links, trimming surrounding spaces', () => {
		expect(safeHttpUrl('https://example.com/a?b=1')?.href).toBe('https://example.com/a?b=1');
		expect(safeHttpUrl('  HTTP://Example.com  ')?.href).toBe('http://example.com/');
	});

	it.each([
		'javascript:alert(1)',
		'JaVaScRiPt:alert(1)',
		' javascript:alert(1)',
		'\tjavascript:alert(1)',
		'\u0000javascript:alert(1)',
		'java\tscript:alert(1)',
		'javascript://example.com/%0aalert(1)',
		'data:text/html,<script>alert(1)</script>',
		'vbscript:msgbox(1)',
		'ftp://example.com',
		'//example.com',
		'example.com',
		'https://user:pw@example.com',
		'https://user@example.com',
		'https://exa mple.com',
		'https://',
		''
	])('refuses %j', (input) => {
		expect(safeHttpUrl(input)).toBeNull();
	});
});
