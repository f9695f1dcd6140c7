import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import { createTestUser, createTestWork } from '#lib/server/test-fixtures.js';
import type { Fetcher, FetchResult } from '#lib/server/platform/fetcher.js';
import { databaseStore } from '#lib/server/platform/media-store.js';
import { parseEmbedUrl, playerUrl } from '#lib/server/embeds/providers.js';
import {
	addEmbed,
	embedThumbnailKey,
	fetchEmbed,
	listEmbeds,
	removeEmbed
} from '#lib/server/embeds/work-embeds.js';

describe('embed links', () => {
	it('recognises the six providers and nothing else', () => {
		expect(parseEmbedUrl('https://youtu.be/dQw4w9WgXcQ?t=3')).toMatchObject({
			provider: 'youtube',
			externalId: 'dQw4w9WgXcQ'
		});
		expect(parseEmbedUrl('https://www.youtube.com/shorts/dQw4w9WgXcQ')?.url).toBe(
			'https://www.youtube.com/watch?v=dQw4w9WgXcQ'
		);
		expect(parseEmbedUrl('https://vimeo.com/76979871')?.provider).toBe('vimeo');
		expect(parseEmbedUrl('https://www.tiktok.com/@jamco/video/7312345678901234567')).toMatchObject({
			provider: 'tiktok',
			externalId: '7312345678901234567'
		});
		expect(parseEmbedUrl('https://www.instagram.com/reel/C1a2b3c4d5/')?.provider).toBe('instagram');
		expect(
			parseEmbedUrl('https://bsky.app/profile/jam.bsky.social/post/3kabc123xyz')?.provider
		).toBe('bluesky');
		expect(parseEmbedUrl('https://mastodon.social/@jam/111222333444555666')?.provider).toBe(
			'mastodon'
		);
		expect(parseEmbedUrl('javascript:alert(1)//youtube.com/watch?v=dQw4w9WgXcQ')).toBeNull();
		expect(parseEmbedUrl('https://evil.example/watch?v=dQw4w9WgXcQ')).toBeNull();
		expect(playerUrl({ provider: 'youtube', externalId: 'dQw4w9WgXcQ' })).toBe(
			'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1'
		);
		expect(playerUrl({ provider: 'mastodon', externalId: '1' })).toBeNull();
	});
});

/** A provider stand-in: answers by URL, as the fetcher would. */
function fakeFetcher(routes: Map<string, { status: number; type: string; body: Buffer }>): Fetcher {
	return {
		async fetch(url) {
			const route = routes.get(url) ?? { status: 404, type: 'text/plain', body: Buffer.from('') };
			const result: FetchResult = {
				url,
				status: route.status,
				contentType: route.type,
				body: route.body,
				text: () => route.body.toString('utf8'),
				json: () => JSON.parse(route.body.toString('utf8'))
			};
			return result;
		}
	};
}

describe.each(testEngines())('videos and posts on $name', (engine) => {
	let t: TestDatabase;
	let userId: number;
	let workId: number;
	beforeAll(async () => {
		t = await engine.create();
		userId = await createTestUser(t.db, 'vid');
		workId = await createTestWork(t.db, userId, 'Launch video');
	});
	afterAll(() => t.drop());

	it('reads title, author and thumbnail in the background; a deleted video keeps them and says since when', async () => {
		const link = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ';
		expect(await addEmbed(t.db, userId, workId, 'https://example.com/not-a-video')).toMatchObject({
			ok: false
		});
		const added = await addEmbed(t.db, userId, workId, 'https://youtu.be/dQw4w9WgXcQ');
		expect(added.ok).toBe(true);
		if (!added.ok) return;
		expect(await addEmbed(t.db, userId, workId, link)).toEqual({
			ok: false,
			error: 'That video or post is already on this work.'
		});
		let [view] = (await listEmbeds(t.db, [workId])).get(workId)!;
		expect(view).toMatchObject({ status: 'pending', title: null, providerName: 'YouTube' });

		const thumb = await sharp({
			create: { width: 480, height: 360, channels: 3, background: '#cc0000' }
		})
			.jpeg()
			.toBuffer();
		const oembed = `https://www.youtube.com/oembed?format=json&url=${encodeURIComponent(link)}`;
		const routes = new Map([
			[
				oembed,
				{
					status: 200,
					type: 'application/json',
					body: Buffer.from(
						JSON.stringify({
							title: 'Jam launch film',
							author_name: 'Jam Co',
							thumbnail_url: 'https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg'
						})
					)
				}
			],
			[
				'https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg',
				{ status: 200, type: 'image/jpeg', body: thumb }
			]
		]);
		const day1 = new Date('2026-12-01T10:00:00Z');
		expect(
			await fetchEmbed(t.db, databaseStore, fakeFetcher(routes), added.id, { now: day1 })
		).toBe('ok');
		[view] = (await listEmbeds(t.db, [workId])).get(workId)!;
		expect(view).toMatchObject({
			status: 'ok',
			title: 'Jam launch film',
			author: 'Jam Co',
			playerUrl: 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1',
			thumbnail: { width: 480, height: 360 }
		});
		const version = new URL(view.thumbnail!.src, 'http://x').searchParams.get('v')!;
		const stored = await databaseStore.get(t.db, embedThumbnailKey(view, version));
		expect((await sharp(stored!.bytes).metadata()).format).toBe('webp');

		// The video is deleted: the provider answers 404 from now on.
		routes.delete(oembed);
		const day8 = new Date('2026-12-08T10:00:00Z');
		const day15 = new Date('2026-12-15T10:00:00Z');
		expect(
			await fetchEmbed(t.db, databaseStore, fakeFetcher(routes), added.id, { now: day8 })
		).toBe('gone');
		await fetchEmbed(t.db, databaseStore, fakeFetcher(routes), added.id, { now: day15 });
		[view] = (await listEmbeds(t.db, [workId])).get(workId)!;
		expect(view).toMatchObject({ status: 'gone', title: 'Jam launch film', goneSince: day8 });
		expect(view.thumbnail).not.toBeNull();

		expect(await removeEmbed(t.db, databaseStore, userId + 1000, added.id)).toMatchObject({
			ok: false
		});
		expect(await removeEmbed(t.db, databaseStore, userId, added.id)).toEqual({ ok: true });
		expect(await databaseStore.get(t.db, embedThumbnailKey(view, version))).toBeUndefined();
	});
});
