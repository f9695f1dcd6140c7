import { render } from 'svelte/server';
import SiteHeader from '#lib/components/SiteHeader.svelte';
import { getCachedSession } from '#lib/server/auth/session-cache.js';
import { peekPage, servePage } from '#lib/server/http/page-cache.js';

// src/server.js answers cached profile pages before SvelteKit turns the request into a web Request
// and back. The app bundle and the server entry are separate module graphs, so the lookup is
// shared on globalThis. A signed-in visitor whose session was validated moments ago gets the
// cached page with the site header rendered for them: on a profile page (which ships no
// JavaScript) that header is the only part that depends on who is looking, unless it is the owner.

const HEADER_START = '<div id="site-header">';
const HEADER_END = '</div>';

type CountView = (profileId: number, userAgent: string | null, viewerId?: number) => void;

export function personalise(
	body: string,
	user: { handle: string; emailVerified: boolean }
): string | undefined {
	const start = body.indexOf(HEADER_START);
	// The signed-out header holds no <div>, so the first closing tag after it is the wrapper's own.
	const end = start === -1 ? -1 : body.indexOf(HEADER_END, start);
	if (end === -1) return undefined;
	const header = render(SiteHeader, { props: { user } }).body;
	return body.slice(0, start) + header + body.slice(end + HEADER_END.length);
}

export function installFastPath(countView: CountView): void {
	(globalThis as Record<symbol, unknown>)[Symbol.for('proofwork.pageCache')] = {
		lookup(path: string, sessionToken: string | null, userAgent: string | null) {
			if (!sessionToken) return servePage(path, userAgent);
			const session = getCachedSession(sessionToken);
			if (!session?.user) return undefined;
			const hit = peekPage(path);
			if (!hit || hit.profileId === session.user.id) return undefined;
			const body = personalise(hit.body, session.user);
			if (!body) return undefined;
			countView(hit.profileId, userAgent, session.user.id);
			return { body, headers: { ...hit.headers, 'cache-control': 'private, no-store' } };
		}
	};
}
