import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import type { Db } from '#lib/server/db/connect.js';
import * as accounts from '#lib/server/accounts/index.js';
import * as profiles from '#lib/server/profiles.js';
import * as shortlists from '#lib/server/shortlists/index.js';

let ipCounter = 0;
async function signUp(db: Db, handle: string) {
	const result = await accounts.signUp(db, {
		email: `${handle}@example.com`,
		handle,
		password: 'a long passphrase',
		ip: `10.9.0.${++ipCounter}`,
		origin: 'http://x.test'
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	return result.value.user;
}

async function describeProfile(db: Db, userId: number, input: Partial<profiles.ProfileInput> = {}) {
	await profiles.updateProfile(db, userId, {
		displayName: null,
		headline: null,
		bio: '',
		location: null,
		availability: 'open_to_work',
		visibility: 'public',
		...input
	});
}

const save = (shortlist: string, newName = '', note = '') =>
	v.parse(shortlists.saveSchema, { shortlist, newName, note });

function nameOf(input: string) {
	const result = v.safeParse(shortlists.nameSchema, { name: input });
	return result.success ? { ok: true, name: result.output.name } : { ok: false };
}

describe.each(testEngines())('shortlists on $name', (engine) => {
	let t: TestDatabase;
	beforeAll(async () => {
		t = await engine.create();
	});
	afterAll(() => t.drop());

	it('validates names and notes: 1 to 80 characters, notes up to 1,000', () => {
		expect(nameOf('  Q3   community   hires ')).toEqual({ ok: true, name: 'Q3 community hires' });
		expect(nameOf('   ')).toEqual({ ok: false });
		expect(nameOf('x'.repeat(80)).ok).toBe(true);
		expect(nameOf('x'.repeat(81)).ok).toBe(false);
		expect(v.safeParse(shortlists.noteSchema, { note: 'n'.repeat(1000) }).success).toBe(true);
		expect(v.safeParse(shortlists.noteSchema, { note: 'n'.repeat(1001) }).success).toBe(false);
		expect(
			v.safeParse(shortlists.saveSchema, { shortlist: '1; drop', newName: '', note: '' })
		).toMatchObject({ success: false });
	});

	it('creates, renames and deletes lists; names are unique per owner without regard to case', async () => {
		const rita = await signUp(t.db, 'rita');
		const sam = await signUp(t.db, 'sam');
		const created = await shortlists.createShortlist(t.db, rita.id, 'Q3 hires');
		if (!created.ok) throw new Error('not created');
		expect(await shortlists.createShortlist(t.db, rita.id, 'q3 HIRES')).toEqual({
			ok: false,
			status: 400,
			errors: { name: 'You already have a shortlist called “Q3 hires”.' }
		});
		// Another person's list of the same name is no clash.
		expect((await shortlists.createShortlist(t.db, sam.id, 'Q3 hires')).ok).toBe(true);
		const other = await shortlists.createShortlist(t.db, rita.id, 'Backup');
		if (!other.ok) throw new Error('not created');

		expect(await shortlists.renameShortlist(t.db, rita.id, other.id, 'Q3 Hires')).toMatchObject({
			ok: false,
			status: 400
		});
		// Changing only the case of its own name is fine.
		expect(await shortlists.renameShortlist(t.db, rita.id, created.id, 'Q3 HIRES')).toEqual({
			ok: true
		});
		expect((await shortlists.listShortlists(t.db, rita.id)).map((s) => s.name)).toEqual([
			'Backup',
			'Q3 HIRES'
		]);
		expect(await shortlists.deleteShortlist(t.db, rita.id, other.id)).toBe(true);
		expect(await shortlists.deleteShortlist(t.db, rita.id, other.id)).toBe(false);
		expect((await shortlists.listShortlists(t.db, rita.id)).map((s) => s.name)).toEqual([
			'Q3 HIRES'
		]);
	});

	it('saves a profile to an existing list or to a new one named in the same form', async () => {
		const owner = await signUp(t.db, 'owner1');
		const pia = await signUp(t.db, 'pia1');
		const pat = await signUp(t.db, 'pat1');
		await describeProfile(t.db, pia.id, {
			displayName: 'Pia Santos',
			headline: 'Growth marketer',
			location: 'Porto'
		});
		await describeProfile(t.db, pat.id);

		const first = await shortlists.saveToShortlist(
			t.db,
			owner.id,
			pia.id,
			save('new', 'Newsletter writers', 'Strong on retention.')
		);
		if (!first.ok) throw new Error(JSON.stringify(first));
		expect(first.shortlist.name).toBe('Newsletter writers');
		expect(
			await shortlists.saveToShortlist(t.db, owner.id, pat.id, save(String(first.shortlist.id)))
		).toEqual({ ok: true, shortlist: first.shortlist });

		// Already there: refused, and the note written first is kept.
		expect(
			await shortlists.saveToShortlist(
				t.db,
				owner.id,
				pia.id,
				save(String(first.shortlist.id), '', 'overwrite?')
			)
		).toEqual({
			ok: false,
			status: 400,
			errors: { shortlist: 'Already on “Newsletter writers”: edit its note there.' }
		});
		// A new list whose name clashes creates nothing and saves nothing.
		expect(
			await shortlists.saveToShortlist(t.db, owner.id, pia.id, save('new', 'NEWSLETTER writers'))
		).toMatchObject({ ok: false, status: 400, errors: { newName: expect.any(String) } });
		expect(await shortlists.saveToShortlist(t.db, owner.id, pia.id, save('new', ''))).toEqual({
			ok: false,
			status: 400,
			errors: { newName: 'Name the new shortlist.' }
		});
		expect(
			(
				await shortlists.saveToShortlist(
					t.db,
					owner.id,
					pia.id,
					save(String(first.shortlist.id), 'x')
				)
			).ok
		).toBe(false);

		expect(await shortlists.listShortlists(t.db, owner.id)).toEqual([
			expect.objectContaining({ name: 'Newsletter writers', entries: 2 })
		]);
		expect(await shortlists.listsHolding(t.db, owner.id, pia.id)).toEqual([first.shortlist.id]);

		const entries = await shortlists.listEntries(t.db, owner.id, first.shortlist.id);
		expect(entries?.map((e) => [e.profile?.name, e.note])).toEqual([
			['pat1', ''],
			['Pia Santos', 'Strong on retention.']
		]);
		expect(entries?.[1].profile).toEqual({
			handle: 'pia1',
			name: 'Pia Santos',
			headline: 'Growth marketer',
			location: 'Porto',
			avatar: '/avatar-placeholder.svg'
		});

		expect(
			await shortlists.updateNote(t.db, owner.id, first.shortlist.id, pia.id, 'Call her')
		).toBe(true);
		expect(await shortlists.removeEntry(t.db, owner.id, first.shortlist.id, pat.id)).toBe(true);
		expect(await shortlists.removeEntry(t.db, owner.id, first.shortlist.id, pat.id)).toBe(false);
		expect(
			(await shortlists.listEntries(t.db, owner.id, first.shortlist.id))?.map((e) => e.note)
		).toEqual(['Call her']);

		// Deleting a list takes its entries with it.
		expect(await shortlists.deleteShortlist(t.db, owner.id, first.shortlist.id)).toBe(true);
		expect(await shortlists.listsHolding(t.db, owner.id, pia.id)).toEqual([]);
	});

	it('never lets anyone but the owner read or change a list, and changes nothing when they try', async () => {
		const owner = await signUp(t.db, 'owner2');
		const intruder = await signUp(t.db, 'intruder2');
		const pia = await signUp(t.db, 'pia2');
		await describeProfile(t.db, pia.id, { displayName: 'Pia' });
		const saved = await shortlists.saveToShortlist(
			t.db,
			owner.id,
			pia.id,
			save('new', 'Private picks', 'my note')
		);
		if (!saved.ok) throw new Error('not saved');
		const id = saved.shortlist.id;

		expect(await shortlists.getShortlist(t.db, intruder.id, id)).toBeUndefined();
		expect(await shortlists.listEntries(t.db, intruder.id, id)).toBeUndefined();
		expect(await shortlists.listShortlists(t.db, intruder.id)).toEqual([]);
		expect(await shortlists.listsHolding(t.db, intruder.id, pia.id)).toEqual([]);
		expect(await shortlists.renameShortlist(t.db, intruder.id, id, 'Mine now')).toMatchObject({
			ok: false,
			status: 404
		});
		expect(await shortlists.updateNote(t.db, intruder.id, id, pia.id, 'defaced')).toBe(false);
		expect(await shortlists.removeEntry(t.db, intruder.id, id, pia.id)).toBe(false);
		expect(
			await shortlists.saveToShortlist(t.db, intruder.id, intruder.id, save(String(id)))
		).toMatchObject({ ok: false, status: 404 });
		const other = await signUp(t.db, 'other2');
		await describeProfile(t.db, other.id);
		expect(await shortlists.saveToShortlist(t.db, intruder.id, other.id, save(String(id)))).toEqual(
			{ ok: false, status: 404, errors: { shortlist: 'Choose one of your shortlists.' } }
		);
		expect(await shortlists.deleteShortlist(t.db, intruder.id, id)).toBe(false);

		expect(await shortlists.getShortlist(t.db, owner.id, id)).toMatchObject({
			name: 'Private picks'
		});
		expect(
			(await shortlists.listEntries(t.db, owner.id, id))?.map((e) => [e.profileId, e.note])
		).toEqual([[pia.id, 'my note']]);
	});

	it('refuses private, deleted and own profiles, and hides the details of one that goes private', async () => {
		const owner = await signUp(t.db, 'owner3');
		const hidden = await signUp(t.db, 'hidden3');
		const later = await signUp(t.db, 'later3');
		const gone = await signUp(t.db, 'gone3');
		await describeProfile(t.db, hidden.id, { visibility: 'private', displayName: 'Hidden' });
		await describeProfile(t.db, later.id, {
			displayName: 'Lena Later',
			headline: 'Secret headline',
			visibility: 'unlisted'
		});
		await describeProfile(t.db, gone.id, { displayName: 'Gone' });
		const created = await shortlists.createShortlist(t.db, owner.id, 'Picks');
		if (!created.ok) throw new Error('not created');
		const list = String(created.id);

		for (const profileId of [hidden.id, owner.id, 999_999]) {
			expect(await shortlists.saveToShortlist(t.db, owner.id, profileId, save(list))).toEqual({
				ok: false,
				status: 404,
				errors: { form: 'This profile cannot be shortlisted.' }
			});
		}
		// A refused save to a new list leaves no empty list behind.
		expect(
			(await shortlists.saveToShortlist(t.db, owner.id, hidden.id, save('new', 'Ghost list'))).ok
		).toBe(false);
		expect((await shortlists.listShortlists(t.db, owner.id)).map((s) => s.name)).toEqual(['Picks']);

		// Unlisted profiles may be saved: anyone with the link can open them.
		expect(
			(await shortlists.saveToShortlist(t.db, owner.id, later.id, save(list, '', 'note'))).ok
		).toBe(true);
		expect((await shortlists.saveToShortlist(t.db, owner.id, gone.id, save(list))).ok).toBe(true);

		await describeProfile(t.db, later.id, {
			displayName: 'Lena Later',
			headline: 'Secret headline',
			visibility: 'private'
		});
		const deletion = await accounts.deleteAccount(t.db, {
			userId: gone.id,
			currentPassword: 'a long passphrase'
		});
		expect(deletion.ok).toBe(true);

		const entries = await shortlists.listEntries(t.db, owner.id, created.id);
		expect(entries).toEqual([
			{ profileId: later.id, note: 'note', addedAt: expect.any(Date), profile: null }
		]);
		const csv = shortlists.toCsv(entries!, 'https://proofwork.test');
		expect(csv).not.toContain('Lena');
		expect(csv).not.toContain('Secret');
		expect(csv).not.toContain('later3');
		expect(csv).toContain('"No longer public","","","","","note",');
	});

	it('exports CSV that spreadsheets read as text: formulas neutralised, quotes doubled', async () => {
		expect(shortlists.csvCell('=HYPERLINK("http://evil.test","x")')).toBe(
			`"'=HYPERLINK(""http://evil.test"",""x"")"`
		);
		for (const start of ['=', '+', '-', '@', '\t', '\r'])
			expect(shortlists.csvCell(`${start}1+1`)).toBe(`"'${start}1+1"`);
		expect(shortlists.csvCell('plain, with "quotes"\nand a line')).toBe(
			'"plain, with ""quotes""\nand a line"'
		);
		expect(shortlists.csvCell('a=b')).toBe('"a=b"');

		const csv = shortlists.toCsv(
			[
				{
					profileId: 7,
					note: '=cmd|" /C calc"!A0',
					addedAt: new Date('2026-11-20T23:30:00Z'),
					profile: {
						handle: 'pia',
						name: 'Pia "PJ" Santos',
						headline: '+1 growth, community',
						location: 'Porto',
						avatar: '/avatar-placeholder.svg'
					}
				}
			],
			'https://proofwork.test'
		);
		expect(csv.startsWith('\uFEFF')).toBe(true);
		expect(csv.slice(1).split('\r\n')).toEqual([
			'"name","handle","profile URL","headline","location","note","added"',
			`"Pia ""PJ"" Santos","pia","https://proofwork.test/@pia","'+1 growth, community","Porto","'=cmd|"" /C calc""!A0","2026-11-20"`,
			''
		]);
		expect(shortlists.csvFileName('Q3 hires: São Paulo!')).toBe('shortlist-q3-hires-sao-paulo.csv');
		expect(shortlists.csvFileName('✨✨')).toBe('shortlist-export.csv');
	});
});
