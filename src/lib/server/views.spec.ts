import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import * as accounts from '#lib/server/accounts/index.js';
import {
	countAppearances,
	flushViews,
	getViewStats,
	isLikelyBot,
	recordAppearances,
	recordView
} from '#lib/server/views.js';

describe('bot detection', () => {
	it('counts browsers and skips crawlers, link previewers and tools', () => {
		expect(
			isLikelyBot('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36')
		).toBe(false);
		for (const ua of [
			'Googlebot/2.1',
			'facebookexternalhit/1.1',
			'Slackbot-LinkExpanding 1.0',
			'curl/8.5',
			'python-requests/2.31',
			'',
			null
		]) {
			expect(isLikelyBot(ua), String(ua)).toBe(true);
		}
	});
});

describe.each(testEngines())('profile views on $name', (engine) => {
	let t: TestDatabase;
	let userId: number;
	beforeAll(async () => {
		t = await engine.create();
		const result = await accounts.signUp(t.db, {
			email: 'v@example.com',
			handle: 'viewed',
			password: 'a long passphrase',
			ip: '10.4.0.1',
			origin: 'http://x.test'
		});
		if (!result.ok) throw new Error('signup failed');
		userId = result.value.user.id;
	});
	afterAll(() => t.drop());

	it('counts views per day in batches and reports 90 days with totals', async () => {
		const today = new Date('2026-09-30T12:00:00Z');
		const lastWeek = new Date('2026-09-25T12:00:00Z');
		const longAgo = new Date('2026-05-01T12:00:00Z');
		for (let i = 0; i < 3; i++) recordView(t.db, userId, today);
		recordView(t.db, userId, lastWeek);
		recordView(t.db, userId, longAgo);
		await flushViews(t.db);
		recordView(t.db, userId, today);
		await flushViews(t.db);

		const stats = await getViewStats(t.db, userId, 90, today);
		expect(stats.days).toHaveLength(90);
		expect(stats.days.at(-1)).toEqual({ day: '2026-09-30', views: 4 });
		expect(stats.days.find((d) => d.day === '2026-09-25')?.views).toBe(1);
		expect(stats.total).toBe(5);
		expect(stats.last7).toBe(5);
		expect(stats.days[0].day).toBe('2026-07-03');
	});

	it('counts search appearances per day for the dashboard', async () => {
		const now = new Date('2026-10-10T12:00:00Z');
		recordAppearances(t.db, [userId, userId], now);
		recordAppearances(t.db, [userId], new Date('2026-01-01T12:00:00Z'));
		await flushViews(t.db);
		expect(await countAppearances(t.db, userId, 90, now)).toBe(2);
	});
});
