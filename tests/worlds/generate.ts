// `node tests/worlds/generate.ts [--seed N] [--scale K] [--out DIR]`: writes the trust evaluation
// worlds (proofwork-world/1) deterministically, so they can be rebuilt and varied (another seed or
// scale gives held-out variants of the same attacks).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

class Random {
	#s: number;
	constructor(seed: number) {
		this.#s = seed >>> 0;
	}
	next(): number {
		let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}
	int(min: number, max: number) {
		return min + Math.floor(this.next() * (max - min + 1));
	}
	chance(p: number) {
		return this.next() < p;
	}
	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)];
	}
	sample<T>(items: readonly T[], n: number): T[] {
		const copy = items.slice();
		for (let i = 0; i < Math.min(n, copy.length); i++) {
			const j = i + Math.floor(this.next() * (copy.length - i));
			[copy[i], copy[j]] = [copy[j], copy[i]];
		}
		return copy.slice(0, n);
	}
}

const AREAS = [
	{
		q: 'social media manager',
		title: 'Social media manager',
		skills: ['Social Media', 'Instagram', 'Content Strategy']
	},
	{
		q: 'community manager',
		title: 'Community manager',
		skills: ['Community Management', 'Discord', 'Moderation']
	},
	{
		q: 'copywriter',
		title: 'Copywriter',
		skills: ['Copywriting', 'Email Marketing', 'Brand Voice']
	},
	{ q: 'video editor', title: 'Video editor', skills: ['Video Editing', 'TikTok', 'YouTube'] },
	{
		q: 'seo specialist',
		title: 'SEO specialist',
		skills: ['SEO', 'Content Marketing', 'Analytics']
	}
] as const;
const FIRST = [
	'Ana',
	'Ben',
	'Chloe',
	'Dev',
	'Eli',
	'Fay',
	'Gus',
	'Hana',
	'Ivo',
	'Jo',
	'Kai',
	'Lena',
	'Milo',
	'Nia',
	'Omar',
	'Pia',
	'Quin',
	'Rosa',
	'Sami',
	'Tess',
	'Uma',
	'Vik',
	'Wren',
	'Yara',
	'Zed'
];
const LAST = [
	'Okafor',
	'Lindqvist',
	'Moreau',
	'Tanaka',
	'Haddad',
	'Novak',
	'Silva',
	'Brennan',
	'Kowalski',
	'Mensah',
	'Ortega',
	'Fischer',
	'Rahman',
	'Costa',
	'Byrne'
];
const CITIES = ['Lisbon', 'Leeds', 'Accra', 'Toronto', 'Berlin', 'Manila', 'Austin'];
const COMPANIES = [
	'Fernhill Tea',
	'Orbit Bikes',
	'Kiln & Co',
	'Northwind Books',
	'Tidal Yoga',
	'Marlow Coffee',
	'Pine Labs',
	'Saltbox Studio',
	'Hearth Bakery',
	'Lumen Optics',
	'Quarry Games',
	'Brightside Dental'
];
const SPAM =
	'Can I simply say what a comfort to find an individual who really knows what they are talking about on the internet. Yoou definitely understand how to bring an issue to light and make it important. A lot more people really need to read this and understand this side of the story. I was surprised that you are not more popular because you definitely possess the gift.';

type Json = Record<string, unknown>;

interface Options {
	seed: number;
	scale: number;
	name: string;
	guru?: boolean;
	ringsNext5?: number;
	triples?: number;
	attackEdges?: number;
	agedPuppets?: number;
	compromisedSeed?: boolean;
	flattery?: number;
}

