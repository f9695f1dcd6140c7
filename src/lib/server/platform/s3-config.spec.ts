import { afterAll, describe, expect, it } from 'vitest';
import { configureMediaStore } from '#lib/server/platform/media-config.js';
import { databaseStore, mediaStore, useMediaStore } from '#lib/server/platform/media-store.js';
import { S3ConfigError, s3ConfigFromEnv } from '#lib/server/platform/s3-config.js';
import type { S3Store } from '#lib/server/platform/s3-store.js';
import { testBucket } from '../../../../tests/fakes/s3.ts';

// What an operator types into S3_URL or S3_*, and what the app makes of it at start-up.

function refusal(env: Parameters<typeof s3ConfigFromEnv>[0]): string {
	try {
		s3ConfigFromEnv(env);
	} catch (error) {
		if (error instanceof S3ConfigError) return error.message;
		throw error;
	}
	throw new Error('accepted');
}

describe('S3 settings', () => {
	afterAll(() => useMediaStore(databaseStore));

	it('without any S3 setting, keeps media in the database', async () => {
		expect(s3ConfigFromEnv({})).toBeUndefined();
		expect(s3ConfigFromEnv({ S3_URL: '', S3_BUCKET: '' })).toBeUndefined();
		expect((await configureMediaStore({})).kind).toBe('database');
	});

	it('reads S3_URL: endpoint, percent-encoded keys, bucket, region and path style', () => {
		expect(
			s3ConfigFromEnv({
				S3_URL: 'https://AKIA123:se%2Fcr%2Bet@minio.internal:9000/proofwork-media?region=eu-west-3'
			})
		).toEqual({
			endpoint: 'https://minio.internal:9000',
			bucket: 'proofwork-media',
			region: 'eu-west-3',
			credentials: { accessKeyId: 'AKIA123', secretAccessKey: 'se/cr+et' },
			forcePathStyle: true
		});
		expect(
			s3ConfigFromEnv({ S3_URL: 'https://s3.amazonaws.com/media?forcePathStyle=false' })
		).toMatchObject({ credentials: undefined, region: 'us-east-1', forcePathStyle: false });
	});

	it('reads the separate variables, with AWS defaults when there is no endpoint', () => {
		expect(s3ConfigFromEnv({ S3_BUCKET: 'media', S3_REGION: 'eu-central-1' })).toEqual({
			endpoint: undefined,
			bucket: 'media',
			region: 'eu-central-1',
			credentials: undefined,
			forcePathStyle: false
		});
		expect(
			s3ConfigFromEnv({
				S3_ENDPOINT: 'http://127.0.0.1:9000',
				S3_BUCKET: 'media',
				S3_ACCESS_KEY_ID: 'minio',
				S3_SECRET_ACCESS_KEY: 'minio-secret'
			})
		).toMatchObject({ endpoint: 'http://127.0.0.1:9000', forcePathStyle: true });
	});

	it('refuses settings that cannot work, naming the setting and never the secret', () => {
		const messages = [
			refusal({ S3_URL: 's3://key:TOPSECRET@host/media' }),
			refusal({ S3_URL: 'https://key:TOPSECRET@host/' }),
			refusal({ S3_URL: 'https://key:TOPSECRET@host/media/extra' }),
			refusal({ S3_URL: 'https://key:TOPSECRET@host/Media_Bucket' }),
			refusal({ S3_URL: 'https://key:TOPSECRET@host/media?regoin=eu' }),
			refusal({ S3_URL: 'https://key@host/media' }),
			refusal({ S3_URL: 'https://key:TOPSECRET@host/media', S3_BUCKET: 'other' }),
			refusal({ S3_ENDPOINT: 'http://127.0.0.1:9000' }),
			refusal({ S3_BUCKET: 'media', S3_ACCESS_KEY_ID: 'key' }),
			refusal({ S3_BUCKET: 'media', S3_FORCE_PATH_STYLE: 'yes' }),
			refusal({ S3_BUCKET: 'media', S3_ENDPOINT: 'ftp://host' })
		];
		expect(messages).toEqual([
			expect.stringMatching(/^S3_URL must start with http:\/\/ or https:\/\//),
			expect.stringMatching(/^S3_URL must name one bucket/),
			expect.stringMatching(/^S3_URL must name one bucket/),
			expect.stringMatching(/^S3_URL: the bucket is not a bucket name/),
			'S3_URL has an unknown option "regoin": only region and forcePathStyle are read.',
			'S3_URL: give both the access key id and the secret, or neither.',
			expect.stringMatching(/^Set either S3_URL or the separate S3_\* variables.*S3_BUCKET/),
			'S3_BUCKET is required when S3_ENDPOINT is set.',
			expect.stringMatching(/^S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: give both/),
			'S3_FORCE_PATH_STYLE must be true or false.',
			expect.stringMatching(/^S3_ENDPOINT must be an http:\/\/ or https:\/\/ address/)
		]);
		for (const message of messages) expect(message).not.toContain('TOPSECRET');
	});

	it('selects the bucket at start-up when S3_URL is set', async () => {
		const bucket = await testBucket();
		try {
			const store = await configureMediaStore({ S3_URL: bucket.url });
			expect(store.kind).toBe('s3');
			expect(mediaStore()).toBe(store);
			// The bucket answers (HeadBucket); the local server takes any keys.
			await expect((store as S3Store).check()).resolves.toBeUndefined();
			(store as S3Store).destroy();
		} finally {
			await bucket.close();
		}
	});
});
