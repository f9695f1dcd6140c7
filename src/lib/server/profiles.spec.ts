import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import type { Db } from '#lib/server/db/connect.js';
import * as accounts from '#lib/server/accounts/index.js';
import * as profiles from '#lib/server/profiles.js';
import { parseForm } from '#lib/server/platform/forms.js';
import { lookUpProfile } from '#lib/server/public-profile.js';

let ipCounter = 0;
async function signUp(db: Db, handle: string, now?: Date) {
	const result = await accounts.signUp(db, {
		email: `${handle}@example.com`,
		handle,
		password: 'a long passphrase',
		ip: `10.1.0.${++ipCounter}`,
		origin: 'http://x.test',
		now
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	return result.value.user;
}

function form(fields: Record<string, string>): FormData {
	const data = new FormData();
	for (const [key, value] of Object.entries(fields)) data.set(key, value);
	return data;
}

const PROFILE = {
	displayName: 'Maya Okafor',
	headline: 'Community lead',
	bio: 'I **build** communities.',
	location: 'Lagos',
	availability: 'open_to_freelance',
	visibility: 'public'
};

describe.each(testEngines())('profiles on $name', (engine) => {
	let t: TestDatabase;
	beforeAll(async () => {
		t = await engine.create();
	});
	afterAll(() => t.drop());

	it('exists from sign-up on, showing the handle until a name is set, and is not listed yet', async () => {
		await signUp(t.db, 'newbie');
		const found = await lookUpProfile(t.db, 'newbie', null);
		expect(found.kind).toBe('found');
		if (found.kind !== 'found') return;
		expect(found.profile.name).toBe('newbie');
		expect(found.profile.listed).toBe(false);
		expect(found.profile.avatar.large).toBe('/avatar-placeholder.svg');
		expect((await profiles.listListedProfiles(t.db)).map((p) => p.handle)).not.toContain('newbie');
	});

	it('saves the fields, renders the bio safely and lists the profile once it has a name and a headline', async () => {
		const user = await signUp(t.db, 'maya');
		const parsed = parseForm(
			profiles.profileSchema,
			form({ ...PROFILE, bio: 'I **build**. <script>alert(1)</script>' })
		);
		expect(parsed.ok).toBe(true);
		if (!parsed.ok) return;
		await profiles.updateProfile(t.db, user.id, parsed.data);
		const found = await lookUpProfile(t.db, 'maya', null);
		if (found.kind !== 'found') throw new Error('missing');
		expect(found.profile).toMatchObject({
			name: 'Maya Okafor',
			headline: 'Community lead',
			availabilityLabel: 'Open to freelance',
			listed: true
		});
		expect(found.profile.bioHtml).toContain('<strong>build</strong>');
		expect(found.profile.bioHtml).not.toContain('<script');
		expect((await profiles.listListedProfiles(t.db)).map((p) => p.handle)).toContain('maya');
	});

	it('gives every field a limit and a message, and ignores forged fields', () => {
		const tooLong = parseForm(
			profiles.profileSchema,
			form({ ...PROFILE, headline: 'x'.repeat(121), bio: 'y'.repeat(5001) })
		);
		expect(tooLong.ok).toBe(false);
		if (!tooLong.ok) {
			expect(tooLong.errors.headline).toMatch(/at most 120/);
			expect(tooLong.errors.bio).toMatch(/at most 5,000/);
		}
		const badChoice = parseForm(
			profiles.profileSchema,
			form({ ...PROFILE, visibility: 'everyone' })
		);
		expect(!badChoice.ok && badChoice.errors.visibility).toMatch(/visibility options/);
		const forged = parseForm(
			profiles.profileSchema,
			form({ ...PROFILE, user_id: '1', is_verified: 'true' })
		);
		expect(forged.ok && Object.keys(forged.data).sort()).toEqual([
			'allowContact',
			'availability',
			'bio',
			'displayName',
			'headline',
			'location',
			'visibility'
		]);
	});

	it('hides private profiles from everyone but the owner, and keeps unlisted ones out of the sitemap', async () => {
		const owner = await signUp(t.db, 'quiet');
		await profiles.updateProfile(t.db, owner.id, {
			...PROFILE,
			availability: 'not_looking',
			visibility: 'private'
		} as profiles.ProfileInput);
		expect((await lookUpProfile(t.db, 'quiet', null)).kind).toBe('missing');
		const stranger = await signUp(t.db, 'stranger');
		expect((await lookUpProfile(t.db, 'quiet', stranger.id)).kind).toBe('missing');
		const own = await lookUpProfile(t.db, 'quiet', owner.id);
		expect(own.kind === 'found' && own.isOwner).toBe(true);

		await profiles.updateProfile(t.db, owner.id, {
			...PROFILE,
			availability: 'not_looking',
			visibility: 'unlisted'
		} as profiles.ProfileInput);
		expect((await lookUpProfile(t.db, 'quiet', null)).kind).toBe('found');
		expect((await profiles.listListedProfiles(t.db)).map((p) => p.handle)).not.toContain('quiet');
	});

	it('redirects an old handle to the new one and holds it from others for 90 days', async () => {
		const t0 = new Date('2026-03-01T00:00:00Z');
		const user = await signUp(t.db, 'oldname', t0);
		const changed = await profiles.changeHandle(t.db, user.id, 'newname', t0);
		expect(changed).toEqual({ ok: true, oldHandle: 'oldname' });
		expect(await lookUpProfile(t.db, 'oldname', null)).toEqual({
			kind: 'moved',
			handle: 'newname'
		});
		expect((await lookUpProfile(t.db, 'newname', null)).kind).toBe('found');

		expect(
			await accounts.isHandleTaken(t.db, 'oldname', {
				now: new Date(t0.getTime() + 89 * 86_400_000)
			})
		).toBe(true);
		const early = await accounts.signUp(t.db, {
			email: 'someone@example.com',
			handle: 'oldname',
			password: 'a long passphrase',
			ip: '10.9.9.9',
			origin: 'http://x.test',
			now: new Date(t0.getTime() + 10 * 86_400_000)
		});
		expect(!early.ok && early.errors.handle).toMatch(/taken/);
		expect(
			await accounts.isHandleTaken(t.db, 'oldname', {
				now: new Date(t0.getTime() + 91 * 86_400_000)
			})
		).toBe(false);

		// The owner may take the old handle back at any time.
		const back = await profiles.changeHandle(
			t.db,
			user.id,
			'oldname',
			new Date(t0.getTime() + 86_400_000)
		);
		expect(back.ok).toBe(true);
		expect(await lookUpProfile(t.db, 'newname', null)).toEqual({
			kind: 'moved',
			handle: 'oldname'
		});
	});

	it('refuses a handle someone else uses', async () => {
		const a = await signUp(t.db, 'alpha');
		await signUp(t.db, 'bravo');
		const result = await profiles.changeHandle(t.db, a.id, 'bravo');
		expect(!result.ok && result.errors.handle).toMatch(/taken/);
		const same = await profiles.changeHandle(t.db, a.id, 'alpha');
		expect(!same.ok && same.errors.handle).toMatch(/already your handle/);
	});

	it('answers a mistyped-case handle with a redirect to the real one', async () => {
		await signUp(t.db, 'casey');
		expect(await lookUpProfile(t.db, 'Casey', null)).toEqual({ kind: 'moved', handle: 'casey' });
		expect(await lookUpProfile(t.db, 'nobody_here', null)).toEqual({ kind: 'missing' });
	});
});