function build(o: Options) {
	const r = new Random(o.seed);
	const accounts: Json[] = [];
	const endorsements: Json[] = [];
	const pairs = new Set<string>();
	const byHandle = new Map<string, Json>();
	let n = 0;
	const handle = (prefix: string) => `${prefix}${(n++).toString(36)}${r.int(10, 99)}`;
	const ip = () => `${r.int(11, 220)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
	const name = () => `${r.pick(FIRST)} ${r.pick(LAST)}`;
	const add = (a: Json) => {
		accounts.push(a);
		byHandle.set(a.handle as string, a);
		return a;
	};
	const skillsOf = (h: string) => ((byHandle.get(h)!.profile as Json).skills as string[]) ?? [];
	const workOf = (h: string) => (byHandle.get(h)!.work as Json[]) ?? [];
	const endorse = (e: Json) => {
		const key = `${e.from}>${e.to}`;
		if (e.from === e.to || pairs.has(key)) return false;
		const from = byHandle.get(e.from as string)!;
		const to = byHandle.get(e.to as string)!;
		const latest = Math.min(from.createdDaysAgo as number, to.createdDaysAgo as number);
		if ((e.daysAgo as number) > latest)
			e.daysAgo = Math.max(0, latest - r.next() * Math.min(latest, 5));
		pairs.add(key);
		endorsements.push(e);
		return true;
	};
	// People write their own words: openings, specifics and figures vary, so honest texts are not
	// near-copies of each other (copy-paste flattery is; the app flags copies across endorsers).
	const specificBody = (to: string, skill: string, work: Json | null) => {
		const month = r.pick(['January', 'March', 'May', 'July', 'September', 'November']);
		const opening = work
			? `${r.pick(['Worked with', 'Hired', 'Brought in', 'Commissioned', 'Partnered with'])} them on ${work.title as string} in ${month}: ${r.pick(['they planned it end to end', 'their weekly reports were clear', 'they handled a crisis on day two', 'the numbers moved within a month', 'they trained two of our staff', 'they rewrote the brief with us'])}. `
			: `${r.pick(['Since', 'From', 'Starting in', 'Back in'])} ${month} ${r.pick(['we shared a client', 'we ran a campaign together', 'I managed their account', 'they helped my team'])}. `;
		const a = r.int(2, 40);
		const b = a + r.int(3, 60);
		return `${opening}Their ${skill.toLowerCase()} work ${r.pick([`grew our audience from ${a}k to ${b}k in ${r.int(3, 14)} months`, `cut our reply time to under ${r.int(1, 6)} hours`, `lifted newsletter clicks by ${r.int(20, 180)} percent`, `got us ${r.int(1, 5)} brand partnerships`, `kept a ${a}k-member server calm through a launch`, `brought ${r.int(50, 900)} pre-orders for ${r.pick(COMPANIES)}`])}${r.pick([', no paid ads.', '.', ' on a tiny budget.', ' with almost no spend.'])}`;
	};

	// Genuine practitioners, a few newcomers with real work, and their clients.
	const practitioners: { h: string; area: number }[] = [];
	const perArea = Math.round(14 * o.scale);
	for (const [area, spec] of AREAS.entries()) {
		for (let i = 0; i < perArea + 2; i++) {
			const newcomer = i >= perArea;
			const h = handle('p');
			const created = newcomer ? r.int(2, 20) : r.int(200, 1500);
			const work = Array.from({ length: r.int(2, 4) }, (_, k) => ({
				key: `w${k}`,
				title: `${r.pick(['Launch of', 'Relaunch of', 'Season plan for', 'Rebrand of'])} ${r.pick(COMPANIES)} ${r.pick(['campaign', 'channel', 'newsletter', 'community', 'site'])}`,
				url: `https://${h}.example.com/work/${k}`,
				role: 'Lead',
				outcome: `${r.int(2, 9)}x reach in ${r.int(3, 12)} months`,
				date: `20${r.int(22, 26)}-0${r.int(1, 9)}`,
				skills: r.sample(spec.skills, 2)
			}));
			add({
				handle: h,
				label: 'genuine',
				createdDaysAgo: created,
				signupAddress: ip(),
				emailVerified: true,
				profile: {
					displayName: name(),
					headline: `${spec.title} for ${r.pick(['independent brands', 'nonprofits', 'small shops', 'game studios'])}`,
					bio: `I work with small teams on ${spec.skills[0].toLowerCase()} and ${spec.skills[1].toLowerCase()}.`,
					location: r.pick(CITIES),
					availability: r.pick(['open_to_work', 'open_to_freelance', 'not_looking']),
					visibility: 'public',
					skills: [...spec.skills]
				},
				work,
				networks: [
					{
						network: 'website',
						url: `https://${h}.example.com`,
						verified: r.chance(0.6),
						verifiedDaysAgo: Math.min(created, 30),
						followers: null,
						accountCreatedDaysAgo: null
					},
					...(r.chance(0.5)
						? [
								{
									network: 'mastodon',
									url: `https://mastodon.social/@${h}`,
									verified: true,
									verifiedDaysAgo: Math.min(created, 10),
									followers: r.int(100, 5000),
									accountCreatedDaysAgo: r.int(300, 2500)
								}
							]
						: [])
				]
			});
			practitioners.push({ h, area });
		}
	}
	const clients: string[] = [];
	const clientCount = Math.round(practitioners.length * 2.2);
	for (let i = 0; i < clientCount; i++) {
		const h = handle('c');
		const created = r.int(60, 2500);
		add({
			handle: h,
			label: 'genuine',
			createdDaysAgo: created,
			signupAddress: ip(),
			emailVerified: r.chance(0.9),
			profile: {
				displayName: name(),
				headline: `Founder at ${r.pick(COMPANIES)}`,
				bio: '',
				location: r.pick(CITIES),
				availability: 'not_looking',
				visibility: 'public',
				skills: []
			},
			work: [],
			networks: r.chance(0.35)
				? [
						{
							network: 'github',
							url: `https://github.com/${h}`,
							verified: true,
							verifiedDaysAgo: Math.min(created, 20),
							followers: r.int(5, 400),
							accountCreatedDaysAgo: r.int(200, 4000)
						}
					]
				: []
		});
		clients.push(h);
	}
	const trusted = r.sample(clients, Math.round(clients.length * 0.15));
	// Clients endorse one to three practitioners, mostly of one area; newcomers get at most one.
	for (const c of clients) {
		const area = r.int(0, AREAS.length - 1);
		const pool = practitioners.filter((p) => p.area === area || r.chance(0.1));
		for (const p of r.sample(pool, r.int(1, 3))) {
			const to = byHandle.get(p.h)!;
			if ((to.createdDaysAgo as number) < 30 && endorsements.some((e) => e.to === p.h)) continue;
			const work = r.chance(0.7) ? r.pick(workOf(p.h)) : null;
			const skill = r.pick(skillsOf(p.h));
			endorse({
				from: c,
				to: p.h,
				work: work ? work.key : null,
				skills: [skill],
				relationship: 'client',
				organisation: r.pick(COMPANIES),
				period: '2025',
				body: specificBody(p.h, skill, work),
				daysAgo: r.int(1, 400),
				accepted: true
			});
		}
	}
	// Colleagues: some practitioners vouch for peers in their area, a few both ways.
	for (const p of practitioners) {
		if (!r.chance(0.4)) continue;
		const peer = r.pick(practitioners.filter((q) => q.area === p.area && q.h !== p.h));
		const skill = r.pick(skillsOf(peer.h));
		if (
			endorse({
				from: p.h,
				to: peer.h,
				work: null,
				skills: [skill],
				relationship: 'worked_together',
				organisation: null,
				period: null,
				body: specificBody(peer.h, skill, null),
				daysAgo: r.int(1, 300),
				accepted: true
			}) &&
			r.chance(0.3)
		) {
			const back = r.pick(skillsOf(p.h));
			endorse({
				from: peer.h,
				to: p.h,
				work: null,
				skills: [back],
				relationship: 'worked_together',
				organisation: null,
				period: null,
				body: specificBody(p.h, back, null),
				daysAgo: r.int(0, 100),
				accepted: true
			});
		}
	}
	trusted.push(
		...r.sample(
			practitioners
				.filter((p) => (byHandle.get(p.h)!.createdDaysAgo as number) > 100)
				.map((p) => p.h),
			3
		)
	);

	// Abusers: keyword-stuffed profiles, free work items and self-made evidence.
	const abuser = (area: number, created: number, address: string, extra: Partial<Json> = {}) => {
		const spec = AREAS[area];
		const h = handle('x');
		return add({
			handle: h,
			label: 'abusive',
			createdDaysAgo: created,
			signupAddress: address,
			emailVerified: true,
			profile: {
				displayName: name(),
				headline: `${spec.title} | ${spec.q} expert | top ${spec.q} | ${spec.skills.join(' | ')}`,
				bio: `${spec.q} ${spec.q} ${spec.skills.join(' ')} guru`,
				location: r.pick(CITIES),
				availability: 'open_to_work',
				visibility: 'public',
				skills: [...spec.skills]
			},
			work: [
				{
					key: 'w0',
					title: `${spec.title} mega campaign`,
					url: null,
					role: 'Lead',
					outcome: '10M reach',
					date: '2026-01',
					skills: [spec.skills[0]]
				}
			],
			networks: [],
			...extra
		}).handle as string;
	};
	const ringEndorse = (from: string, to: string, daysAgo: number, orgFromText = false) => {
		const skill = r.pick(skillsOf(to));
		const body = specificBody(to, skill, null);
		endorse({
			from,
			to,
			work: r.chance(0.5) ? 'w0' : null,
			skills: [skill],
			relationship: r.pick(['client', 'worked_together', 'collaborated']),
			organisation: orgFromText ? body.split(' ')[3] : r.pick(COMPANIES),
			period: '2026',
			body,
			daysAgo,
			accepted: true
		});
	};
	const rings: string[][] = [];
	if (o.guru) {
		// 12 accounts, one address, 22 minutes of sign-ups; each endorses all others over the days
		// the new-account limit (5 a day) allows; shared-domain "verified" websites, bought followers.
		const address = ip();
		const start = 10;
		const ring = Array.from({ length: 12 }, (_, i) =>
			abuser(0, start - (i * 2) / (24 * 60), address, {
				networks: [
					{
						network: 'website',
						url: `https://growth-hub.example.net/p${i % 4}`,
						verified: true,
						verifiedDaysAgo: 9,
						followers: null,
						accountCreatedDaysAgo: null
					},
					{
						network: 'instagram',
						url: `https://instagram.com/guru${i}${o.seed}`,
						verified: true,
						verifiedDaysAgo: 9,
						followers: 250_000,
						accountCreatedDaysAgo: null
					}
				]
			})
		);
		for (const [i, from] of ring.entries()) {
			let k = 0;
			for (const to of ring)
				if (to !== from)
					ringEndorse(from, to, 9.9 - Math.floor(k / 5) - (k++ % 5) * 0.01 - i * 0.0001, true);
		}
		rings.push(ring);
	}
	for (let g = 0; g < (o.ringsNext5 ?? 0); g++) {
		const area = g % AREAS.length;
		const ring = Array.from({ length: 15 }, () => abuser(area, r.int(20, 40), ip()));
		for (const [i, from] of ring.entries())
			for (let k = 1; k <= 5; k++) ringEndorse(from, ring[(i + k) % ring.length], r.int(1, 15));
		rings.push(ring);
	}
	for (let g = 0; g < (o.triples ?? 0); g++) {
		const area = g % AREAS.length;
		const base = r.int(15, 60);
		const ring = [0, 1, 2].map(() => abuser(area, base + r.next(), ip()));
		for (let i = 0; i < 3; i++) ringEndorse(ring[i], ring[(i + 1) % 3], r.int(1, 10));
		rings.push(ring);
	}
	for (let g = 0; g < (o.agedPuppets ?? 0); g++) {
		// A farm of old, dormant accounts with old verified network accounts, woken up to endorse.
		const area = g % AREAS.length;
		const ring = Array.from({ length: 6 }, () => {
			const created = r.int(700, 1400);
			return abuser(area, created, ip(), {
				networks: [
					{
						network: 'github',
						url: `https://github.com/${handle('gh')}`,
						verified: true,
						verifiedDaysAgo: 5,
						followers: r.pick([1000, 5000, 10000]),
						accountCreatedDaysAgo: created + r.int(10, 300)
					}
				]
			});
		});
		for (const [i, from] of ring.entries())
			for (let k = 1; k <= 2; k++) ringEndorse(from, ring[(i + k) % ring.length], r.int(1, 5));
		rings.push(ring);
	}
	// Attack edges: honest practitioners endorse back ring members who endorsed them first.
	for (let k = 0; k < (o.attackEdges ?? 0) && rings.length; k++) {
		const ring = rings[k % rings.length];
		const member = ring[k % ring.length];
		const victim = r.pick(
			practitioners.filter((p) => (byHandle.get(p.h)!.createdDaysAgo as number) > 100)
		).h;
		const skill = r.pick(skillsOf(victim));
		endorse({
			from: member,
			to: victim,
			work: null,
			skills: [skill],
			relationship: 'collaborated',
			organisation: null,
			period: null,
			body: specificBody(victim, skill, null),
			daysAgo: 3,
			accepted: true
		});
		ringEndorse(victim, member, 2);
	}
	if (o.compromisedSeed && rings.length) {
		const seed = trusted[0];
		for (const member of rings[0].slice(0, 3)) ringEndorse(seed, member, 1);
	}
	for (let k = 0; k < (o.flattery ?? 0); k++) {
		// Burst accounts pasting the same compliment on genuine profiles, which their owners accept.
		const address = ip();
		const h = add({
			handle: handle('f'),
			label: 'abusive',
			createdDaysAgo: 3 + k / 1440,
			signupAddress: address,
			emailVerified: true,
			profile: {
				displayName: name(),
				headline: `${AREAS[0].title} growth hacker`,
				bio: '',
				location: null,
				availability: 'open_to_work',
				visibility: 'public',
				skills: [...AREAS[0].skills]
			},
			work: [],
			networks: []
		}).handle as string;
		for (const p of r.sample(practitioners, 3))
			endorse({
				from: h,
				to: p.h,
				work: null,
				skills: [r.pick(skillsOf(p.h))],
				relationship: 'follows_work',
				organisation: null,
				period: null,
				body: SPAM,
				daysAgo: 2 - k * 0.01,
				accepted: true
			});
	}

	// Abusive endorsements the app refuses (e.g. by its new-account limits) are simply left out of
	// the world by nothing here: the loader reports them.
	return {
		format: 'proofwork-world/1',
		now: '2026-12-01T12:00:00.000Z',
		trustedHandles: trusted,
		accounts,
		endorsements,
		queries: AREAS.map((a): { q: string; skills: string[]; location: string } => ({
			q: a.q,
			skills: [],
			location: ''
		})).concat([
			{ q: '', skills: [AREAS[0].skills[0]], location: '' },
			{ q: 'social media', skills: [], location: '' }
		])
	};
}

