import { db } from '#lib/server/db/index.js';
import { checkReadiness, RETRY_AFTER_SECONDS } from '#lib/server/db/health.js';
import type { RequestHandler } from './$types';

// Readiness for load balancers: send traffic here only while the database answers and its schema
// is current. Answers within about two seconds even when the database hangs.
export const GET: RequestHandler = async () => {
	const readiness = await checkReadiness(db);
	const headers: Record<string, string> = {
		'Content-Type': 'text/plain; charset=utf-8',
		'Cache-Control': 'no-store'
	};
	if (readiness.ready) return new Response('ready\n', { headers });
	headers['Retry-After'] = String(RETRY_AFTER_SECONDS);
	return new Response(`not ready: ${readiness.reason}\n`, { status: 503, headers });
};
