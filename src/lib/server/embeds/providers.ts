import { safeHttpUrl } from '#lib/server/networks.js';

// The video and post sites a work item may show as media, told apart by their links alone.

export type Provider = 'youtube' | 'vimeo' | 'tiktok' | 'instagram' | 'bluesky' | 'mastodon';

export interface ParsedEmbed {
	provider: Provider;
	externalId: string;
	/** The link as the member gave it, normalised. */
	url: string;
}

export const PROVIDER_NAMES: Record<Provider, string> = {
	youtube: 'YouTube',
	vimeo: 'Vimeo',
	tiktok: 'TikTok',
	instagram: 'Instagram',
	bluesky: 'Bluesky',
	mastodon: 'Mastodon'
};

/** Origins whose players may be framed after a click; svelte.config.js lists the same in frame-src. */
export const PLAYER_ORIGINS = [
	'https://www.youtube-nocookie.com',
	'https://player.vimeo.com',
	'https://www.tiktok.com',
	'https://www.instagram.com'
] as const;

/** Recognises a video or post link; null for anything else (a plain link stays a link). */
export function parseEmbedUrl(input: string): ParsedEmbed | null {
	const url = safeHttpUrl(input.trim());
	if (!url) return null;
	const host = url.hostname.toLowerCase().replace(/^(www\.|m\.)/, '');
	const path = url.pathname;
	let match: RegExpExecArray | null;
	if (host === 'youtube.com' || host === 'youtu.be' || host === 'music.youtube.com') {
		const id =
			host === 'youtu.be'
				? path.slice(1)
				: path === '/watch'
					? (url.searchParams.get('v') ?? '')
					: (/^\/(?:shorts|embed|live)\/([^/]+)/.exec(path)?.[1] ?? '');
		if (!/^[\w-]{11}$/.test(id)) return null;
		return { provider: 'youtube', externalId: id, url: `https://www.youtube.com/watch?v=${id}` };
	}
	if (host === 'vimeo.com' && (match = /^\/(\d{1,12})\/?$/.exec(path)))
		return { provider: 'vimeo', externalId: match[1], url: `https://vimeo.com/${match[1]}` };
	if (host === 'tiktok.com' && (match = /^\/@([\w.]{1,40})\/video\/(\d{1,25})\/?$/.exec(path)))
		return {
			provider: 'tiktok',
			externalId: match[2],
			url: `https://www.tiktok.com/@${match[1]}/video/${match[2]}`
		};
	if (host === 'instagram.com' && (match = /^\/(p|reel|tv)\/([\w-]{5,40})\/?$/.exec(path)))
		return {
			provider: 'instagram',
			externalId: match[2],
			url: `https://www.instagram.com/${match[1]}/${match[2]}/`
		};
	if (
		host === 'bsky.app' &&
		(match = /^\/profile\/([\w.:-]{3,253})\/post\/([\w]{5,20})\/?$/.exec(path))
	)
		return {
			provider: 'bluesky',
			externalId: `${match[1]}/${match[2]}`,
			url: `https://bsky.app/profile/${match[1]}/post/${match[2]}`
		};
	// Mastodon runs on any host; its post links share one shape.
	if ((match = /^\/@([\w.]{1,64})(?:@[\w.-]+)?\/(\d{1,25})\/?$/.exec(path)))
		return { provider: 'mastodon', externalId: match[2], url: `https://${url.host}${path}` };
	return null;
}

/** The provider's player, framed only after the visitor clicks; null for posts shown as cards. */
export function playerUrl(embed: { provider: string; externalId: string }): string | null {
	switch (embed.provider) {
		case 'youtube':
			return `https://www.youtube-nocookie.com/embed/${embed.externalId}?autoplay=1`;
		case 'vimeo':
			return `https://player.vimeo.com/video/${embed.externalId}?autoplay=1&dnt=1`;
		case 'tiktok':
			return `https://www.tiktok.com/embed/v2/${embed.externalId}`;
		case 'instagram':
			return `https://www.instagram.com/p/${embed.externalId}/embed`;
		default:
			// Bluesky's embed needs its script and Mastodon runs on any host, which frame-src cannot
			// list: both are shown as a card with the post's text and picture, linking to it.
			return null;
	}
}

/** Where the title, author and thumbnail are read: an oEmbed endpoint, or the page's OpenGraph. */
export function metadataSource(embed: { provider: string; url: string }): {
	kind: 'oembed' | 'opengraph';
	url: string;
} {
	const q = encodeURIComponent(embed.url);
	switch (embed.provider) {
		case 'youtube':
			return { kind: 'oembed', url: `https://www.youtube.com/oembed?format=json&url=${q}` };
		case 'vimeo':
			return { kind: 'oembed', url: `https://vimeo.com/api/oembed.json?url=${q}` };
		case 'tiktok':
			return { kind: 'oembed', url: `https://www.tiktok.com/oembed?url=${q}` };
		default:
			return { kind: 'opengraph', url: embed.url };
	}
}