const { values } = parseArgs({
	options: {
		seed: { type: 'string', default: '12' },
		scale: { type: 'string', default: '1' },
		out: { type: 'string', default: path.dirname(new URL(import.meta.url).pathname) }
	}
});
const seed = Number(values.seed);
const scale = Number(values.scale);
const worlds: Options[] = [
	{ seed, scale, name: 'guru', guru: true, flattery: 4 },
	{ seed: seed + 1, scale, name: 'rings', ringsNext5: 3, triples: 5 },
	{
		seed: seed + 2,
		scale,
		name: 'attack-edges',
		ringsNext5: 2,
		triples: 3,
		guru: true,
		attackEdges: 3
	},
	{ seed: seed + 3, scale, name: 'aged-puppets', agedPuppets: 4, triples: 2 },
	{
		seed: seed + 4,
		scale,
		name: 'compromised-seed',
		ringsNext5: 2,
		guru: true,
		compromisedSeed: true,
		flattery: 3
	}
];
// A new folder for held-out worlds is made as needed.
fs.mkdirSync(values.out!, { recursive: true });
for (const w of worlds) {
	const file = path.join(values.out!, `${w.name}.json`);
	fs.writeFileSync(file, JSON.stringify(build(w)) + '\n');
	console.log(`wrote ${file}`);
}
