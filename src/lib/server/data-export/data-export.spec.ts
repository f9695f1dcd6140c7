import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as accounts from '#lib/server/accounts/index.js';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import type { Db } from '#lib/server/db/connect.js';
import { exportArchive } from '#lib/server/data-export/archive.js';
import { memberDataKeys, missingFromExport } from '#lib/server/data-export/coverage.js';
import {
	lastDownload,
	releaseDownload,
	requestExport,
	startDownload
} from '#lib/server/data-export/limits.js';
import { LEFT_OUT, SECTIONS } from '#lib/server/data-export/sections.js';
import { readZip } from '#lib/server/platform/zip.js';
import { DAY_MS, MINUTE_MS } from '#lib/server/platform/time.js';

const ORIGIN = 'http://proofwork.test';
let ip = 0;

async function signUp(db: Db, handle: string) {
	const result = await accounts.signUp(db, {
		email: `${handle}@example.com`,
		handle,
		password: 'a long passphrase',
		ip: `10.1.0.${++ip}`,
		origin: ORIGIN
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	const { token } = result.value;
	// An open instance (the default) signs people in at once.
	if (token === null) throw new Error('The sign-up was held for approval.');
	return { ...result.value, token };
}

async function zipOf(db: Db, userId: number) {
	const chunks: Buffer[] = [];
	await pipeline(
		await exportArchive(db, userId, { origin: ORIGIN }),
		new Writable({
			write(chunk: Buffer, _encoding, done) {
				chunks.push(chunk);
				done();
			}
		})
	);
	const files = await readZip(Buffer.concat(chunks));
	return { files, data: JSON.parse(files.get('data.json')!.toString('utf8')) };
}

// Bytes that stand in for WebP images: the export copies them, it never decodes them.
const AVATAR_LARGE = Buffer.from('large avatar bytes');
const AVATAR_SMALL = Buffer.from('small avatar bytes');
const PREVIEW = Buffer.from('preview image bytes');

describe.each(testEngines())('data export on $name', (engine) => {
	let t: TestDatabase;
	let ann: number;
	let bob: number;
	let annSessionToken: string;
	let annWork: number;
	beforeAll(async () => {
		t = await engine.create();
		const a = await signUp(t.db, 'ann');
		const b = await signUp(t.db, 'bob');
		ann = a.user.id;
		bob = b.user.id;
		annSessionToken = a.token;
		const db = t.db;
		await db
			.updateTable('profiles')
			.set({ display_name: 'Ann Archer', headline: 'Growth marketer', bio_md: 'I run *shops*.' })
			.where('user_id', '=', ann)
			.execute();
		await db
			.insertInto('avatars')
			.values({ user_id: ann, large: AVATAR_LARGE, small: AVATAR_SMALL, etag: 'abc' })
			.execute();
		const skill = await db
			.insertInto('skills')
			.values({ name: 'Copywriting' })
			.returning('id')
			.executeTakeFirstOrThrow();
		await db
			.insertInto('profile_skills')
			.values({ user_id: ann, skill_id: skill.id, position: 0 })
			.execute();
		const work = await db
			.insertInto('work_items')
			.values({
				user_id: ann,
				title: 'Spring launch campaign',
				url: 'https://example.com/spring',
				slug: 'spring-launch-campaign',
				case_study_md: 'We doubled sign-ups.'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		annWork = work.id;
		await db
			.insertInto('work_item_skills')
			.values({ work_item_id: annWork, skill_id: skill.id })
			.execute();
		await db
			.insertInto('link_previews')
			.values({
				work_item_id: annWork,
				url: 'https://example.com/spring',
				status: 'ok',
				title: 'Spring!',
				image: PREVIEW,
				image_etag: '0123456789abcdef'
			})
			.execute();
		const account = await db
			.insertInto('network_accounts')
			.values({
				user_id: ann,
				network: 'mastodon',
				identifier: '@ann@mastodon.example',
				url: 'https://mastodon.example/@ann'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await db
			.insertInto('network_account_checks')
			.values([
				{
					account_id: account.id,
					checked_at: new Date('2026-11-01T10:00:00Z'),
					outcome: 'missing',
					profile_url: 'http://proofwork.test/@ann'
				},
				{
					account_id: account.id,
					checked_at: new Date('2026-11-02T10:00:00Z'),
					outcome: 'verified',
					profile_url: 'http://proofwork.test/@ann',
					followers: 1200
				}
			])
			.execute();
		const received = await db
			.insertInto('endorsements')
			.values({
				endorser_id: bob,
				subject_id: ann,
				relationship: 'client',
				body: 'Ann ran our spring launch.',
				work_item_id: annWork,
				status: 'hidden'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await db
			.insertInto('endorsement_skills')
			.values({ endorsement_id: received.id, skill_id: skill.id })
			.execute();
		await db
			.insertInto('endorsements')
			.values({
				endorser_id: ann,
				subject_id: bob,
				relationship: 'worked_together',
				body: 'Bob writes great copy.',
				status: 'accepted'
			})
			.execute();
		await db
			.insertInto('endorsement_reports')
			.values({ endorsement_id: received.id, reporter_id: ann, reason: 'Not my client' })
			.execute();
		const conversation = await db
			.insertInto('conversations')
			.values({
				sender_id: bob,
				recipient_id: ann,
				subject: 'A job for you',
				created_at: new Date(),
				updated_at: new Date()
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await db
			.insertInto('conversation_messages')
			.values([
				{
					conversation_id: conversation.id,
					author_id: bob,
					body: 'Are you free in May?',
					created_at: new Date('2026-11-03T10:00:00Z')
				},
				{
					conversation_id: conversation.id,
					author_id: ann,
					body: 'Yes, from the 5th.',
					created_at: new Date('2026-11-03T11:00:00Z')
				}
			])
			.execute();
		const list = await db
			.insertInto('shortlists')
			.values({ owner_id: bob, name: 'Bob private picks' })
			.returning('id')
			.executeTakeFirstOrThrow();
		await db
			.insertInto('shortlist_entries')
			.values({ shortlist_id: list.id, profile_id: ann, note: 'Bob secret note about Ann' })
			.execute();
		const annList = await db
			.insertInto('shortlists')
			.values({ owner_id: ann, name: 'Copywriters' })
			.returning('id')
			.executeTakeFirstOrThrow();
		await db
			.insertInto('shortlist_entries')
			.values({ shortlist_id: annList.id, profile_id: bob, note: 'Fast' })
			.execute();
		await db
			.insertInto('trusted_members')
			.values({ user_id: ann, reason: 'Known client, met in person', marked_by: bob })
			.execute();
	});
	afterAll(() => t.drop());

	it('accounts for every table with a user key in the live schema', async () => {
		expect(await missingFromExport(t.db)).toEqual([]);
	});

	it('finds a new table with a user key, and the tables hanging off it, until they are exported', async () => {
		await sql`create table pet_projects (id integer primary key, owner_id integer references users (id))`.execute(
			t.db
		);
		await sql`create table pet_project_notes (pet_project_id integer references pet_projects (id))`.execute(
			t.db
		);
		try {
			expect(await missingFromExport(t.db)).toEqual(['pet_project_notes', 'pet_projects.owner_id']);
			const extended = [
				...SECTIONS,
				{ key: 'pets', covers: ['pet_projects', 'pet_project_notes'], read: async () => [] }
			];
			expect(await missingFromExport(t.db, extended)).toEqual([]);
		} finally {
			await sql`drop table pet_project_notes`.execute(t.db);
			await sql`drop table pet_projects`.execute(t.db);
		}
	});

	it('names only tables that exist, so a renamed table cannot stay "covered" by a stale entry', async () => {
		const { rows } = await sql<{ name: string }>`
			select table_name as name from information_schema.tables
			where table_schema = current_schema()`.execute(t.db);
		const tables = new Set(rows.map((r) => r.name));
		const named = [...SECTIONS.flatMap((s) => s.covers), ...Object.keys(LEFT_OUT)];
		expect(named.filter((key) => !tables.has(key.split('.')[0]))).toEqual([]);
		expect(await memberDataKeys(t.db)).toContain('endorsements.subject_id');
	});

	it("zips the member's data and media, with endorsements on both sides and their status", async () => {
		const { files, data } = await zipOf(t.db, ann);
		expect(data.schema_version).toBe(1);
		expect(data.source.database_schema).toMatch(/^\d{4}_\d\d_\d\d_\d{6}_/);
		expect(data.account).toMatchObject({ handle: 'ann', email: 'ann@example.com' });
		expect(data.settings).toMatchObject({ visibility: 'public' });
		expect(data.profile).toMatchObject({
			display_name: 'Ann Archer',
			bio_md: 'I run *shops*.',
			skills: ['Copywriting'],
			avatar: { large: 'media/avatar-large.webp', small: 'media/avatar-small.webp' }
		});
		expect(data.work).toEqual([
			expect.objectContaining({
				title: 'Spring launch campaign',
				case_study_md: 'We doubled sign-ups.',
				skills: ['Copywriting'],
				link_preview: expect.objectContaining({
					title: 'Spring!',
					image: `media/previews/work-${annWork}.webp`
				})
			})
		]);
		expect(
			data.network_accounts[0].check_history.map((c: { outcome: string }) => c.outcome)
		).toEqual(['missing', 'verified']);
		expect(data.endorsements_received).toEqual([
			expect.objectContaining({
				endorser: 'bob',
				status: 'hidden',
				body: 'Ann ran our spring launch.',
				work_title: 'Spring launch campaign',
				skills: ['Copywriting']
			})
		]);
		expect(data.endorsements_written).toEqual([
			expect.objectContaining({
				endorsed: 'bob',
				status: 'accepted',
				body: 'Bob writes great copy.'
			})
		]);
		expect(data.reports_filed).toEqual([
			expect.objectContaining({ target: 'endorsement', comment: 'Not my client' })
		]);
		expect(data.messages[0]).toMatchObject({ subject: 'A job for you', sender: 'bob' });
		expect(data.messages[0].messages.map((m: { body: string }) => m.body)).toEqual([
			'Are you free in May?',
			'Yes, from the 5th.'
		]);
		expect(data.shortlists).toEqual([
			expect.objectContaining({
				name: 'Copywriters',
				entries: [expect.objectContaining({ handle: 'bob', note: 'Fast' })]
			})
		]);
		expect(data.moderation.trusted_member).toMatchObject({
			reason: 'Known client, met in person',
			marked_by: 'moderator'
		});
		expect(data.sessions.active_sessions).toHaveLength(1);
		expect(data.media.sort()).toEqual(
			[
				'media/avatar-large.webp',
				'media/avatar-small.webp',
				`media/previews/work-${annWork}.webp`
			].sort()
		);
		expect(files.get('media/avatar-large.webp')).toEqual(AVATAR_LARGE);
		expect(files.get('media/avatar-small.webp')).toEqual(AVATAR_SMALL);
		expect(files.get(`media/previews/work-${annWork}.webp`)).toEqual(PREVIEW);
	});

	it('leaves out secrets, other members’ private notes and who the moderator was', async () => {
		const { files } = await zipOf(t.db, ann);
		const json = files.get('data.json')!.toString('utf8');
		const user = await t.db
			.selectFrom('users')
			.select('password_hash')
			.where('id', '=', ann)
			.executeTakeFirstOrThrow();
		expect(json).not.toContain(user.password_hash);
		expect(json).not.toContain('password');
		expect(json).not.toContain(annSessionToken.split('.')[0]);
		expect(json).not.toContain('Bob private picks');
		expect(json).not.toContain('Bob secret note about Ann');
		expect(json).not.toContain('"marked_by": "bob"');
		const bobs = await zipOf(t.db, bob);
		expect(bobs.data.shortlists[0].entries[0]).toMatchObject({ note: 'Bob secret note about Ann' });
		expect(bobs.data.media).toEqual([]);
		expect(JSON.stringify(bobs.data)).not.toContain('Copywriters');
	});

	it('lets a member download once a day, and only after asking', async () => {
		const now = new Date('2026-12-01T09:00:00Z');
		expect(await startDownload(t.db, bob, now)).toBeNull();
		expect(await requestExport(t.db, bob, now)).toMatchObject({ ok: true });
		const later = new Date(now.getTime() + MINUTE_MS);
		// A download that failed before sending anything does not use up the day.
		const failed = await startDownload(t.db, bob, new Date(now.getTime() + 1000));
		expect(failed).toEqual(expect.any(Number));
		await releaseDownload(t.db, failed!);
		expect(await startDownload(t.db, bob, later)).toEqual(failed);
		// The same request cannot be used twice.
		expect(await startDownload(t.db, bob, later)).toBeNull();
		const refused = await requestExport(t.db, bob, new Date(now.getTime() + 3 * 60 * MINUTE_MS));
		expect(refused).toEqual({
			ok: false,
			status: 429,
			lastDownloadAt: later,
			nextAllowedAt: new Date(later.getTime() + DAY_MS)
		});
		expect(await lastDownload(t.db, bob, later)).toEqual({
			at: later,
			nextAllowedAt: new Date(later.getTime() + DAY_MS)
		});
		const nextDay = new Date(later.getTime() + DAY_MS);
		expect(await requestExport(t.db, bob, nextDay)).toMatchObject({ ok: true });
		// A request not used within ten minutes lapses.
		expect(await startDownload(t.db, bob, new Date(nextDay.getTime() + 11 * MINUTE_MS))).toBeNull();
		const asksAgain = new Date(nextDay.getTime() + 12 * MINUTE_MS);
		expect(await requestExport(t.db, bob, asksAgain)).toMatchObject({ ok: true });
		expect(await startDownload(t.db, bob, new Date(asksAgain.getTime() + MINUTE_MS))).toEqual(
			expect.any(Number)
		);
	});
});
