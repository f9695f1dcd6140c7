// `npm run bench:search [-- --profiles N] [--endorsements-per-profile E] [--database URL]
// [--verbose] [--busy N] [--kinds a,b]`: how fast searchProfiles answers a fixed, varied mix of queries, next to the same
// queries written as a naive ILIKE scan, and EXPLAIN (ANALYZE, BUFFERS) of every statement of one
// query per kind. Runs on a throwaway, seeded database: PostgreSQL (100,000 profiles) when
// TEST_DATABASE_URL or DATABASE_URL is set, otherwise PGlite in a temporary directory (5,000
// profiles). --database measures an already seeded PostgreSQL database instead and leaves it as
// it was; --verbose lists every query with its time. A PostgreSQL run at full size stores its
// figures in tests/bench/results/search-<profiles>.json; a run at another size (a million) prints
// the stored 100,000-profile p95 beside each of its own, so growth shows. --busy N times the
// searches beside N processes that each keep a core busy (a load average of about N + 1).
// --kinds times only the kinds named (comma-separated, as printed), and stores nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
	CompiledQuery,
	sql,
	type KyselyPlugin,
	type PluginTransformQueryArgs,
	type PluginTransformResultArgs,
	type QueryId,
	type QueryResult,
	type RootOperationNode,
	type SqlBool,
	type UnknownRow
} from 'kysely';
import { cleanUp, cleanups, throwawayDatabase } from './cleanup.ts';
import { createDatabase, type ConnectOptions, type Db } from '#lib/server/db/connect.js';
import { PAGE_SIZE } from '#lib/server/search/bands.js';
import { parseSearchParams, queryWords, type SearchQuery } from '#lib/server/search/params.js';
import { searchProfiles } from '#lib/server/search/query.js';
import { forgetTerms } from '#lib/server/search/statistics.js';
import { markTrusted } from '#lib/server/trust/members.js';
import { runTrust } from '#lib/server/trust/job.js';
import { Random } from '../../src/cli/seed.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const QUERIES_PER_KIND = 40;
// Each search query runs this many times after the warm-up; the slow scan runs once.
const ROUNDS = 5;
const DEEP_PAGE = 10;
// Issue 11: p95 ≤ 20 ms at 100,000 profiles; issue 15: ≤ 30 ms at a million, both ≥ 20× a scan.
const GOALS = { p95Ms: 20, largeP95Ms: 30, speedUp: 20 };
const FULL_SIZE = 100_000;
const LARGE_SIZE = 1_000_000;
const RESULTS = path.join(ROOT, 'tests/bench/results');
// Plans may scan these only through an index: they grow with the number of people.
const BIG_TABLES = new Set(['profile_search', 'profiles', 'users', 'endorsements']);

const KINDS = [
	'single skill',
	'multi-skill + location',
	'free text',
	'typo',
	'empty query + filters',
	'deep page'
] as const;
type Kind = (typeof KINDS)[number];

interface BenchQuery {
	kind: Kind;
	label: string;
	params: URLSearchParams;
	query: SearchQuery;
	page: number;
	/** For a deep page: the page before it, which a visitor reads first (untimed). */
	previous?: SearchQuery;
}

// ---------------------------------------------------------------------------------------------
// Database

interface BenchDatabase {
	engine: 'postgres' | 'pglite';
	connect: ConnectOptions;
	env: Record<string, string>;
	seeded: boolean;
}

async function createBenchDatabase(existing: string | undefined): Promise<BenchDatabase> {
	if (existing) {
		return {
			engine: 'postgres',
			connect: { databaseUrl: existing },
			env: { DATABASE_URL: existing },
			seeded: true
		};
	}
	const adminUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
	if (!adminUrl) {
		const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'proofwork-bench-search-'));
		cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
		const pgliteDir = path.join(dir, 'pglite');
		return {
			engine: 'pglite',
			connect: { pgliteDir },
			env: { DATABASE_URL: '', PGLITE_DATA_DIR: pgliteDir },
			seeded: false
		};
	}
	const url = await throwawayDatabase(adminUrl, `proofwork_bench_search_${process.pid}`);
	return {
		engine: 'postgres',
		connect: { databaseUrl: url },
		env: { DATABASE_URL: url },
		seeded: false
	};
}

