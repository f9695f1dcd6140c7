// For specs of per-host spacing: the moment undici creates each request, which is when the
// fetcher's reserved slot has come (fetcher.ts: reserveSlot, then requestOnce). A fake host's
// arrival times add connection set-up, which a busy machine stretches for one request more than
// another; these do not, so a spacing check can be tight without flaking under load.
import diagnosticsChannel from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';

const CHANNEL = 'undici:request:create';

export interface RequestStart {
	path: string;
	/** performance.now() when the request was created. */
	at: number;
}

/** Records the start of every request to `origin` until stop() is called. */
export function recordRequestStarts(origin: string): { starts: RequestStart[]; stop: () => void } {
	const starts: RequestStart[] = [];
	const listener = (message: unknown) => {
		const { request } = message as { request: { origin: string | URL; path: string } };
		if (new URL(String(request.origin)).origin !== origin) return;
		starts.push({ path: request.path, at: performance.now() });
	};
	diagnosticsChannel.subscribe(CHANNEL, listener);
	return { starts, stop: () => diagnosticsChannel.unsubscribe(CHANNEL, listener) };
}
