import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './tests/chromium.ts';

const PORT = Number(process.env.E2E_PORT || 4173);
export const ARTIFACTS = 'tests/.artifacts/e2e';
const FAKE_PORT_BASE = Number(process.env.E2E_FAKE_PORT_BASE || 4181);
export const E2E_ADMIN_EMAIL = 'first-admin@example.com';

const chromium = { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS };

export default defineConfig({
	testDir: 'tests',
	testMatch: '**/*.spec.ts',
	fullyParallel: false,
	workers: 1,
	retries: 0,
	forbidOnly: !!process.env.CI,
	reporter: process.env.CI
		? [['list']]
		: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
	use: {
		baseURL: `http://localhost:${PORT}`,
		trace: 'retain-on-failure',
		// The server trusts this header for the client IP (ADDRESS_HEADER below), so a spec file can
		// act from its own address and stay clear of the per-IP sign-up limit other files use up.
		extraHTTPHeaders: { 'X-Forwarded-For': '127.0.0.1' },
		screenshot: 'only-on-failure',
		launchOptions: chromium
	},
	projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], launchOptions: chromium } }],
	webServer: [
		// Stand-ins for Mastodon, Bluesky, GitHub and personal websites (tests/fakes/networks.ts).
		{
			command: `node tests/fakes/serve.ts`,
			port: FAKE_PORT_BASE,
			reuseExistingServer: false,
			env: { FAKE_PORT_BASE: String(FAKE_PORT_BASE) }
		},
		// The built app on a fresh embedded database; its log doubles as the mailbox (no SMTP_URL).
		// The first admin is granted the way an operator does it (`npm run admin -- grant`), before
		// the app holds the embedded database; tests/admin.spec.ts reads the printed link.
		{
			command: `rm -rf ${ARTIFACTS} && mkdir -p ${ARTIFACTS} && node src/cli/admin.ts grant --email ${E2E_ADMIN_EMAIL} > ${ARTIFACTS}/admin-grant.log 2>&1 && node src/server.js > ${ARTIFACTS}/server.log 2>&1`,
			url: `http://localhost:${PORT}/`,
			reuseExistingServer: false,
			timeout: 120_000,
			env: {
				PORT: String(PORT),
				HOST: '127.0.0.1',
				PGLITE_DATA_DIR: `${ARTIFACTS}/pglite`,
				DATABASE_URL: '',
				// Back-links are checked against profiles under the configured public address.
				PUBLIC_URL: `http://localhost:${PORT}`,
				SMTP_URL: '',
				LOG_LEVEL: 'info',
				ADDRESS_HEADER: 'x-forwarded-for',
				XFF_DEPTH: '1',
				// Outbound fetches go to the fakes above, the only private address allowed.
				FETCH_ALLOW_ADDRESSES: '127.0.0.1',
				FETCH_REWRITE: [
					`https://mastodon.example=http://127.0.0.1:${FAKE_PORT_BASE}`,
					`https://public.api.bsky.app=http://127.0.0.1:${FAKE_PORT_BASE + 1}`,
					`https://api.github.com=http://127.0.0.1:${FAKE_PORT_BASE + 2}`,
					`https://website.example=http://127.0.0.1:${FAKE_PORT_BASE + 3}`,
					// Video metadata (oEmbed) and thumbnails, served by the websites fake (media.spec.ts).
					`https://www.youtube.com=http://127.0.0.1:${FAKE_PORT_BASE + 3}`,
					`https://i.ytimg.com=http://127.0.0.1:${FAKE_PORT_BASE + 3}`
				].join(',')
			}
		}
	]
});
