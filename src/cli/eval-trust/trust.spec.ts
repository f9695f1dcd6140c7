import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import { listPublicEndorsements } from '#lib/server/endorsements/views.js';
import { parseSearchParams } from '#lib/server/search/params.js';
import { searchProfiles } from '#lib/server/search/query.js';
import { markTrusted, unmarkTrusted } from '#lib/server/trust/members.js';
import { runTrust } from '#lib/server/trust/job.js';
import { checkWorld, type World } from './world.ts';
import { evaluateWorld } from './evaluate.ts';

const SPAM =
	'Can I simply say what a comfort to find an individual who really knows what they are talking about on the internet. Yoou definitely understand how to bring an issue to light and make it important. A lot more people really need to read this and understand this side of the story.';
const SKILLS = ['Social Media', 'Instagram'];
const CLIENT_BODIES: Record<string, string> = {
	client_1:
		'Ran our Instagram launch for Fernhill Tea; followers went from 4k to 19k in nine months, no paid ads.',
	client_2:
		'Planned a season of posts for our bakery and answered every comment herself. Bookings doubled.',
	client_3:
		'She rebuilt our shop’s social calendar in a week and kept it going through the winter sale.'
};

function account(
	handle: string,
	label: 'genuine' | 'abusive',
	createdDaysAgo: number,
	ip: string,
	extra: Record<string, unknown> = {}
) {
	return {
		handle,
		label,
		createdDaysAgo,
		signupAddress: ip,
		emailVerified: true,
		profile: {
			displayName: handle,
			headline:
				label === 'abusive'
					? 'Social media manager | social media manager expert'
					: 'Social media manager for shops',
			skills: SKILLS
		},
		work: [{ key: 'w', title: `Launch of ${handle} shop`, skills: ['Instagram'] }],
		...extra
	};
}

function tinyWorld(): unknown {
	const ring = ['ring_a', 'ring_b', 'ring_c', 'ring_d'];
	const body = (who: string) =>
		`Ran the Instagram launch for ${who}'s shop and grew it from 4k to 19k in nine months.`;
	return {
		format: 'proofwork-world/1',
		now: '2026-12-01T12:00:00.000Z',
		trustedHandles: ['client_1', 'client_2', 'client_3'],
		accounts: [
			account('honest', 'genuine', 400, '198.51.100.7', {
				networks: [
					{
						network: 'website',
						url: 'https://honest-shop.example.org',
						verified: true,
						verifiedDaysAgo: 30
					}
				]
			}),
			...['client_1', 'client_2', 'client_3'].map((h, i) =>
				account(h, 'genuine', 300 + i, `203.0.${113 + i}.9`, {
					profile: { displayName: h, headline: 'Founder', skills: [] },
					work: []
				})
			),
			...ring.map((h, i) =>
				account(h, 'abusive', 5 - i / 1440, '192.0.2.44', {
					networks: [
						{
							network: 'website',
							url: `https://growth-hub.example.net/p${i}`,
							verified: true,
							verifiedDaysAgo: 4
						}
					]
				})
			),
			account('flatter_1', 'abusive', 3, '100.64.1.1', { work: [] }),
			account('flatter_2', 'abusive', 3, '100.65.1.1', { work: [] })
		],
		endorsements: [
			...['client_1', 'client_2', 'client_3'].map((from) => ({
				from,
				to: 'honest',
				work: 'w',
				skills: ['Instagram'],
				relationship: 'client',
				organisation: 'Fernhill Tea',
				body: CLIENT_BODIES[from],
				daysAgo: 50,
				accepted: true
			})),
			...ring.flatMap((from, i) =>
				ring
					.filter((to) => to !== from)
					.map((to, k) => ({
						from,
						to,
						work: 'w',
						skills: ['Social Media'],
						relationship: 'client',
						organisation: 'Instagram',
						body: body(to),
						daysAgo: 4 - i * 0.01 - k * 0.001,
						accepted: true
					}))
			),
			// A compromised trusted member vouches for two of the ring.
			{
				from: 'client_1',
				to: 'ring_a',
				work: null,
				skills: ['Social Media'],
				relationship: 'client',
				organisation: null,
				body: body('a'),
				daysAgo: 1,
				accepted: true
			},
			{
				from: 'client_1',
				to: 'ring_b',
				work: null,
				skills: ['Social Media'],
				relationship: 'client',
				organisation: null,
				body: body('b'),
				daysAgo: 1,
				accepted: true
			},
			{
				from: 'flatter_1',
				to: 'honest',
				work: null,
				skills: ['Social Media'],
				relationship: 'follows_work',
				organisation: null,
				body: SPAM,
				daysAgo: 2,
				accepted: true
			},
			{
				from: 'flatter_2',
				to: 'honest',
				work: null,
				skills: ['Social Media'],
				relationship: 'follows_work',
				organisation: null,
				body: SPAM,
				daysAgo: 1.5,
				accepted: true
			}
		],
		queries: [{ q: 'social media manager' }]
	};
}

