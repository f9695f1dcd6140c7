import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ url }) =>
	new Response(
		[
			'User-agent: *',
			'Disallow: /settings/',
			'Disallow: /dashboard',
			'Disallow: /login',
			'Disallow: /signup',
			'Disallow: /reset-password',
			'Disallow: /verify-email',
			`Sitemap: ${url.origin}/sitemap.xml`,
			''
		].join('\n'),
		{ headers: { 'Content-Type': 'text/plain; charset=utf-8' } }
	);
