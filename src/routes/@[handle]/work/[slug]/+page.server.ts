import { error, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { renderMarkdown, markdownToText } from '#lib/server/platform/markdown.js';
import { domainOf, lookUpProfile } from '#lib/server/public-profile.js';
import { getWorkBySlug } from '#lib/server/work.js';
import type { PageServerLoad } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';

// A public profile is complete as server-rendered HTML; it ships no JavaScript at all (its few
// forms, such as log out, are plain form posts).
export const csr = false;

export const load: PageServerLoad = async ({ params, locals }) => {
	const found = await lookUpProfile(db, params.handle, locals.user?.id ?? null);
	if (found.kind === 'moved') redirect(301, `/@${found.handle}/work/${params.slug}`);
	if (found.kind === 'missing') error(404, 'Profile not found');
	const item = await getWorkBySlug(db, found.profile.userId, params.slug);
	if (!item || !item.case_study_md.trim()) error(404, 'Case study not found');
	const { case_study_md, ...work } = item;
	return {
		profile: {
			handle: found.profile.handle,
			name: found.profile.name,
			headline: found.profile.headline,
			avatar: found.profile.avatar.small,
			visibility: found.profile.visibility
		},
		work: {
			...work,
			domain: domainOf(work.url),
			preview: found.profile.work.find((w) => w.id === work.id)?.preview ?? null
		},
		caseStudyHtml: renderMarkdown(case_study_md),
		summary: markdownToText(case_study_md, 200),
		canonical: `${siteOrigin()}/@${found.profile.handle}/work/${work.slug}`
	};
};
