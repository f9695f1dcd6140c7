import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import type { Db } from '#lib/server/db/connect.js';
import * as accounts from '#lib/server/accounts/index.js';
import * as networkAccounts from '#lib/server/network-accounts.js';
import * as profiles from '#lib/server/profiles.js';
import { buildPublicProfile } from '#lib/server/public-profile.js';
import { applyImport, planImport, toJsonResume } from '#lib/server/resume.js';
import * as skills from '#lib/server/skills.js';
import * as work from '#lib/server/work.js';

const schema = createRequire(import.meta.url)('@jsonresume/schema/schema.json');

let ipCounter = 0;
async function signUp(db: Db, handle: string) {
	const result = await accounts.signUp(db, {
		email: `${handle}@example.com`,
		handle,
		password: 'a long passphrase',
		ip: `10.3.0.${++ipCounter}`,
		origin: 'http://x.test'
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	return result.value.user;
}

describe.each(testEngines())('JSON Resume on $name', (engine) => {
	let t: TestDatabase;
	let exported: ReturnType<typeof toJsonResume>;
	beforeAll(async () => {
		t = await engine.create();
		const ann = await signUp(t.db, 'ann');
		await profiles.updateProfile(t.db, ann.id, {
			displayName: 'Ann Lee',
			headline: 'Shopify growth',
			bio: 'Grew **three** stores.',
			location: 'Leeds',
			availability: 'open_to_work',
			visibility: 'public'
		});
		await skills.setSkills(t.db, ann.id, ['Shopify', 'Email marketing']);
		const [shopify] = await skills.listProfileSkills(t.db, ann.id);
		await work.createWork(
			t.db,
			ann.id,
			{
				title: 'Store relaunch',
				url: 'https://shop.example/',
				role: 'Lead',
				outcome: '+40% revenue',
				happenedOn: '2025-03',
				caseStudy: ''
			},
			[shopify.id]
		);
		await networkAccounts.addAccount(t.db, ann.id, {
			network: 'github',
			address: 'ann-lee',
			followers: ''
		});
		exported = toJsonResume((await buildPublicProfile(t.db, ann.id))!, 'https://proofwork.example');
	});
	afterAll(() => t.drop());

	it('exports a document valid against the JSON Resume schema', () => {
		const ajv = new Ajv({ allErrors: true, strict: false });
		addFormats(ajv);
		const valid = ajv.validate(schema, exported);
		expect(ajv.errors ?? []).toEqual([]);
		expect(valid).toBe(true);
		expect(exported.basics).toMatchObject({
			name: 'Ann Lee',
			label: 'Shopify growth',
			url: 'https://proofwork.example/@ann',
			location: { city: 'Leeds' },
			profiles: [{ network: 'GitHub', username: 'ann-lee', url: 'https://github.com/ann-lee' }]
		});
		expect(exported.projects).toEqual([
			{
				name: 'Store relaunch',
				description: '+40% revenue',
				url: 'https://shop.example/',
				roles: ['Lead'],
				startDate: '2025-03',
				keywords: ['Shopify']
			}
		]);
		expect(exported.skills.map((s) => s.name)).toEqual(['Shopify', 'Email marketing']);
	});

	it('previews an import without saving, then merges it without overwriting', async () => {
		const bea = await signUp(t.db, 'bea');
		await profiles.updateProfile(t.db, bea.id, {
			displayName: 'Bea',
			headline: null,
			bio: '',
			location: null,
			availability: 'not_looking',
			visibility: 'public'
		});
		await skills.addSkill(t.db, bea.id, 'shopify');
		const planned = await planImport(t.db, bea.id, JSON.stringify(exported));
		expect(planned.ok).toBe(true);
		if (!planned.ok) return;
		expect(planned.plan.fields).toEqual({
			headline: 'Shopify growth',
			bio: 'Grew three stores.',
			location: 'Leeds'
		});
		expect(planned.plan.skills).toEqual(['Email marketing']);
		expect(planned.plan.work.map((w) => w.title)).toEqual(['Store relaunch']);
		expect((await buildPublicProfile(t.db, bea.id))!.work).toEqual([]);

		await applyImport(t.db, bea.id, planned.plan);
		const after = (await buildPublicProfile(t.db, bea.id))!;
		expect(after.name).toBe('Bea');
		expect(after.headline).toBe('Shopify growth');
		// Skill names are shared platform-wide, spelled as first written.
		expect(after.skills).toEqual(['Shopify', 'Email marketing']);
		expect(after.work.map((w) => [w.title, w.skills.map((s) => s.name)])).toEqual([
			['Store relaunch', ['Shopify']]
		]);
		expect(after.accounts.map((a) => a.url)).toContain('https://github.com/ann-lee');

		// Importing the same file again adds nothing.
		const again = await planImport(t.db, bea.id, JSON.stringify(exported));
		expect(again.ok && again.plan).toMatchObject({ fields: {}, skills: [], work: [] });
	});

	it('explains files it cannot read and skips entries it cannot use', async () => {
		const cy = await signUp(t.db, 'cyd');
		expect(await planImport(t.db, cy.id, '{not json')).toEqual({
			ok: false,
			error: expect.stringMatching(/not valid JSON/)
		});
		expect(await planImport(t.db, cy.id, '[1,2]')).toEqual({
			ok: false,
			error: expect.stringMatching(/JSON Resume/)
		});
		const odd = await planImport(
			t.db,
			cy.id,
			JSON.stringify({
				basics: { name: 42, profiles: [{ network: 'Twitter', url: 'javascript:alert(1)' }] },
				projects: [{ name: 'Bad link', url: 'javascript:alert(1)' }]
			})
		);
		expect(odd.ok).toBe(true);
		if (!odd.ok) return;
		expect(odd.plan.fields).toEqual({});
		expect(odd.plan.work).toEqual([]);
		expect(odd.plan.accounts).toEqual([]);
		expect(odd.plan.skipped).toHaveLength(2);
	});
});
