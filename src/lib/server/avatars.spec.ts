import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import * as accounts from '#lib/server/accounts/index.js';
import { avatarUrl } from '#lib/server/avatar-url.js';
import { getAvatar, removeAvatar, saveAvatar } from '#lib/server/avatars.js';
import { getOwnProfile } from '#lib/server/profiles.js';

describe.each(testEngines())('avatars on $name', (engine) => {
	let t: TestDatabase;
	let userId: number;
	beforeAll(async () => {
		t = await engine.create();
		const result = await accounts.signUp(t.db, {
			email: 'pic@example.com',
			handle: 'pic',
			password: 'a long passphrase',
			ip: '10.5.0.1',
			origin: 'http://x.test'
		});
		if (!result.ok) throw new Error('signup failed');
		userId = result.value.user.id;
	});
	afterAll(() => t.drop());

	it('stores both sizes as WebP in the database, with a versioned URL', async () => {
		const png = await sharp({
			create: { width: 640, height: 480, channels: 3, background: '#336699' }
		})
			.png()
			.toBuffer();
		const before = await getOwnProfile(t.db, userId);
		expect(avatarUrl(userId, null)).toBe('/avatar-placeholder.svg');
		expect(await saveAvatar(t.db, userId, new File([new Uint8Array(png)], 'me.png'))).toEqual({
			ok: true
		});
		const large = await getAvatar(t.db, userId, 'large');
		const small = await getAvatar(t.db, userId, 'small');
		expect(await sharp(large!.bytes).metadata()).toMatchObject({
			format: 'webp',
			width: 400,
			height: 400
		});
		expect(await sharp(small!.bytes).metadata()).toMatchObject({
			format: 'webp',
			width: 96,
			height: 96
		});
		const after = await getOwnProfile(t.db, userId);
		expect(avatarUrl(userId, after!.avatarEtag)).toBe(
			`/avatars/${userId}/large.webp?v=${large!.etag}`
		);
		expect(after!.updatedAt.getTime()).toBeGreaterThanOrEqual(before!.updatedAt.getTime());
	});

	it('judges the type by content, not by name, and keeps the old picture on refusal', async () => {
		const before = await getAvatar(t.db, userId, 'large');
		const fake = new File(
			[new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>')],
			'photo.png',
			{ type: 'image/png' }
		);
		expect(await saveAvatar(t.db, userId, fake)).toEqual({
			ok: false,
			error: 'Upload a JPEG, PNG or WebP image.'
		});
		const huge = new File([new Uint8Array(5 * 1024 * 1024 + 1)], 'big.jpg');
		expect(await saveAvatar(t.db, userId, huge)).toEqual({
			ok: false,
			error: expect.stringMatching(/larger than 5 MB/)
		});
		expect(await saveAvatar(t.db, userId, null)).toEqual({
			ok: false,
			error: 'Choose an image to upload.'
		});
		expect((await getAvatar(t.db, userId, 'large'))?.etag).toBe(before?.etag);
	});

	it('removes the picture', async () => {
		await removeAvatar(t.db, userId);
		expect(await getAvatar(t.db, userId, 'large')).toBeUndefined();
		expect((await getOwnProfile(t.db, userId))?.avatarEtag).toBeNull();
	});
});
