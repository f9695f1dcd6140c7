// Proofwork's SvelteKit and Svelte options. SvelteKit 3 takes them through its Vite plugin
// (vite.config.ts passes this object to `sveltekit()`); eslint-plugin-svelte and svelte-check read
// the same object, so the compiler, the linter and the type checker never disagree.
import adapter from '@sveltejs/adapter-node';

/** @type {import('@sveltejs/kit/vite').Config} */
const config = {
	adapter: adapter({ out: 'build' }),
	compilerOptions: {
		runes: true
	},
	csp: {
		mode: 'nonce',
		directives: {
			'default-src': ['self'],
			'script-src': ['self'],
			'style-src': ['self', 'unsafe-inline'],
			'img-src': ['self', 'data:'],
			'font-src': ['self'],
			'connect-src': ['self'],
			'form-action': ['self'],
			// Video players load only after a click (static/embed-facade.js); these four and nothing
			// else may be framed (PLAYER_ORIGINS in src/lib/server/embeds/providers.ts).
			'frame-src': [
				'https://www.youtube-nocookie.com',
				'https://player.vimeo.com',
				'https://www.tiktok.com',
				'https://www.instagram.com'
			],
			'object-src': ['none'],
			'base-uri': ['none'],
			'frame-ancestors': ['none']
		}
	},
	// Links are rendered from the site root ("/search", not "./search"), so the site header is the
	// same bytes on every page and when the profile cache renders it alone (http/profile-cache.ts).
	paths: {
		relative: false
	},
	// Kit's origin check on form posts stays on: no origin is trusted beyond the app's own.
	csrf: {
		trustedOrigins: []
	}
};

export default config;
