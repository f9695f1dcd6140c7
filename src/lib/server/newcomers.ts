import { DAY_MS } from '#lib/server/platform/time.js';

// Rules for accounts younger than a week, shared by endorsements and messages: fresh accounts are
// what spam is sent from, so they may not post links and are limited more tightly.

export const NEW_ACCOUNT_MS = 7 * DAY_MS;

export interface Newcomer {
	createdAt: Date;
}

export function isNewAccount(account: Newcomer, now = new Date()): boolean {
	return now.getTime() - account.createdAt.getTime() < NEW_ACCOUNT_MS;
}

// Anything a reader could follow: a scheme, www., or a bare domain with a common suffix.
const LINK_PATTERN =
	/(https?:\/\/|www\.|\b[a-z0-9-]+\.(com|net|org|io|co|ly|me|info|biz|xyz|app|dev|shop|store|site|online|ru|cn|top|link|click)\b)/i;

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether `phrase` stands in `text` as whole words ("PR" is not found inside "surprised"). */
export function containsWord(text: string, phrase: string): boolean {
	return new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(phrase)}($|[^\\p{L}\\p{N}])`, 'u').test(
		text
	);
}

/** Whether a text holds something a reader could follow, the person's own skill names ("ASP.NET") aside. */
export function containsLink(text: string, skillNames: string[]): boolean {
	let rest = text;
	for (const name of skillNames) rest = rest.replace(new RegExp(escapeRegExp(name), 'gi'), ' ');
	return LINK_PATTERN.test(rest);
}
