import { describe, expect, it } from 'vitest';
import { personalise } from '#lib/server/http/fast-path.js';

const anonymousPage = `<html><body><a href="#main">Skip</a><div id="site-header"><header><nav aria-label="Main"><ul><li><a href="/login">Log in</a></li></ul></nav></header></div><main id="main"><div class="card">Profile</div></main></body></html>`;

describe('personalised cached pages', () => {
	it('swaps the signed-out header for the visitor’s own and leaves the rest untouched', () => {
		const page = personalise(anonymousPage, { handle: 'ann', emailVerified: true })!;
		expect(page).toContain('@ann');
		expect(page).toContain('Log out');
		expect(page).not.toContain('Log in');
		expect(page).not.toContain('Please verify your email address');
		expect(page.slice(page.indexOf('<main'))).toBe(
			anonymousPage.slice(anonymousPage.indexOf('<main'))
		);
		expect(page.match(/id="site-header"/g)).toHaveLength(1);
	});

	it('shows the verification banner to someone who has not verified yet', () => {
		const page = personalise(anonymousPage, { handle: 'bo', emailVerified: false })!;
		expect(page).toContain('Please verify your email address');
	});

	it('escapes the handle and gives up on a page without the header', () => {
		expect(personalise(anonymousPage, { handle: '<script>', emailVerified: true })).not.toContain(
			'<script>'
		);
		expect(
			personalise('<html><main>no header</main></html>', { handle: 'ann', emailVerified: true })
		).toBeUndefined();
	});
});
