// Background work: account verification, follower counts and link previews, fetched by jobs
// and never inside a request. The queue is pg-boss: it runs on PostgreSQL and on embedded PGlite,
// claims jobs with FOR UPDATE SKIP LOCKED (so several app servers or workers never run one job
// twice), and retries failed jobs with exponential backoff.
import { PgBoss, fromPglite, type JobWithMetadata } from 'pg-boss';
import { embeddedInstance, type Db } from '#lib/server/db/connect.js';
import type { Fetcher } from '#lib/server/platform/fetcher.js';
import * as verification from '#lib/server/verification.js';
import * as previews from '#lib/server/link-previews.js';
import * as embeds from '#lib/server/embeds/work-embeds.js';
import { mediaStore, purgeMedia } from '#lib/server/platform/media-store.js';
import { logger } from '#lib/server/platform/log.js';
import { isTrustRunDue, runTrust } from '#lib/server/trust/job.js';

export const VERIFY_QUEUE = 'verify-account';
export const PREVIEW_QUEUE = 'link-preview';
export const EMBED_QUEUE = 'work-embed';
export const SWEEP_QUEUE = 'sweep-due';
export const TRUST_QUEUE = 'trust-run';
const SWEEP_BATCH = 200;
// Checks and previews spend most of their time waiting on other sites, so several run at once;
// jobs for one host run one at a time (pg-boss groups), so a slow or dead host holds one worker
// while the others carry on, and the fetcher's spacing between requests to a host still holds.
export const DEFAULT_CONCURRENCY = 8;

export interface JobsOptions {
	db: Db;
	/** Required for PostgreSQL: pg-boss keeps its own small pool. Unused with PGlite. */
	databaseUrl?: string;
	fetcher: Fetcher;
	/** Run the handlers in this process; false only enqueues (an `npm run worker` runs them). */
	work: boolean;
	/**
	 * The site's public address (PUBLIC_URL): back-links must point at profiles under it. Never
	 * taken from a request, whose Host header the client chooses. Without it nothing is verified.
	 */
	publicUrl?: string;
	pollingIntervalSeconds?: number;
	/** Checks (and, separately, previews) this process runs at once; one per host at a time. */
	concurrency?: number;
	retryLimit?: number;
	retryDelaySeconds?: number;
	/** Called after a job changed what public pages show, e.g. to empty page caches. */
	onChange?: () => void;
}

export interface Jobs {
	/** Queues a check of one account now; a check already waiting for it is not duplicated. */
	requestVerification(accountId: number): Promise<void>;
	/** The origin profiles are checked under, or undefined when verification is off. */
	readonly publicUrl: string | undefined;
	requestPreview(workItemId: number): Promise<void>;
	/** Queues a trust run now (one at a time across servers), e.g. after trusted members change. */
	requestTrustRun(): Promise<void>;
	/** Queues every check and preview that is due; also runs every minute on its own. */
	sweep(now?: Date): Promise<{ checks: number; previews: number }>;
	stop(): Promise<void>;
}

interface VerifyData {
	accountId: number;
}

interface PreviewData {
	workItemId: number;
}

let current: Jobs | undefined;

/** The origin back-links must point at, or undefined when accounts cannot be verified here. */
export function verificationOrigin(): string | undefined {
	return current?.publicUrl;
}

/**
 * Asks this process's queue to check an account now. The minute's sweep would find it anyway,
 * so a queue that is down only delays the check: the request that asked still succeeds.
 */
export async function queueVerification(accountId: number): Promise<void> {
	await current
		?.requestVerification(accountId)
		.catch((error) => logger.warn({ err: error, accountId }, 'could not queue a check'));
}

/** Queues a trust run now instead of at the next sweep (an operator changed trusted members). */
export async function queueTrustRun(): Promise<void> {
	await current
		?.requestTrustRun()
		.catch((error) => logger.warn({ err: error }, 'could not queue a trust run'));
}

/** Queues whatever is due now (e.g. a work link just saved) without waiting for the sweep. */
export async function queueDue(): Promise<void> {
	await current?.sweep().catch((error) => logger.warn({ err: error }, 'could not queue due jobs'));
}

function isFinalAttempt(job: Pick<JobWithMetadata, 'retryCount' | 'retryLimit'>): boolean {
	return job.retryCount >= job.retryLimit;
}