function exited(child: ChildProcess): Promise<number | null> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
	return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function seed(database: BenchDatabase, profiles: number, perProfile: number): Promise<void> {
	const child = spawn(
		process.execPath,
		[
			'src/cli/seed.ts',
			'--profiles',
			String(profiles),
			'--endorsements-per-profile',
			String(perProfile)
		],
		{ cwd: ROOT, env: { ...process.env, ...database.env }, stdio: ['ignore', 'inherit', 'inherit'] }
	);
	cleanups.push(async () => {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
		await exited(child);
	});
	const code = await exited(child);
	if (code !== 0) throw new Error(`Seeding failed (exit code ${code}).`);
}

// ---------------------------------------------------------------------------------------------
// The query mix: drawn from the seeded people with a fixed seed, so every run asks the same.

interface Person {
	name: string;
	skills: string[];
	city: string | null;
}

// What people type into a search box for these trades, besides names.
const PHRASES = [
	'community manager',
	'shopify developer',
	'tiktok shop',
	'klaviyo flows',
	'seo',
	'paid social',
	'discord',
	'email marketing',
	'ugc',
	'brand strategy',
	'influencer partnerships',
	'meta ads',
	'growth analyst',
	'copywriter',
	'short-form video',
	'amazon catalogue',
	'retention',
	'creator sourcing',
	'technical seo audit',
	'lifecycle marketer'
];

/** A word of a skill with one slip of the finger: a letter dropped, doubled or two swapped. */
function misspell(r: Random, word: string): string {
	const i = r.int(1, word.length - 2);
	switch (r.int(0, 2)) {
		case 0:
			return word.slice(0, i) + word.slice(i + 1);
		case 1:
			return word.slice(0, i) + word[i] + word.slice(i);
		default:
			return word.slice(0, i - 1) + word[i] + word[i - 1] + word.slice(i + 1);
	}
}

