import { db } from '#lib/server/db/index.js';
import { listListedProfiles } from '#lib/server/profiles.js';
import type { RequestHandler } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';

const escapeXml = (value: string) =>
	value.replace(
		/[<>&'"]/g,
		(c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!
	);

// Only listed profiles: public, with a display name and a headline.
export const GET: RequestHandler = async () => {
	const origin = siteOrigin();
	const profiles = await listListedProfiles(db);
	const entries = profiles
		.map(
			(p) =>
				`<url><loc>${escapeXml(`${origin}/@${p.handle}`)}</loc><lastmod>${p.updated_at.toISOString()}</lastmod></url>`
		)
		.join('');
	return new Response(
		`<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${escapeXml(origin)}/</loc></url>${entries}</urlset>\n`,
		{
			headers: {
				'Content-Type': 'application/xml; charset=utf-8',
				'Cache-Control': 'public, max-age=300'
			}
		}
	);
};
