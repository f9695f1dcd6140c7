export const NETWORKS = [
	'mastodon',
	'bluesky',
	'github',
	'x',
	'linkedin',
	'instagram',
	'tiktok',
	'youtube',
	'facebook',
	'website',
	'other'
] as const;

export type Network = (typeof NETWORKS)[number];

export const NETWORK_LABELS: Record<Network, string> = {
	mastodon: 'Mastodon',
	bluesky: 'Bluesky',
	github: 'GitHub',
	x: 'X',
	linkedin: 'LinkedIn',
	instagram: 'Instagram',
	tiktok: 'TikTok',
	youtube: 'YouTube',
	facebook: 'Facebook',
	website: 'Personal website',
	other: 'Other'
};

export type NormalizedAccount = { network: Network; identifier: string; url: string };

type AccountFields = Omit<NormalizedAccount, 'network'>;

export type NormalizeResult =
	{ ok: true; account: NormalizedAccount } | { ok: false; error: string };

export const MAX_ACCOUNT_INPUT_LENGTH = 300;
const MAX_URL_LENGTH = 2048;

const LINK_ERROR = 'Enter a link that starts with http:// or https://.';

const NETWORK_ERRORS: Record<Network, string> = {
	mastodon: 'Enter a Mastodon address like @name@mastodon.social or a profile URL.',
	bluesky: 'Enter a Bluesky handle like name.bsky.social or a profile URL.',
	github: 'Enter a GitHub username or profile URL.',
	x: 'Enter an X username or profile URL.',
	linkedin: 'Enter a LinkedIn profile or company page URL.',
	instagram: 'Enter an Instagram username or profile URL.',
	tiktok: 'Enter a TikTok username or profile URL.',
	youtube: 'Enter a YouTube handle like @name or a channel URL.',
	facebook: 'Enter a Facebook username or page URL.',
	website: LINK_ERROR,
	other: LINK_ERROR
};

const GITHUB_USER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const X_USER = /^[A-Za-z0-9_]{1,15}$/;
const INSTAGRAM_USER = /^(?!\.)(?!.*\.\.)(?!.*\.$)[a-z0-9._]{1,30}$/;
const TIKTOK_USER = /^(?!.*\.$)[a-z0-9._]{2,24}$/;
const YOUTUBE_HANDLE = /^[A-Za-z0-9._-]{3,30}$/;
const YOUTUBE_CHANNEL = /^UC[A-Za-z0-9_-]{22}$/;
const FACEBOOK_NAME = /^[A-Za-z0-9.]{1,50}$/;
const FACEBOOK_ID = /^\d{1,20}$/;
const LINKEDIN_SLUG = /^[\p{L}\p{N}_-]{2,100}$/u;
const MASTODON_USER = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?$/;
const DOMAIN_NAME =
	/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const BLUESKY_DID = /^did:plc:[a-z2-7]{24}$/;
// A handle never holds these, so their presence means the person pasted a link.
const LOOKS_LIKE_URL = /[/:]/;

function isNetwork(value: string): value is Network {
	return (NETWORKS as readonly string[]).includes(value);
}

