// A synthetic world (`proofwork-world/1`) for `npm run eval:trust`: checked whole before anything is
// written, then loaded through the app's own domain functions on a simulated clock, so every rate
// limit and heuristic applies as it would in production. `label` is ground truth for the metrics
// here and nowhere else: nothing under src/lib reads it.
import * as v from 'valibot';
import type { Db } from '#lib/server/db/connect.js';
import { DAY_MS } from '#lib/server/platform/time.js';
import * as accounts from '#lib/server/accounts/index.js';
import { updateProfile } from '#lib/server/profiles.js';
import { setSkills } from '#lib/server/skills.js';
import { createWork } from '#lib/server/work.js';
import { addAccount } from '#lib/server/network-accounts.js';
import { recordCheck } from '#lib/server/verification.js';
import { submitEndorsement } from '#lib/server/endorsements/submit.js';
import { decideEndorsement } from '#lib/server/endorsements/moderation.js';
import {
	BODY_MAX,
	BODY_MIN,
	RELATIONSHIPS,
	type Relationship
} from '#lib/server/endorsements/rules.js';
import { NETWORK_LABELS } from '#lib/server/networks.js';

export const ORIGIN = 'https://proofwork.example';
const PASSWORD = 'eval-world-password-not-secret';

const text = v.string();
const optional = v.optional(v.nullable(v.string()), null);
const world = v.object({
	format: v.literal('proofwork-world/1'),
	now: v.pipe(v.string(), v.isoTimestamp()),
	trustedHandles: v.array(v.string()),
	accounts: v.array(
		v.object({
			handle: v.pipe(v.string(), v.regex(/^[a-z0-9_]{3,30}$/)),
			label: v.picklist(['genuine', 'abusive', 'neutral']),
			createdDaysAgo: v.pipe(v.number(), v.minValue(0)),
			signupAddress: v.string(),
			emailVerified: v.boolean(),
			profile: v.object({
				displayName: optional,
				headline: optional,
				bio: v.optional(v.string(), ''),
				location: optional,
				availability: v.optional(
					v.picklist(['open_to_work', 'open_to_freelance', 'not_looking']),
					'not_looking'
				),
				visibility: v.optional(v.picklist(['public', 'unlisted', 'private']), 'public'),
				skills: v.optional(v.array(text), [])
			}),
			work: v.optional(
				v.array(
					v.object({
						key: v.string(),
						title: v.pipe(v.string(), v.minLength(1)),
						url: optional,
						role: v.optional(v.string(), ''),
						outcome: v.optional(v.string(), ''),
						date: v.optional(v.nullable(v.pipe(v.string(), v.regex(/^\d{4}-\d{2}$/))), null),
						skills: v.optional(v.array(text), []),
						caseStudy: v.optional(v.string(), '')
					})
				),
				[]
			),
			networks: v.optional(
				v.array(
					v.object({
						network: v.picklist(Object.keys(NETWORK_LABELS)),
						url: v.string(),
						verified: v.optional(v.boolean(), false),
						verifiedDaysAgo: v.optional(v.nullable(v.number()), null),
						followers: v.optional(v.nullable(v.number()), null),
						accountCreatedDaysAgo: v.optional(v.nullable(v.number()), null)
					})
				),
				[]
			)
		})
	),
	endorsements: v.array(
		v.object({
			from: v.string(),
			to: v.string(),
			work: v.optional(v.nullable(v.string()), null),
			skills: v.optional(v.array(text), []),
			relationship: v.picklist(Object.keys(RELATIONSHIPS) as Relationship[]),
			organisation: optional,
			period: optional,
			body: v.string(),
			daysAgo: v.pipe(v.number(), v.minValue(0)),
			accepted: v.boolean()
		})
	),
	queries: v.array(
		v.object({
			q: v.optional(v.string(), ''),
			skills: v.optional(v.array(text), []),
			location: v.optional(v.string(), '')
		})
	)
});
export type World = v.InferOutput<typeof world>;
export type Label = World['accounts'][number]['label'];

