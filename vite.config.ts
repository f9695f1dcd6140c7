import fs from 'node:fs';
import { sveltekit } from '@sveltejs/kit/vite';
import tailwindcss from '@tailwindcss/vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import config from './svelte.config.js';

// SvelteKit 3 refuses to start when a svelte.config.js exists, because older projects relied on it
// being read implicitly. Ours is imported explicitly just above, so that guard is silenced for it alone.
function allowExplicitSvelteConfig(plugins: Plugin[]): Plugin[] {
	for (const plugin of plugins) {
		const hook = plugin.config;
		if (plugin.name !== 'vite-plugin-sveltekit-resolve-root' || !hook || typeof hook === 'function')
			continue;
		const handler = hook.handler;
		hook.handler = function (
			this: ThisParameterType<typeof handler>,
			...args: Parameters<typeof handler>
		) {
			const existsSync = fs.existsSync;
			fs.existsSync = (file) => !String(file).endsWith('svelte.config.js') && existsSync(file);
			try {
				return handler.apply(this, args);
			} finally {
				fs.existsSync = existsSync;
			}
		} as typeof handler;
	}
	return plugins;
}

export default defineConfig({
	plugins: [tailwindcss(), allowExplicitSvelteConfig(await sveltekit(config))],
	test: {
		include: ['src/**/*.spec.ts'],
		environment: 'node',
		env: { LOG_LEVEL: 'silent' },
		testTimeout: 30_000,
		hookTimeout: 60_000
	}
});
