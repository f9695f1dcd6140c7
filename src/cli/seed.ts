// `npm run seed -- --profiles N [--endorsements-per-profile E] [--seed S] [--reset]`: fills
// DATABASE_URL, or the PGlite database, with N realistic, deterministic practitioner profiles and
// about N × E peer endorsements between them, and builds their search rows, for demos and benchmarks.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createDatabase, engineOf, type Db, type Executor } from '#lib/server/db/connect.js';
import { migrateToLatest } from '#lib/server/db/migrate.js';
import type { Availability, Visibility } from '#lib/server/db/schema.js';
import { hashPassword } from '#lib/server/auth/password.js';
import { HANDLE_PATTERN, RESERVED_HANDLES } from '#lib/server/auth/validation.js';
import type { Relationship } from '#lib/server/endorsements/rules.js';
import { normalizeAccount, type Network } from '#lib/server/networks.js';
import { siteDomainOf } from '#lib/server/network-accounts.js';
import { slugify } from '#lib/server/work.js';
import { refreshSearchDocuments } from '#lib/server/search/projection.js';
import {
	closeLedger,
	copyWriter,
	dropSecondaryIndexes,
	inPairs,
	insertWriter,
	pendingIndexes,
	restoreIndexes,
	Rows,
	type TableSpec,
	vacuumTables,
	type Writer
} from './seed-load.ts';

export const SEED_PASSWORD = 'proofwork-seed-password';
// Profiles per transaction: large enough to amortise round trips, small enough for PGlite's memory.
const BATCH_SIZE = 2_500;
const DAY_MS = 86_400_000;
// Endorsements per transaction, about: the people endorsed in one go times the mean each gets.
const ENDORSEMENT_BATCH_SIZE = 25_000;
// Search rows are rebuilt per chunk of people, each chunk one statement.
const SEARCH_CHUNK_SIZE = 5_000;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness (mulberry32): the same seed always draws the same sequence.

export class Random {
	#state: number;

	constructor(seed: number) {
		this.#state = seed >>> 0;
	}

	next(): number {
		let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	chance(p: number): boolean {
		return this.next() < p;
	}

	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)];
	}

	/** `n` distinct items, in random order. */
	sample<T>(items: readonly T[], n: number): T[] {
		const copy = items.slice();
		const count = Math.min(n, copy.length);
		for (let i = 0; i < count; i++) {
			const j = i + Math.floor(this.next() * (copy.length - i));
			[copy[i], copy[j]] = [copy[j], copy[i]];
		}
		return copy.slice(0, count);
	}

	/** Spread evenly across orders of magnitude, like follower counts and budgets are. */
	logUniform(min: number, max: number): number {
		return Math.round(Math.exp(Math.log(min) + this.next() * (Math.log(max) - Math.log(min))));
	}

	chars(alphabet: string, length: number): string {
		let out = '';
		for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
		return out;
	}
}

/** A list written as text, so that long tables stay compact: items split on ';' or else ','. */
function list(text: string): string[] {
	return text
		.split(text.includes(';') ? ';' : ',')
		.map((item) => item.replace(/\s+/g, ' ').trim())
		.filter(Boolean);
}

// ---------------------------------------------------------------------------------------------
// Names and places. Each culture's names and cities go together most of the time.

interface Culture {
	first: string[];
	last: string[];
	cities: string[];
}

const CULTURES: Culture[] = [
	{
		first: list(`
			Emma, Oliver, Charlotte, Jack, Amelia, Harry, Grace, Noah, Ella, Liam, Chloe, Ethan,
			Hannah, Ryan, Megan, Tyler, Abby, Connor, Sophie, Mason
		`),
		last: list(`
			Smith, Johnson, Williams, Brown, Taylor, Walker, Wright, Thompson, Hughes, Murphy,
			Kelly, Bennett, Carter, Foster, Reid, Campbell, Parker, Turner, Collins, Morgan
		`),
		cities: list(`
			London, UK; Manchester, UK; Bristol, UK; Dublin, Ireland; Edinburgh, UK; New York, NY;
			Austin, TX; Chicago, IL; Denver, CO; Portland, OR; Sydney, Australia; Melbourne,
			Australia; Auckland, New Zealand; Toronto, Canada; Vancouver, Canada
		`)
	},
	{
		first: list(`
			Sofía, Mateo, Valentina, Santiago, Camila, Diego, Lucía, Alejandro, Isabella, Javier,
			Daniela, Andrés, Mariana, Carlos, Paula, Emiliano, Ximena, Joaquín, Renata, Tomás
		`),
		last: list(`
			García, Rodríguez, Martínez, Hernández, López, González, Pérez, Sánchez, Ramírez,
			Torres, Flores, Rivera, Gómez, Díaz, Morales, Castillo, Ortiz, Vargas, Romero, Herrera
		`),
		cities: list(`
			Mexico City, Mexico; Guadalajara, Mexico; Bogotá, Colombia; Medellín, Colombia; Buenos
			Aires, Argentina; Santiago, Chile; Lima, Peru; Madrid, Spain; Barcelona, Spain;
			Valencia, Spain; Miami, FL; Los Angeles, CA
		`)
	},
	{
		first: list(`
			Ana, João, Beatriz, Gabriel, Larissa, Rafael, Fernanda, Lucas, Juliana, Thiago, Mariana,
			Pedro, Letícia, Bruno, Carolina, Felipe
		`),
		last: list(`
			Silva, Santos, Oliveira, Souza, Costa, Pereira, Almeida, Ferreira, Carvalho, Ribeiro,
			Lima, Araújo, Barbosa, Rocha, Monteiro, Cardoso
		`),
		cities: list(`
			São Paulo, Brazil; Rio de Janeiro, Brazil; Belo Horizonte, Brazil; Curitiba, Brazil;
			Porto Alegre, Brazil; Lisbon, Portugal; Porto, Portugal
		`)
	},
	{
		first: list(`
			Chiamaka, Emeka, Ngozi, Tunde, Adaeze, Oluwaseun, Funmilayo, Chinedu, Amara, Kwame,
			Akosua, Kofi, Ama, Yaw, Efua, Ifeoma, Babajide, Zainab, Tobi, Nkechi
		`),
		last: list(`
			Okafor, Adeyemi, Okonkwo, Balogun, Eze, Nwosu, Adebayo, Obi, Mensah, Asante, Boateng,
			Owusu, Danso, Ogunleye, Chukwu, Afolabi, Oyelaran, Acheampong
		`),
		cities: list(`
			Lagos, Nigeria; Abuja, Nigeria; Port Harcourt, Nigeria; Ibadan, Nigeria; Accra, Ghana;
			Kumasi, Ghana; London, UK; Houston, TX
		`)
	},
	{
		first: list(`
			Wanjiru, Kamau, Achieng, Otieno, Amina, Baraka, Neema, Juma, Thandiwe, Sipho, Lerato,
			Thabo, Naledi, Mandla, Selam, Dawit, Hana, Yonas
		`),
		last: list(`
			Mwangi, Njoroge, Odhiambo, Kiprop, Mutua, Wambui, Nkosi, Dlamini, Ndlovu, Khumalo,
			Mokoena, Tesfaye, Bekele, Haile, Mengistu, Ochieng
		`),
		cities: list(`
			Nairobi, Kenya; Mombasa, Kenya; Kampala, Uganda; Kigali, Rwanda; Dar es Salaam,
			Tanzania; Johannesburg, South Africa; Cape Town, South Africa; Durban, South Africa;
			Addis Ababa, Ethiopia
		`)
	},
	{
		first: list(`
			Priya, Arjun, Ananya, Rohan, Kavya, Vikram, Sneha, Aditya, Meera, Karthik, Ishita,
			Rahul, Divya, Siddharth, Pooja, Nikhil, Aisha, Imran, Sana, Farhan, Nusrat, Tanvir
		`),
		last: list(`
			Sharma, Patel, Iyer, Reddy, Nair, Gupta, Mehta, Kapoor, Rao, Menon, Desai, Chatterjee,
			Banerjee, Joshi, Malhotra, Khan, Qureshi, Siddiqui, Rahman, Hossain, Chowdhury
		`),
		cities: list(`
			Bengaluru, India; Mumbai, India; Delhi, India; Hyderabad, India; Pune, India; Chennai,
			India; Karachi, Pakistan; Lahore, Pakistan; Dhaka, Bangladesh; Dubai, UAE; Leicester,
			UK; Jersey City, NJ
		`)
	},
	{
		first: list(`
			Wei, Jing, Hao, Xiaoling, Yu, Mei, Jun, Lin, Hiroshi, Yuki, Haruto, Sakura, Ren, Aoi,
			Minjun, Jiwoo, Seoyeon, Hyunwoo, Jisoo, Daeho
		`),
		last: list(`
			Wang, Li, Zhang, Liu, Chen, Yang, Huang, Zhou, Wu, Tanaka, Suzuki, Takahashi, Watanabe,
			Sato, Kim, Lee, Park, Choi, Jung, Kang
		`),
		cities: list(`
			Shanghai, China; Shenzhen, China; Hong Kong; Taipei, Taiwan; Singapore; Tokyo, Japan;
			Osaka, Japan; Seoul, South Korea; Busan, South Korea; San Francisco, CA; Vancouver,
			Canada
		`)
	},
	{
		first: list(`
			Linh, Minh, Thao, Duc, Huong, Quang, Maria, Jose, Angelica, Mark, Kristine, Paolo,
			Putri, Budi, Dewi, Agus, Siti, Arif, Nurul, Somchai, Ploy
		`),
		last: list(`
			Nguyễn, Trần, Lê, Phạm, Hoàng, Vũ, Santos, Reyes, Cruz, Bautista, Mendoza, Villanueva,
			Wijaya, Santoso, Halim, Pratama, Kurniawan, Ismail, Tan, Srisuk
		`),
		cities: list(`
			Ho Chi Minh City, Vietnam; Hanoi, Vietnam; Manila, Philippines; Cebu, Philippines;
			Jakarta, Indonesia; Bali, Indonesia; Kuala Lumpur, Malaysia; Bangkok, Thailand;
			Singapore
		`)
	},
	{
		first: list(`
			Omar, Layla, Yousef, Nour, Karim, Rania, Hassan, Mariam, Tariq, Salma, Ali, Dina, Elif,
			Emre, Zeynep, Burak, Ayşe, Can, Dariush, Shirin, Reza, Nazanin
		`),
		last: list(`
			Haddad, Khalil, Mansour, Nasser, Saleh, Aziz, Farouk, Hamdan, El-Sayed, Youssef, Yılmaz,
			Kaya, Demir, Şahin, Çelik, Öztürk, Karimi, Hosseini, Rahimi, Tehrani
		`),
		cities: list(`
			Cairo, Egypt; Amman, Jordan; Beirut, Lebanon; Dubai, UAE; Riyadh, Saudi Arabia;
			Casablanca, Morocco; Istanbul, Turkey; Izmir, Turkey; Berlin, Germany; Toronto, Canada
		`)
	},
	{
		first: list(`
			Anna, Jakub, Zofia, Łukasz, Katarzyna, Piotr, Olena, Dmytro, Iryna, Andriy, Tereza,
			Tomáš, Petra, Mihai, Ioana, Elena, Nikola, Milica, Luka, Ivana
		`),
		last: list(`
			Kowalski, Nowak, Wiśniewska, Wójcik, Lewandowski, Shevchenko, Kovalenko, Bondarenko,
			Novák, Svoboda, Dvořák, Popescu, Ionescu, Petrović, Jovanović, Horvat, Kovač, Marić
		`),
		cities: list(`
			Warsaw, Poland; Kraków, Poland; Wrocław, Poland; Kyiv, Ukraine; Lviv, Ukraine; Prague,
			Czechia; Bucharest, Romania; Belgrade, Serbia; Zagreb, Croatia; Berlin, Germany
		`)
	},
	{
		first: list(`
			Lena, Jonas, Mia, Felix, Lea, Lukas, Sanne, Daan, Femke, Bram, Freja, Magnus, Ingrid,
			Søren, Astrid, Elias, Saara, Mikko, Clara, Niklas
		`),
		last: list(`
			Müller, Schmidt, Schneider, Fischer, Weber, Wagner, Becker, de Vries, Jansen, van Dijk,
			Bakker, Visser, Hansen, Nielsen, Johansson, Andersson, Lindqvist, Berg, Virtanen,
			Korhonen
		`),
		cities: list(`
			Berlin, Germany; Hamburg, Germany; Munich, Germany; Vienna, Austria; Zürich,
			Switzerland; Amsterdam, Netherlands; Rotterdam, Netherlands; Copenhagen, Denmark;
			Stockholm, Sweden; Oslo, Norway; Helsinki, Finland
		`)
	},
	{
		first: list(`
			Chloé, Louis, Camille, Hugo, Manon, Théo, Inès, Arthur, Giulia, Lorenzo, Chiara, Matteo,
			Francesca, Alessandro, Martina, Davide, Zoë, Léa
		`),
		last: list(`
			Martin, Bernard, Dubois, Moreau, Laurent, Lefèvre, Fontaine, Rousseau, Rossi, Russo,
			Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Greco, Conti
		`),
		cities: list(`
			Paris, France; Lyon, France; Marseille, France; Bordeaux, France; Brussels, Belgium;
			Montréal, Canada; Milan, Italy; Rome, Italy; Turin, Italy; Bologna, Italy
		`)
	}
];