async function loadPeople(db: Db): Promise<Person[]> {
	const rows = await sql<{ name_text: string; skills_text: string; location: string | null }>`
		select name_text, skills_text, location from profile_search
		where listed and skills_text <> '' order by user_id`.execute(db);
	return rows.rows.map((row) => ({
		name: row.name_text,
		skills: row.skills_text.split(', '),
		// "Lagos, Nigeria" is searched as "Lagos"; "Remote · Europe" as "Remote".
		city: row.location?.split(/[,·(]/)[0].trim() || null
	}));
}

async function buildQueries(db: Db): Promise<BenchQuery[]> {
	const people = await loadPeople(db);
	if (people.length < 50) throw new Error('The seeded database has too few listed profiles.');
	const r = new Random(2026);
	const person = () => r.pick(people);
	const withCity = () => {
		for (;;) {
			const p = person();
			if (p.city && p.skills.length >= 2) return p as Person & { city: string };
		}
	};
	const availability = () => r.pick(['open_to_work', 'open_to_freelance', 'not_looking']);
	const queries: BenchQuery[] = [];
	const add = (kind: Kind, entries: [string, string][], page = 1) => {
		const params = new URLSearchParams(entries);
		queries.push({
			kind,
			label: decodeURIComponent(params.toString()).replace(/\+/g, ' ') || '(no filters)',
			params,
			query: parseSearchParams(params).query,
			page
		});
	};

	for (let i = 0; i < QUERIES_PER_KIND; i++)
		add('single skill', [['skill', r.pick(person().skills)]]);
	for (let i = 0; i < QUERIES_PER_KIND; i++) {
		const p = withCity();
		const first = r.int(0, p.skills.length - 1);
		const second = (first + r.int(1, p.skills.length - 1)) % p.skills.length;
		add('multi-skill + location', [
			['skill', p.skills[first]],
			['skill', p.skills[second]],
			['location', p.city]
		]);
	}
	for (let i = 0; i < QUERIES_PER_KIND; i++) {
		add('free text', [['q', i % 2 === 0 ? person().name : PHRASES[(i >> 1) % PHRASES.length]]]);
	}
	// Slips in a surname, in a one-word skill, and in one word of a longer skill, in turn.
	for (let i = 0; i < QUERIES_PER_KIND;) {
		const p = person();
		const skill = r.pick(p.skills);
		if ((i % 3 === 1 && skill.includes(' ')) || (i % 3 === 2 && !skill.includes(' '))) continue;
		const words = (i % 3 === 0 ? p.name.split(' ').at(-1)! : skill)
			.toLowerCase()
			.split(/[^\p{L}]+/u)
			.filter((w) => w.length >= 5);
		if (words.length === 0) continue;
		add('typo', [['q', misspell(r, r.pick(words))]]);
		i++;
	}
	for (let i = 0; i < QUERIES_PER_KIND; i++) {
		const filters: [string, string][] = [];
		const draw = r.int(1, 7);
		if (draw & 1) filters.push(['availability', availability()]);
		if (draw & 2) filters.push(['location', withCity().city]);
		if (draw & 4) filters.push(['min', String(r.int(1, 12))]);
		if (r.next() < 0.3) filters.push(['work', '1']);
		add('empty query + filters', filters);
	}
	// Deep pages of broad listings: everyone, one availability, one common skill, one common word.
	// DEEP_PAGE pages deep at full size; a smaller database is paged as deep as its listings reach.
	const depth = Math.max(2, Math.min(DEEP_PAGE, Math.floor(people.length / (4 * PAGE_SIZE))));
	const holders = new Map<string, number>();
	for (const p of people)
		for (const skill of p.skills) holders.set(skill, (holders.get(skill) ?? 0) + 1);
	const mostHeld = [...holders].sort((a, b) => b[1] - a[1]).map(([skill]) => skill);
	const commonSkills = [...holders]
		.filter(([, n]) => n > 2 * depth * PAGE_SIZE)
		.map(([skill]) => skill)
		.sort();
	if (commonSkills.length === 0) commonSkills.push(...mostHeld.slice(0, 5).sort());
	for (let i = 0; i < QUERIES_PER_KIND; i++) {
		// A draw with fewer pages than that (a rarer word at a small size) is drawn again.
		for (let attempt = 1; ; attempt++) {
			const entries: [string, string][] = [
				[],
				[['availability', availability()]],
				[['skill', r.pick(commonSkills)]],
				[['q', r.pick(['shopify', 'seo', 'community', 'email', 'tiktok', 'brand'])]]
			][i % 4] as [string, string][];
			const before = await cursorTo(db, entries, depth - 1);
			const after = before === null && depth > 2 ? null : await nextCursor(db, entries, before);
			if (after) {
				add('deep page', entries, depth);
				// A deep page starts from the cursor the page before it handed out, as a visitor's would.
				const q = queries.at(-1)!;
				const previous = new URLSearchParams(q.params);
				if (before) previous.set('after', before);
				q.previous = parseSearchParams(previous).query;
				q.params.set('after', after);
				q.query = parseSearchParams(q.params).query;
				break;
			}
			if (attempt === 20)
				throw new Error(
					`Too few listings like "${new URLSearchParams(entries)}" have ${depth} pages of results.`
				);
		}
	}
	return queries;
}

/** The cursor "Next" leads to on page `page - 1` of a search; null when it has fewer pages. */
async function cursorTo(db: Db, entries: [string, string][], page: number): Promise<string | null> {
	let after: string | null = null;
	for (let shown = 1; shown < page; shown++) {
		after = await nextCursor(db, entries, after);
		if (!after) return null;
	}
	return after;
}

/** The cursor "Next" leads to from the page that `after` starts (null: the first page). */
async function nextCursor(
	db: Db,
	entries: [string, string][],
	after: string | null
): Promise<string | null> {
	const params = new URLSearchParams(entries);
	if (after) params.set('after', after);
	return (await searchProfiles(db, parseSearchParams(params).query)).next;
}

// ---------------------------------------------------------------------------------------------
// The naive scan: what one writes without a search table or an index, with the same filters.

function naiveSearch(db: Db, q: BenchQuery) {
	const { query } = q;
	const like = (text: string) => `%${text.replace(/[\\%_]/g, '\\$&')}%`;
	const conditions = [
		sql<SqlBool>`p.visibility = 'public' and p.display_name is not null and p.headline is not null`
	];
	for (const word of queryWords(query.q)) {
		const w = like(word);
		conditions.push(sql<SqlBool>`(
			p.display_name ilike ${w} or u.handle ilike ${w} or p.headline ilike ${w} or p.bio_md ilike ${w}
			or exists (select 1 from profile_skills ps join skills sk on sk.id = ps.skill_id
				where ps.user_id = p.user_id and sk.name ilike ${w})
			or exists (select 1 from work_items wi
				where wi.user_id = p.user_id and (wi.title ilike ${w} or wi.outcome ilike ${w})))`);
	}
	for (const skill of query.skills) {
		conditions.push(sql<SqlBool>`exists (select 1 from profile_skills ps join skills sk on sk.id = ps.skill_id
			where ps.user_id = p.user_id and sk.name ilike ${skill.replace(/[\\%_]/g, '\\$&')})`);
	}
	if (query.location) conditions.push(sql<SqlBool>`p.location ilike ${like(query.location)}`);
	if (query.availability) conditions.push(sql<SqlBool>`p.availability = ${query.availability}`);
	if (query.minEndorsements > 0) {
		conditions.push(sql<SqlBool>`(select count(*) from endorsements e
			where e.subject_id = p.user_id and e.status = 'accepted') >= ${query.minEndorsements}`);
	}
	if (query.hasWork) {
		conditions.push(
			sql<SqlBool>`exists (select 1 from work_items wi where wi.user_id = p.user_id)`
		);
	}
	return sql<{ user_id: number }>`
		select p.user_id, u.handle, p.display_name, p.headline, p.location
		from profiles p join users u on u.id = p.user_id
		where ${sql.join(conditions, sql` and `)}
		order by coalesce(p.display_name, u.handle), p.user_id
		limit ${PAGE_SIZE} offset ${(q.page - 1) * PAGE_SIZE}`.execute(db);
}

// ---------------------------------------------------------------------------------------------
// Measurements

interface Timing {
	perQuery: { label: string; found: number; median: number }[];
	times: number[];
	results: number;
	empty: number;
	slowest: { label: string; ms: number };
}

async function timeAll(
	queries: BenchQuery[],
	rounds: number,
	run: (q: BenchQuery) => Promise<number>,
	prepare?: (q: BenchQuery) => Promise<void>
): Promise<Timing> {
	const timing: Timing = {
		perQuery: [],
		times: [],
		results: 0,
		empty: 0,
		slowest: { label: '', ms: 0 }
	};
	const perQuery = queries.map(() => [] as number[]);
	const found = queries.map(() => 0);
	for (let round = 0; round < rounds; round++) {
		for (const [i, q] of queries.entries()) {
			await prepare?.(q);
			const started = performance.now();
			const count = await run(q);
			const elapsed = performance.now() - started;
			timing.times.push(elapsed);
			perQuery[i].push(elapsed);
			if (round === 0) {
				found[i] = count;
				timing.results += count;
				if (count === 0) timing.empty++;
			}
		}
	}
	for (const [i, q] of queries.entries()) {
		const median = percentile(perQuery[i], 50);
		timing.perQuery.push({ label: q.label, found: found[i], median });
		if (median > timing.slowest.ms) timing.slowest = { label: q.label, ms: median };
	}
	return timing;
}

/** Nearest-rank percentile. */
function percentile(times: number[], p: number): number {
	const sorted = times.toSorted((a, b) => a - b);
	return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Records the statements a Kysely instance runs (not the subqueries it builds), to explain them. */
class RunQueries implements KyselyPlugin {
	#nodes = new Map<QueryId, RootOperationNode>();
	ran: { node: RootOperationNode; queryId: QueryId }[] = [];

	transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
		this.#nodes.set(args.queryId, args.node);
		return args.node;
	}

	async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
		const node = this.#nodes.get(args.queryId);
		if (node) this.ran.push({ node, queryId: args.queryId });
		return args.result;
	}
}

