import * as v from 'valibot';
import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import { addAccount } from '#lib/server/network-accounts.js';
import {
	NETWORK_LABELS,
	normalizeAccount,
	safeHttpUrl,
	type Network
} from '#lib/server/networks.js';
import { getOwnProfile } from '#lib/server/profiles.js';
import type { PublicProfile } from '#lib/server/public-profile.js';
import { listProfileSkills, normalizeSkill, setSkills } from '#lib/server/skills.js';
import { createWork, listWork, workSchema } from '#lib/server/work.js';
import { stripControlCharacters } from '#lib/server/platform/forms.js';

export const RESUME_MAX_BYTES = 512 * 1024;
const SCHEMA_URL = 'https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json';

/** The public profile as a JSON Resume document (basics, profiles, projects for work, skills). */
export function toJsonResume(profile: PublicProfile, origin: string) {
	const url = `${origin}/@${profile.handle}`;
	return {
		$schema: SCHEMA_URL,
		basics: {
			name: profile.name,
			...(profile.headline ? { label: profile.headline } : {}),
			image: `${origin}${profile.avatar.large}`,
			url,
			...(profile.bioText ? { summary: profile.bioText } : {}),
			...(profile.location ? { location: { city: profile.location } } : {}),
			profiles: profile.accounts.map((a) => ({
				network: a.label,
				username: a.identifier,
				url: a.url
			}))
		},
		projects: profile.work.map((w) => ({
			name: w.title,
			...(w.outcome ? { description: w.outcome } : {}),
			...(w.url ? { url: w.url } : {}),
			...(w.role ? { roles: [w.role] } : {}),
			...(w.happened_on ? { startDate: w.happened_on } : {}),
			...(w.skills.length ? { keywords: w.skills.map((s) => s.name) } : {})
		})),
		skills: profile.skills.map((name) => ({ name })),
		// Accepted endorsements only; pending and hidden ones are never exported.
		references: profile.endorsements.map((e) => ({
			name: `${e.endorser.name} (${e.relationshipLabel}${e.organisation ? `, ${e.organisation}` : ''})`,
			reference: e.body
		})),
		meta: { canonical: url, version: 'v1.0.0', lastModified: profile.updatedAt.toISOString() }
	};
}

// Lenient reading: unknown fields are ignored, wrong types drop the field rather than the file.
// Control characters (a "\u0000" escape decodes to a NUL byte, which PostgreSQL refuses) are dropped.
const text = v.fallback(
	v.optional(v.pipe(v.string(), v.transform(stripControlCharacters))),
	undefined
);
const resumeSchema = v.object({
	basics: v.fallback(
		v.optional(
			v.object({
				name: text,
				label: text,
				summary: text,
				url: text,
				location: v.fallback(
					v.optional(v.object({ city: text, region: text, countryCode: text })),
					undefined
				),
				profiles: v.fallback(
					v.optional(v.array(v.object({ network: text, username: text, url: text }))),
					[]
				)
			})
		),
		undefined
	),
	projects: v.fallback(
		v.optional(
			v.array(
				v.object({
					name: text,
					description: text,
					url: text,
					roles: v.fallback(v.optional(v.array(v.string())), []),
					startDate: text,
					keywords: v.fallback(v.optional(v.array(v.string())), [])
				})
			)
		),
		[]
	),
	skills: v.fallback(
		v.optional(
			v.array(v.object({ name: text, keywords: v.fallback(v.optional(v.array(v.string())), []) }))
		),
		[]
	)
});

const NETWORK_NAMES: Record<string, Network> = {
	mastodon: 'mastodon',
	bluesky: 'bluesky',
	github: 'github',
	x: 'x',
	twitter: 'x',
	linkedin: 'linkedin',
	instagram: 'instagram',
	tiktok: 'tiktok',
	youtube: 'youtube',
	facebook: 'facebook',
	website: 'website'
};

export interface ImportPlan {
	fields: { displayName?: string; headline?: string; bio?: string; location?: string };
	skills: string[];
	work: {
		title: string;
		url: string | null;
		role: string;
		outcome: string;
		happenedOn: string | null;
		keywords: string[];
	}[];
	accounts: { network: Network; label: string; address: string }[];
	skipped: string[];
}