/** The world, or the first offending path and what is wrong there. */
export function checkWorld(
	input: unknown
): { ok: true; world: World } | { ok: false; path: string; error: string } {
	const parsed = v.safeParse(world, input);
	if (!parsed.success) {
		const issue = parsed.issues[0];
		const path = (issue.path ?? []).map((p) => String(p.key)).join('.');
		return { ok: false, path: path || '(root)', error: issue.message };
	}
	const w = parsed.output;
	const byHandle = new Map<string, World['accounts'][number]>();
	for (const [i, a] of w.accounts.entries()) {
		if (byHandle.has(a.handle))
			return { ok: false, path: `accounts.${i}.handle`, error: `handle ${a.handle} appears twice` };
		byHandle.set(a.handle, a);
		const skills = new Set(a.profile.skills.map((s) => s.toLowerCase()));
		const keys = new Set<string>();
		for (const [j, item] of a.work.entries()) {
			if (keys.has(item.key))
				return {
					ok: false,
					path: `accounts.${i}.work.${j}.key`,
					error: `work key ${item.key} appears twice`
				};
			keys.add(item.key);
			for (const [k, s] of item.skills.entries())
				if (!skills.has(s.toLowerCase()))
					return {
						ok: false,
						path: `accounts.${i}.work.${j}.skills.${k}`,
						error: `${s} is not on the profile`
					};
		}
	}
	for (const [i, h] of w.trustedHandles.entries())
		if (!byHandle.has(h))
			return { ok: false, path: `trustedHandles.${i}`, error: `no account ${h}` };
	const pairs = new Set<string>();
	for (const [i, e] of w.endorsements.entries()) {
		const at = `endorsements.${i}`;
		const from = byHandle.get(e.from);
		const to = byHandle.get(e.to);
		if (!from) return { ok: false, path: `${at}.from`, error: `no account ${e.from}` };
		if (!to) return { ok: false, path: `${at}.to`, error: `no account ${e.to}` };
		if (e.from === e.to)
			return { ok: false, path: `${at}.to`, error: 'an account cannot endorse itself' };
		const pair = `${e.from}>${e.to}`;
		if (pairs.has(pair))
			return { ok: false, path: `${at}.to`, error: `${e.from} already endorsed ${e.to}` };
		pairs.add(pair);
		if (e.work !== null && !to.work.some((item) => item.key === e.work))
			return { ok: false, path: `${at}.work`, error: `${e.to} has no work ${e.work}` };
		const skills = new Set(to.profile.skills.map((s) => s.toLowerCase()));
		for (const [k, s] of e.skills.entries())
			if (!skills.has(s.toLowerCase()))
				return { ok: false, path: `${at}.skills.${k}`, error: `${s} is not on ${e.to}'s profile` };
		if (e.skills.length === 0 && e.work === null)
			return { ok: false, path: `${at}.skills`, error: 'name a skill or a piece of work' };
		const length = e.body.trim().length;
		if (length < BODY_MIN || length > BODY_MAX)
			return {
				ok: false,
				path: `${at}.body`,
				error: `${length} characters, outside ${BODY_MIN}–${BODY_MAX}`
			};
		if (e.daysAgo > from.createdDaysAgo)
			return { ok: false, path: `${at}.daysAgo`, error: `${e.from} did not exist yet` };
	}
	return { ok: true, world: w };
}

export interface LoadReport {
	userIds: Map<string, number>;
	refused: { index: number; status: number; reason: string }[];
	ms: number;
}

interface Event {
	at: number;
	order: number;
	run: () => Promise<void>;
}