interface PlanNode {
	'Node Type': string;
	'Relation Name'?: string;
	'Index Name'?: string;
	Alias?: string;
	'Actual Rows': number;
	'Actual Loops': number;
	'Actual Total Time': number;
	'Shared Hit Blocks'?: number;
	'Shared Read Blocks'?: number;
	Plans?: PlanNode[];
}

async function explain(db: Db, compiled: CompiledQuery) {
	const result = await db.executeQuery<{ 'QUERY PLAN': unknown }>(
		CompiledQuery.raw(`explain (analyze, buffers, format json) ${compiled.sql}`, [
			...compiled.parameters
		])
	);
	const raw = result.rows[0]['QUERY PLAN'];
	const [plan] = (typeof raw === 'string' ? JSON.parse(raw) : raw) as {
		Plan: PlanNode;
		'Planning Time': number;
		'Execution Time': number;
	}[];
	return plan;
}

function describeNode(node: PlanNode): string {
	const on = node['Relation Name']
		? ` on ${node['Relation Name']}${node.Alias && node.Alias !== node['Relation Name'] ? ` ${node.Alias}` : ''}`
		: '';
	const using = node['Index Name'] ? ` using ${node['Index Name']}` : '';
	return (
		`${node['Node Type']}${using}${on}  (rows ${node['Actual Rows']}` +
		`${node['Actual Loops'] > 1 ? ` × ${node['Actual Loops']} loops` : ''}, ${node['Actual Total Time'].toFixed(2)} ms)`
	);
}

