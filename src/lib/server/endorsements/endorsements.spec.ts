import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import type { User } from '#lib/server/db/schema.js';
import * as accounts from '#lib/server/accounts/index.js';
import { submitEndorsement, withdrawEndorsement } from '#lib/server/endorsements/submit.js';
import {
	countPending,
	findOwnEndorsement,
	listInbox,
	listPublicEndorsements
} from '#lib/server/endorsements/views.js';
import { decideEndorsement, reportEndorsement } from '#lib/server/endorsements/moderation.js';
import {
	createRequest,
	findOpenRequest,
	listRequests,
	revokeRequest
} from '#lib/server/endorsements/requests.js';
import { containsLink } from '#lib/server/newcomers.js';
import { endorsementSchema, isGeneric } from '#lib/server/endorsements/rules.js';
import { type Endorser } from '#lib/server/endorsements/submit.js';
import * as profiles from '#lib/server/profiles.js';
import { buildPublicProfile } from '#lib/server/public-profile.js';
import { toJsonResume } from '#lib/server/resume.js';
import * as skills from '#lib/server/skills.js';
import * as work from '#lib/server/work.js';

const DAY_MS = 24 * 60 * 60 * 1000;
// The controllable clock: every submission and decision is stamped from here.
const T0 = new Date('2027-03-01T09:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const SPECIFIC =
	'She rebuilt our Shopify checkout and conversions rose within a month of going live.';
const EDITED = 'Her email marketing plan doubled our repeat orders over the following quarter.';
const VAGUE = 'A dependable colleague who always kept the whole team calm and on schedule.';
const SPAM =
	'Can I simply say what a comfort to find an individual who really knows what they are talking about on the internet. Yoou definitely understand how to bring an issue to light and make it important. A lot more people really need to read this and understand this side of the story. I was surprised that you are not more popular because you definitely possess the gift.';

const input = (body: string, extra: Partial<Record<string, string>> = {}) =>
	v.parse(endorsementSchema, {
		relationship: 'worked_together',
		organisation: '',
		period: '',
		workItemId: '',
		body,
		...extra
	});

const established = (user: User): Endorser => ({
	id: user.id,
	createdAt: new Date(T0.getTime() - 30 * DAY_MS),
	emailVerified: true
});
const newcomer = (user: User, createdAt = T0): Endorser => ({
	id: user.id,
	createdAt,
	emailVerified: true
});

let ipCounter = 0;

describe.each(testEngines())('endorsements on $name', (engine) => {
	let t: TestDatabase;
	let bystanders: User[];

	async function signUp(handle: string) {
		const result = await accounts.signUp(t.db, {
			email: `${handle}@example.com`,
			handle,
			password: 'a long passphrase',
			ip: `10.4.0.${++ipCounter}`,
			origin: 'http://x.test'
		});
		if (!result.ok) throw new Error(JSON.stringify(result.errors));
		return result.value.user;
	}

	/** A person with the standard skills (Shopify, Email marketing) and one piece of work. */
	async function practitioner(handle: string) {
		const user = await signUp(handle);
		await skills.setSkills(t.db, user.id, ['Shopify', 'Email marketing']);
		const [shopify, email] = await skills.listProfileSkills(t.db, user.id);
		const created = await work.createWork(
			t.db,
			user.id,
			v.parse(work.workSchema, {
				title: 'Spring relaunch',
				url: '',
				role: '',
				outcome: '',
				happenedOn: '',
				caseStudy: ''
			})
		);
		if (!created.ok) throw new Error(created.error);
		return { user, shopify, email, work: created.item };
	}

	const submit = (
		endorser: Endorser,
		subjectId: number,
		body: string,
		skillIds: number[],
		now: Date,
		extra: Partial<Record<string, string>> = {},
		requestToken?: string
	) =>
		submitEndorsement(t.db, {
			endorser,
			subjectId,
			input: input(body, extra),
			skillIds,
			requestToken,
			now
		});

	const publicIds = async (userId: number) =>
		(await listPublicEndorsements(t.db, userId)).map((e) => e.id);

	beforeAll(async () => {
		t = await engine.create();
		bystanders = [await signUp('rita'), await signUp('rob'), await signUp('ruth')];
	});
	afterAll(() => t.drop());

	it('keeps one endorsement per endorser and person; an edit replaces it and goes back to pending', async () => {
		const sam = await practitioner('sam');
		const eve = await signUp('eve');
		const first = await submit(established(eve), sam.user.id, SPECIFIC, [sam.shopify.id], T0);
		expect(first).toMatchObject({ ok: true, edited: false });
		if (!first.ok) return;
		expect(await decideEndorsement(t.db, sam.user.id, first.id, 'accept')).toBe(true);
		expect(await publicIds(sam.user.id)).toEqual([first.id]);

		const edit = await submit(established(eve), sam.user.id, EDITED, [sam.email.id], at(60_000));
		expect(edit).toMatchObject({ ok: true, id: first.id, edited: true });
		const inbox = await listInbox(t.db, sam.user.id);
		expect(inbox).toHaveLength(1);
		expect(inbox[0]).toMatchObject({ id: first.id, body: EDITED, status: 'pending' });
		expect(inbox[0].skills.map((s) => s.name)).toEqual(['Email marketing']);
		// The accepted version does not stay up while the owner reviews the edit.
		expect(await publicIds(sam.user.id)).toEqual([]);
		expect(await countPending(t.db, sam.user.id)).toBe(1);
	});

	it('mails the person when an endorsement arrives or is edited', async () => {
		const mo = await practitioner('moe');
		const ed = await signUp('edd');
		const mails = () =>
			t.db
				.selectFrom('outbox')
				.select(['subject', 'text_body'])
				.where('to_address', '=', 'moe@example.com')
				.where('subject', 'like', '%endorsement%')
				.orderBy('id')
				.execute();
		expect(await mails()).toEqual([]);
		await submit(established(ed), mo.user.id, SPECIFIC, [mo.shopify.id], T0);
		const [sent] = await mails();
		expect(sent.subject).toBe('@edd sent you an endorsement');
		expect(sent.text_body).toContain('/dashboard/endorsements');
		await submit(established(ed), mo.user.id, EDITED, [mo.email.id], at(1000));
		expect((await mails()).map((m) => m.subject)).toEqual([
			'@edd sent you an endorsement',
			'@edd edited their endorsement'
		]);
	});

	it('refuses self-endorsement, unverified endorsers and private profiles', async () => {
		const pia = await practitioner('pia');
		const hid = await practitioner('hid');
		await profiles.updateProfile(t.db, hid.user.id, {
			displayName: null,
			headline: null,
			bio: '',
			location: null,
			availability: 'not_looking',
			visibility: 'private'
		});
		const own = await submit(established(pia.user), pia.user.id, SPECIFIC, [pia.shopify.id], T0);
		expect(own).toEqual({
			ok: false,
			status: 400,
			errors: { form: 'You cannot endorse yourself.' }
		});
		const unverified = await submit(
			{ ...established(hid.user), emailVerified: false },
			pia.user.id,
			SPECIFIC,
			[pia.shopify.id],
			T0
		);
		expect(unverified).toMatchObject({ ok: false, status: 403 });
		expect(!unverified.ok && unverified.errors.form).toMatch(/verify your email/i);
		const hidden = await submit(established(pia.user), hid.user.id, SPECIFIC, [hid.shopify.id], T0);
		expect(hidden).toMatchObject({ ok: false, status: 404 });
		expect(await listInbox(t.db, pia.user.id)).toEqual([]);
		expect(await listInbox(t.db, hid.user.id)).toEqual([]);
	});

	it('accepts only the person’s own skills and work, and at least one of them', async () => {
		const ida = await practitioner('ida');
		const other = await practitioner('otto');
		const eli = await signUp('eli');
		const foreignSkill = await t.db
			.insertInto('skills')
			.values({ name: 'Underwater welding' })
			.returning('id')
			.executeTakeFirstOrThrow();
		const skill = await submit(established(eli), ida.user.id, SPECIFIC, [foreignSkill.id], T0);
		expect(skill).toEqual({
			ok: false,
			status: 400,
			errors: { skills: 'Choose skills from this person’s profile.' }
		});
		const item = await submit(established(eli), ida.user.id, SPECIFIC, [ida.shopify.id], T0, {
			workItemId: String(other.work.id)
		});
		expect(item).toEqual({
			ok: false,
			status: 400,
			errors: { workItemId: 'Choose a piece of work from this person’s profile.' }
		});
		const neither = await submit(established(eli), ida.user.id, SPECIFIC, [], T0);
		expect(neither).toEqual({
			ok: false,
			status: 400,
			errors: { skills: 'Pick at least one skill or a piece of work that you vouch for.' }
		});
		expect(await listInbox(t.db, ida.user.id)).toEqual([]);
		// Work alone is enough.
		const cited = await submit(established(eli), ida.user.id, SPECIFIC, [], T0, {
			workItemId: String(ida.work.id)
		});
		expect(cited.ok).toBe(true);
		expect((await listInbox(t.db, ida.user.id))[0].work?.title).toBe('Spring relaunch');
	});

	it('checks the text length and the relationship with clear messages', () => {
		const parse = (body: string, relationship = 'client') =>
			v.safeParse(endorsementSchema, {
				relationship,
				organisation: '',
				period: '',
				workItemId: '',
				body
			});
		const messages = (result: ReturnType<typeof parse>) =>
			result.success ? [] : result.issues.map((i) => i.message);
		expect(messages(parse('x'.repeat(39)))).toEqual([
			'Write at least 40 characters: say what you saw them do.'
		]);
		// Padding does not count towards the minimum.
		expect(messages(parse(`   ${'x'.repeat(39)}   `))).toEqual([
			'Write at least 40 characters: say what you saw them do.'
		]);
		expect(messages(parse('x'.repeat(1001)))).toEqual(['Use at most 1,000 characters.']);
		expect(parse('x'.repeat(40)).success).toBe(true);
		expect(parse('x'.repeat(1000)).success).toBe(true);
		expect(messages(parse(SPECIFIC, 'best_friend'))).toEqual(['Say how you know this person.']);
	});

	it('shows only accepted endorsements on the profile and in the JSON Resume', async () => {
		const pat = await practitioner('pat');
		const [ava, ben] = [await signUp('ava'), await signUp('ben')];
		const kept = await submit(established(ava), pat.user.id, SPECIFIC, [pat.shopify.id], T0);
		const waiting = await submit(established(ben), pat.user.id, EDITED, [pat.email.id], T0);
		if (!kept.ok || !waiting.ok) throw new Error('not stored');
		const visible = async () => {
			const profile = (await buildPublicProfile(t.db, pat.user.id))!;
			const resume = toJsonResume(profile, 'https://proofwork.example');
			return {
				profile: profile.endorsements.map((e) => e.body),
				resume: resume.references.map((r) => r.reference)
			};
		};
		expect(await visible()).toEqual({ profile: [], resume: [] });
		expect(await listInbox(t.db, pat.user.id)).toHaveLength(2);

		await decideEndorsement(t.db, pat.user.id, kept.id, 'accept', at(1000));
		expect(await visible()).toEqual({ profile: [SPECIFIC], resume: [SPECIFIC] });
		const resume = toJsonResume((await buildPublicProfile(t.db, pat.user.id))!, 'https://x');
		expect(resume.references[0].name).toBe('ava (Worked together)');

		await decideEndorsement(t.db, pat.user.id, kept.id, 'hide', at(2000));
		expect(await visible()).toEqual({ profile: [], resume: [] });
		expect((await listInbox(t.db, pat.user.id)).find((e) => e.id === kept.id)?.status).toBe(
			'hidden'
		);

		await decideEndorsement(t.db, pat.user.id, kept.id, 'show', at(3000));
		expect(await visible()).toEqual({ profile: [SPECIFIC], resume: [SPECIFIC] });
	});

	it('lets only the owner decide and only the endorser withdraw', async () => {
		const oli = await practitioner('oli');
		const eva = await signUp('eva');
		const [mallory] = bystanders;
		const sent = await submit(established(eva), oli.user.id, SPECIFIC, [oli.shopify.id], T0);
		if (!sent.ok) throw new Error('not stored');
		for (const decision of ['accept', 'hide', 'show'] as const) {
			expect(await decideEndorsement(t.db, mallory.id, sent.id, decision)).toBe(false);
			expect(await decideEndorsement(t.db, eva.id, sent.id, decision)).toBe(false);
		}
		expect((await listInbox(t.db, oli.user.id))[0].status).toBe('pending');

		expect(await withdrawEndorsement(t.db, mallory.id, oli.user.id)).toBe(false);
		expect(await withdrawEndorsement(t.db, oli.user.id, eva.id)).toBe(false);
		expect(await decideEndorsement(t.db, oli.user.id, sent.id, 'accept')).toBe(true);
		expect(await publicIds(oli.user.id)).toEqual([sent.id]);

		expect(await withdrawEndorsement(t.db, eva.id, oli.user.id)).toBe(true);
		expect(await publicIds(oli.user.id)).toEqual([]);
		expect(await listInbox(t.db, oli.user.id)).toEqual([]);
		expect(await findOwnEndorsement(t.db, eva.id, oli.user.id)).toBeUndefined();
	});

	it('settles a race between accepting and withdrawing in one consistent state', async () => {
		const ray = await practitioner('ray');
		const wes = await signUp('wes');
		for (let round = 0; round < 6; round++) {
			const sent = await submit(
				established(wes),
				ray.user.id,
				SPECIFIC,
				[ray.shopify.id],
				at(round * 1000)
			);
			if (!sent.ok) throw new Error(JSON.stringify(sent.errors));
			const accept = () => decideEndorsement(t.db, ray.user.id, sent.id, 'accept');
			const withdraw = () => withdrawEndorsement(t.db, wes.id, ray.user.id);
			const [accepted, withdrawn] =
				round % 2
					? await Promise.all([accept(), withdraw()])
					: await Promise.all([withdraw(), accept()]).then(([w, a]) => [a, w]);
			const row = await findOwnEndorsement(t.db, wes.id, ray.user.id);
			expect(accepted || withdrawn, `round ${round}`).toBe(true);
			if (withdrawn) {
				expect(row, `round ${round}`).toBeUndefined();
				expect(await publicIds(ray.user.id)).toEqual([]);
			} else {
				expect(row?.status, `round ${round}`).toBe('accepted');
				expect(await publicIds(ray.user.id)).toEqual([sent.id]);
				await withdrawEndorsement(t.db, wes.id, ray.user.id);
			}
		}
	});

	it('lets a new account send one endorsement every 30 seconds and five a day', async () => {
		const sue = await practitioner('sue');
		const nia = await signUp('nia');
		const send = (ms: number) =>
			submit(newcomer(nia), sue.user.id, SPECIFIC, [sue.shopify.id], at(ms));
		expect((await send(0)).ok).toBe(true);
		const tooSoon = await send(10_000);
		expect(tooSoon).toMatchObject({ ok: false, status: 429 });
		expect(!tooSoon.ok && tooSoon.errors.form).toMatch(/one endorsement every 30 seconds/);
		// Edits count as submissions too.
		for (const ms of [31_000, 62_000, 93_000, 124_000]) expect((await send(ms)).ok).toBe(true);
		const sixth = await send(155_000);
		expect(sixth).toMatchObject({ ok: false, status: 429 });
		expect(!sixth.ok && sixth.errors.form).toMatch(/5 endorsements a day/);
		// A day after the first one, there is room for one more.
		expect((await send(DAY_MS + 1000)).ok).toBe(true);
		expect((await send(DAY_MS + 2000)).ok).toBe(false);
	});

	it('lets an established account send 30 endorsements a day, with no spacing', async () => {
		const [uma, una] = [await practitioner('uma'), await practitioner('una')];
		const old = await signUp('old');
		for (let i = 0; i < 30; i++) {
			const subject = i % 2 ? uma : una;
			const result = await submit(
				established(old),
				subject.user.id,
				SPECIFIC,
				[subject.shopify.id],
				at(i * 1000)
			);
			expect(result.ok, `submission ${i + 1}`).toBe(true);
		}
		const extra = await submit(
			established(old),
			uma.user.id,
			SPECIFIC,
			[uma.shopify.id],
			at(31_000)
		);
		expect(extra).toMatchObject({ ok: false, status: 429 });
		expect(!extra.ok && extra.errors.form).toMatch(/30 endorsements a day/);
		expect(
			(await submit(established(old), uma.user.id, SPECIFIC, [uma.shopify.id], at(DAY_MS + 1))).ok
		).toBe(true);
	});

	it('refuses links from accounts younger than 7 days and keeps them from established ones', async () => {
		const lee = await practitioner('lee');
		const [kid, vet] = [await signUp('kid'), await signUp('vet')];
		for (const link of [
			'https://lee.example/portfolio',
			'www.leeportfolio.example',
			'leeportfolio.com'
		]) {
			const body = `She rebuilt our Shopify checkout, see ${link} for the numbers.`;
			const result = await submit(newcomer(kid), lee.user.id, body, [lee.shopify.id], T0);
			expect(result, link).toMatchObject({ ok: false, status: 400 });
			expect(!result.ok && result.errors.body, link).toMatch(/links/);
		}
		// Six days and 23 hours old is still new.
		const almost = newcomer(kid, new Date(T0.getTime() - 7 * DAY_MS + 3_600_000));
		const body = 'She rebuilt our Shopify checkout, see https://lee.example/case for the numbers.';
		expect((await submit(almost, lee.user.id, body, [lee.shopify.id], T0)).ok).toBe(false);
		expect(await listInbox(t.db, lee.user.id)).toEqual([]);

		const ok = await submit(established(vet), lee.user.id, body, [lee.shopify.id], T0);
		expect(ok.ok).toBe(true);
		const [stored] = await listInbox(t.db, lee.user.id);
		expect(stored).toMatchObject({ body, status: 'pending' });
		expect(await publicIds(lee.user.id)).toEqual([]);
	});

	it('flags near-duplicate texts sent to different people, and texts that name nothing', async () => {
		const [xia, yan, zoe] = [
			await practitioner('xia'),
			await practitioner('yan'),
			await practitioner('zoe')
		];
		const dup = await signUp('dup');
		const a =
			'They ran our Shopify store for two years and every single launch went out on time and on budget.';
		const b =
			'They ran our Shopify store for two years and every single launch went out on time and under budget.';
		const first = await submit(established(dup), xia.user.id, a, [xia.shopify.id], T0);
		expect(first).toMatchObject({ ok: true, flags: [] });
		const second = await submit(established(dup), yan.user.id, b, [yan.shopify.id], at(1000));
		expect(second.ok && second.flags).toContain('duplicate');
		const [earlier] = await listInbox(t.db, xia.user.id);
		expect(earlier.flags).toEqual(['duplicate']);

		const distinct = await submit(established(dup), zoe.user.id, EDITED, [zoe.email.id], at(2000));
		expect(distinct).toMatchObject({ ok: true, flags: [] });
		// The third text flags neither earlier one again.
		expect((await listInbox(t.db, yan.user.id))[0].flags).toEqual(['duplicate']);

		const vague = await submit(established(dup), zoe.user.id, VAGUE, [zoe.shopify.id], at(3000));
		expect(vague).toMatchObject({ ok: true, flags: ['generic'] });
		expect((await listInbox(t.db, zoe.user.id))[0].flags).toEqual(['generic']);
		const viaOrganisation = await submit(
			established(dup),
			zoe.user.id,
			`${VAGUE} Best hire we made at Northwind.`,
			[zoe.shopify.id],
			at(4000),
			{ organisation: 'Northwind' }
		);
		// Typing a word of one's own text into Organisation no longer turns the hint off.
		expect(viaOrganisation).toMatchObject({ ok: true, flags: ['generic'] });
	});

	it('judges a text generic when it names no skill or work and gives no figure', () => {
		const evidence = {
			skills: [{ name: 'Shopify' }, { name: 'Email marketing' }],
			work: [{ title: 'Launch of Starfall Discord' }, { title: 'Notes about their tools' }]
		};
		expect(isGeneric(VAGUE, evidence)).toBe(true);
		expect(isGeneric('They know their SHOPIFY inside out, truly the best.', evidence)).toBe(false);
		expect(isGeneric('Ran our email marketing for a year.', evidence)).toBe(false);
		// Distinctive words of a work title count, in any order.
		expect(isGeneric('They handled the Starfall launch brilliantly.', evidence)).toBe(false);
		// Common words of a title do not.
		expect(isGeneric('I learned a lot about their approach to everything.', evidence)).toBe(true);
		// A distinctive word must stand alone, not hide inside another word.
		expect(isGeneric('Relaunched everything and my toolset grew.', evidence)).toBe(true);
		expect(isGeneric('Their work at Acme was superb.', evidence)).toBe(true);
		// Terse, real praise with a figure is specific.
		expect(isGeneric('Grew our IG from 4k to 19k in nine months, no paid ads.', evidence)).toBe(
			false
		);
		expect(isGeneric(VAGUE, { skills: [], work: [] })).toBe(true);
	});

	it('hides an endorsement after three people report it, or at once when the owner does', async () => {
		const kim = await practitioner('kim');
		const [fay, gus] = [await signUp('fay'), await signUp('gus')];
		const [r1, r2, r3] = bystanders;
		const sent = await submit(established(fay), kim.user.id, SPECIFIC, [kim.shopify.id], T0);
		if (!sent.ok) throw new Error('not stored');

		// Nobody else can see a pending endorsement, so nobody else can report it.
		expect(await reportEndorsement(t.db, r1.id, sent.id, 'Spam')).toMatchObject({
			ok: false,
			status: 404
		});
		await decideEndorsement(t.db, kim.user.id, sent.id, 'accept');
		expect(await reportEndorsement(t.db, fay.id, sent.id, 'Oops')).toMatchObject({
			ok: false,
			status: 400
		});

		expect(await reportEndorsement(t.db, r1.id, sent.id, 'Spam')).toEqual({
			ok: true,
			hidden: false
		});
		expect(await reportEndorsement(t.db, r1.id, sent.id, 'Spam again')).toEqual({
			ok: true,
			hidden: false
		});
		expect(await reportEndorsement(t.db, r2.id, sent.id, 'Fake')).toEqual({
			ok: true,
			hidden: false
		});
		expect(await publicIds(kim.user.id)).toEqual([sent.id]);
		expect((await listInbox(t.db, kim.user.id))[0]).toMatchObject({
			status: 'accepted',
			reports: 2
		});

		expect(await reportEndorsement(t.db, r3.id, sent.id, 'Bot')).toEqual({
			ok: true,
			hidden: true
		});
		expect(await publicIds(kim.user.id)).toEqual([]);
		const [held] = await listInbox(t.db, kim.user.id);
		expect(held).toMatchObject({ status: 'hidden', reports: 3 });
		expect(held.flags).toContain('reported');

		// Showing it again is the owner's review: one repeat report no longer hides it.
		await decideEndorsement(t.db, kim.user.id, sent.id, 'show');
		expect(await reportEndorsement(t.db, r1.id, sent.id, 'Still spam')).toEqual({
			ok: true,
			hidden: false
		});
		expect(await publicIds(kim.user.id)).toEqual([sent.id]);
		await decideEndorsement(t.db, kim.user.id, sent.id, 'hide');

		const other = await submit(established(gus), kim.user.id, EDITED, [kim.email.id], T0);
		if (!other.ok) throw new Error('not stored');
		await decideEndorsement(t.db, kim.user.id, other.id, 'accept');
		expect(await publicIds(kim.user.id)).toEqual([other.id]);
		expect(await reportEndorsement(t.db, kim.user.id, other.id, 'Not true')).toEqual({
			ok: true,
			hidden: true
		});
		expect(await publicIds(kim.user.id)).toEqual([]);
		const owned = (await listInbox(t.db, kim.user.id)).find((e) => e.id === other.id);
		expect(owned?.status).toBe('hidden');
		expect(owned?.flags).toEqual(['reported']);
	});

	it('keeps the reported warning when a reported endorsement is edited', async () => {
		const lou = await practitioner('lou');
		const hal = await signUp('hal');
		const sent = await submit(established(hal), lou.user.id, SPECIFIC, [lou.shopify.id], T0);
		if (!sent.ok) throw new Error('not stored');
		await decideEndorsement(t.db, lou.user.id, sent.id, 'accept');
		for (const reporter of bystanders) await reportEndorsement(t.db, reporter.id, sent.id, 'Spam');
		const edited = await submit(
			established(hal),
			lou.user.id,
			EDITED,
			[lou.shopify.id],
			new Date(T0.getTime() + 60_000)
		);
		expect(edited.ok && edited.flags).toContain('reported');
		const [held] = await listInbox(t.db, lou.user.id);
		expect(held).toMatchObject({ status: 'pending', reports: 3 });
	});

	it('holds the seed spam comment from a brand-new account as pending and flagged', async () => {
		const jo = await practitioner('joy');
		const bot = await signUp('spambot');
		const sent = await submit(newcomer(bot), jo.user.id, SPAM, [jo.shopify.id], T0);
		expect(sent.ok).toBe(true);
		const [held] = await listInbox(t.db, jo.user.id);
		expect(held.status).toBe('pending');
		expect(held.flags).toContain('generic');
		expect(await publicIds(jo.user.id)).toEqual([]);
		const profile = (await buildPublicProfile(t.db, jo.user.id))!;
		expect(toJsonResume(profile, 'https://x').references).toEqual([]);
	});

	it('marks endorsements as mutual once both are accepted, and counts what the endorser received', async () => {
		const [amy, bea] = [await practitioner('amy'), await practitioner('bea')];
		const toBea = await submit(established(amy.user), bea.user.id, SPECIFIC, [bea.shopify.id], T0);
		const toAmy = await submit(established(bea.user), amy.user.id, EDITED, [amy.email.id], T0);
		if (!toBea.ok || !toAmy.ok) throw new Error('not stored');
		await decideEndorsement(t.db, bea.user.id, toBea.id, 'accept');
		let [shown] = await listPublicEndorsements(t.db, bea.user.id);
		expect(shown.mutual).toBe(false);
		expect(shown.endorser).toMatchObject({ handle: 'amy', acceptedReceived: 0 });

		await decideEndorsement(t.db, amy.user.id, toAmy.id, 'accept');
		[shown] = await listPublicEndorsements(t.db, bea.user.id);
		expect(shown.mutual).toBe(true);
		expect(shown.endorser).toMatchObject({ handle: 'amy', acceptedReceived: 1 });
		expect((await listPublicEndorsements(t.db, amy.user.id))[0].mutual).toBe(true);

		await decideEndorsement(t.db, amy.user.id, toAmy.id, 'hide');
		[shown] = await listPublicEndorsements(t.db, bea.user.id);
		expect(shown.mutual).toBe(false);
		expect(shown.endorser).toMatchObject({ acceptedReceived: 0 });
	});

	it('shows an endorser whose profile is private as a private member, and still counts them', async () => {
		const [kim, lev] = [await practitioner('kimo'), await practitioner('levi')];
		const profileOf = async (user: User, fields: Partial<profiles.ProfileInput>) =>
			profiles.updateProfile(t.db, user.id, {
				displayName: user.handle === 'kimo' ? 'Kim Okafor' : 'Lev Adler',
				headline: user.handle === 'kimo' ? 'Retention lead at Acme' : 'Shop builder',
				bio: '',
				location: null,
				availability: 'open_to_work',
				visibility: 'public',
				...fields
			});
		await profileOf(kim.user, {});
		await profileOf(lev.user, {});
		const toLev = await submit(established(kim.user), lev.user.id, SPECIFIC, [lev.shopify.id], T0);
		const toKim = await submit(established(lev.user), kim.user.id, EDITED, [kim.email.id], T0);
		if (!toLev.ok || !toKim.ok) throw new Error('not stored');
		await decideEndorsement(t.db, lev.user.id, toLev.id, 'accept');
		await decideEndorsement(t.db, kim.user.id, toKim.id, 'accept');
		const shown = async () => {
			const profile = (await buildPublicProfile(t.db, lev.user.id))!;
			return { profile, resume: toJsonResume(profile, 'https://proofwork.example') };
		};
		let { profile, resume } = await shown();
		expect(profile.endorsements[0].endorser).toMatchObject({ handle: 'kimo', name: 'Kim Okafor' });
		expect(resume.references[0].name).toBe('Kim Okafor (Worked together)');

		// Unlisted profiles are reachable by link, so an unlisted endorser keeps name and link.
		await profileOf(kim.user, { visibility: 'unlisted' });
		({ profile } = await shown());
		expect(profile.endorsements[0].endorser).toMatchObject({ handle: 'kimo', name: 'Kim Okafor' });

		await profileOf(kim.user, { visibility: 'private' });
		({ profile, resume } = await shown());
		const [e] = profile.endorsements;
		// No name, handle, link, headline, picture, standing, nor that the two endorsed each other.
		expect(e.endorser).toEqual({ private: true, name: 'A private member' });
		expect(e.mutual).toBe(false);
		expect(e).toMatchObject({ body: SPECIFIC, skills: [{ name: 'Shopify' }] });
		expect(resume.references).toEqual([
			{ name: 'A private member (Worked together)', reference: SPECIFIC }
		]);
		const everything = JSON.stringify([profile.endorsements, resume]);
		for (const secret of ['kimo', 'Kim Okafor', 'Retention lead', `/avatars/${kim.user.id}/`])
			expect(everything).not.toContain(secret);
		// Their endorsement still counts for Lev's evidence; the owner's inbox still names them.
		const [row] = await t.db
			.selectFrom('profile_search')
			.select('accepted_endorsements')
			.where('user_id', '=', lev.user.id)
			.execute();
		expect(row.accepted_endorsements).toBe(1);
		expect((await listInbox(t.db, lev.user.id))[0].endorser).toMatchObject({ handle: 'kimo' });

		await profileOf(kim.user, {});
		({ profile } = await shown());
		expect(profile.endorsements[0].endorser).toMatchObject({ handle: 'kimo', private: false });
	});

	it('answers a request link, and lets only its owner revoke it', async () => {
		const ola = await practitioner('ola');
		const ned = await practitioner('ned');
		const cli = await signUp('cli');
		expect(await createRequest(t.db, ola.user.id, ned.work.id, null)).toEqual({
			ok: false,
			error: 'Choose a piece of work from your profile.'
		});
		const made = await createRequest(t.db, ola.user.id, ola.work.id, 'Chris at Acme');
		if (!made.ok) throw new Error(made.error);
		expect(made.token).toMatch(/^[a-z2-7]{32}$/);
		expect(await findOpenRequest(t.db, made.token)).toMatchObject({
			owner_id: ola.user.id,
			work_item_id: ola.work.id,
			invitee: 'Chris at Acme',
			handle: 'ola'
		});
		expect(await findOpenRequest(t.db, 'not-a-token')).toBeUndefined();

		const answer = await submit(
			established(cli),
			ola.user.id,
			SPECIFIC,
			[],
			T0,
			{ workItemId: String(ola.work.id), relationship: 'client' },
			made.token
		);
		expect(answer.ok).toBe(true);
		expect(await listRequests(t.db, ola.user.id)).toMatchObject([
			{ status: 'answered', invitee: 'Chris at Acme', work_title: 'Spring relaunch' }
		]);
		expect(await findOpenRequest(t.db, made.token)).toBeUndefined();

		const second = await createRequest(t.db, ola.user.id, ola.work.id, null);
		if (!second.ok) throw new Error(second.error);
		const open = await findOpenRequest(t.db, second.token);
		expect(open).toBeDefined();
		expect(await revokeRequest(t.db, ned.user.id, open!.id)).toBe(false);
		expect(await findOpenRequest(t.db, second.token)).toBeDefined();
		expect(await revokeRequest(t.db, ola.user.id, open!.id)).toBe(true);
		expect(await findOpenRequest(t.db, second.token)).toBeUndefined();
		expect((await listRequests(t.db, ola.user.id)).map((r) => r.status)).toEqual(['answered']);
	});
});

describe('endorsement text checks', () => {
	it('finds skill names as whole words only, so "PR" is not in "surprised"', () => {
		const evidence = { skills: [{ name: 'PR' }, { name: 'C++' }], work: [] };
		expect(isGeneric('I was surprised that you are not more popular.', evidence)).toBe(true);
		expect(isGeneric('Ran our PR for two launches.', evidence)).toBe(false);
		expect(isGeneric('Wrote the engine in C++ for us.', evidence)).toBe(false);
	});

	it('does not take the person’s own skill names for links', () => {
		expect(containsLink('Their ASP.NET work carried the launch.', ['ASP.NET'])).toBe(false);
		expect(containsLink('Their ASP.NET work carried the launch.', [])).toBe(true);
		expect(containsLink('See https://spam.example now', ['ASP.NET'])).toBe(true);
	});
});
