/** The /search query string with some parameters changed (null removes one). */
export function searchQuery(current: string, change: Record<string, string | null>): string {
	const params = new URLSearchParams(current);
	for (const [key, value] of Object.entries(change)) {
		if (value === null) params.delete(key);
		else params.set(key, value);
	}
	return params.toString();
}

/** The query string a search form would submit, without empty fields. */
export function formQuery(form: HTMLFormElement): string {
	const params = new URLSearchParams();
	for (const [key, value] of new FormData(form)) {
		if (typeof value === 'string' && value !== '') params.append(key, value);
	}
	return params.toString();
}
