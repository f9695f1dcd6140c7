import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import type { Db } from '#lib/server/db/connect.js';
import * as accounts from '#lib/server/accounts/index.js';
import * as profiles from '#lib/server/profiles.js';
import { buildPublicProfile } from '#lib/server/public-profile.js';
import { listInbox } from '#lib/server/endorsements/views.js';
import { describeEndorser } from '#lib/server/endorsements/provenance.js';
import { markTrusted } from '#lib/server/trust/members.js';
import { runTrust } from '#lib/server/trust/job.js';

const DAY = 86_400_000;
let network = 0;

// Each person signs up from a network of their own unless told otherwise: accounts created
// together from one network are what the trust job groups.
async function person(db: Db, handle: string, ip = `10.${++network}.0.1`, daysAgo = 400) {
	const result = await accounts.signUp(db, {
		email: `${handle}@example.com`,
		handle,
		password: 'a long passphrase',
		ip,
		origin: 'http://x.test'
	});
	if (!result.ok) throw new Error(JSON.stringify(result.errors));
	const id = result.value.user.id;
	await profiles.updateProfile(db, id, {
		displayName: handle[0].toUpperCase() + handle.slice(1),
		headline: 'Social media manager',
		bio: '',
		location: '',
		availability: 'open_to_work',
		visibility: 'public'
	});
	const created = new Date(Date.now() - daysAgo * DAY);
	await sql`update users set created_at = ${created} where id = ${id}`.execute(db);
	return id;
}

async function endorse(
	db: Db,
	from: number,
	to: number,
	status: 'accepted' | 'pending',
	n: number
) {
	const at = new Date(Date.now() - 20 * DAY + n * 60_000);
	await db
		.insertInto('endorsements')
		.values({
			endorser_id: from,
			subject_id: to,
			relationship: 'client',
			organisation: null,
			period: null,
			work_item_id: null,
			body: `Endorsement number ${n}: ran our launch campaign and tripled sign-ups in a quarter (${from}→${to}).`,
			status,
			created_at: at,
			updated_at: at
		})
		.execute();
}

describe.each(testEngines())('endorsement provenance on $name', (engine) => {
	let t: TestDatabase;
	let maya: number;
	beforeAll(async () => {
		t = await engine.create();
		const db = t.db;
		maya = await person(db, 'maya');
		const seed = await person(db, 'olu');
		const client = await person(db, 'chen');
		await endorse(db, seed, maya, 'accepted', 1);
		await endorse(db, client, maya, 'accepted', 2);
		// Four accounts made minutes apart from one network, endorsing each other and Maya.
		const ring: number[] = [];
		for (let i = 0; i < 4; i++) ring.push(await person(db, `ring${i}`, '10.200.0.7', 3));
		let n = 10;
		for (const a of ring)
			for (const b of ring) if (a !== b) await endorse(db, a, b, 'accepted', n++);
		await endorse(db, ring[0], maya, 'accepted', n++);
		await endorse(db, ring[1], maya, 'accepted', n++);
		await endorse(db, ring[2], maya, 'pending', n);
		const marked = await markTrusted(db, 'olu', 'known to the operator');
		expect(marked.ok).toBe(true);
		await runTrust(db);
	});
	afterAll(() => t?.drop());

	it('groups a profile’s endorsements by where they come from and names who carries its trust', async () => {
		const profile = await buildPublicProfile(t.db, maya);
		expect(profile?.trust.band).not.toBe('none');
		expect(profile?.trust.carriedBy).toEqual(['Olu']);
		expect(profile?.trust.provenance).toEqual([
			'2 independent endorsers, 1 of them vouched for by others',
			'2 from one closely connected group, counted as 1'
		]);
		const kinds = Object.fromEntries(
			profile!.endorsements.map((e) => [
				e.endorser.private ? '?' : e.endorser.handle,
				e.provenance.kind
			])
		);
		expect(kinds).toEqual({ olu: 'vouched', chen: 'independent', ring0: 'group', ring1: 'group' });
	});

	it('shows the owner where a pending endorsement comes from before they accept it', async () => {
		const pending = (await listInbox(t.db, maya)).filter((e) => e.status === 'pending');
		expect(pending).toHaveLength(1);
		expect(describeEndorser(pending[0].provenance, pending[0].endorser.joinedAt)).toMatch(
			/closely connected group of 4 accounts/
		);
	});

	it('tells a newcomer that no vouches yet says nothing bad', async () => {
		const newcomer = await person(t.db, 'nia', undefined, 2);
		await runTrust(t.db);
		const profile = await buildPublicProfile(t.db, newcomer);
		expect(profile?.trust).toEqual({ band: 'none', carriedBy: [], provenance: [] });
	});
});