function walk(node: PlanNode, depth: number, visit: (node: PlanNode, depth: number) => void) {
	visit(node, depth);
	for (const child of node.Plans ?? []) walk(child, depth + 1, visit);
}

async function printPlans(
	db: Db,
	queries: BenchQuery[],
	slowest: Map<Kind, string>
): Promise<string[]> {
	const seqScans: string[] = [];
	console.log(
		'\nEXPLAIN (ANALYZE, BUFFERS) of every statement of the first and the slowest query per kind:'
	);
	const explained = [...slowest.keys()].flatMap((kind) => {
		const ofKind = queries.filter((x) => x.kind === kind);
		const slow = ofKind.find((x) => x.label === slowest.get(kind));
		return slow && slow !== ofKind[0] ? [ofKind[0], slow] : [ofKind[0]];
	});
	for (const q of explained) {
		const kind = q.kind;
		const recorder = new RunQueries();
		await searchProfiles(db.withPlugin(recorder), q.query);
		console.log(`\n  ${kind}: ${q.label}`);
		for (const [i, { node, queryId }] of recorder.ran.entries()) {
			const plan = await explain(db, db.getExecutor().compileQuery(node, queryId));
			console.log(
				`    statement ${i + 1} of ${recorder.ran.length}: planning ${plan['Planning Time'].toFixed(2)} ms, ` +
					`execution ${plan['Execution Time'].toFixed(2)} ms, buffers hit ` +
					`${plan.Plan['Shared Hit Blocks'] ?? 0} read ${plan.Plan['Shared Read Blocks'] ?? 0}`
			);
			walk(plan.Plan, 0, (node, depth) => {
				const seq = node['Node Type'] === 'Seq Scan' && BIG_TABLES.has(node['Relation Name'] ?? '');
				if (seq) seqScans.push(`${kind}: Seq Scan on ${node['Relation Name']}`);
				console.log(`      ${'  '.repeat(depth)}${seq ? '⚠ ' : ''}${describeNode(node)}`);
			});
		}
	}
	return seqScans;
}

// ---------------------------------------------------------------------------------------------

function verdict(ok: boolean): string {
	return ok ? 'PASS' : 'FAIL';
}

function ms(value: number): string {
	return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0);
}

function times(value: number): string {
	return `${value < 100 ? value.toFixed(1) : value.toFixed(0)}×`;
}

// One listed member in this many is marked trusted, as an operator would mark the members they
// know; a trust run then ranks everyone as production does (search p95 is measured with trust).
const TRUSTED_ONE_IN = 500;

/** Marks trusted members and runs the trust job (also with --trust on an already seeded database). */
async function seedTrust(db: Db): Promise<void> {
	const started = performance.now();
	const { rows } = await sql<{ handle: string }>`
		select s.handle from profile_search s
		where s.listed and s.user_id % ${TRUSTED_ONE_IN} = 0
			and not exists (select 1 from trusted_members t where t.user_id = s.user_id)`.execute(db);
	for (const { handle } of rows) {
		const marked = await markTrusted(db, handle, 'benchmark: a member the operator knows');
		if (!marked.ok) throw new Error(marked.error);
	}
	const run = await runTrust(db, { reason: 'benchmark' });
	const bands = await sql<{ band: string; n: number }>`
		select trust_band as band, count(*)::int as n from profile_search where listed
		group by 1 order by 1`.execute(db);
	console.log(
		`Trust: ${rows.length} members marked trusted; run in ${run.ms.total} ms; listed profiles by band: ` +
			bands.rows.map((b) => `${b.band} ${b.n.toLocaleString('en-US')}`).join(', ') +
			` (${((performance.now() - started) / 1000).toFixed(1)} s in all)`
	);
}

