import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import type { Db } from '#lib/server/db/connect.js';
import * as accounts from '#lib/server/accounts/index.js';
import * as profiles from '#lib/server/profiles.js';
import * as skills from '#lib/server/skills.js';
import * as work from '#lib/server/work.js';
import * as previews from '#lib/server/link-previews.js';
import * as networkAccounts from '#lib/server/network-accounts.js';
import { lookUpProfile } from '#lib/server/public-profile.js';

let ipCounter = 0;
async function signUp(db: Db, handle: string) {
	const result = await accounts.signUp(db, {
		email: `${handle}@example.com`,
		handle,
		password: 'a long passphrase',
		ip: `10.2.0.${++ipCounter}`,
		origin: 'http://x.test'
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	return result.value.user;
}

const item = (title: string, extra: Partial<Record<string, string>> = {}) =>
	v.parse(work.workSchema, {
		title,
		url: '',
		role: '',
		outcome: '',
		happenedOn: '',
		caseStudy: '',
		...extra
	});

describe.each(testEngines())('skills, work and network accounts on $name', (engine) => {
	let t: TestDatabase;
	beforeAll(async () => {
		t = await engine.create();
	});
	afterAll(() => t.drop());

	it('normalises skills, keeps them unique without regard to case and suggests what others use', async () => {
		const ann = await signUp(t.db, 'ann');
		const bob = await signUp(t.db, 'bob');
		expect(await skills.addSkill(t.db, ann.id, '  Community   management ')).toEqual({ ok: true });
		expect(await skills.addSkill(t.db, ann.id, 'community management')).toEqual({
			ok: false,
			error: 'You already list this skill.'
		});
		expect(await skills.addSkill(t.db, bob.id, 'COMMUNITY MANAGEMENT')).toEqual({ ok: true });
		expect(await skills.addSkill(t.db, bob.id, 'Shopify')).toEqual({ ok: true });
		// One skill row, written the way it was first written.
		expect((await skills.listProfileSkills(t.db, bob.id)).map((s) => s.name)).toEqual([
			'Community management',
			'Shopify'
		]);
		// Suggestions come from listed profiles only: public, with a name and a headline.
		expect(await skills.suggestSkills(t.db)).toEqual([]);
		for (const [user, name] of [
			[ann, 'Ann'],
			[bob, 'Bob']
		] as const) {
			await profiles.updateProfile(t.db, user.id, {
				displayName: name,
				headline: 'Community lead',
				bio: '',
				location: null,
				availability: 'open_to_work',
				visibility: 'public'
			});
		}
		expect(await skills.suggestSkills(t.db)).toEqual(['Community management', 'Shopify']);
		// The search page's popular skills are counted again once a profile changes, not per search;
		// a change this process did not see (a deleted account, another server) counts after a minute.
		const now = Date.now();
		expect(await skills.popularSkills(t.db, 1, now)).toEqual(['Community management']);
		await skills.addSkill(t.db, bob.id, 'Klaviyo');
		await skills.addSkill(t.db, ann.id, 'Klaviyo');
		expect(await skills.popularSkills(t.db, 1, now + 1_000)).toEqual(['Community management']);
		const [community] = await skills.listProfileSkills(t.db, ann.id);
		await skills.removeSkill(t.db, ann.id, community.id);
		expect(await skills.popularSkills(t.db, 1, now + 2_000)).toEqual(['Klaviyo']);
		await t.db.deleteFrom('profile_skills').where('user_id', '=', ann.id).execute();
		expect(await skills.popularSkills(t.db, 1, now + 3_000)).toEqual(['Klaviyo']);
		expect(await skills.popularSkills(t.db, 1, now + 63_000)).toEqual(['Community management']);
		expect((await skills.addSkill(t.db, ann.id, 'x'.repeat(41))).ok).toBe(false);
		expect((await skills.addSkill(t.db, ann.id, '   ')).ok).toBe(false);
	});

	it('allows at most 50 skills', async () => {
		const many = await signUp(t.db, 'many');
		await skills.setSkills(
			t.db,
			many.id,
			Array.from({ length: 60 }, (_, i) => `Skill ${i}`)
		);
		expect(await skills.listProfileSkills(t.db, many.id)).toHaveLength(50);
		expect(await skills.addSkill(t.db, many.id, 'One more')).toEqual({
			ok: false,
			error: 'You can list up to 50 skills.'
		});
	});

	it('refuses links that are not http(s), whatever their disguise', () => {
		for (const url of [
			'javascript:alert(1)',
			' javascript:alert(1)',
			'JaVaScRiPt:alert(1)',
			'data:text/html,x',
			'ftp://x.example'
		]) {
			const result = v.safeParse(work.workSchema, {
				title: 'T',
				url,
				role: '',
				outcome: '',
				happenedOn: '',
				caseStudy: ''
			});
			expect(result.success, url).toBe(false);
			if (!result.success) expect(result.issues[0].message).toMatch(/http:\/\/ or https:\/\//);
		}
		expect(item('T', { url: 'https://shop.example/a' }).url).toBe('https://shop.example/a');
		expect(
			v.safeParse(work.workSchema, {
				title: 'T',
				url: '',
				role: '',
				outcome: 'x'.repeat(501),
				happenedOn: '',
				caseStudy: ''
			}).success
		).toBe(false);
		expect(
			v.safeParse(work.workSchema, {
				title: 'T',
				url: '',
				role: '',
				outcome: '',
				happenedOn: '2025-13',
				caseStudy: ''
			}).success
		).toBe(false);
	});

	it('creates work with unique slugs, cites only the profile’s own skills and shows pinned work first', async () => {
		const cat = await signUp(t.db, 'cat');
		await skills.addSkill(t.db, cat.id, 'Paid social');
		const [paid] = await skills.listProfileSkills(t.db, cat.id);
		const foreign = (
			await skills.listProfileSkills(t.db, (await accounts.findUserByHandle(t.db, 'bob'))!.id)
		)[1];

		const first = await work.createWork(
			t.db,
			cat.id,
			item('Spring Campaign!', { url: 'https://www.brand.example/spring' }),
			[paid.id, foreign.id]
		);
		const second = await work.createWork(
			t.db,
			cat.id,
			item('Spring campaign', { caseStudy: '## What we did' })
		);
		expect(first.ok && first.item.slug).toBe('spring-campaign');
		expect(second.ok && second.item.slug).toBe('spring-campaign-2');
		if (!first.ok || !second.ok) return;
		expect((await work.getWork(t.db, cat.id, first.item.id))?.skills.map((s) => s.name)).toEqual([
			'Paid social'
		]);

		expect(await work.setPinned(t.db, cat.id, second.item.id, true)).toBe(true);
		const found = await lookUpProfile(t.db, 'cat', null);
		if (found.kind !== 'found') throw new Error('missing');
		expect(found.profile.work.map((w) => w.title)).toEqual(['Spring campaign', 'Spring Campaign!']);
		expect(found.profile.work[1].domain).toBe('brand.example');
		expect(found.profile.work[0].hasCaseStudy).toBe(true);
	});

	it('reorders work within its group', async () => {
		const dan = await signUp(t.db, 'dan');
		const ids = [];
		for (const title of ['One', 'Two', 'Three']) {
			const created = await work.createWork(t.db, dan.id, item(title));
			if (created.ok) ids.push(created.item.id);
		}
		expect((await work.listWork(t.db, dan.id)).map((w) => w.title)).toEqual([
			'One',
			'Two',
			'Three'
		]);
		await work.moveWork(t.db, dan.id, ids[2], 'up');
		expect((await work.listWork(t.db, dan.id)).map((w) => w.title)).toEqual([
			'One',
			'Three',
			'Two'
		]);
		await work.moveWork(t.db, dan.id, ids[0], 'up');
		expect((await work.listWork(t.db, dan.id)).map((w) => w.title)).toEqual([
			'One',
			'Three',
			'Two'
		]);
	});

	it('never lets one person edit, pin, move or delete another’s work', async () => {
		const eve = await signUp(t.db, 'eve');
		const mallory = await signUp(t.db, 'mallory');
		const created = await work.createWork(t.db, eve.id, item('Eve’s shop'));
		if (!created.ok) throw new Error('not created');
		const id = created.item.id;
		expect(await work.updateWork(t.db, mallory.id, id, item('Hijacked'))).toBe(false);
		expect(await work.setPinned(t.db, mallory.id, id, true)).toBe(false);
		expect(await work.moveWork(t.db, mallory.id, id, 'up')).toBe(false);
		expect(await work.deleteWork(t.db, mallory.id, id)).toBe(false);
		expect(await work.getWork(t.db, mallory.id, id)).toBeUndefined();
		expect(await work.getWork(t.db, eve.id, id)).toMatchObject({
			title: 'Eve’s shop',
			pinned: false
		});
		expect(await work.deleteWork(t.db, eve.id, id)).toBe(true);
	});

	it('queues a link preview for work saved with a link, and none for work without one', async () => {
		const liv = await signUp(t.db, 'liv');
		const now = new Date('2026-12-01T09:00:00Z');
		const linked = await work.createWork(
			t.db,
			liv.id,
			item('Landing page', { url: 'https://liv.example/launch' }),
			[],
			now
		);
		const unlinked = await work.createWork(t.db, liv.id, item('Talk'), [], now);
		if (!linked.ok || !unlinked.ok) throw new Error('not created');

		const shown = await previews.listPreviews(t.db, [linked.item.id, unlinked.item.id]);
		expect(shown.get(linked.item.id)).toMatchObject({ status: 'pending', title: null });
		expect(shown.has(unlinked.item.id)).toBe(false);
		expect(await previews.duePreviews(t.db, now, 1000)).toContain(linked.item.id);
	});

	it('stores network accounts canonically, with self-reported reach and its date', async () => {
		const fay = await signUp(t.db, 'fay');
		const now = new Date('2026-04-02T10:00:00Z');
		expect(
			await networkAccounts.addAccount(
				t.db,
				fay.id,
				{ network: 'mastodon', address: '@fay@Mastodon.Social', followers: '12,400' },
				now
			)
		).toEqual({ ok: true });
		expect(
			await networkAccounts.addAccount(
				t.db,
				fay.id,
				{ network: 'github', address: 'https://github.com/fay-dev/some-repo', followers: '' },
				now
			)
		).toEqual({ ok: true });
		const duplicate = await networkAccounts.addAccount(
			t.db,
			fay.id,
			{ network: 'github', address: 'fay-dev', followers: '' },
			now
		);
		expect(!duplicate.ok && duplicate.errors.address).toMatch(/already on your profile/);
		const bad = await networkAccounts.addAccount(
			t.db,
			fay.id,
			{ network: 'website', address: 'javascript:alert(1)', followers: '' },
			now
		);
		expect(!bad.ok && bad.errors.address).toMatch(/http/);
		const badCount = await networkAccounts.addAccount(
			t.db,
			fay.id,
			{ network: 'x', address: '@fay', followers: 'lots' },
			now
		);
		expect(!badCount.ok && badCount.errors.followers).toMatch(/digits/);

		const list = await networkAccounts.listAccounts(t.db, fay.id);
		expect(list.map((a) => [a.label, a.identifier, a.url, a.followers])).toEqual([
			['Mastodon', '@fay@mastodon.social', 'https://mastodon.social/@fay', 12400],
			['GitHub', 'fay-dev', 'https://github.com/fay-dev', null]
		]);
		expect(list[0].followers_reported_at?.toISOString()).toBe(now.toISOString());

		const mallory = await accounts.findUserByHandle(t.db, 'mallory');
		expect((await networkAccounts.updateFollowers(t.db, mallory!.id, list[0].id, '5')).ok).toBe(
			false
		);
		expect(await networkAccounts.removeAccount(t.db, mallory!.id, list[0].id)).toBe(false);
		expect(await networkAccounts.listAccounts(t.db, fay.id)).toHaveLength(2);
	});
});
