// Debian's Chromium and the flags it runs with, shared by Playwright (playwright.config.ts) and
// Lighthouse (tests/bench/lighthouse.ts) so both measure the same browser. Playwright cannot
// download its own browser on a machine without internet.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-dev-shm-usage',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
	'--disable-quic'
];
