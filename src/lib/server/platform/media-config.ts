import { logger } from '#lib/server/platform/log.js';
import { databaseStore, useMediaStore, type MediaStore } from '#lib/server/platform/media-store.js';
import { describeS3, s3ConfigFromEnv, type S3Env } from '#lib/server/platform/s3-config.js';

// Chooses the media store at start-up (the app's hooks, the worker), apart from media-store.ts
// because the S3 store builds on that module's interface.

/**
 * Selects the store from S3_URL or S3_* at start-up. Throws S3ConfigError for settings that
 * cannot work; a bucket that does not answer is logged, and media fail until it does.
 */
export async function configureMediaStore(env: S3Env): Promise<MediaStore> {
	const config = s3ConfigFromEnv(env);
	if (!config) {
		useMediaStore(databaseStore);
		return databaseStore;
	}
	// The SDK is loaded only when a bucket is configured.
	const { createS3Store } = await import('#lib/server/platform/s3-store.js');
	const store = createS3Store(config);
	useMediaStore(store);
	try {
		await store.check();
		logger.info({ media: describeS3(config) }, 'media are stored in S3');
	} catch (error) {
		logger.error(
			{ err: error, media: describeS3(config) },
			'the S3 bucket for media does not answer'
		);
	}
	return store;
}