/** Loads a checked world through the domain functions, every step at its own simulated time. */
export async function loadWorld(db: Db, w: World): Promise<LoadReport> {
	const started = performance.now();
	const now = new Date(w.now).getTime();
	const ago = (days: number) => new Date(now - days * DAY_MS);
	const userIds = new Map<string, number>();
	const workIds = new Map<string, number>();
	const refused: LoadReport['refused'] = [];
	const events: Event[] = [];
	let order = 0;

	for (const a of w.accounts) {
		const created = ago(a.createdDaysAgo);
		events.push({
			at: created.getTime(),
			order: order++,
			run: async () => {
				const result = await accounts.signUp(db, {
					email: `${a.handle}@world.example`,
					handle: a.handle,
					password: PASSWORD,
					ip: a.signupAddress,
					origin: ORIGIN,
					now: created
				});
				if (!result.ok)
					throw new Error(`sign-up of ${a.handle} refused: ${JSON.stringify(result.errors)}`);
				const id = result.value.user.id;
				userIds.set(a.handle, id);
				if (a.emailVerified) {
					const mail = await db
						.selectFrom('outbox')
						.select('text_body')
						.where('to_address', '=', `${a.handle}@world.example`)
						.orderBy('id', 'desc')
						.executeTakeFirstOrThrow();
					const token = /\/verify-email\/([^\s]+)/.exec(mail.text_body)?.[1];
					if (!token || !(await accounts.verifyEmail(db, token, created)))
						throw new Error(`could not verify the address of ${a.handle}`);
				}
				await updateProfile(
					db,
					id,
					{
						displayName: a.profile.displayName,
						headline: a.profile.headline,
						bio: a.profile.bio,
						location: a.profile.location,
						availability: a.profile.availability,
						visibility: a.profile.visibility
					},
					created
				);
				await setSkills(db, id, a.profile.skills);
				const skills = await db
					.selectFrom('profile_skills')
					.innerJoin('skills', 'skills.id', 'profile_skills.skill_id')
					.select(['skills.id', 'skills.name'])
					.where('user_id', '=', id)
					.execute();
				const skillId = (name: string) =>
					skills.find((s) => s.name.toLowerCase() === name.toLowerCase())?.id;
				for (const item of a.work) {
					const made = await createWork(
						db,
						id,
						{
							title: item.title,
							url: item.url,
							role: item.role,
							outcome: item.outcome,
							happenedOn: item.date,
							caseStudy: item.caseStudy
						},
						item.skills.map(skillId).filter((s) => s !== undefined),
						created
					);
					if (!made.ok) throw new Error(`work ${item.key} of ${a.handle}: ${made.error}`);
					workIds.set(`${a.handle}/${item.key}`, made.item.id);
				}
				for (const net of a.networks) {
					const added = await addAccount(
						db,
						id,
						{ network: net.network, address: net.url, followers: '' },
						created
					);
					if (!added.ok)
						throw new Error(`network ${net.url} of ${a.handle}: ${JSON.stringify(added.errors)}`);
					if (!net.verified) continue;
					const account = await db
						.selectFrom('network_accounts')
						.select('id')
						.where('user_id', '=', id)
						.orderBy('id', 'desc')
						.executeTakeFirstOrThrow();
					const checkedAt = ago(
						Math.min(a.createdDaysAgo, net.verifiedDaysAgo ?? a.createdDaysAgo)
					);
					insert({
						at: checkedAt.getTime(),
						order: order++,
						run: async () => {
							// What a successful back-link check records, as the network would report it.
							await recordCheck(
								db,
								account.id,
								{
									outcome: 'verified',
									detail: 'Found a link back to the profile (world file).',
									followers: net.followers,
									source: 'the world file',
									accountCreatedAt:
										net.accountCreatedDaysAgo === null ? null : ago(net.accountCreatedDaysAgo)
								},
								{ profileUrl: `${ORIGIN}/@${a.handle}`, now: checkedAt }
							);
						}
					});
				}
			}
		});
	}
	for (const [index, e] of w.endorsements.entries()) {
		const at = ago(e.daysAgo);
		events.push({
			at: at.getTime(),
			order: order++,
			run: async () => {
				const endorserId = userIds.get(e.from)!;
				const subjectId = userIds.get(e.to)!;
				const endorser = await db
					.selectFrom('users')
					.select(['id', 'created_at', 'email_verified_at'])
					.where('id', '=', endorserId)
					.executeTakeFirstOrThrow();
				const skills = await db
					.selectFrom('profile_skills')
					.innerJoin('skills', 'skills.id', 'profile_skills.skill_id')
					.select(['skills.id', 'skills.name'])
					.where('user_id', '=', subjectId)
					.execute();
				const result = await submitEndorsement(db, {
					endorser: {
						id: endorser.id,
						createdAt: endorser.created_at,
						emailVerified: endorser.email_verified_at !== null
					},
					subjectId,
					input: {
						relationship: e.relationship,
						organisation: e.organisation?.trim() || null,
						period: e.period?.trim() || null,
						workItemId: e.work === null ? null : workIds.get(`${e.to}/${e.work}`)!,
						body: e.body.trim()
					},
					skillIds: e.skills
						.map((name) => skills.find((s) => s.name.toLowerCase() === name.toLowerCase())?.id)
						.filter((id) => id !== undefined),
					origin: ORIGIN,
					now: at
				});
				if (!result.ok) {
					refused.push({
						index,
						status: result.status,
						reason: Object.values(result.errors).join(' ')
					});
					return;
				}
				if (e.accepted) await decideEndorsement(db, subjectId, result.id, 'accept', at);
			}
		});
	}
	events.sort(byTime);
	// Events may add later ones (verification checks), placed in time order after the current one.
	let current = 0;
	function insert(event: Event) {
		let lo = current + 1;
		let hi = events.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (byTime(events[mid], event) <= 0) lo = mid + 1;
			else hi = mid;
		}
		events.splice(lo, 0, event);
	}
	for (; current < events.length; current++) await events[current].run();
	return { userIds, refused, ms: Math.round(performance.now() - started) };
}

function byTime(a: Event, b: Event) {
	return a.at - b.at || a.order - b.order;
}
