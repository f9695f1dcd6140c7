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
