import type { EntryView } from '#lib/server/shortlists/lists.js';

// A cell a spreadsheet would read as a formula (or a DDE call) is made plain text first.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
	const safe = FORMULA_START.test(value) ? `'${value}` : value;
	return `"${safe.replaceAll('"', '""')}"`;
}

export const CSV_COLUMNS = [
	'name',
	'handle',
	'profile URL',
	'headline',
	'location',
	'note',
	'added'
] as const;

/** RFC 4180 CSV, every cell quoted, with a byte-order mark so spreadsheets read it as UTF-8. */
export function toCsv(entries: EntryView[], origin: string): string {
	const rows = entries.map((e) => [
		e.profile?.name ?? 'No longer public',
		e.profile?.handle ?? '',
		e.profile ? `${origin}/@${e.profile.handle}` : '',
		e.profile?.headline ?? '',
		e.profile?.location ?? '',
		e.note,
		e.addedAt.toISOString().slice(0, 10)
	]);
	return (
		'\uFEFF' + [CSV_COLUMNS, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n'
	);
}

/** A file name for the download: the list's name in plain ASCII. */
export function csvFileName(name: string): string {
	const slug = name
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 60);
	return `shortlist-${slug || 'export'}.csv`;
}