/** Parses a link a person typed, accepting only plain http(s) URLs without credentials. */
export function safeHttpUrl(input: string): URL | null {
	const value = input.trim();
	if (!value || value.length > MAX_URL_LENGTH) return null;
	// Control characters and inner whitespace are how schemes get smuggled past naive checks.
	if (/[\s\p{Cc}]/u.test(value)) return null;
	if (!/^https?:\/\//i.test(value)) return null;
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return null;
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
	if (url.username || url.password || !url.hostname) return null;
	return url;
}

// People often leave the scheme off; anything else that names a scheme must be http(s).
function toHttpUrl(value: string): URL | null {
	if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return safeHttpUrl(value);
	if (value.startsWith('/')) return null;
	return safeHttpUrl(`https://${value}`);
}

function decodeSegment(segment: string): string | null {
	try {
		return decodeURIComponent(segment);
	} catch {
		return null;
	}
}

/** Path segments of a profile link on one of the given hosts, or null for any other link. */
function readProfilePath(value: string, hosts: readonly string[]): string[] | null {
	const url = toHttpUrl(value);
	if (!url || !hosts.includes(url.hostname)) return null;
	const segments = url.pathname.split('/').filter(Boolean).map(decodeSegment);
	return segments.every((segment) => segment !== null) ? (segments as string[]) : null;
}

function withoutAt(value: string): string {
	return value.startsWith('@') ? value.slice(1) : value;
}

function normalizeMastodonHost(host: string): string | null {
	const url = safeHttpUrl(`https://${host}`);
	if (!url || url.port || url.pathname !== '/' || url.search || url.hash) return null;
	return url.hostname.includes('.') ? url.hostname : null;
}

function normalizeMastodon(value: string): AccountFields | null {
	let user: string | undefined;
	let host: string | undefined;
	if (LOOKS_LIKE_URL.test(value)) {
		const url = toHttpUrl(value);
		if (!url || url.port) return null;
		const segments = url.pathname.split('/').filter(Boolean);
		if (segments.length === 2 && segments[0] === 'users') {
			[user, host] = [segments[1], url.hostname];
		} else if (segments.length === 1 && segments[0].startsWith('@')) {
			// An instance shows remote accounts as /@name@their.instance.
			const [name, remoteHost, ...rest] = segments[0].slice(1).split('@');
			if (rest.length) return null;
			[user, host] = [name, remoteHost ?? url.hostname];
		} else {
			return null;
		}
	} else {
		const parts = withoutAt(value).split('@');
		if (parts.length !== 2) return null;
		[user, host] = parts;
	}
	const hostname = normalizeMastodonHost(host);
	if (!hostname || !MASTODON_USER.test(user)) return null;
	return { identifier: `@${user}@${hostname}`, url: `https://${hostname}/@${user}` };
}

function normalizeBlueskyHandle(value: string): string | null {
	const handle = withoutAt(value).toLowerCase();
	if (BLUESKY_DID.test(handle)) return handle;
	const fullHandle = handle.includes('.') ? handle : `${handle}.bsky.social`;
	return DOMAIN_NAME.test(fullHandle) ? fullHandle : null;
}

function normalizeBluesky(value: string): AccountFields | null {
	let handle: string | null;
	if (LOOKS_LIKE_URL.test(value) && !BLUESKY_DID.test(value.toLowerCase())) {
		const segments = readProfilePath(value, ['bsky.app', 'www.bsky.app']);
		if (!segments || segments[0] !== 'profile' || !segments[1]) return null;
		handle = normalizeBlueskyHandle(segments[1]);
	} else {
		handle = normalizeBlueskyHandle(value);
	}
	if (!handle) return null;
	const identifier = handle.startsWith('did:') ? handle : `@${handle}`;
	return { identifier, url: `https://bsky.app/profile/${handle}` };
}

/** The handle from a bare name, an @name, or the first path segment of a profile link. */
function readHandle(value: string, hosts: readonly string[]): string | null {
	if (!LOOKS_LIKE_URL.test(value)) return withoutAt(value);
	const segments = readProfilePath(value, hosts);
	return segments?.[0] ? withoutAt(segments[0]) : null;
}

function normalizeGithub(value: string): AccountFields | null {
	const user = readHandle(value, ['github.com', 'www.github.com']);
	if (!user || !GITHUB_USER.test(user)) return null;
	return { identifier: user, url: `https://github.com/${user}` };
}

function normalizeX(value: string): AccountFields | null {
	const hosts = ['x.com', 'www.x.com', 'mobile.x.com', 'twitter.com', 'www.twitter.com'];
	const user = readHandle(value, [...hosts, 'mobile.twitter.com']);
	if (!user || !X_USER.test(user)) return null;
	return { identifier: `@${user}`, url: `https://x.com/${user}` };
}

function normalizeLinkedin(value: string): AccountFields | null {
	if (!LOOKS_LIKE_URL.test(value)) {
		return LINKEDIN_SLUG.test(value)
			? { identifier: value, url: `https://www.linkedin.com/in/${encodeURIComponent(value)}` }
			: null;
	}
	const url = toHttpUrl(value);
	// Country subdomains such as uk.linkedin.com serve the same profiles.
	if (!url || !(url.hostname === 'linkedin.com' || url.hostname.endsWith('.linkedin.com'))) {
		return null;
	}
	const [kind, rawSlug] = url.pathname.split('/').filter(Boolean);
	const slug = rawSlug ? decodeSegment(rawSlug) : null;
	if (!slug || !LINKEDIN_SLUG.test(slug) || (kind !== 'in' && kind !== 'company')) return null;
	const profileUrl = `https://www.linkedin.com/${kind}/${encodeURIComponent(slug)}`;
	// Company and personal pages can share a slug, so the identifier keeps them apart.
	return { identifier: kind === 'in' ? slug : `company/${slug}`, url: profileUrl };
}

function normalizeInstagram(value: string): AccountFields | null {
	const user = readHandle(value, ['instagram.com', 'www.instagram.com', 'm.instagram.com']);
	// Instagram usernames are lowercase; it shows any other spelling as the same account.
	const name = user?.toLowerCase();
	if (!name || !INSTAGRAM_USER.test(name)) return null;
	return { identifier: `@${name}`, url: `https://www.instagram.com/${name}` };
}

function normalizeTiktok(value: string): AccountFields | null {
	const user = readHandle(value, ['tiktok.com', 'www.tiktok.com', 'm.tiktok.com']);
	const name = user?.toLowerCase();
	if (!name || !TIKTOK_USER.test(name)) return null;
	return { identifier: `@${name}`, url: `https://www.tiktok.com/@${name}` };
}

function normalizeYoutube(value: string): AccountFields | null {
	let name = withoutAt(value);
	let isChannel = !value.startsWith('@') && YOUTUBE_CHANNEL.test(value);
	if (LOOKS_LIKE_URL.test(value)) {
		const hosts = ['youtube.com', 'www.youtube.com', 'm.youtube.com'];
		const [kind, id] = readProfilePath(value, hosts) ?? [];
		if (kind === 'channel' && id) [name, isChannel] = [id, true];
		else if (kind?.startsWith('@')) [name, isChannel] = [kind.slice(1), false];
		else return null;
	}
	if (isChannel) {
		if (!YOUTUBE_CHANNEL.test(name)) return null;
		return { identifier: name, url: `https://www.youtube.com/channel/${name}` };
	}
	if (!YOUTUBE_HANDLE.test(name)) return null;
	return { identifier: `@${name}`, url: `https://www.youtube.com/@${name}` };
}

function normalizeFacebook(value: string): AccountFields | null {
	const hosts = ['facebook.com', 'www.facebook.com', 'm.facebook.com'];
	if (LOOKS_LIKE_URL.test(value)) {
		const url = toHttpUrl(value);
		// Accounts without a username only have a numeric id on profile.php.
		if (url && hosts.includes(url.hostname) && url.pathname === '/profile.php') {
			const id = url.searchParams.get('id') ?? '';
			if (!FACEBOOK_ID.test(id)) return null;
			return { identifier: id, url: `https://www.facebook.com/profile.php?id=${id}` };
		}
	}
	const name = readHandle(value, hosts);
	if (!name || !FACEBOOK_NAME.test(name)) return null;
	return { identifier: name, url: `https://www.facebook.com/${name}` };
}

function normalizeLink(value: string, withPath: boolean): AccountFields | null {
	const url = toHttpUrl(value);
	if (!url || !url.hostname.includes('.')) return null;
	url.hash = '';
	const path = withPath ? url.pathname.replace(/\/+$/, '') : '';
	return { identifier: `${url.host}${path}`, url: url.href };
}

const NORMALIZERS: Record<Network, (value: string) => AccountFields | null> = {
	mastodon: normalizeMastodon,
	bluesky: normalizeBluesky,
	github: normalizeGithub,
	x: normalizeX,
	linkedin: normalizeLinkedin,
	instagram: normalizeInstagram,
	tiktok: normalizeTiktok,
	youtube: normalizeYoutube,
	facebook: normalizeFacebook,
	// The path stays in the name: github.com/ada is not the site github.com.
	website: (value) => normalizeLink(value, true),
	other: (value) => normalizeLink(value, true)
};

/** Turns whatever a person typed for an account into one canonical identifier and profile URL. */
export function normalizeAccount(network: string, input: string): NormalizeResult {
	if (!isNetwork(network)) return { ok: false, error: 'Choose a network from the list.' };
	const value = input.trim();
	if (value.length > MAX_ACCOUNT_INPUT_LENGTH) {
		return { ok: false, error: `Keep this under ${MAX_ACCOUNT_INPUT_LENGTH} characters.` };
	}
	const account = value ? NORMALIZERS[network](value) : null;
	if (!account) return { ok: false, error: NETWORK_ERRORS[network] };
	return { ok: true, account: { network, ...account } };
}
