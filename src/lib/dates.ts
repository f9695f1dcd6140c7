// Built once: Intl formatters are costly to create on every render.
const day = new Intl.DateTimeFormat('en', {
	day: 'numeric',
	month: 'short',
	year: 'numeric',
	timeZone: 'UTC'
});
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const DAY_MS = 86_400_000;

/** "Nov 25, 2026" */
export function formatDay(date: Date): string {
	return day.format(date);
}

/** "today", "yesterday", "3 days ago", "2 weeks ago", "5 months ago" */
export function timeAgo(date: Date, now = new Date()): string {
	const days = Math.floor((now.getTime() - date.getTime()) / DAY_MS);
	if (days < 1) return 'today';
	if (days < 14) return relative.format(-days, 'day');
	if (days < 60) return relative.format(-Math.floor(days / 7), 'week');
	if (days < 730) return relative.format(-Math.floor(days / 30), 'month');
	return relative.format(-Math.floor(days / 365), 'year');
}