export async function startJobs(options: JobsOptions): Promise<Jobs> {
	const { db, fetcher } = options;
	const publicUrl = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
	const pglite = embeddedInstance(db);
	const common = {
		schedule: options.work,
		supervise: options.work,
		openTelemetry: { enabled: false }
	};
	let boss: PgBoss;
	if (pglite) {
		boss = new PgBoss({ ...common, db: fromPglite(await pglite), backend: 'pglite' });
	} else if (options.databaseUrl) {
		boss = new PgBoss({ ...common, connectionString: options.databaseUrl, max: 4 });
	} else {
		throw new Error('The job queue needs DATABASE_URL when the database is PostgreSQL.');
	}
	boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
	await boss.start();

	const retries = {
		retryLimit: options.retryLimit ?? 4,
		retryDelay: options.retryDelaySeconds ?? 30,
		retryBackoff: true,
		// A check makes at most a few 5-second fetches; anything running this long has hung.
		expireInSeconds: 120
	};
	for (const name of [VERIFY_QUEUE, PREVIEW_QUEUE, EMBED_QUEUE]) {
		// 'exclusive': one job per account or work item at a time, queued, waiting to retry or
		// running, so neither repeated requests nor the sweep can start a second one meanwhile.
		if (await boss.getQueue(name)) await boss.updateQueue(name, retries);
		else await boss.createQueue(name, { policy: 'exclusive', ...retries });
	}
	if (!(await boss.getQueue(SWEEP_QUEUE))) {
		await boss.createQueue(SWEEP_QUEUE, { policy: 'singleton', retryLimit: 0 });
	}
	// One trust run at a time across every server: 'singleton' keeps a second from starting.
	if (!(await boss.getQueue(TRUST_QUEUE))) {
		await boss.createQueue(TRUST_QUEUE, {
			policy: 'singleton',
			retryLimit: 1,
			expireInSeconds: 600
		});
	}

	// The group is the host the job fetches from: workers take at most one job per host at a time.
	const group = (host: string | undefined) => (host ? { group: { id: host } } : {});
	const send = {
		verification: (accountId: number, host: string | undefined) =>
			boss.send(VERIFY_QUEUE, { accountId } satisfies VerifyData, {
				singletonKey: `account:${accountId}`,
				...group(host)
			}),
		preview: (workItemId: number, host: string | undefined) =>
			boss.send(PREVIEW_QUEUE, { workItemId } satisfies PreviewData, {
				singletonKey: `work:${workItemId}`,
				...group(host)
			}),
		embed: (embedId: number, host: string) =>
			boss.send(EMBED_QUEUE, { embedId }, { singletonKey: `embed:${embedId}`, ...group(host) })
	};

	async function sweep(now = new Date()) {
		let checks = 0;
		if (publicUrl) {
			const due = await verification.dueChecks(db, now, SWEEP_BATCH);
			const hosts = await verification.checkHosts(db, due);
			for (const accountId of due) {
				if (await send.verification(accountId, hosts.get(accountId))) checks++;
			}
		}
		let queued = 0;
		const due = await previews.duePreviews(db, now, SWEEP_BATCH);
		const hosts = await previews.previewHosts(db, due);
		for (const workItemId of due) {
			if (await send.preview(workItemId, hosts.get(workItemId))) queued++;
		}
		for (const { id, host } of await embeds.dueEmbeds(db, now, SWEEP_BATCH)) {
			if (await send.embed(id, host)) queued++;
		}
		// Trust is recomputed when endorsements or trusted members changed (at most once a minute)
		// and daily in any case; the run rewrites only the search rows whose trust changed.
		if (await isTrustRunDue(db, now)) await boss.send(TRUST_QUEUE, {});
		// Media deletions the app could not carry out at once (S3 only; the database's are done).
		await purgeMedia(db);
		return { checks, previews: queued };
	}

	if (options.work) {
		const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 1;
		const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
		const polling = {
			includeMetadata: true,
			pollingIntervalSeconds,
			localConcurrency: concurrency,
			// In-process only: the fetcher's per-host spacing is per process too.
			localGroupConcurrency: 1
		} as const;
		await boss.work(VERIFY_QUEUE, polling, async ([job]) => {
			const { accountId } = job.data as VerifyData;
			if (!publicUrl) throw new Error('PUBLIC_URL is not set: accounts cannot be verified');
			const result = await verification.checkAccount(db, fetcher, accountId, {
				origin: publicUrl,
				finalAttempt: isFinalAttempt(job)
			});
			if (result === 'retry') throw new Error(`account ${accountId}: the network did not answer`);
			if (result !== 'gone') options.onChange?.();
			return { result };
		});
		await boss.work(PREVIEW_QUEUE, polling, async ([job]) => {
			const { workItemId } = job.data as PreviewData;
			const result = await previews.fetchPreview(db, fetcher, workItemId, {
				finalAttempt: isFinalAttempt(job)
			});
			if (result === 'retry') throw new Error(`work ${workItemId}: the link did not answer`);
			if (result !== 'gone') options.onChange?.();
			return { result };
		});
		await boss.work(EMBED_QUEUE, polling, async ([job]) => {
			const { embedId } = job.data as { embedId: number };
			const result = await embeds.fetchEmbed(db, mediaStore(), fetcher, embedId, {
				finalAttempt: isFinalAttempt(job)
			});
			if (result === 'retry') throw new Error(`embed ${embedId}: the provider did not answer`);
			if (result !== 'missing') options.onChange?.();
			return { result };
		});
		await boss.work(SWEEP_QUEUE, { pollingIntervalSeconds: 5 }, async () => sweep());
		await boss.work(TRUST_QUEUE, { pollingIntervalSeconds: 5 }, async () => {
			const summary = await runTrust(db, { reason: 'schedule' });
			logger.info({ trust: summary }, 'trust run');
			if (summary.changed) options.onChange?.();
			return { changed: summary.changed, ms: summary.ms.total };
		});
		// pg-boss runs this cron on one instance at a time, whichever servers are up.
		await boss.schedule(SWEEP_QUEUE, '* * * * *');
		await sweep();
	}

	const jobs: Jobs = {
		publicUrl,
		async requestVerification(accountId) {
			if (!publicUrl) return;
			const hosts = await verification.checkHosts(db, [accountId]);
			await send.verification(accountId, hosts.get(accountId));
		},
		async requestPreview(workItemId) {
			const hosts = await previews.previewHosts(db, [workItemId]);
			await send.preview(workItemId, hosts.get(workItemId));
		},
		async requestTrustRun() {
			await boss.send(TRUST_QUEUE, {});
		},
		sweep,
		async stop() {
			if (current === jobs) current = undefined;
			await boss.stop({ graceful: true, timeout: 5_000 });
		}
	};
	current = jobs;
	return jobs;
}
