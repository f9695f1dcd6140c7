import type { Executor } from '#lib/server/db/connect.js';

/**
 * Values a search keeps between searches, per database and key: each for `ttlMs`, at most `max`
 * per database (the oldest goes first), all forgotten at once by `forgetAll()`.
 */
export class Kept<V> {
	readonly #ttlMs: number;
	readonly #max: number;
	#generation = 0;
	readonly #entries = new WeakMap<
		Executor,
		Map<string, { at: number; generation: number; value: V }>
	>();

	constructor(ttlMs: number, max = Infinity) {
		this.#ttlMs = ttlMs;
		this.#max = max;
	}

	#of(db: Executor) {
		let entries = this.#entries.get(db);
		if (!entries) this.#entries.set(db, (entries = new Map()));
		return entries;
	}

	get(db: Executor, key: string): V | undefined {
		const entries = this.#of(db);
		const hit = entries.get(key);
		if (!hit) return undefined;
		if (hit.generation === this.#generation && Date.now() - hit.at < this.#ttlMs) return hit.value;
		entries.delete(key);
		return undefined;
	}

	set(db: Executor, key: string, value: V): void {
		const entries = this.#of(db);
		entries.delete(key);
		// Maps keep the order entries were set in.
		if (entries.size >= this.#max) entries.delete(entries.keys().next().value!);
		entries.set(key, { at: Date.now(), generation: this.#generation, value });
	}

	/** Forgets `key`, unless something else was kept under it since `value`. */
	delete(db: Executor, key: string, value: V): void {
		const entries = this.#of(db);
		if (entries.get(key)?.value === value) entries.delete(key);
	}

	forgetAll(): void {
		this.#generation++;
	}

	/**
	 * What `read()` answers, read once while kept. A failed read, and an answer `keep` refuses, are
	 * not kept: the next call reads again.
	 */
	remember<T extends V>(
		db: Executor,
		key: string,
		read: () => T,
		keep: (answer: Awaited<T>) => boolean = () => true
	): T {
		const hit = this.get(db, key);
		if (hit !== undefined) return hit as T;
		const value = read();
		this.set(db, key, value);
		Promise.resolve(value).then(
			(answer) => {
				if (!keep(answer)) this.delete(db, key, value);
			},
			() => this.delete(db, key, value)
		);
		return value;
	}
}
