import { error, fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { requireUser } from '#lib/server/auth/guard.js';
import * as avatars from '#lib/server/avatars.js';
import { avatarUrl } from '#lib/server/avatar-url.js';
import {
	parseId,
	readForm,
	formValues,
	parseForm,
	type FieldErrors
} from '#lib/server/platform/forms.js';
import * as profiles from '#lib/server/profiles.js';
import * as resume from '#lib/server/resume.js';
import * as skills from '#lib/server/skills.js';
import type { Actions, PageServerLoad } from './$types';

const SAVED: Record<string, string> = {
	profile: 'Profile saved.',
	handle: 'Handle changed. Links to your old handle now lead here.',
	avatar: 'Picture updated.',
	'avatar-removed': 'Picture removed.',
	skill: 'Skill added.',
	'skill-removed': 'Skill removed.',
	import: 'JSON Resume merged into your profile.'
};

export const load: PageServerLoad = async ({ url }) => {
	const { user } = requireUser();
	const profile = await profiles.getOwnProfile(db, user.id);
	if (!profile) error(404, 'Profile not found');
	const [ownSkills, suggestions] = await Promise.all([
		skills.listProfileSkills(db, user.id),
		skills.suggestSkills(db)
	]);
	return {
		profile,
		avatar: avatarUrl(user.id, profile.avatarEtag, 'large'),
		skills: ownSkills,
		suggestions: suggestions.filter(
			(s) => !ownSkills.some((o) => o.name.toLowerCase() === s.toLowerCase())
		),
		listed: profiles.isListed(profile),
		saved: SAVED[url.searchParams.get('saved') ?? ''] ?? null
	};
};

export const actions = {
	save: async ({ request }) => {
		const { user } = requireUser();
		const parsed = parseForm(profiles.profileSchema, await readForm(request));
		if (!parsed.ok)
			return fail(400, { action: 'save', errors: parsed.errors, values: parsed.values });
		await profiles.updateProfile(db, user.id, parsed.data);
		redirect(303, '/settings/profile?saved=profile');
	},

	handle: async ({ request }) => {
		const { user } = requireUser();
		const parsed = parseForm(profiles.handleChangeSchema, await readForm(request));
		if (!parsed.ok)
			return fail(400, { action: 'handle', errors: parsed.errors, values: parsed.values });
		const result = await profiles.changeHandle(db, user.id, parsed.data.handle);
		if (!result.ok)
			return fail(400, { action: 'handle', errors: result.errors, values: parsed.values });
		redirect(303, '/settings/profile?saved=handle');
	},

	avatar: async ({ request }) => {
		const { user } = requireUser();
		const file = (await readForm(request)).get('avatar');
		const result = await avatars.saveAvatar(db, user.id, file instanceof File ? file : null);
		if (!result.ok)
			return fail(400, { action: 'avatar', errors: { avatar: result.error } as FieldErrors });
		redirect(303, '/settings/profile?saved=avatar');
	},

	removeAvatar: async () => {
		const { user } = requireUser();
		await avatars.removeAvatar(db, user.id);
		redirect(303, '/settings/profile?saved=avatar-removed');
	},

	addSkill: async ({ request }) => {
		const { user } = requireUser();
		const values = formValues(await readForm(request), ['skill']);
		const result = await skills.addSkill(db, user.id, values.skill);
		if (!result.ok)
			return fail(400, {
				action: 'addSkill',
				errors: { skill: result.error } as FieldErrors,
				values
			});
		redirect(303, '/settings/profile?saved=skill#skills');
	},

	removeSkill: async ({ request }) => {
		const { user } = requireUser();
		const id = parseId((await readForm(request)).get('skillId'));
		if (!id)
			return fail(400, {
				action: 'removeSkill',
				errors: { skill: 'No such skill.' } as FieldErrors
			});
		await skills.removeSkill(db, user.id, id);
		redirect(303, '/settings/profile?saved=skill-removed#skills');
	},

	importPreview: async ({ request }) => {
		const { user } = requireUser();
		const form = await readForm(request);
		const file = form.get('resume');
		if (!(file instanceof File) || file.size === 0)
			return fail(400, {
				action: 'import',
				errors: { resume: 'Choose a JSON Resume file.' } as FieldErrors
			});
		if (file.size > resume.RESUME_MAX_BYTES)
			return fail(400, {
				action: 'import',
				errors: { resume: 'The file is larger than 512 KB.' } as FieldErrors
			});
		const json = await file.text();
		const planned = await resume.planImport(db, user.id, json);
		if (!planned.ok)
			return fail(400, { action: 'import', errors: { resume: planned.error } as FieldErrors });
		return { action: 'import', plan: planned.plan, json };
	},

	importMerge: async ({ request }) => {
		const { user } = requireUser();
		const json = String((await readForm(request)).get('json') ?? '');
		const planned = await resume.planImport(db, user.id, json);
		if (!planned.ok)
			return fail(400, { action: 'import', errors: { resume: planned.error } as FieldErrors });
		await resume.applyImport(db, user.id, planned.plan);
		redirect(303, '/settings/profile?saved=import');
	}
} satisfies Actions;
