import { describe, expect, it } from 'vitest';
import { formatDay, timeAgo } from '#lib/dates.js';

describe('dates', () => {
	const now = new Date('2026-11-25T12:00:00Z');
	const daysBefore = (n: number) => new Date(now.getTime() - n * 86_400_000);

	it('says how long ago a check was in words people use', () => {
		expect(timeAgo(new Date('2026-11-25T08:00:00Z'), now)).toBe('today');
		expect(timeAgo(daysBefore(1), now)).toBe('yesterday');
		expect(timeAgo(daysBefore(3), now)).toBe('3 days ago');
		expect(timeAgo(daysBefore(21), now)).toBe('3 weeks ago');
		expect(timeAgo(daysBefore(95), now)).toBe('3 months ago');
		expect(timeAgo(daysBefore(800), now)).toBe('2 years ago');
	});

	it('formats a day the same way on every server, whatever its time zone', () => {
		expect(formatDay(new Date('2026-11-03T23:30:00Z'))).toBe('Nov 3, 2026');
	});
});
