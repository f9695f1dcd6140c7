// Set-up shared by integration specs: a signed-up member and a work item of theirs, made through
// the same domain functions the app uses. Lives beside the domain (not in db/testing.ts) because
// the database layer may not import domain code.
import type { Db } from '#lib/server/db/connect.js';
import * as accounts from '#lib/server/accounts/index.js';
import * as work from '#lib/server/work.js';

export const TEST_PASSWORD = 'a long passphrase';

/** Signs up `handle` (email `handle@example.com`) and returns the new user's id. */
export async function createTestUser(
	db: Db,
	handle: string,
	{ ip = '10.5.0.1', origin = 'http://x.test' }: { ip?: string; origin?: string } = {}
): Promise<number> {
	const signedUp = await accounts.signUp(db, {
		email: `${handle}@example.com`,
		handle,
		password: TEST_PASSWORD,
		ip,
		origin
	});
	if (!signedUp.ok)
		throw new Error(`signup of ${handle} failed: ${JSON.stringify(signedUp.errors)}`);
	return signedUp.value.user.id;
}

/** Creates a work item with only a title for `userId` and returns its id. */
export async function createTestWork(db: Db, userId: number, title: string): Promise<number> {
	const created = await work.createWork(db, userId, {
		title,
		url: null,
		role: '',
		outcome: '',
		happenedOn: null,
		caseStudy: ''
	});
	if (!created.ok) throw new Error(`work "${title}" not created`);
	return created.item.id;
}