const REMOTE_LOCATIONS = list(`
	Remote, Remote · Europe, Remote · Americas, Remote · worldwide, Remote (UTC+1), Remote
	(UTC−5)
`);

const LETTER_FIXES: Record<string, string> = {
	ø: 'o',
	ł: 'l',
	ß: 'ss',
	æ: 'ae',
	đ: 'd',
	ı: 'i'
};

/** The letters of a name as a handle can hold them: "Nguyễn" → "nguyen", "Søren" → "soren". */
function asciiLetters(name: string): string {
	return name
		.toLowerCase()
		.replace(/[øłßæđı]/g, (c) => LETTER_FIXES[c])
		.normalize('NFKD')
		.replace(/[^a-z]/g, '');
}

// ---------------------------------------------------------------------------------------------
// What people do. Each kind of practitioner brings its own skills, headlines, work and channels.

const BRANDS = list(`
	Lumen Skincare, Kettle & Crumb, Northbound Supply, Fernway Outdoor, Mola Coffee,
	Tidepool Swim, Harbor Pet Co, Saltwater Candles, Oak & Otter, Pocket Yoga, Brightside
	Snacks, Copperleaf Tea, Velo Threads, Juniper Home, Atlas Running, Marigold Beauty,
	Sunday Sourdough, Nimbus Audio, Wildgrain Kitchen, Kinfolk Kids, Pebble & Pine, Ritual
	Roasters, Halcyon Sleep, Bloomfield Florals, Cedar Camp, Solstice Eyewear, Paloma
	Jewelry, Urban Sprout, Driftwood Denim, Nova Supplements, Maple Street Books, Terra
	Ceramics, Luna Lingerie, Grove Haircare, Bolt Bikes, Fable Games, Kiwi Kombucha, Sable
	Leather, Aurora Fitness, Cobalt Cookware, Mango Mornings, Petal & Stem, Quarry Climbing,
	Sprig Baby, Tandem Travel, Verde Plants, Woolly Socks, Zest Hot Sauce, Hearth Bakeware,
	Orbit Toys
`);

interface WorkTemplate {
	title: (brand: string, r: Random) => string;
	outcome: (r: Random) => string;
}

interface Archetype {
	roles: string[];
	skills: string[];
	achievements: ((r: Random) => string)[];
	bio: ((r: Random) => string)[];
	work: WorkTemplate[];
	workRoles: string[];
	urls: ((r: Random, brand: string, slug: string, handle: string) => string)[];
	networks: Network[];
}

function money(amount: number): string {
	if (amount >= 1_000_000) return `$${Number((amount / 1_000_000).toFixed(1))}M`;
	if (amount >= 1_000) return `$${Math.round(amount / 1_000)}k`;
	return `$${amount}`;
}

function count(n: number): string {
	if (n >= 1_000_000) return `${Number((n / 1_000_000).toFixed(1))}M`;
	if (n >= 10_000) return `${Math.round(n / 1_000)}k`;
	return n.toLocaleString('en-US');
}

