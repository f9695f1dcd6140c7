import pg from 'pg';

// What a benchmark set up (databases, servers, workers), undone in reverse order, once, whether
// the run succeeds, fails or is interrupted.
export const cleanups: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | undefined;

export function cleanUp(): Promise<void> {
	cleaning ??= (async () => {
		for (const undo of cleanups.reverse()) {
			await undo().catch((error) => console.error('Cleaning up failed:', error));
		}
	})();
	return cleaning;
}

/** Creates an empty PostgreSQL database for this run (dropped on clean-up) and returns its URL. */
export async function throwawayDatabase(adminUrl: string, name: string): Promise<string> {
	const admin = async (statement: string) => {
		const client = new pg.Client({ connectionString: adminUrl });
		await client.connect();
		try {
			await client.query(statement);
		} finally {
			await client.end();
		}
	};
	await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
	await admin(`CREATE DATABASE "${name}"`);
	cleanups.push(() => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	return url.href;
}
