import type { RequestHandler } from './$types';

// Liveness for load balancers: the process is up and answering. Never touches the database, so a
// database outage does not get healthy app servers restarted.
export const GET: RequestHandler = () =>
	new Response('ok\n', {
		headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }
	});
