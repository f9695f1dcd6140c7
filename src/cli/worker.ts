// `npm run worker`: runs the background jobs in a process of their own, for installations whose
// app servers run with JOBS_IN_PROCESS=false. pg-boss lets any number of these share one queue.
import process from 'node:process';
import { createDatabase } from '#lib/server/db/connect.js';
import { migrateToLatest } from '#lib/server/db/migrate.js';
import { createFetcher, fetcherOptionsFromEnv } from '#lib/server/platform/fetcher.js';
import { startJobs } from '#lib/server/jobs.js';
import { setGithubToken } from '#lib/server/adapters/github.js';
import { logger } from '#lib/server/platform/log.js';
import { configureMediaStore } from '#lib/server/platform/media-config.js';
import { S3ConfigError } from '#lib/server/platform/s3-config.js';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
	console.error(
		'npm run worker needs DATABASE_URL. The embedded database belongs to the app process, which runs the jobs itself.'
	);
	process.exit(1);
}

if (!process.env.PUBLIC_URL) {
	console.error(
		'npm run worker needs PUBLIC_URL (e.g. https://proofwork.example): back-links must point at profiles under it.'
	);
	process.exit(1);
}

setGithubToken(process.env.GITHUB_TOKEN);
// Video thumbnails go where the app keeps media, and the sweep purges the bucket's deletions.
try {
	await configureMediaStore(process.env);
} catch (error) {
	if (!(error instanceof S3ConfigError)) throw error;
	console.error(error.message);
	process.exit(1);
}
const db = createDatabase({ databaseUrl });
await migrateToLatest(db);
const jobs = await startJobs({
	db,
	databaseUrl,
	fetcher: createFetcher(fetcherOptionsFromEnv(process.env)),
	work: true,
	publicUrl: process.env.PUBLIC_URL
});
logger.info('worker running');

async function shutDown() {
	await jobs.stop();
	await db.destroy();
	process.exit(0);
}
process.once('SIGTERM', shutDown);
process.once('SIGINT', shutDown);
