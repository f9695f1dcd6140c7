// The one origin every link the app writes (mail, canonical URLs, feeds, exports) is built on.
// It comes from configuration, never from a request: a request's Host header is the client's to
// choose, and anything built from it can be poisoned (reset links, cached pages, sitemaps).

// `npm run dev` serves here; `npm start` (src/server.js) always passes its own address.
const DEV_ORIGIN = 'http://localhost:5173';

let origin = DEV_ORIGIN;

/** PUBLIC_URL when set, otherwise the address `npm start` listens on (LISTEN_ORIGIN). */
export function configureSiteOrigin(publicUrl: string | undefined, listenOrigin?: string): void {
	const chosen = publicUrl || listenOrigin;
	origin = chosen ? new URL(chosen).origin : DEV_ORIGIN;
}

export function siteOrigin(): string {
	return origin;
}
