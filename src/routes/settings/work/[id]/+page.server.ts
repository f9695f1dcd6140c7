import { error, fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { queueDue } from '#lib/server/jobs.js';
import { requireUser } from '#lib/server/auth/guard.js';
import { PHOTO_ERRORS, PHOTO_MAX_BYTES } from '#lib/server/platform/image-variants.js';
import { renderMarkdown } from '#lib/server/platform/markdown.js';
import { mediaStore } from '#lib/server/platform/media-store.js';
import { receiveUpload } from '#lib/server/platform/uploads.js';
import { fieldErrors, parseId, readForm, parseForm } from '#lib/server/platform/forms.js';
import { listProfileSkills } from '#lib/server/skills.js';
import * as work from '#lib/server/work.js';
import * as media from '#lib/server/work-media.js';
import * as embeds from '#lib/server/embeds/work-embeds.js';
import type { Actions, PageServerLoad } from './$types';

const SAVED: Record<string, string> = {
	cover: 'Cover image saved.',
	image: 'Image added to the gallery.',
	described: 'Alt text saved.',
	moved: 'Gallery order saved.',
	removed: 'Image removed.',
	embedded: 'Added. Its title and picture are read from the site in the background.',
	unembedded: 'Video or post removed.'
};

function idFrom(param: string): number {
	const id = parseId(param);
	if (!id) error(404, 'Work not found');
	return id;
}

export const load: PageServerLoad = async ({ params, url }) => {
	const { user } = requireUser();
	const item = await work.getWork(db, user.id, idFrom(params.id));
	if (!item) error(404, 'Work not found');
	const images = (await media.listWorkMedia(db, [item.id], { includeUndescribed: true })).get(
		item.id
	);
	return {
		item,
		skills: await listProfileSkills(db, user.id),
		cover: images?.cover ? media.toPicture(images.cover) : null,
		gallery: (images?.gallery ?? []).map(media.toPicture),
		embeds: (await embeds.listEmbeds(db, [item.id])).get(item.id) ?? [],
		maxEmbeds: embeds.MAX_EMBEDS,
		maxGallery: media.MAX_GALLERY_IMAGES,
		saved: SAVED[url.searchParams.get('saved') ?? ''] ?? null
	};
};

/** An upload form: the file streamed to disk, then re-encoded; the alt text kept on refusal. */
async function upload(request: Request, userId: number, workId: number, role: media.WorkMediaRole) {
	const received = await receiveUpload(request, { fileField: 'image', maxBytes: PHOTO_MAX_BYTES });
	if (!received.ok)
		return fail(400, { action: role, errors: fieldErrors({ image: received.error }), values: {} });
	const { upload: got } = received;
	try {
		const form = new FormData();
		form.set('alt', got.fields.alt ?? '');
		const parsed = parseForm(media.altSchema, form);
		const values = { alt: parsed.values.alt ?? '' };
		if (!parsed.ok) return fail(400, { action: role, errors: parsed.errors, values });
		if (!got.file)
			return fail(400, {
				action: role,
				errors: fieldErrors({ image: 'Choose an image to upload.' }),
				values
			});
		if (got.tooLarge)
			return fail(400, {
				action: role,
				errors: fieldErrors({ image: PHOTO_ERRORS.tooLarge }),
				values
			});
		const result = await media.addWorkImage(db, mediaStore(), {
			userId,
			workId,
			role,
			path: got.file.path,
			alt: parsed.data.alt
		});
		if (!result.ok)
			return fail(400, { action: role, errors: fieldErrors({ image: result.error }), values });
	} finally {
		await got.cleanup();
	}
	redirect(303, `/settings/work/${workId}?saved=${role === 'cover' ? 'cover' : 'image'}#images`);
}

function mediaFail(id: number | null, message: string) {
	return fail(400, {
		action: 'media',
		mediaId: id,
		errors: fieldErrors({ media: message }),
		values: {}
	});
}

export const actions = {
	save: async ({ request, params }) => {
		const { user } = requireUser();
		const id = idFrom(params.id);
		const form = await readForm(request);
		const parsed = parseForm(work.workSchema, form);
		const selected = work.skillIdsFrom(form);
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values, selected });
		if (!(await work.updateWork(db, user.id, id, parsed.data, selected)))
			error(404, 'Work not found');
		// A changed link's preview is due now; queue it rather than wait for the minute's sweep.
		await queueDue();
		redirect(303, '/settings/work?saved=updated');
	},

	// The case study rendered as the public page will show it; nothing is saved, everything typed
	// comes back. Other fields are checked on Save, so a half-filled form can still be previewed.
	preview: async ({ request, params }) => {
		const { user } = requireUser();
		const id = idFrom(params.id);
		if (!(await work.getWork(db, user.id, id))) error(404, 'Work not found');
		const images = (await media.listWorkMedia(db, [id], { includeUndescribed: true })).get(id);
		const pictures = images
			? [...(images.cover ? [images.cover] : []), ...images.gallery].map(media.toPicture)
			: [];
		const form = await readForm(request);
		const parsed = parseForm(work.workSchema, form);
		const selected = work.skillIdsFrom(form);
		const problem = parsed.ok ? undefined : parsed.errors.caseStudy;
		if (problem)
			return fail(400, {
				errors: fieldErrors({ caseStudy: problem }),
				values: parsed.values,
				selected
			});
		return {
			values: parsed.values,
			selected,
			previewHtml: renderMarkdown(parsed.values.caseStudy?.trim() ?? '', {
				knownImage: media.caseStudyImages(pictures)
			})
		};
	},

	cover: async ({ request, params }) => {
		const { user } = requireUser();
		return upload(request, user.id, idFrom(params.id), 'cover');
	},

	image: async ({ request, params }) => {
		const { user } = requireUser();
		return upload(request, user.id, idFrom(params.id), 'gallery');
	},

	describe: async ({ request, params }) => {
		const { user } = requireUser();
		const workId = idFrom(params.id);
		const form = await readForm(request);
		const mediaId = parseId(form.get('mediaId'));
		const parsed = parseForm(media.altSchema, form);
		if (!parsed.ok)
			return fail(400, {
				action: 'media',
				mediaId,
				errors: { media: parsed.errors.alt },
				values: parsed.values
			});
		const result = mediaId
			? await media.describeImage(db, user.id, mediaId, parsed.data.alt)
			: { ok: false as const, error: 'That image is not on your work.' };
		if (!result.ok) return mediaFail(mediaId, result.error);
		redirect(303, `/settings/work/${workId}?saved=described#images`);
	},

	embed: async ({ request, params }) => {
		const { user } = requireUser();
		const workId = idFrom(params.id);
		const form = await readForm(request);
		const link = typeof form.get('link') === 'string' ? String(form.get('link')).trim() : '';
		const values = { link: link.slice(0, 2000) };
		if (!link)
			return fail(400, { action: 'embed', errors: fieldErrors({ link: 'Paste a link.' }), values });
		const result = await embeds.addEmbed(db, user.id, workId, link);
		if (!result.ok)
			return fail(400, { action: 'embed', errors: fieldErrors({ link: result.error }), values });
		// Its title and picture are due now; queue them rather than wait for the minute's sweep.
		await queueDue();
		redirect(303, `/settings/work/${workId}?saved=embedded#embeds`);
	},

	unembed: async ({ request, params }) => {
		const { user } = requireUser();
		const workId = idFrom(params.id);
		const embedId = parseId((await readForm(request)).get('embedId'));
		const result = embedId
			? await embeds.removeEmbed(db, mediaStore(), user.id, embedId)
			: { ok: false as const, error: 'That video or post is not on your work.' };
		if (!result.ok)
			return fail(404, {
				action: 'embed',
				errors: fieldErrors({ link: result.error }),
				values: {}
			});
		redirect(303, `/settings/work/${workId}?saved=unembedded#embeds`);
	},

	up: async ({ request, params }) => move(request, params.id, 'up'),
	down: async ({ request, params }) => move(request, params.id, 'down'),

	remove: async ({ request, params }) => {
		const { user } = requireUser();
		const workId = idFrom(params.id);
		const mediaId = parseId((await readForm(request)).get('mediaId'));
		const result = mediaId
			? await media.removeImage(db, mediaStore(), user.id, mediaId)
			: { ok: false as const, error: 'That image is not on your work.' };
		if (!result.ok) return mediaFail(mediaId, result.error);
		redirect(303, `/settings/work/${workId}?saved=removed#images`);
	}
} satisfies Actions;

async function move(request: Request, param: string, direction: 'up' | 'down') {
	const { user } = requireUser();
	const workId = idFrom(param);
	const mediaId = parseId((await readForm(request)).get('mediaId'));
	const result = mediaId
		? await media.moveImage(db, user.id, mediaId, direction)
		: { ok: false as const, error: 'That image is not on your work.' };
	if (!result.ok) return mediaFail(mediaId, result.error);
	redirect(303, `/settings/work/${workId}?saved=moved#images`);
}