/** N processes that each keep a core busy until the returned function stops them. */
function startBusy(n: number): () => Promise<void> {
	const children = Array.from({ length: n }, () =>
		spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })
	);
	const stop = async () => {
		for (const child of children)
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		await Promise.all(children.map(exited));
	};
	cleanups.push(stop);
	return stop;
}

interface StoredRun {
	date: string;
	load: string;
	profiles: number;
	kinds: Record<
		string,
		{ p50: number; p95: number; p99: number; scanP50: number; speedUp: number }
	>;
}

/** The figures of the last full-size run at about this many profiles, if one was stored. */
async function readStored(profiles: number): Promise<StoredRun | null> {
	try {
		const text = await fs.readFile(path.join(RESULTS, `search-${profiles}.json`), 'utf8');
		return JSON.parse(text) as StoredRun;
	} catch {
		return null;
	}
}

/** Keeps this run's figures by size (rounded to thousands), for runs at other sizes to compare. */
async function storeRun(profiles: number, kinds: StoredRun['kinds']): Promise<string> {
	const size = Math.round(profiles / 1000) * 1000;
	const run: StoredRun = {
		date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
		load: os.loadavg()[0].toFixed(1),
		profiles,
		kinds
	};
	await fs.mkdir(RESULTS, { recursive: true });
	const file = path.join(RESULTS, `search-${size}.json`);
	await fs.writeFile(file, JSON.stringify(run, null, '\t') + '\n');
	return file;
}

async function describeData(db: Db): Promise<{ profiles: number; text: string }> {
	const counts = await sql<{ profiles: number; listed: number; endorsements: number }>`
		select (select count(*)::int from profiles) as profiles,
			(select count(*)::int from profile_search where listed) as listed,
			(select count(*)::int from endorsements) as endorsements`.execute(db);
	const { profiles, listed, endorsements } = counts.rows[0];
	const n = (value: number) => value.toLocaleString('en-US');
	return {
		profiles,
		text: `${n(profiles)} profiles (${n(listed)} listed), ${n(endorsements)} endorsements`
	};
}

function readOptions() {
	const { values } = parseArgs({
		options: {
			profiles: { type: 'string' },
			'endorsements-per-profile': { type: 'string', default: '10' },
			database: { type: 'string' },
			verbose: { type: 'boolean', default: false },
			trust: { type: 'boolean', default: false },
			busy: { type: 'string', default: '0' },
			kinds: { type: 'string' }
		}
	});
	const kinds = values.kinds?.split(',').map((k) => k.trim()) ?? [...KINDS];
	const unknown = kinds.filter((k) => !(KINDS as readonly string[]).includes(k));
	if (unknown.length || kinds.length === 0)
		throw new Error(`--kinds takes some of: ${KINDS.join(', ')} (got ${values.kinds}).`);
	const busy = Number(values.busy);
	if (!Number.isSafeInteger(busy) || busy < 0 || busy > 32)
		throw new Error(`--busy must be a whole number from 0 to 32 (got ${values.busy}).`);
	const postgres = values.database || process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
	const profiles = Number(values.profiles ?? (postgres ? FULL_SIZE : 5_000));
	if (!Number.isSafeInteger(profiles) || profiles < 500) {
		throw new Error(`--profiles must be a whole number of at least 500 (got ${values.profiles}).`);
	}
	return {
		profiles,
		perProfile: Number(values['endorsements-per-profile']),
		database: values.database,
		verbose: values.verbose,
		trust: values.trust,
		busy,
		kinds: KINDS.filter((k) => kinds.includes(k))
	};
}