/** Reads a JSON Resume file and works out what merging it would add; nothing is saved yet. */
export async function planImport(
	db: Executor,
	userId: number,
	json: string
): Promise<{ ok: true; plan: ImportPlan } | { ok: false; error: string }> {
	if (new TextEncoder().encode(json).length > RESUME_MAX_BYTES)
		return { ok: false, error: 'The file is larger than 512 KB.' };
	let data: unknown;
	try {
		data = JSON.parse(json);
	} catch {
		return {
			ok: false,
			error: 'This file is not valid JSON. Export it again from your résumé tool.'
		};
	}
	const parsed = v.safeParse(resumeSchema, data);
	if (!parsed.success || typeof data !== 'object' || data === null || Array.isArray(data))
		return { ok: false, error: 'This file does not look like a JSON Resume document.' };
	const resume = parsed.output;
	const [profile, skills, work] = await Promise.all([
		getOwnProfile(db, userId),
		listProfileSkills(db, userId),
		listWork(db, userId)
	]);
	const plan: ImportPlan = { fields: {}, skills: [], work: [], accounts: [], skipped: [] };
	const basics = resume.basics;
	// Merging fills what is empty and adds what is missing; it never overwrites.
	if (basics?.name?.trim() && !profile?.displayName)
		plan.fields.displayName = basics.name.trim().slice(0, 80);
	if (basics?.label?.trim() && !profile?.headline)
		plan.fields.headline = basics.label.trim().slice(0, 120);
	if (basics?.summary?.trim() && !profile?.bio)
		plan.fields.bio = basics.summary.trim().slice(0, 5000);
	const location = [basics?.location?.city, basics?.location?.region].filter(Boolean).join(', ');
	if (location && !profile?.location) plan.fields.location = location.slice(0, 100);

	const known = new Set(skills.map((s) => s.name.toLowerCase()));
	for (const skill of resume.skills ?? []) {
		const normalized = normalizeSkill(skill.name ?? '');
		if (!normalized.ok) continue;
		if (known.has(normalized.name.toLowerCase())) continue;
		known.add(normalized.name.toLowerCase());
		plan.skills.push(normalized.name);
	}

	const existingWork = new Set(work.map((w) => `${w.title.toLowerCase()}|${w.url ?? ''}`));
	for (const project of resume.projects ?? []) {
		const candidate = v.safeParse(workSchema, {
			title: project.name ?? '',
			url: project.url ?? '',
			role: project.roles?.[0] ?? '',
			outcome: project.description ?? '',
			happenedOn: project.startDate ?? '',
			caseStudy: ''
		});
		if (!candidate.success) {
			plan.skipped.push(`Project “${project.name ?? 'untitled'}”: ${candidate.issues[0].message}`);
			continue;
		}
		const item = candidate.output;
		if (existingWork.has(`${item.title.toLowerCase()}|${item.url ?? ''}`)) continue;
		plan.work.push({ ...item, keywords: project.keywords ?? [] });
	}

	for (const p of basics?.profiles ?? []) {
		const network = NETWORK_NAMES[(p.network ?? '').trim().toLowerCase()] ?? 'other';
		const address = p.url || p.username || '';
		const normalized = normalizeAccount(network, address);
		if (!normalized.ok) {
			plan.skipped.push(`${p.network ?? 'Profile'} “${address}”: ${normalized.error}`);
			continue;
		}
		plan.accounts.push({ network, label: NETWORK_LABELS[network], address });
	}
	if (basics?.url && safeHttpUrl(basics.url))
		plan.accounts.push({ network: 'website', label: NETWORK_LABELS.website, address: basics.url });
	return { ok: true, plan };
}

/** Applies a plan in one transaction; accounts already on the profile are skipped quietly. */
export async function applyImport(db: Executor, userId: number, plan: ImportPlan): Promise<void> {
	await withTransaction(db, async (trx) => {
		const profile = await getOwnProfile(trx, userId);
		if (!profile) return;
		await trx
			.updateTable('profiles')
			.set({
				display_name: profile.displayName ?? plan.fields.displayName ?? null,
				headline: profile.headline ?? plan.fields.headline ?? null,
				bio_md: profile.bio || plan.fields.bio || '',
				location: profile.location ?? plan.fields.location ?? null,
				updated_at: new Date()
			})
			.where('user_id', '=', userId)
			.execute();
		const current = (await listProfileSkills(trx, userId)).map((s) => s.name);
		const skillNames = [...current, ...plan.skills];
		await setSkills(trx, userId, skillNames);
		const skills = await listProfileSkills(trx, userId);
		for (const item of plan.work) {
			const skillIds = skills
				.filter((s) => item.keywords.some((k) => k.toLowerCase() === s.name.toLowerCase()))
				.map((s) => s.id);
			await createWork(trx, userId, { ...item, caseStudy: '' }, skillIds);
		}
		for (const account of plan.accounts) {
			await addAccount(trx, userId, {
				network: account.network,
				address: account.address,
				followers: ''
			});
		}
	});
}