describe.each(testEngines())('trust on $name', (engine) => {
	let t: TestDatabase;
	let report: Awaited<ReturnType<typeof evaluateWorld>>;
	let world: World;

	beforeAll(async () => {
		t = await engine.create();
		const checked = checkWorld(tinyWorld());
		if (!checked.ok) throw new Error(`${checked.path}: ${checked.error}`);
		world = checked.world;
		report = await evaluateWorld(t.db, world);
	}, 120_000);
	afterAll(() => t?.drop());

	const idOf = async (handle: string) =>
		(
			await t.db
				.selectFrom('users')
				.select('id')
				.where('handle', '=', handle)
				.executeTakeFirstOrThrow()
		).id;
	const search = (q: string) =>
		searchProfiles(t.db, parseSearchParams(new URLSearchParams({ q })).query);

	it('ranks the practitioner vouched for by trusted clients above a ring that endorses itself', async () => {
		const { results } = await search('social media manager');
		expect(results[0].handle).toBe('honest');
		expect(results[0].trustBand).not.toBe('none');
		expect(
			results.filter((r) => r.handle.startsWith('ring_')).every((r) => r.trustBand === 'none')
		).toBe(true);
		expect(report.queries[0].top10[0]).toMatchObject({ handle: 'honest', label: 'genuine' });
		expect(report.totals.trustAuc).toBeGreaterThan(0.9);
	});

	it('groups the ring into one cluster, and a compromised seed lifts none of it into a band', async () => {
		const rows = await t.db
			.selectFrom('trust_scores')
			.innerJoin('users', 'users.id', 'trust_scores.user_id')
			.select(['users.handle', 'trust_scores.cluster_id', 'trust_scores.band'])
			.where('users.handle', 'like', 'ring%')
			.execute();
		expect(rows).toHaveLength(4);
		expect(new Set(rows.map((r) => r.cluster_id)).size).toBe(1);
		expect(rows[0].cluster_id).not.toBeNull();
		expect(rows.map((r) => r.band)).toEqual(['none', 'none', 'none', 'none']);
		const cluster = await t.db
			.selectFrom('trust_clusters')
			.selectAll()
			.where('id', '=', rows[0].cluster_id!)
			.executeTakeFirstOrThrow();
		expect(cluster.reasons).toContain('signup_burst');
	});

	it('stores the sign-up network hashed, the same for one /24, never the address', async () => {
		const users = await t.db.selectFrom('users').select(['handle', 'signup_network']).execute();
		const net = (h: string) => users.find((u) => u.handle === h)!.signup_network;
		expect(net('ring_a')).toBe(net('ring_b'));
		expect(net('ring_a')).not.toBe(net('honest'));
		expect(net('ring_a')).not.toContain('192.0.2');
	});

	it('counts a website on a domain several profiles share as proving nothing', async () => {
		const rows = await t.db
			.selectFrom('profile_search')
			.select(['handle', 'verified_accounts'])
			.execute();
		expect(rows.find((r) => r.handle === 'honest')!.verified_accounts).toBe(1);
		expect(rows.find((r) => r.handle === 'ring_a')!.verified_accounts).toBe(0);
	});

	it('keeps flattery pasted by several accounts off the profile even once accepted', async () => {
		const shown = await listPublicEndorsements(t.db, await idOf('honest'));
		expect(shown.map((e) => (e.endorser.private ? null : e.endorser.handle)).sort()).toEqual([
			'client_1',
			'client_2',
			'client_3'
		]);
	});

	it('changes nothing on a second run, and unmarking a seed takes its vouches away', async () => {
		const now = new Date(world.now);
		expect((await runTrust(t.db, { now })).changed).toBe(0);
		for (const h of ['client_1', 'client_2', 'client_3'])
			expect(await unmarkTrusted(t.db, h)).toBe(true);
		const after = await runTrust(t.db, { now });
		expect(after.changed).toBeGreaterThan(0);
		const { results } = await search('social media manager');
		expect(results.find((r) => r.handle === 'honest')!.trustBand).toBe('none');
		expect(await markTrusted(t.db, 'nobody_here', 'x')).toEqual({
			ok: false,
			error: 'No member has the handle @nobody_here.'
		});
	});

	it('gives every website saved without a domain its domain in one run, then changes nothing', async () => {
		// More than one page of them (10,000), as a bulk import or an old instance leaves behind.
		const owner = await idOf('client_1');
		await sql`
			insert into network_accounts (user_id, network, identifier, url, position)
			select ${owner}, 'website', 'https://site' || i || '.co.uk', 'https://www.site' || i || '.co.uk/about', 100 + i
			from generate_series(1, 10050) i`.execute(t.db);
		const now = new Date(world.now);
		await runTrust(t.db, { now });
		const left = await sql<{ n: number; sample: string | null }>`
			select count(*) filter (where site_domain is null)::int as n,
				max(site_domain) filter (where identifier = 'https://site7.co.uk') as sample
			from network_accounts where user_id = ${owner} and network = 'website'`.execute(t.db);
		expect(left.rows[0]).toEqual({ n: 0, sample: 'site7.co.uk' });
		expect((await runTrust(t.db, { now })).changed).toBe(0);
		await sql`delete from network_accounts where user_id = ${owner} and position > 100`.execute(
			t.db
		);
	}, 120_000);
});

describe('world files', () => {
	it('refuses a world naming work the person does not have, with the first offending path', () => {
		const w = tinyWorld() as { endorsements: { work: string | null }[] };
		w.endorsements[1].work = 'nope';
		expect(checkWorld(w)).toMatchObject({ ok: false, path: 'endorsements.1.work' });
	});
	it('refuses a body outside 40 to 1000 characters and a duplicate endorsement', () => {
		const short = tinyWorld() as { endorsements: { body: string }[] };
		short.endorsements[0].body = 'too short';
		expect(checkWorld(short)).toMatchObject({ ok: false, path: 'endorsements.0.body' });
		const twice = tinyWorld() as { endorsements: unknown[] };
		twice.endorsements.push(twice.endorsements[0]);
		expect(checkWorld(twice)).toMatchObject({
			ok: false,
			path: `endorsements.${twice.endorsements.length - 1}.to`
		});
	});
});
