import { error } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { renderMarkdown, markdownToText } from '#lib/server/platform/markdown.js';
import { requireProfileCard } from '#lib/server/http/profile-route.js';
import { listPreviews } from '#lib/server/link-previews.js';
import { domainOf } from '#lib/server/public-profile.js';
import { getWorkBySlug } from '#lib/server/work.js';
import { caseStudyImages, listWorkPictures } from '#lib/server/work-media.js';
import { listEmbeds } from '#lib/server/embeds/work-embeds.js';
import type { PageServerLoad } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';

// A public profile is complete as server-rendered HTML; it ships no JavaScript at all (its few
// forms, such as log out, are plain form posts).
export const csr = false;

export const load: PageServerLoad = async ({ params, locals }) => {
	const { card } = await requireProfileCard(
		params.handle,
		locals.user?.id ?? null,
		`/work/${params.slug}`
	);
	const item = await getWorkBySlug(db, card.userId, params.slug);
	if (!item) error(404, 'Case study not found');
	const pictures = (await listWorkPictures(db, [item.id])).get(item.id) ?? {
		cover: null,
		gallery: []
	};
	// The page exists once there is something beyond the card to show: a case study or images.
	const embeds = (await listEmbeds(db, [item.id])).get(item.id) ?? [];
	if (!item.case_study_md.trim() && !pictures.cover && !pictures.gallery.length && !embeds.length)
		error(404, 'Case study not found');
	const { case_study_md, ...work } = item;
	const coverSrc = pictures.cover?.srcset.webp.split(', ').at(-1)?.split(' ')[0];
	return {
		profile: {
			handle: card.handle,
			name: card.name,
			headline: card.headline,
			avatar: card.avatar.small,
			visibility: card.visibility
		},
		work: {
			...work,
			domain: domainOf(work.url),
			preview: work.url ? ((await listPreviews(db, [work.id])).get(work.id) ?? null) : null
		},
		cover: pictures.cover,
		gallery: pictures.gallery,
		embeds,
		ogImage: coverSrc ? `${siteOrigin()}${coverSrc}` : null,
		caseStudyHtml: renderMarkdown(case_study_md, {
			knownImage: caseStudyImages(
				pictures.cover ? [pictures.cover, ...pictures.gallery] : pictures.gallery
			)
		}),
		summary: markdownToText(case_study_md, 200) || work.outcome,
		canonical: `${siteOrigin()}/@${card.handle}/work/${work.slug}`
	};
};
