import type { RequestHandler } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';

export const GET: RequestHandler = () =>
	new Response(
		[
			'User-agent: *',
			'Disallow: /settings/',
			'Disallow: /dashboard',
			'Disallow: /login',
			'Disallow: /signup',
			'Disallow: /reset-password',
			'Disallow: /verify-email',
			`Sitemap: ${siteOrigin()}/sitemap.xml`,
			''
		].join('\n'),
		{ headers: { 'Content-Type': 'text/plain; charset=utf-8' } }
	);
