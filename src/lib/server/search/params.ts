import type { Availability } from '#lib/server/db/schema.js';
import { stripControlCharacters } from '#lib/server/platform/forms.js';

// The search form as it travels in the URL, read back into a query.

export const MAX_QUERY_LENGTH = 200;
const MAX_WORDS = 8;
// No skill is longer than 40 characters, and full text and trigram work grows with a word's length.
export const MAX_WORD_LENGTH = 40;

export interface SearchQuery {
	q: string;
	skills: string[];
	location: string;
	availability: Availability | '';
	minEndorsements: number;
	hasWork: boolean;
	verifiedOnly: boolean;
	after: { score: number; id: number } | null;
}

const AVAILABILITIES = ['open_to_work', 'open_to_freelance', 'not_looking'] as const;

/** Reads the search form from a URL; unknown or malformed values are dropped with a notice. */
export function parseSearchParams(params: URLSearchParams): {
	query: SearchQuery;
	notices: string[];
} {
	const notices: string[] = [];
	// A NUL byte reaches PostgreSQL as an error, and no other control character means anything here.
	params = new URLSearchParams([...params].map(([k, value]) => [k, stripControlCharacters(value)]));
	let q = (params.get('q') ?? '').normalize('NFC').trim();
	if (q.length > MAX_QUERY_LENGTH) {
		q = q.slice(0, MAX_QUERY_LENGTH);
		notices.push(`Your search was shortened to its first ${MAX_QUERY_LENGTH} characters.`);
	}
	const skills = [
		...new Set(
			params
				.getAll('skill')
				.map((s) => s.trim())
				.filter((s) => s && s.length <= 40)
		)
	].slice(0, 10);
	const availabilityParam = params.get('availability') ?? '';
	let availability: SearchQuery['availability'] = '';
	if ((AVAILABILITIES as readonly string[]).includes(availabilityParam))
		availability = availabilityParam as Availability;
	else if (availabilityParam)
		notices.push('The availability filter was not understood and is ignored.');
	const minParam = params.get('min') ?? '';
	let minEndorsements = 0;
	if (/^\d{1,4}$/.test(minParam)) minEndorsements = Number(minParam);
	else if (minParam)
		notices.push('The minimum endorsements filter was not a number and is ignored.');
	const verifiedOnly = params.get('verified') === '1';
	let after: SearchQuery['after'] = null;
	const afterParam = params.get('after');
	if (afterParam) {
		const match = /^(-?\d+(?:\.\d+)?)_(\d{1,10})$/.exec(afterParam);
		if (match) after = { score: Number(match[1]), id: Number(match[2]) };
		else notices.push('The page link was not understood; showing the first page.');
	}
	return {
		query: {
			q,
			skills,
			location: (params.get('location') ?? '').trim().slice(0, 100),
			availability,
			minEndorsements,
			hasWork: params.get('work') === '1',
			verifiedOnly,
			after
		},
		notices
	};
}

/** Words of the query reduced to letters and digits, so no tsquery syntax survives; long ones cut. */
export function queryWords(q: string): string[] {
	return (q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
		.slice(0, MAX_WORDS)
		.map((word) => [...word].slice(0, MAX_WORD_LENGTH).join(''));
}