async function main(): Promise<void> {
	const options = readOptions();
	const database = await createBenchDatabase(options.database);
	if (!database.seeded) {
		console.log(
			`Benchmark database: ${database.engine}, seeding ${options.profiles.toLocaleString('en-US')} profiles`
		);
		await seed(database, options.profiles, options.perProfile);
	}
	const db = createDatabase(database.connect);
	cleanups.push(() => db.destroy());
	if (!database.seeded || options.trust) await seedTrust(db);
	const version = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(
		db
	);
	const data = await describeData(db);
	// The goals, and the rule against sequential scans, are set for PostgreSQL at full size: on a
	// few hundred profiles a scan costs less than one query's round trip, and planners choose it.
	const fullSize = database.engine === 'postgres' && data.profiles >= FULL_SIZE;
	console.log(
		`\nSearching ${data.text} on ${database.engine} ${version.rows[0].v}; ` +
			`load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores`
	);

	// Drawn in full whatever --kinds says, so that each query is the same in every run.
	const queries = (await buildQueries(db)).filter((q) => options.kinds.includes(q.kind));
	const byKind = new Map(
		options.kinds.map((kind) => [kind, queries.filter((q) => q.kind === kind)])
	);
	// A first page is timed as a query nobody asked in the last minute: the words' close skills are
	// read again (statistics.ts keeps them a minute). A deep page is timed right after the visitor
	// read the page before it (untimed), whose words and sample it may use again.
	const search = async (q: BenchQuery) => (await searchProfiles(db, q.query)).results.length;
	const prepare = async (q: BenchQuery) => {
		if (q.previous) await searchProfiles(db, q.previous);
		else forgetTerms();
	};
	const naive = async (q: BenchQuery) => (await naiveSearch(db, q)).rows.length;

	// Warm-up: every search query once, and one pass of the scan to bring the tables into memory.
	await timeAll(queries, 1, search, prepare);
	await timeAll(
		options.kinds.map((kind) => byKind.get(kind)![0]),
		1,
		naive
	);

	// --busy N: the timing runs beside N processes that keep a core busy each, so that a figure
	// "under load" can be measured again (issue 11 asks for p95 ≤ 20 ms at load average 6.6).
	const busy = startBusy(options.busy);
	// A scan of a million profiles takes seconds: there, a quarter of each kind's queries give the
	// scan's p50 (the figure the speed-up is taken from), so the run takes minutes, not half an hour.
	const scansPerKind = data.profiles >= LARGE_SIZE ? QUERIES_PER_KIND / 4 : QUERIES_PER_KIND;
	const rows: { kind: Kind; search: Timing; naive: Timing }[] = [];
	for (const kind of options.kinds) {
		const mix = byKind.get(kind)!;
		rows.push({
			kind,
			search: await timeAll(mix, ROUNDS, search, prepare),
			naive: await timeAll(mix.slice(0, scansPerKind), 1, naive)
		});
	}

	const loadWhileTiming = os.loadavg()[0];
	await busy();
	const deepPage = byKind.get('deep page')?.[0].page;
	if (options.busy)
		console.log(
			`\nTimed beside ${options.busy} busy processes: load average ${loadWhileTiming.toFixed(1)} ` +
				`(one minute) at the end of the timing, on ${os.availableParallelism()} cores.`
		);
	console.log(
		`\n${QUERIES_PER_KIND} queries per kind; searchProfiles ${ROUNDS} rounds, ILIKE scan 1 round` +
			`${scansPerKind < QUERIES_PER_KIND ? ` of the first ${scansPerKind}` : ''}, ` +
			'one at a time after a warm-up. Times in ms; speed-up = scan p50 / search p50. ' +
			(deepPage ? `Deep pages are page ${deepPage}.` : '')
	);
	console.log(
		`\n${'kind'.padEnd(24)}${'found'.padStart(7)}${'search p50'.padStart(12)}${'p95'.padStart(8)}` +
			`${'p99'.padStart(8)}${'scan p50'.padStart(11)}${'p95'.padStart(8)}${'p99'.padStart(8)}` +
			`${'speed-up'.padStart(10)}   goals: p95 ≤ ${data.profiles >= LARGE_SIZE ? GOALS.largeP95Ms : GOALS.p95Ms} ms, ≥ ${GOALS.speedUp}×`
	);
	let allPass = true;
	const slowest: string[] = [];
	// Growth: at other sizes, each kind's p95 at 100,000 profiles is printed beside its own, from
	// the figures a full-size run stored (tests/bench/results/), so the two can be compared.
	const stored = fullSize && data.profiles !== FULL_SIZE ? await readStored(FULL_SIZE) : null;
	if (stored)
		console.log(
			`(last column: p95 at ${FULL_SIZE.toLocaleString('en-US')} profiles, stored ${stored.date} ` +
				`at load average ${stored.load})`
		);
	const figures: StoredRun['kinds'] = {};
	const p95Goal = data.profiles >= LARGE_SIZE ? GOALS.largeP95Ms : GOALS.p95Ms;
	for (const row of rows) {
		const s = [50, 95, 99].map((p) => percentile(row.search.times, p));
		const n = [50, 95, 99].map((p) => percentile(row.naive.times, p));
		const speedUp = n[0] / s[0];
		figures[row.kind] = { p50: s[0], p95: s[1], p99: s[2], scanP50: n[0], speedUp };
		const fast = s[1] <= p95Goal;
		const faster = speedUp >= GOALS.speedUp;
		allPass &&= fast && faster;
		const found = (row.search.results / QUERIES_PER_KIND).toFixed(1);
		slowest.push(`${row.kind}: ${row.search.slowest.label} (${ms(row.search.slowest.ms)} ms)`);
		console.log(
			`${row.kind.padEnd(24)}${found.padStart(7)}${ms(s[0]).padStart(12)}${ms(s[1]).padStart(8)}` +
				`${ms(s[2]).padStart(8)}${ms(n[0]).padStart(11)}${ms(n[1]).padStart(8)}${ms(n[2]).padStart(8)}` +
				`${times(speedUp).padStart(10)}   ${verdict(fast)} · ${verdict(faster)}` +
				(stored?.kinds[row.kind] ? `   100k p95 ${ms(stored.kinds[row.kind].p95)}` : '') +
				(row.search.empty ? `   (${row.search.empty} found nobody)` : '')
		);
	}
	// Only quiet runs are kept: they are what other sizes compare with.
	if (fullSize && !options.busy && options.kinds.length === KINDS.length) {
		const file = await storeRun(data.profiles, figures);
		console.log(`\nFigures stored in ${path.relative(ROOT, file)}.`);
	}
	console.log(
		`\nfound = people on the page, on average. Overall: ${allPass ? 'PASS' : 'FAIL'}` +
			(fullSize
				? ''
				: ` (the goals are set for PostgreSQL at ${FULL_SIZE.toLocaleString('en-US')} profiles)`)
	);
	if (options.verbose) {
		for (const row of rows) {
			console.log(`\n${row.kind} (found, search median ms, scan ms):`);
			for (const [i, q] of row.search.perQuery.entries()) {
				console.log(
					`  ${q.label.padEnd(70)}${String(q.found).padStart(4)}${ms(q.median).padStart(9)}` +
						// At a million profiles only the first queries of a kind are scanned.
						`${(row.naive.perQuery[i] ? ms(row.naive.perQuery[i].median) : '').padStart(9)}`
				);
			}
		}
	}
	console.log(`\nSlowest search per kind (its median over the rounds):\n  ${slowest.join('\n  ')}`);

	const seqScans = await printPlans(
		db,
		queries,
		new Map(rows.map((row) => [row.kind, row.search.slowest.label]))
	);
	console.log(
		seqScans.length
			? `\n⚠ Sequential scans of large tables on the hot path:\n  ${seqScans.join('\n  ')}` +
					(fullSize ? '' : '\n  (expected at this size: the tables are a few pages long)')
			: `\nNo sequential scan of ${[...BIG_TABLES].join(', ')} in any plan.`
	);
}

for (const [signal, code] of [
	['SIGINT', 130],
	['SIGTERM', 143]
] as const) {
	process.once(signal, () => {
		console.error(`\n${signal}: removing the benchmark database…`);
		void cleanUp().finally(() => process.exit(code));
	});
}
try {
	await main();
} catch (error) {
	console.error(error instanceof Error ? error.message : error);
	process.exitCode = 1;
} finally {
	await cleanUp();
}