function domainOfBrand(brand: string): string {
	return brand.toLowerCase().replace(/[^a-z0-9]/g, '') + '.com';
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const brandSite = (r: Random, brand: string, slug: string) =>
	r.chance(0.5)
		? `https://www.${domainOfBrand(brand)}/pages/${slug}`
		: `https://${domainOfBrand(brand)}/blogs/news/${slug}`;
const tiktokVideo = (r: Random, brand: string) =>
	`https://www.tiktok.com/@${domainOfBrand(brand).slice(0, -4)}/video/7${r.chars('0123456789', 18)}`;
const instagramReel = (r: Random) => `https://www.instagram.com/reel/C${r.chars(BASE62, 10)}/`;
const youtubeVideo = (r: Random) => `https://www.youtube.com/watch?v=${r.chars(BASE62, 11)}`;
const substackPost = (_r: Random, _brand: string, slug: string, handle: string) =>
	`https://${handle.replace(/_/g, '')}.substack.com/p/${slug}`;
const linkedinPost = (r: Random, _brand: string, slug: string, handle: string) =>
	`https://www.linkedin.com/pulse/${slug}-${handle.replace(/_/g, '-')}-${r.chars('abcdefghijklmnopqrstuvwxyz0123456789', 5)}/`;
const notionCaseStudy = (r: Random, _brand: string, slug: string, handle: string) =>
	`https://${handle.replace(/_/g, '-')}.notion.site/${slug}-${r.chars('0123456789abcdef', 32)}`;
const behanceGallery = (r: Random, _brand: string, slug: string) =>
	`https://www.behance.net/gallery/${r.int(100_000_000, 199_999_999)}/${slug}`;
const githubRepo = (_r: Random, _brand: string, slug: string, handle: string) =>
	`https://github.com/${handle.replace(/_/g, '-')}/${slug}`;

const ARCHETYPES: Archetype[] = [
	{
		roles: list(`
			Paid social lead, Performance marketer, Media buyer, Paid social strategist, Growth
			marketer
		`),
		skills: list(`
			Paid social, Meta ads, TikTok ads, Google Ads, Pinterest ads, Snapchat ads, Creative
			testing, Media buying, Conversion rate optimization, Attribution, Google Analytics 4,
			Performance Max, Landing page optimization, UGC sourcing, Budget forecasting
		`),
		achievements: [
			(r) => `scaled DTC brand to ${money(r.int(1, 12) * 1_000_000)}/yr`,
			(r) =>
				`${(r.int(25, 55) / 10).toFixed(1)}x ROAS on ${money(r.int(2, 20) * 10_000)}/mo Meta spend`,
			(r) => `cut CPA ${r.int(20, 60)}% for ${r.int(3, 15)} DTC brands`,
			(r) => `managed ${money(r.int(1, 30) * 500_000)} in annual ad spend`,
			() => 'TikTok and Meta ads for beauty and wellness brands'
		],
		bio: [
			(r) =>
				`I plan, launch and scale **paid social** for consumer brands, with ${r.int(4, 12)} years behind the dashboard.`,
			() =>
				'Creative testing is where most of my wins come from: I ship new hooks every week and kill losers fast.',
			(r) =>
				`Across my clients I have managed more than ${money(r.int(2, 40) * 1_000_000)} in spend on Meta, TikTok and Google.`,
			() => 'I care about contribution margin, not vanity ROAS, and I report both.'
		],
		work: [
			{
				title: (b) => `Meta ads relaunch for ${b}`,
				outcome: (r) =>
					`ROAS up from ${(r.int(9, 18) / 10).toFixed(1)} to ${(r.int(25, 48) / 10).toFixed(1)} in ${r.int(6, 12)} weeks; CPA down ${r.int(20, 55)}%.`
			},
			{
				title: (b) => `TikTok Spark Ads test for ${b}`,
				outcome: (r) =>
					`${r.int(40, 300)} creatives tested, ${r.int(3, 9)} winners scaled to ${money(r.int(20, 150) * 1000)}/mo at ${(r.int(20, 40) / 10).toFixed(1)}x ROAS.`
			},
			{
				title: (b) => `Black Friday paid social for ${b}`,
				outcome: (r) =>
					`${money(r.int(200, 2_500) * 1000)} revenue over BFCM, ${r.int(15, 90)}% above target.`
			},
			{
				title: (b) => `Pinterest launch for ${b}`,
				outcome: (r) =>
					`${count(r.int(500, 9_000))} new customers in ${r.int(2, 6)} months at a ${money(r.int(12, 45))} CPA.`
			}
		],
		workRoles: [
			'Media buyer',
			'Paid social lead',
			'Freelance performance marketer',
			'Strategy and buying'
		],
		urls: [brandSite, notionCaseStudy, linkedinPost],
		networks: ['linkedin', 'x', 'website', 'bluesky', 'tiktok']
	},
	{
		roles: list(`
			Community manager, Head of community, Community lead, Discord community manager,
			Community & partnerships manager
		`),
		skills: list(`
			Community management, Discord moderation, Event planning, Ambassador programs, Social
			listening, Customer advocacy, Slack communities, Reddit marketing, Community analytics,
			Moderation policy, Live streaming, Member onboarding
		`),
		achievements: [
			(r) => `grew Discord to ${count(r.int(5, 120) * 1000)} members`,
			(r) => `${r.int(30, 70)}% monthly active members, not just sign-ups`,
			(r) => `built an ambassador program of ${r.int(40, 900)} creators`,
			(r) => `ran ${r.int(20, 200)} community events, online and IRL`,
			() => 'communities for games, creators and consumer apps'
		],
		bio: [
			() =>
				'I build communities people actually come back to, and the rituals that keep them healthy.',
			(r) =>
				`Over ${r.int(3, 10)} years I have moderated, hosted and grown spaces on Discord, Reddit and Slack.`,
			() => 'Good moderation is product work: clear rules, fast responses and a tone that scales.',
			(r) => `My last community drove ${r.int(10, 40)}% of new sign-ups through referrals.`
		],
		work: [
			{
				title: (b) => `${b} Discord server`,
				outcome: (r) =>
					`From ${count(r.int(200, 2000))} to ${count(r.int(10, 90) * 1000)} members in ${r.int(6, 18)} months; ${r.int(25, 60)}% weekly active.`
			},
			{
				title: (b) => `Ambassador program for ${b}`,
				outcome: (r) =>
					`${r.int(50, 600)} ambassadors, ${count(r.int(300, 8000))} referred customers, ${money(r.int(50, 900) * 1000)} attributed revenue.`
			},
			{
				title: (b) => `${b} community summit`,
				outcome: (r) =>
					`${count(r.int(150, 4000))} attendees, NPS ${r.int(55, 85)}, ${r.int(20, 60)} community-led sessions.`
			},
			{
				title: (b) => `Moderation playbook for ${b}`,
				outcome: (r) =>
					`Response time down from ${r.int(6, 30)} hours to ${r.int(10, 60)} minutes; reports down ${r.int(20, 60)}%.`
			}
		],
		workRoles: ['Community lead', 'Community manager', 'Moderator team lead', 'Program owner'],
		urls: [notionCaseStudy, linkedinPost, substackPost, brandSite],
		networks: ['mastodon', 'bluesky', 'linkedin', 'x', 'youtube']
	},
	{
		roles: list(`
			E-commerce manager, Shopify developer, Marketplace manager, DTC operator, Amazon
			marketplace consultant
		`),
		skills: list(`
			Shopify, Shopify Plus, WooCommerce, Amazon Seller Central, TikTok Shop, Etsy,
			Merchandising, Product photography, Inventory planning, Subscription commerce, Klaviyo,
			Liquid, Checkout optimization, Marketplace SEO, Fulfillment operations, Pricing strategy
		`),
		achievements: [
			(r) => `launched ${r.int(10, 80)} Shopify stores`,
			(r) => `took TikTok Shop from 0 to ${money(r.int(20, 400) * 1000)}/mo`,
			(r) => `${r.int(200, 5000)}-SKU Amazon catalogue, ${r.int(15, 60)}% YoY growth`,
			(r) =>
				`conversion rate from ${(r.int(8, 18) / 10).toFixed(1)}% to ${(r.int(25, 45) / 10).toFixed(1)}%`,
			() => 'Shopify builds and operations for independent brands'
		],
		bio: [
			() => 'I run the part of e-commerce between the ad click and the delivered parcel.',
			(r) =>
				`I have built or rebuilt ${r.int(10, 70)} **Shopify** stores and looked after marketplaces on Amazon, Etsy and TikTok Shop.`,
			() =>
				'Faster pages, clearer product pages and honest delivery promises sell more than discounts.',
			(r) =>
				`Before going freelance I ran operations for a brand doing ${money(r.int(1, 15) * 1_000_000)} a year.`
		],
		work: [
			{
				title: (b) => `${b} Shopify Plus migration`,
				outcome: (r) =>
					`Checkout conversion up ${r.int(10, 45)}%; page weight down ${r.int(30, 70)}%; zero downtime on launch day.`
			},
			{
				title: (b) => `TikTok Shop launch for ${b}`,
				outcome: (r) =>
					`${money(r.int(30, 600) * 1000)} GMV in the first ${r.int(2, 6)} months with ${r.int(20, 200)} affiliate creators.`
			},
			{
				title: (b) => `Amazon catalogue clean-up for ${b}`,
				outcome: (r) =>
					`${r.int(100, 2000)} listings rewritten; organic sales up ${r.int(20, 120)}%; ACoS down to ${r.int(12, 25)}%.`
			},
			{
				title: (b) => `Subscription programme for ${b}`,
				outcome: (r) =>
					`${count(r.int(800, 20_000))} subscribers within a year; churn held under ${r.int(4, 9)}% a month.`
			}
		],
		workRoles: [
			'Shopify developer',
			'E-commerce lead',
			'Marketplace manager',
			'Operations and build'
		],
		urls: [brandSite, githubRepo, notionCaseStudy],
		networks: ['github', 'linkedin', 'website', 'x', 'instagram']
	},
	{
		roles: list(`
			Social media manager, Content creator, Short-form video editor, Content strategist,
			Social media strategist
		`),
		skills: list(`
			Content strategy, Short-form video, Video editing, CapCut, Adobe Premiere Pro, Canva,
			Photography, Instagram Reels, YouTube Shorts, Social media strategy, Content calendars,
			Trend research, Copywriting, Storytelling, Motion graphics, Figma
		`),
		achievements: [
			(r) => `grew TikTok to ${count(r.int(20, 900) * 1000)} followers`,
			(r) => `${count(r.int(5, 120) * 1_000_000)} organic views last year`,
			(r) => `${r.int(3, 12)} brand accounts, one voice each`,
			(r) => `Reels averaging ${count(r.int(40, 600) * 1000)} views`,
			() => 'short-form video for food, beauty and fashion brands'
		],
		bio: [
			() =>
				'I make short-form video that feels native to the feed, because that is what people stop for.',
			(r) =>
				`I have run social for ${r.int(3, 25)} brands and edited more than ${count(r.int(400, 3000))} videos.`,
			() =>
				'My process: trend research on Monday, batch filming mid-week, posting and replying every day.',
			() => 'I still answer every comment on launch day.'
		],
		work: [
			{
				title: (b) => `${b} TikTok account`,
				outcome: (r) =>
					`From ${count(r.int(100, 5000))} to ${count(r.int(30, 800) * 1000)} followers in ${r.int(4, 14)} months, all organic.`
			},
			{
				title: (b) => `Reels series for ${b}`,
				outcome: (r) =>
					`${r.int(12, 60)} episodes, ${count(r.int(1, 30) * 1_000_000)} views, ${r.int(3, 12)}% saves rate.`
			},
			{
				title: (b, r) =>
					`${r.pick(['Spring', 'Summer', 'Autumn', 'Holiday'])} campaign content for ${b}`,
				outcome: (r) =>
					`${r.int(20, 120)} assets shipped in ${r.int(2, 6)} weeks; engagement up ${r.int(30, 250)}%.`
			},
			{
				title: (b) => `YouTube Shorts relaunch for ${b}`,
				outcome: (r) =>
					`${count(r.int(5, 200) * 1000)} new subscribers; average view duration ${r.int(60, 95)}%.`
			}
		],
		workRoles: ['Creator and editor', 'Social media manager', 'Content lead', 'Video editor'],
		urls: [tiktokVideo, instagramReel, youtubeVideo, behanceGallery],
		networks: ['tiktok', 'instagram', 'youtube', 'x', 'bluesky', 'website']
	},
	{
		roles: [
			'Email marketing specialist',
			'Lifecycle marketer',
			'CRM manager',
			'Retention marketer'
		],
		skills: list(`
			Email marketing, Klaviyo, Mailchimp, Customer segmentation, SMS marketing, Lifecycle
			automation, A/B testing, Copywriting, HubSpot, Braze, Retention strategy, Email
			deliverability
		`),
		achievements: [
			(r) => `email to ${r.int(25, 45)}% of revenue`,
			(r) => `${count(r.int(20, 500) * 1000)}-subscriber newsletter`,
			(r) => `flows that recover ${r.int(8, 20)}% of abandoned carts`,
			(r) => `repeat purchase rate up ${r.int(15, 60)}%`,
			() => 'Klaviyo flows for Shopify brands'
		],
		bio: [
			() => 'I write and build the emails customers are glad to get.',
			(r) =>
				`In ${r.int(4, 11)} years of **lifecycle marketing** I have sent a few hundred million emails and read every unsubscribe reason.`,
			() => 'Segmentation beats frequency; good copy beats both.',
			(r) =>
				`My flows currently bring in about ${money(r.int(20, 400) * 1000)} a month for clients.`
		],
		work: [
			{
				title: (b) => `Klaviyo flows for ${b}`,
				outcome: (r) =>
					`Flow revenue up ${r.int(40, 300)}%; email now ${r.int(20, 42)}% of total revenue.`
			},
			{
				title: (b) => `Win-back programme for ${b}`,
				outcome: (r) =>
					`${count(r.int(1000, 30_000))} lapsed customers reactivated; ${money(r.int(40, 700) * 1000)} in 90 days.`
			},
			{
				title: (b) => `SMS launch for ${b}`,
				outcome: (r) =>
					`${count(r.int(5, 80) * 1000)} subscribers; ${r.int(15, 45)}x return on SMS spend.`
			},
			{
				title: (b) => `Deliverability fix for ${b}`,
				outcome: (r) =>
					`Inbox placement from ${r.int(55, 75)}% to ${r.int(92, 99)}%; open rate up ${r.int(10, 30)} points.`
			}
		],
		workRoles: ['Lifecycle lead', 'Email strategist', 'CRM consultant', 'Copy and build'],
		urls: [notionCaseStudy, brandSite, substackPost],
		networks: ['linkedin', 'x', 'website', 'bluesky']
	},
	{
		roles: ['SEO specialist', 'SEO content lead', 'Technical SEO consultant', 'Content marketer'],
		skills: list(`
			SEO, Technical SEO, Keyword research, Link building, Content marketing, Ahrefs, Semrush,
			Google Search Console, WordPress, Copywriting, Schema markup, Local SEO
		`),
		achievements: [
			(r) => `${count(r.int(50, 900) * 1000)} monthly organic visits for B2C brands`,
			(r) => `${r.int(40, 400)} pages ranking top 3`,
			(r) => `organic revenue up ${r.int(80, 400)}% in a year`,
			() => 'technical SEO for Shopify and WordPress stores'
		],
		bio: [
			() => 'I help online shops get found by people who are already looking for what they sell.',
			(r) =>
				`${r.int(5, 14)} years of **SEO**, from technical audits to content programmes with writers on three continents.`,
			() =>
				'Most of my work starts with the boring fixes: crawl budget, internal links and templates.',
			(r) =>
				`I publish a monthly teardown of ${r.pick(['e-commerce', 'DTC', 'marketplace'])} sites that rank well.`
		],
		work: [
			{
				title: (b) => `Technical SEO audit for ${b}`,
				outcome: (r) =>
					`${count(r.int(500, 20_000))} indexing issues fixed; organic clicks up ${r.int(30, 180)}% in ${r.int(3, 9)} months.`
			},
			{
				title: (b) => `Content hub for ${b}`,
				outcome: (r) =>
					`${r.int(30, 200)} articles, ${count(r.int(20, 400) * 1000)} monthly visits, ${r.int(2, 9)}% to product pages.`
			},
			{
				title: (b) => `Local SEO for ${b} stores`,
				outcome: (r) =>
					`${r.int(5, 60)} locations in the map pack top 3; calls up ${r.int(20, 90)}%.`
			}
		],
		workRoles: ['SEO lead', 'Technical SEO consultant', 'Content strategist', 'Writer and editor'],
		urls: [brandSite, substackPost, linkedinPost],
		networks: ['x', 'linkedin', 'website', 'mastodon', 'youtube']
	},
	{
		roles: [
			'Influencer marketing manager',
			'Creator partnerships lead',
			'Talent manager',
			'Affiliate manager'
		],
		skills: list(`
			Influencer partnerships, Creator sourcing, Affiliate marketing, Contract negotiation,
			UGC sourcing, Campaign management, Brand partnerships, Impact.com, Gifting programs,
			Creator whitelisting
		`),
		achievements: [
			(r) => `${r.int(50, 600)} creator partnerships a year`,
			(r) =>
				`${money(r.int(50, 900) * 1000)} creator budgets at ${(r.int(20, 60) / 10).toFixed(1)}x ROI`,
			(r) => `affiliate programme of ${count(r.int(200, 8000))} creators`,
			() => 'creator campaigns for beauty, fashion and food'
		],
		bio: [
			() => 'I match brands with creators whose audiences actually buy.',
			(r) =>
				`I have negotiated more than ${count(r.int(300, 4000))} creator deals, from gifting to six-figure retainers.`,
			() =>
				'Fair briefs, fast payment and real creative freedom get better content than any contract clause.',
			() => 'I measure every partnership on sales and on what the creator would say about us.'
		],
		work: [
			{
				title: (b) => `Creator launch campaign for ${b}`,
				outcome: (r) =>
					`${r.int(20, 150)} creators, ${count(r.int(2, 40) * 1_000_000)} views, ${money(r.int(50, 800) * 1000)} tracked sales.`
			},
			{
				title: (b) => `Affiliate programme for ${b}`,
				outcome: (r) =>
					`${count(r.int(100, 3000))} active affiliates; ${r.int(8, 30)}% of online revenue.`
			},
			{
				title: (b) => `Gifting programme for ${b}`,
				outcome: (r) =>
					`${count(r.int(200, 3000))} boxes sent, ${r.int(20, 60)}% posted organically, ${r.int(15, 80)} long-term partners.`
			}
		],
		workRoles: ['Partnerships lead', 'Influencer manager', 'Campaign manager', 'Talent liaison'],
		urls: [instagramReel, tiktokVideo, notionCaseStudy, youtubeVideo],
		networks: ['instagram', 'tiktok', 'linkedin', 'youtube', 'x']
	},
	{
		roles: ['Marketing analyst', 'Growth analyst', 'E-commerce data analyst'],
		skills: list(`
			Google Analytics 4, SQL, Looker Studio, Attribution, Marketing mix modeling, Cohort
			analysis, Python, Excel, Triple Whale, Dashboarding, Conversion rate optimization, A/B
			testing
		`),
		achievements: [
			(r) => `attribution for ${money(r.int(2, 50) * 1_000_000)} in ad budgets`,
			(r) => `${r.int(20, 300)} A/B tests a year, all written up`,
			() => 'dashboards that founders read every morning',
			() => 'marketing mix models for DTC brands'
		],
		bio: [
			() => 'I turn messy marketing data into decisions a team can act on by Friday.',
			(r) => `${r.int(3, 10)} years of **SQL**, GA4 and spreadsheets that other people can follow.`,
			() => 'I would rather ship a rough answer on Tuesday than a perfect one next quarter.',
			() => 'Every model I build comes with the assumptions written down.'
		],
		work: [
			{
				title: (b) => `Attribution rebuild for ${b}`,
				outcome: (r) =>
					`Budget moved from ${r.int(2, 5)} underperforming channels; blended CAC down ${r.int(10, 35)}%.`
			},
			{
				title: (b) => `Cohort dashboard for ${b}`,
				outcome: (r) =>
					`Used weekly by ${r.int(5, 40)} people; found a ${r.int(10, 40)}% drop in 90-day retention in one channel.`
			},
			{
				title: (b) => `Checkout A/B testing programme for ${b}`,
				outcome: (r) =>
					`${r.int(10, 60)} tests, ${r.int(3, 12)} winners, conversion up ${r.int(8, 30)}%.`
			}
		],
		workRoles: ['Analyst', 'Analytics lead', 'Data consultant'],
		urls: [githubRepo, notionCaseStudy, substackPost],
		networks: ['github', 'linkedin', 'mastodon', 'bluesky', 'website']
	},
	{
		roles: ['Copywriter', 'Brand strategist', 'PR & comms manager', 'Creative director'],
		skills: list(`
			Copywriting, Brand strategy, Public relations, Press outreach, Creative direction, Tone
			of voice, Ad copy, Naming, Storytelling, Crisis communications, Scriptwriting, Art
			direction
		`),
		achievements: [
			(r) => `ad copy behind ${money(r.int(1, 40) * 1_000_000)} in sales`,
			(r) => `press in ${r.int(10, 80)} national outlets`,
			(r) => `named and launched ${r.int(5, 40)} consumer brands`,
			() => 'words for brands that would rather sound like people'
		],
		bio: [
			() =>
				'I write the words on ads, product pages and packaging, and I make them sound like a person.',
			(r) =>
				`I have worked with ${r.int(20, 150)} brands, from two-person startups to household names.`,
			() =>
				'A brief I love: one sentence of what the customer believes today and one of what we want them to believe.',
			() => 'Available for naming, tone of voice and launch copy.'
		],
		work: [
			{
				title: (b) => `Tone of voice for ${b}`,
				outcome: (r) =>
					`Guide used by ${r.int(5, 80)} people; product page conversion up ${r.int(5, 30)}%.`
			},
			{
				title: (b) => `Launch press campaign for ${b}`,
				outcome: (r) =>
					`${r.int(10, 90)} pieces of coverage; ${count(r.int(2, 60) * 1000)} referral visits in launch week.`
			},
			{
				title: (b) => `Ad copy refresh for ${b}`,
				outcome: (r) => `${r.int(30, 200)} variants written; CTR up ${r.int(15, 80)}%.`
			}
		],
		workRoles: ['Copywriter', 'Creative lead', 'PR lead', 'Brand strategist'],
		urls: [behanceGallery, brandSite, linkedinPost, substackPost],
		networks: ['linkedin', 'instagram', 'x', 'website', 'bluesky']
	}
];

const GENERAL_SKILLS = list(`
	Project management, Stakeholder management, Notion, Asana, Team leadership, Client
	management, Budget management, Reporting, Market research, Customer research, Product
	launches, Spanish, French, Portuguese, Public speaking, Workshop facilitation, Hiring,
	Agency management, Zapier, ChatGPT prompting, Localization, B2B marketing
`);

export const SKILL_POOL: string[] = [
	...new Set([...ARCHETYPES.flatMap((a) => a.skills), ...GENERAL_SKILLS])
];

const ANY_NETWORKS: Network[] = [
	'mastodon',
	'bluesky',
	'github',
	'x',
	'linkedin',
	'instagram',
	'tiktok',
	'youtube',
	'website'
];
const MASTODON_HOSTS = list(`
	mastodon.social, hachyderm.io, mstdn.social, mas.to, fosstodon.org, social.coop
`);
const WEBSITE_TLDS = list(`
	.com, .co, .studio, .io, .me, .net
`);

// Sizes a self-reported audience tends to have, per network.
const FOLLOWER_RANGES: Partial<Record<Network, [number, number]>> = {
	mastodon: [40, 12_000],
	bluesky: [60, 40_000],
	github: [5, 3_000],
	x: [80, 150_000],
	linkedin: [300, 40_000],
	instagram: [200, 900_000],
	tiktok: [300, 2_000_000],
	youtube: [100, 800_000]
};

// ---------------------------------------------------------------------------------------------
// One profile

interface SeedWork {
	title: string;
	url: string | null;
	role: string;
	outcome: string;
	happenedOn: string | null;
	slug: string;
	caseStudy: string;
	pinned: boolean;
	position: number;
	createdAt: string;
	skills: string[];
}

interface SeedAccount {
	network: Network;
	identifier: string;
	url: string;
	followers: number | null;
	reportedAt: string | null;
	position: number;
	createdAt: string;
}

interface SeedProfile {
	handle: string;
	email: string;
	verifiedAt: string | null;
	createdAt: string;
	updatedAt: string;
	displayName: string | null;
	headline: string | null;
	bio: string;
	location: string | null;
	availability: Availability;
	visibility: Visibility;
	skills: string[];
	work: SeedWork[];
	accounts: SeedAccount[];
	views: { day: string; views: number }[];
}

function iso(ms: number): string {
	return new Date(ms).toISOString();
}

// Handles a seed draws look like people's (`emmasmith`, `emma_smith_84`, `esmith1991`); none
// holds a digit right after an underscore followed by 0, so `<base>_0<n>` is a form no drawn handle
// takes and, with n unique per run and across runs, unique by construction.
const HANDLE_MAX = 30;
const PRETTY_TRIES = 8;

/** The handle no drawn one can take: the base cut so that `_0<n>` fits, n unique per profile. */
export function uniqueHandle(base: string, n: number): string {
	const suffix = `_0${n}`;
	return `${base.slice(0, HANDLE_MAX - suffix.length)}${suffix}`;
}

function handleBase(r: Random, first: string, last: string): string {
	const f = asciiLetters(first) || 'pw';
	const l = asciiLetters(last) || 'user';
	const bases = [
		`${f}${l}`,
		`${f}_${l}`,
		`${f[0]}${l}`,
		`${f}${l[0]}`,
		`${l}_${f}`,
		f,
		`${f}_${l[0]}`
	];
	const base = r.pick(bases).slice(0, 24);
	return base.length < 3 ? `${base}_pw` : base;
}

/**
 * A person-like handle not yet drawn in this run, or after a few tries (once a base's numbered
 * variants run out, about 1,000 of them) the unique form `<base>_0<n>`: never an endless loop.
 */
export function pickHandle(
	r: Random,
	first: string,
	last: string,
	taken: Set<string>,
	n: number
): string {
	const base = handleBase(r, first, last);
	const numbered = () =>
		r.chance(0.5) ? String(r.int(1, 99)) : String(r.pick([r.int(100, 999), r.int(1975, 2005)]));
	let handle = r.chance(0.6) ? `${base}${r.chance(0.3) ? '_' : ''}${numbered()}` : base;
	for (let tries = 0; !isFree(handle, taken); tries++) {
		handle = tries < PRETTY_TRIES ? `${base}${numbered()}` : uniqueHandle(base, n);
		if (tries > PRETTY_TRIES) throw new Error(`No free handle for ${base} (${n})`);
	}
	taken.add(handle);
	return handle;
}

function isFree(handle: string, taken: Set<string>): boolean {
	return !taken.has(handle) && !RESERVED_HANDLES.has(handle) && HANDLE_PATTERN.test(handle);
}

function caseStudy(r: Random, brand: string, outcome: string, skills: string[]): string {
	const steps = r.sample(
		[
			`Audited what ${brand} already had and kept what worked.`,
			'Wrote a one-page plan with a single number to move.',
			`Set up weekly reviews with the ${brand} team.`,
			'Shipped the first version in two weeks and iterated from real data.',
			`Put most of the effort into ${skills[0].toLowerCase()}.`,
			'Documented everything so the in-house team could run it after me.'
		],
		r.int(2, 4)
	);
	const need = r.pick([
		'more revenue from channels it already paid for',
		'a plan it could run without an agency',
		'results before its next funding round',
		'to restart something that had stalled'
	]);
	const constraint = r.pick([
		'only a small team',
		'no in-house specialist',
		'a tight budget',
		'a six-week deadline'
	]);
	return [
		'## The brief',
		'',
		`${brand} needed ${need}. There was ${constraint} and one clear goal.`,
		'',
		'## What I did',
		'',
		...steps.map((step) => `- ${step}`),
		'',
		'## Results',
		'',
		outcome,
		''
	].join('\n');
}

function accountInput(r: Random, network: Network, f: string, l: string, handle: string): string {
	const name = r.pick([handle, `${f}${l}`, `${f}_${l}`, `${f}.${l}`, `${f}${l}${r.int(1, 99)}`]);
	const plain = name.replace(/\./g, '_');
	switch (network) {
		case 'mastodon':
			return `@${plain}@${r.pick(MASTODON_HOSTS)}`;
		case 'bluesky':
			return r.chance(0.85)
				? `${name.replace(/_/g, '')}.bsky.social`
				: `${f}${l}${r.pick(WEBSITE_TLDS)}`;
		case 'github':
			return name.replace(/[_.]/g, '-');
		case 'x':
			return `@${plain.slice(0, 15)}`;
		case 'linkedin':
			return `https://www.linkedin.com/in/${f}-${l}-${r.chars('0123456789abcdef', 6)}`;
		case 'instagram':
		case 'tiktok':
			return `@${name.slice(0, 24)}`;
		case 'youtube':
			return `@${plain.replace(/_/g, '')}`;
		default:
			return `https://${f}${l}${r.pick(WEBSITE_TLDS)}`;
	}
}

function generateProfile(r: Random, taken: Set<string>, today: number, n: number): SeedProfile {
	const culture = r.pick(CULTURES);
	// A share of people carry names from two traditions.
	const first = r.pick(culture.first);
	const last = r.chance(0.1) ? r.pick(r.pick(CULTURES).last) : r.pick(culture.last);
	const handle = pickHandle(r, first, last, taken, n);
	const kind = r.pick(ARCHETYPES);
	const createdAt = today - r.int(1, 730) * DAY_MS + r.int(0, DAY_MS - 1);
	const updatedAt = createdAt + Math.floor(r.next() * (today - createdAt));

	const visibilityRoll = r.next();
	const visibility: Visibility =
		visibilityRoll < 0.9 ? 'public' : visibilityRoll < 0.97 ? 'unlisted' : 'private';
	const availabilityRoll = r.next();
	const availability: Availability =
		availabilityRoll < 0.25
			? 'open_to_work'
			: availabilityRoll < 0.6
				? 'open_to_freelance'
				: 'not_looking';
	const complete = r.chance(0.85);
	const displayName = complete || r.chance(0.5) ? `${first} ${last}` : null;
	const headline = complete
		? `${r.pick(kind.roles)} · ${r.pick(kind.achievements)(r)}`.slice(0, 120)
		: null;
	const location = r.chance(0.1)
		? null
		: r.chance(0.12)
			? r.pick(REMOTE_LOCATIONS)
			: r.chance(0.75)
				? r.pick(culture.cities)
				: r.pick(r.pick(CULTURES).cities);
	const bio = r
		.sample(kind.bio, r.int(2, 4))
		.map((sentence) => sentence(r))
		.join(' ');

	const ownSkills = r.sample(kind.skills, r.int(2, Math.min(9, kind.skills.length)));
	const extra = r.sample(
		GENERAL_SKILLS.concat(r.pick(ARCHETYPES).skills).filter((s) => !ownSkills.includes(s)),
		r.int(1, 3)
	);
	const skills = [...new Set([...ownSkills, ...extra])].slice(0, 12);

	const f = asciiLetters(first);
	const l = asciiLetters(last);
	const slugs = new Set<string>();
	const work: SeedWork[] = r
		.sample(
			kind.work.flatMap((t) => [t, t]),
			r.int(1, 6)
		)
		.map((template) => {
			const brand = r.pick(BRANDS);
			const title = template.title(brand, r).slice(0, 120);
			let slug = slugify(title);
			for (let n = 2; slugs.has(slug); n++) slug = `${slugify(title)}-${n}`;
			slugs.add(slug);
			const outcome = template.outcome(r);
			// Work draws on the trade's own skills, all of which the profile lists.
			const used = r.sample(ownSkills, r.int(1, 3));
			return {
				title,
				url: r.chance(0.92) ? r.pick(kind.urls)(r, brand, slug, handle) : null,
				role: r.pick(kind.workRoles),
				outcome,
				happenedOn: r.chance(0.95)
					? new Date(today - r.int(0, 47) * 30.5 * DAY_MS).toISOString().slice(0, 7)
					: null,
				slug,
				caseStudy: r.chance(0.12) ? caseStudy(r, brand, outcome, used) : '',
				pinned: false,
				position: 0,
				createdAt: iso(createdAt + Math.floor(r.next() * (today - createdAt))),
				skills: used
			};
		})
		.sort((a, b) => (b.happenedOn ?? '').localeCompare(a.happenedOn ?? ''));
	work.forEach((item, i) => (item.position = i));
	if (work.length > 1 && r.chance(0.4)) {
		for (const item of r.sample(work, r.int(1, Math.min(2, work.length)))) item.pinned = true;
	}

	// Most people use the channels their trade lives on; some are elsewhere.
	const networks = r.sample(r.chance(0.8) ? kind.networks : ANY_NETWORKS, r.int(1, 5));
	const accounts: SeedAccount[] = [];
	const urls = new Set<string>();
	for (const network of networks) {
		const normalized = normalizeAccount(network, accountInput(r, network, f, l, handle));
		if (!normalized.ok || urls.has(normalized.account.url)) continue;
		urls.add(normalized.account.url);
		const range = FOLLOWER_RANGES[network];
		const reported = range && r.chance(0.6);
		const added = createdAt + Math.floor(r.next() * (today - createdAt));
		accounts.push({
			...normalized.account,
			followers: reported ? r.logUniform(range[0], range[1]) : null,
			reportedAt: reported ? iso(added + Math.floor(r.next() * (today - added))) : null,
			position: accounts.length,
			createdAt: iso(added)
		});
	}

	const views =
		visibility !== 'private' && r.chance(0.4)
			? r
					.sample(
						Array.from({ length: 90 }, (_, i) => i),
						r.int(1, 30)
					)
					.map((daysAgo) => ({
						day: iso(today - daysAgo * DAY_MS).slice(0, 10),
						views: r.logUniform(1, 40)
					}))
			: [];

	return {
		handle,
		email: `${handle}@example.com`,
		verifiedAt: r.chance(0.9) ? iso(createdAt + r.int(30, 3600) * 1000) : null,
		createdAt: iso(createdAt),
		// The app touches the profile whenever its work or accounts change.
		updatedAt: [...work, ...accounts]
			.map((child) => child.createdAt)
			.reduce((latest, at) => (at > latest ? at : latest), iso(updatedAt)),
		displayName,
		headline,
		bio,
		location,
		availability,
		visibility,
		skills,
		work,
		accounts,
		views
	};
}

/** Draws a batch in slices, yielding in between so that the previous batch's writes go on. */
async function generateBatch(
	r: Random,
	today: number,
	size: number,
	firstNumber: number
): Promise<SeedProfile[]> {
	const batch: SeedProfile[] = [];
	// Unique within the batch here; against earlier batches and members by avoidExistingHandles.
	const taken = new Set<string>();
	for (let i = 0; i < size; i++) {
		batch.push(generateProfile(r, taken, today, firstNumber + i));
		if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
	}
	return batch;
}

// ---------------------------------------------------------------------------------------------
// Writing: each batch's rows, table by table, with ids drawn up front so that children need no
// look-up of their parents (see seed-load.ts for how they reach the database).

const USERS: TableSpec = {
	table: 'users',
	explicitId: true,
	columns: [
		['id', 'int'],
		['email', 'text'],
		['email_verified_at', 'timestamptz'],
		['handle', 'text'],
		['password_hash', 'text'],
		['created_at', 'timestamptz'],
		['updated_at', 'timestamptz']
	]
};
const PROFILES: TableSpec = {
	table: 'profiles',
	columns: [
		['user_id', 'int'],
		['display_name', 'text'],
		['headline', 'text'],
		['bio_md', 'text'],
		['location', 'text'],
		['availability', 'text'],
		['visibility', 'text'],
		['created_at', 'timestamptz'],
		['updated_at', 'timestamptz']
	]
};
const PROFILE_SKILLS: TableSpec = {
	table: 'profile_skills',
	columns: [
		['user_id', 'int'],
		['skill_id', 'int'],
		['position', 'int']
	]
};
const WORK_ITEMS: TableSpec = {
	table: 'work_items',
	explicitId: true,
	columns: [
		['id', 'int'],
		['user_id', 'int'],
		['title', 'text'],
		['url', 'text'],
		['role', 'text'],
		['outcome', 'text'],
		['happened_on', 'text'],
		['slug', 'text'],
		['case_study_md', 'text'],
		['pinned', 'boolean'],
		['position', 'int'],
		['created_at', 'timestamptz'],
		['updated_at', 'timestamptz']
	]
};
const WORK_ITEM_SKILLS: TableSpec = {
	table: 'work_item_skills',
	columns: [
		['work_item_id', 'int'],
		['skill_id', 'int']
	]
};
const NETWORK_ACCOUNTS: TableSpec = {
	table: 'network_accounts',
	columns: [
		['user_id', 'int'],
		['network', 'text'],
		['identifier', 'text'],
		['url', 'text'],
		['site_domain', 'text'],
		['followers', 'int'],
		['followers_reported_at', 'timestamptz'],
		['position', 'int'],
		['created_at', 'timestamptz']
	]
};
const PROFILE_VIEWS: TableSpec = {
	table: 'profile_views',
	columns: [
		['user_id', 'int'],
		['day', 'date'],
		['views', 'int']
	]
};
const ENDORSEMENTS: TableSpec = {
	table: 'endorsements',
	columns: [
		['endorser_id', 'int'],
		['subject_id', 'int'],
		['relationship', 'text'],
		['organisation', 'text'],
		['period', 'text'],
		['body', 'text'],
		['status', 'text'],
		['flags', 'text[]'],
		['created_at', 'timestamptz'],
		['updated_at', 'timestamptz'],
		['decided_at', 'timestamptz']
	]
};

/** The tables a seed fills, children after parents. */
const SEEDED_TABLES = [
	USERS,
	PROFILES,
	PROFILE_SKILLS,
	WORK_ITEMS,
	WORK_ITEM_SKILLS,
	NETWORK_ACCOUNTS,
	PROFILE_VIEWS,
	ENDORSEMENTS
].map((spec) => spec.table);

interface RowCounts {
	users: number;
	profiles: number;
	profile_skills: number;
	work_items: number;
	work_item_skills: number;
	network_accounts: number;
	profile_views: number;
}

/** `n` fresh ids of `table`'s identity column, unique whoever else inserts meanwhile. */
async function reserveIds(db: Executor, table: string, n: number): Promise<number[]> {
	if (n === 0) return [];
	const rows = await sql<{ id: number }>`
		select nextval(pg_get_serial_sequence(${table}, 'id'))::int as id
		from generate_series(1, ${n})`.execute(db);
	return rows.rows.map((row) => row.id);
}

function batchRows(
	batch: SeedProfile[],
	ids: number[],
	workIds: number[],
	passwordHash: string,
	skillIds: Map<string, number>
): { tables: Rows[]; counts: RowCounts } {
	const users = new Rows(USERS);
	const profiles = new Rows(PROFILES);
	const ps = new Rows(PROFILE_SKILLS);
	const wi = new Rows(WORK_ITEMS);
	const wis = new Rows(WORK_ITEM_SKILLS);
	const na = new Rows(NETWORK_ACCOUNTS);
	const pv = new Rows(PROFILE_VIEWS);
	let w = 0;
	batch.forEach((p, i) => {
		const id = ids[i];
		users.push(id, p.email, p.verifiedAt, p.handle, passwordHash, p.createdAt, p.updatedAt);
		profiles.push(
			id,
			p.displayName,
			p.headline,
			p.bio,
			p.location,
			p.availability,
			p.visibility,
			p.createdAt,
			p.updatedAt
		);
		p.skills.forEach((name, position) => ps.push(id, skillIds.get(name.toLowerCase())!, position));
		for (const item of p.work) {
			const workId = workIds[w++];
			wi.push(
				workId,
				id,
				item.title,
				item.url,
				item.role,
				item.outcome,
				item.happenedOn,
				item.slug,
				item.caseStudy,
				item.pinned,
				item.position,
				item.createdAt,
				item.createdAt
			);
			for (const name of item.skills) wis.push(workId, skillIds.get(name.toLowerCase())!);
		}
		for (const a of p.accounts) {
			na.push(
				id,
				a.network,
				a.identifier,
				a.url,
				siteDomainOf(a.network, a.url),
				a.followers,
				a.reportedAt,
				a.position,
				a.createdAt
			);
		}
		for (const v of p.views) pv.push(id, v.day, v.views);
	});
	return {
		tables: [users, profiles, ps, wi, wis, na, pv],
		counts: {
			users: users.count,
			profiles: profiles.count,
			profile_skills: ps.count,
			work_items: wi.count,
			work_item_skills: wis.count,
			network_accounts: na.count,
			profile_views: pv.count
		}
	};
}

/**
 * Gives the unique form `<handle>_0<n>` to any drawn handle or email the database already holds
 * (an earlier seed, a real member, a handle held after a rename) or a batch still being written
 * holds (`held`), so seeding adds to a database that has members. One indexed look-up per batch;
 * repeated until nothing clashes.
 */
async function avoidExistingHandles(
	db: Executor,
	batch: SeedProfile[],
	held: Set<string>,
	spareNumber: () => number
): Promise<number> {
	let replaced = 0;
	for (;;) {
		const handles = batch.map((p) => p.handle);
		const emails = batch.map((p) => p.email);
		const clash = await sql<{ handle: string | null; email: string | null }>`
			select lower(handle) as handle, null as email from users
				where lower(handle) = any(${handles}::text[])
			union all select handle, null from handle_history where handle = any(${handles}::text[])
			union all select null, lower(email) from users where lower(email) = any(${emails}::text[])`.execute(
			db
		);
		const takenHandles = new Set(clash.rows.map((row) => row.handle));
		const takenEmails = new Set(clash.rows.map((row) => row.email));
		let clashed = false;
		for (const p of batch) {
			const taken = takenHandles.has(p.handle) || takenEmails.has(p.email) || held.has(p.handle);
			if (!taken) continue;
			p.handle = uniqueHandle(p.handle, spareNumber());
			p.email = `${p.handle}@example.com`;
			replaced++;
			clashed = true;
		}
		if (!clashed) return replaced;
	}
}

// A fresh database this large is filled faster without its secondary indexes and foreign keys,
// which are then built once from the finished tables instead of entry by entry.
const BULK_LOAD_PROFILES = 20_000;
// Memory each index build may sort in (four at most at once: two builds, each with two workers).
const INDEX_BUILD_MEMORY = '1GB';

/** Creates the skill pool where missing and returns each skill's id by its lowercased name. */
async function ensureSkills(db: Db): Promise<Map<string, number>> {
	await sql`
		insert into skills (name) select unnest(${SKILL_POOL}::text[])
		on conflict ((lower(name))) do nothing`.execute(db);
	const rows = await sql<{ id: number; key: string }>`
		select id, lower(name) as key from skills
		where lower(name) = any(${SKILL_POOL.map((s) => s.toLowerCase())}::text[])`.execute(db);
	return new Map(rows.rows.map((row) => [row.key, row.id]));
}

// ---------------------------------------------------------------------------------------------
// Endorsements between seeded people, drawn once every profile exists.

const ENDORSEMENT_OPENINGS: Record<Relationship, string[]> = {
	worked_together: [
		'We sat on the same team for two years',
		'I worked next to them through a relaunch',
		'We shipped three campaigns together'
	],
	managed_them: [
		'I managed them for eighteen months',
		'They reported to me during our busiest year',
		'I hired them and watched them grow into the role'
	],
	client: [
		'We hired them as a freelancer',
		'They ran a project for us as a contractor',
		'Our brand was their client for a full season'
	],
	managed_by_them: [
		'They were my manager',
		'I reported to them for a year',
		'They led the team I was part of'
	],
	collaborated: [
		'We collaborated on a launch',
		'Our agencies worked on the same account',
		'We co-hosted a workshop series'
	],
	follows_work: [
		'I have followed their work for years',
		'I read every case study they publish',
		'I learnt a lot from their public write-ups'
	]
};

const RELATIONSHIPS = Object.keys(ENDORSEMENT_OPENINGS) as Relationship[];

const ENDORSEMENT_DETAILS = list(`
	and they always brought numbers, not opinions, to the weekly review;
	and they turned a vague brief into a plan the whole team understood;
	and they never missed a deadline, even when the scope doubled;
	and the results were measurable within the first month;
	and they documented everything so we could carry on without them;
	and they made the hard calls on budget early instead of late;
	and they were generous with their time when juniors asked for help;
	and our customers noticed the difference before we told them
`);

const ENDORSEMENT_CLOSINGS = list(`
	I would hire them again tomorrow.;
	Any team would be lucky to have them.;
	Happy to talk to anyone considering working with them.;
	They are one of the best I have worked with.;
	Highly recommended.
`);

const PERIODS = ['2021', '2022', '2023', '2024', '2021–2022', '2022–2024', '2023–2025'];

/**
 * Endorsements of the people `ids[from..to)`, by other seeded people. How many each gets follows
 * an exponential spread with mean `perProfile` (a few get none, a few get many); most are accepted,
 * some wait for the owner, a few were hidden.
 */
function generateEndorsements(
	r: Random,
	ids: number[],
	from: number,
	to: number,
	perProfile: number,
	today: number
): Rows {
	const rows = new Rows(ENDORSEMENTS);
	const most = Math.min(perProfile * 8, ids.length - 1);
	for (let i = from; i < to; i++) {
		const wanted = Math.min(most, Math.round(perProfile * -Math.log(1 - r.next())));
		const endorsers = new Set<number>();
		while (endorsers.size < wanted) {
			const j = Math.floor(r.next() * ids.length);
			if (j !== i) endorsers.add(ids[j]);
		}
		for (const endorser of endorsers) {
			const relationship = r.pick(RELATIONSHIPS);
			const organisation = r.chance(0.5) ? r.pick(BRANDS) : null;
			const statusRoll = r.next();
			const status = statusRoll < 0.82 ? 'accepted' : statusRoll < 0.95 ? 'pending' : 'hidden';
			const created = today - r.int(1, 700) * DAY_MS + r.int(0, DAY_MS - 1);
			const period = r.chance(0.4) ? r.pick(PERIODS) : null;
			const body =
				`${r.pick(ENDORSEMENT_OPENINGS[relationship])}${organisation ? ` at ${organisation}` : ''}, ` +
				`${r.pick(ENDORSEMENT_DETAILS)}. ${r.pick(ENDORSEMENT_CLOSINGS)}`;
			const flag =
				status === 'hidden' && r.chance(0.4)
					? 'reported'
					: status !== 'accepted' && r.chance(0.25)
						? 'generic'
						: null;
			const decided =
				status === 'pending' ? null : iso(Math.min(today, created + r.int(0, 14 * DAY_MS)));
			rows.push(
				endorser,
				ids[i],
				relationship,
				organisation,
				period,
				body,
				status,
				flag ? `{${flag}}` : '{}',
				iso(created),
				decided ?? iso(created),
				decided
			);
		}
	}
	return rows;
}

/** Reports progress at every tenth, with the time so far and the memory held. */
function progress(label: string, total: number, started: number, log: (line: string) => void) {
	let lastDecile = 0;
	return (done: number) => {
		const decile = Math.floor((done / total) * 10);
		if (decile <= lastDecile && done !== total) return;
		lastDecile = decile;
		const seconds = ((performance.now() - started) / 1000).toFixed(1);
		log(
			`  ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} ${label} · ${seconds} s · ${memory()}`
		);
	};
}

async function seedEndorsements(
	writer: Writer,
	ids: number[],
	perProfile: number,
	seed: number,
	today: number,
	log: (line: string) => void
): Promise<number> {
	if (perProfile === 0 || ids.length < 2) return 0;
	// A stream of its own, so that profiles stay the same whatever the number of endorsements.
	const random = new Random(seed ^ 0x5eed_e4d0);
	const subjectsPerBatch = Math.max(1, Math.floor(ENDORSEMENT_BATCH_SIZE / perProfile));
	const report = progress('people endorsed', ids.length, performance.now(), log);
	let rows = 0;
	let endorsed = 0;
	const writes = new Writes(writer.parallel);
	for (let from = 0; from < ids.length; from += subjectsPerBatch) {
		const to = Math.min(ids.length, from + subjectsPerBatch);
		// Drawn in order, so the same seed gives the same endorsements; drawn while the batches
		// before are written.
		const batch = generateEndorsements(random, ids, from, to, perProfile, today);
		await writes.add(writer.write([batch]), () => {
			rows += batch.count;
			endorsed += to - from;
			report(endorsed);
		});
		await new Promise((resolve) => setImmediate(resolve));
	}
	await writes.settle();
	return rows;
}

/**
 * Batches being written, at most `limit` at once: adding one more waits for the oldest, which
 * keeps memory bounded while the writer's connections stay busy. A failed write fails `add`
 * or `settle`, whichever comes first.
 */
class Writes {
	#pending: Promise<void>[] = [];
	readonly limit: number;

	constructor(limit: number) {
		this.limit = limit;
	}

	async add(write: Promise<void>, done: () => void): Promise<void> {
		const tracked = write.then(done);
		// Seen by `add` or `settle` later; until then not an unhandled rejection.
		tracked.catch(() => {});
		this.#pending.push(tracked);
		while (this.#pending.length > this.limit) await this.#pending.shift();
	}

	async settle(): Promise<void> {
		while (this.#pending.length > 0) await this.#pending.shift();
	}
}

/**
 * The search row of every seeded person, from the same statement the app runs on every change.
 * `bulk`: nobody else is using the database, and name_words was empty. Its triggers then stay
 * off for these writes, and the words of all names are counted once at the end: firing, they
 * and the foreign key check cost a tenth of each chunk, and each chunk held the row locks of
 * common words ('ada', 'smith') until it committed, which the other lane could wait for.
 */
async function buildSearchRows(
	db: Db,
	ids: number[],
	bulk: boolean,
	log: (line: string) => void
): Promise<void> {
	const report = progress('search rows', ids.length, performance.now(), log);
	// Triggers other than ALWAYS ones (and foreign key checks, which hold by construction here)
	// do not fire for a session in the replica role; only a superuser may take it.
	const quiet =
		bulk &&
		(await sql<{ on: string }>`select current_setting('is_superuser') as on`.execute(db)).rows[0]
			?.on === 'on';
	let built = 0;
	const tasks: (() => Promise<void>)[] = [];
	for (let from = 0; from < ids.length; from += SEARCH_CHUNK_SIZE) {
		const chunk = ids.slice(from, from + SEARCH_CHUNK_SIZE);
		tasks.push(async () => {
			await db.transaction().execute(async (trx) => {
				// Compiling this statement to machine code costs more than it saves at this size.
				await sql`set local jit = off`.execute(trx);
				if (quiet) await sql`set local session_replication_role = replica`.execute(trx);
				await refreshSearchDocuments(trx, chunk);
			});
			built += chunk.length;
			report(built);
		});
	}
	await inPairs(tasks);
	if (quiet) await countNameWords(db);
}

/** name_words counted afresh from every listed name, as its triggers would have kept it. */
async function countNameWords(db: Db): Promise<void> {
	await db.transaction().execute(async (trx) => {
		await sql`delete from name_words`.execute(trx);
		await sql`
			insert into name_words (word, holders)
			select w, count(*)::int from profile_search s cross join name_words_of(s.name_text) w
			where s.listed group by w`.execute(trx);
	});
}

// ---------------------------------------------------------------------------------------------

function readOptions() {
	const { values } = parseArgs({
		options: {
			profiles: { type: 'string', default: '1000' },
			'endorsements-per-profile': { type: 'string', default: '10' },
			seed: { type: 'string', default: '1' },
			reset: { type: 'boolean', default: false },
			help: { type: 'boolean', short: 'h', default: false }
		}
	});
	if (values.help) {
		console.log(
			'Usage: npm run seed -- [--profiles N] [--endorsements-per-profile E] [--seed S] [--reset]\n' +
				'Seeds DATABASE_URL (PostgreSQL) or PGLITE_DATA_DIR (default ./data/pglite) with N profiles\n' +
				'and about N × E endorsements between them (default E = 10), then builds their search rows.\n' +
				'Adds to the users already there (seeded handles never clash with theirs); --reset deletes\n' +
				'every user (and everything they own) first.'
		);
		process.exit(0);
	}
	const profiles = Number(values.profiles);
	const seed = Number(values.seed);
	if (!Number.isSafeInteger(profiles) || profiles < 1 || profiles > 10_000_000) {
		throw new Error(
			`--profiles must be a whole number from 1 to 10,000,000 (got ${values.profiles}).`
		);
	}
	if (!Number.isSafeInteger(seed))
		throw new Error(`--seed must be a whole number (got ${values.seed}).`);
	const endorsementsPerProfile = Number(values['endorsements-per-profile']);
	if (
		!Number.isSafeInteger(endorsementsPerProfile) ||
		endorsementsPerProfile < 0 ||
		endorsementsPerProfile > 100
	) {
		throw new Error(
			`--endorsements-per-profile must be a whole number from 0 to 100 (got ${values['endorsements-per-profile']}).`
		);
	}
	return { profiles, endorsementsPerProfile, seed, reset: values.reset };
}

function formatRate(rows: number, ms: number): string {
	return Math.round((rows / ms) * 1000).toLocaleString('en-US');
}

export interface SeedOptions {
	profiles: number;
	endorsementsPerProfile: number;
	seed: number;
	reset: boolean;
	/** PostgreSQL's address, for writing through COPY on connections of the seed's own. */
	databaseUrl?: string;
	/** From how many profiles a fresh database is loaded without its secondary indexes. */
	bulkFrom?: number;
}

export interface SeedResult {
	/** Users that were there before (0 after --reset). */
	existing: number;
	totals: RowCounts & { endorsements: number };
	/** Drawn handles the database already held, given the unique form instead. */
	renamed: number;
	sample?: { email: string; handle: string };
	ms: number;
}

/** Megabytes of resident memory now, and the most this process has held. */
function memory(): string {
	const rss = process.memoryUsage.rss() / 1_048_576;
	const peak = process.resourceUsage().maxRSS / 1024;
	return `RSS ${Math.round(rss)} MB (peak ${Math.round(peak)} MB)`;
}

/**
 * Adds `profiles` seeded people (and their endorsements between each other, and their search
 * rows) to a migrated database, next to whoever is already there; `reset` deletes every user
 * first. Memory stays bounded by the batch size plus one id and one handle per seeded profile.
 */
export async function seedDatabase(
	db: Db,
	options: SeedOptions,
	log: (line: string) => void = () => {}
): Promise<SeedResult> {
	const existing = await sql<{ n: number; top: number }>`
		select count(*)::int as n, coalesce(max(id), 0)::int as top from users`.execute(db);
	let { n: userCount, top } = existing.rows[0];
	if (options.reset && userCount > 0) {
		// The seeded tables by name too: after a stopped bulk load their foreign keys may be missing.
		// A truncation fires no delete trigger: the words of names (name_words) go by name as well.
		await sql`truncate table ${sql.join([...SEEDED_TABLES, 'profile_search', 'name_words'].map((t) => sql.id(t)))} cascade`.execute(
			db
		);
		log(`Deleted ${userCount.toLocaleString('en-US')} users and everything they owned.`);
		userCount = 0;
		top = 0;
	} else if (userCount > 0) {
		log(`Adding to the ${userCount.toLocaleString('en-US')} users already there.`);
	}

	const leftOver = await pendingIndexes(db);
	if (leftOver.length > 0) {
		log(
			`An earlier seed was stopped during a bulk load: building the ${leftOver.length} indexes ` +
				'and constraints it had dropped first.'
		);
		await restoreIndexes(db, leftOver, INDEX_BUILD_MEMORY);
		// It may have stopped while search rows were written without name_words' triggers.
		await countNameWords(db);
	}

	const started = performance.now();
	const passwordHash = await hashPassword(SEED_PASSWORD);
	const skillIds = await ensureSkills(db);
	// Added to a database that has users, a run draws other people than the run before it did.
	const drawSeed = options.seed + top;
	const random = new Random(drawSeed);
	// Numbers of the unique handle form: above every id so far, so never one an earlier run used.
	const firstNumber = top + 1;
	let spare = firstNumber + options.profiles;
	let renamed = 0;
	// Dates count back from today (UTC), so a seed run on the same day is identical.
	const today = new Date(new Date().toISOString().slice(0, 10)).getTime();
	const totals: RowCounts & { endorsements: number } = {
		users: 0,
		profiles: 0,
		profile_skills: 0,
		work_items: 0,
		work_item_skills: 0,
		network_accounts: 0,
		profile_views: 0,
		endorsements: 0
	};
	const ids: number[] = [];
	let sample: SeedProfile | undefined;
	const bulk = userCount === 0 && options.profiles >= (options.bulkFrom ?? BULK_LOAD_PROFILES);
	const writer = options.databaseUrl ? await copyWriter(options.databaseUrl) : insertWriter(db);
	const phases: [name: string, ms: number, nodeMs: number][] = [];
	let phaseStarted = performance.now();
	let phaseCpu = process.cpuUsage();
	const phase = (name: string) => {
		const now = performance.now();
		const cpu = process.cpuUsage(phaseCpu);
		phases.push([name, now - phaseStarted, (cpu.user + cpu.system) / 1000]);
		phaseStarted = now;
		phaseCpu = process.cpuUsage();
	};
	// Nobody uses a database without users yet: it is filled faster without its secondary indexes
	// and foreign keys, built once from the finished tables (every row checked then).
	// Users keep theirs: the handle look-up of every batch reads them.
	const unindexed = SEEDED_TABLES.filter((table) => table !== 'users');
	const deferred = bulk ? await dropSecondaryIndexes(db, unindexed) : [];
	// A GIN index builds on one core only (PostgreSQL 15), the trigram one of endorsements for
	// longest: it builds alongside the other indexes and the search rows. What would wait for it
	// (its table's foreign keys and unique constraints lock the table) comes after.
	const slowTables = new Set(deferred.filter((d) => d.gin).map((d) => d.table));
	const slow = deferred.filter((d) => d.gin);
	const afterSlow = deferred.filter((d) => d.foreignKey && slowTables.has(d.table));
	const first = deferred
		.filter((d) => !slow.includes(d) && !afterSlow.includes(d))
		// Other tables' first, while VACUUM holds the slow tables.
		.sort((a, b) => Number(slowTables.has(a.table)) - Number(slowTables.has(b.table)));
	const waitsForSlow = (d: (typeof deferred)[number]) => slowTables.has(d.table);
	let slowBuild: Promise<void> | undefined;
	let vacuumed: Promise<unknown> | undefined;
	const endorse = async (subjects: number[]) => {
		totals.endorsements = await seedEndorsements(
			writer,
			subjects,
			options.endorsementsPerProfile,
			drawSeed,
			today,
			log
		);
		phase('endorsements');
		// Search rows read endorsement counts from an index alone once the visibility map is set.
		vacuumed = sql`vacuum analyze ${sql.id(ENDORSEMENTS.table)}`.execute(db);
		slowBuild = vacuumed.then(() => restoreIndexes(db, slow, INDEX_BUILD_MEMORY, { lanes: 1 }));
		slowBuild.catch(() => {});
	};
	try {
		// A bulk load writes the endorsements first, among ids reserved for the whole run (no
		// foreign key holds meanwhile): their trigram GIN, the longest build and one core's work
		// (no parallel GIN build before PostgreSQL 18), then builds beside the profiles instead of
		// after them. Written after the profiles, it finished 117 s after everything else.
		const reserved = bulk ? await reserveIds(db, 'users', options.profiles) : null;
		if (reserved) await endorse(reserved);
		const reportProfiles = progress('profiles', options.profiles, performance.now(), log);
		const sizeAfter = (done: number) => Math.min(BATCH_SIZE, options.profiles - done);
		// Handles of the batches not yet known to be written, which the database cannot see yet.
		const inFlight: { handles: string[]; written: Promise<void> }[] = [];
		const writes = new Writes(writer.parallel);
		let next = generateBatch(random, today, sizeAfter(0), firstNumber);
		for (let done = 0; done < options.profiles;) {
			const size = sizeAfter(done);
			const batch = await next;
			// The next batch is drawn while this one is written: Node and the database work at once.
			if (done + size < options.profiles) {
				next = generateBatch(random, today, sizeAfter(done + size), firstNumber + done + size);
			}
			// Earlier batches are in the database or in flight: one indexed look-up per batch, instead
			// of a set of every handle drawn, keeps memory flat however many profiles are seeded.
			const held = new Set(inFlight.flatMap((b) => b.handles));
			renamed += await avoidExistingHandles(db, batch, held, () => spare++);
			sample ??= batch.find((p) => p.visibility === 'public' && p.headline && p.work.length > 1);
			const batchIds = reserved
				? reserved.slice(done, done + batch.length)
				: await reserveIds(db, 'users', batch.length);
			const workIds = await reserveIds(
				db,
				'work_items',
				batch.reduce((sum, p) => sum + p.work.length, 0)
			);
			const { tables, counts } = batchRows(batch, batchIds, workIds, passwordHash, skillIds);
			const entry = { handles: batch.map((p) => p.handle), written: writer.write(tables) };
			inFlight.push(entry);
			await writes.add(entry.written, () => {
				inFlight.splice(inFlight.indexOf(entry), 1);
				for (const key of Object.keys(counts) as (keyof RowCounts)[]) totals[key] += counts[key];
			});
			ids.push(...batchIds);
			done += size;
			reportProfiles(done);
		}
		await writes.settle();
		phase('profiles');
		if (!reserved) await endorse(ids);
		await restoreIndexes(
			db,
			first.filter((d) => !waitsForSlow(d)),
			INDEX_BUILD_MEMORY
		);
		await restoreIndexes(db, first.filter(waitsForSlow), INDEX_BUILD_MEMORY, { attach: false });
		await vacuumed;
		phase('indexes (but GIN), vacuum');
	} finally {
		await writer.close();
		// Also after a failure: the database keeps its schema whatever became of the seed.
		await restoreIndexes(db, first, INDEX_BUILD_MEMORY, { attach: false });
	}
	const searchIndexes = bulk ? await dropSecondaryIndexes(db, ['profile_search']) : [];
	let othersVacuumed: Promise<void> | undefined;
	try {
		// Statistics first: without them the planner took a profile's few skills for hundreds and
		// probed profile_skills once per skill there is (129 probes a profile, 0.6 ms of its 0.8 ms
		// at a million profiles), where with them it hashes the profile's skills.
		if (bulk)
			await sql`analyze ${sql.join(
				[...SEEDED_TABLES, 'skills'].filter((t) => t !== 'endorsements').map((t) => sql.id(t))
			)}`.execute(db);
		await buildSearchRows(db, ids, bulk, log);
		phase('search rows');
		await restoreIndexes(db, searchIndexes, INDEX_BUILD_MEMORY);
		phase('search indexes');
		// Fresh statistics, so that the planner sees the seeded sizes straight away, and the vacuum a
		// database gets in use (visibility maps for index-only scans). Every table but the
		// endorsements (vacuumed once written) is done while their trigram GIN finishes on one core
		// and their keys are checked: done after those, one vacuum at a time, a core stood idle.
		othersVacuumed = vacuumTables(db, { except: [ENDORSEMENTS.table] });
		othersVacuumed.catch(() => {});
	} finally {
		await restoreIndexes(db, searchIndexes, INDEX_BUILD_MEMORY);
		await slowBuild?.catch(() => {});
		await restoreIndexes(db, slow, INDEX_BUILD_MEMORY);
		if (slow.length > 0) phase('waiting for the GIN');
		await restoreIndexes(db, [...first, ...afterSlow], INDEX_BUILD_MEMORY);
		if (afterSlow.length > 0) phase('last foreign keys');
	}
	await othersVacuumed;
	await closeLedger(db);
	phase('vacuum analyze, the rest');
	for (const [name, ms, nodeMs] of phases) {
		log(
			`  ${name.padEnd(28)} ${(ms / 1000).toFixed(1).padStart(7)} s` +
				` (Node busy ${Math.round((nodeMs / ms) * 100)} %)`
		);
	}
	log(
		`  load average ${os
			.loadavg()
			.map((n) => n.toFixed(1))
			.join(' ')}`
	);
	return {
		existing: userCount,
		totals,
		renamed,
		sample: sample && { email: sample.email, handle: sample.handle },
		ms: performance.now() - started
	};
}

async function main(): Promise<void> {
	const options = readOptions();
	const connection = {
		databaseUrl: process.env.DATABASE_URL || undefined,
		pgliteDir: process.env.PGLITE_DATA_DIR || './data/pglite'
	};
	const engine = engineOf(connection);
	const db = createDatabase(connection);
	try {
		await migrateToLatest(db);
		console.log(
			`Seeding ${options.profiles.toLocaleString('en-US')} profiles into ${engine} (seed ${options.seed})…`
		);
		const result = await seedDatabase(
			db,
			{ ...options, databaseUrl: connection.databaseUrl },
			(line) => console.log(line)
		);
		const rows = Object.values(result.totals).reduce((sum, n) => sum + n, 0);
		for (const [table, n] of Object.entries(result.totals)) {
			console.log(`  ${table.padEnd(17)} ${n.toLocaleString('en-US').padStart(11)} rows`);
		}
		if (result.renamed > 0) {
			console.log(
				`  ${result.renamed.toLocaleString('en-US')} drawn handles were taken already and got the unique form`
			);
		}
		console.log(
			`Seeded ${options.profiles.toLocaleString('en-US')} profiles (${rows.toLocaleString('en-US')} rows, ` +
				`search rows included) in ${(result.ms / 1000).toFixed(1)} s: ${formatRate(rows, result.ms)} rows/s, ` +
				`${formatRate(options.profiles, result.ms)} profiles/s; ${memory()}.`
		);
		console.log(`Every seeded account's password: ${SEED_PASSWORD}`);
		if (result.sample) {
			console.log(
				`For example, log in as ${result.sample.email} and open /@${result.sample.handle}`
			);
		}
	} finally {
		await db.destroy();
	}
}

// Run as a command only: the benchmark imports this file for SEED_PASSWORD.
if (import.meta.main) {
	try {
		await main();
	} catch (error) {
		console.error(error instanceof Error ? error.message : error);
		process.exitCode = 1;
	}
}
