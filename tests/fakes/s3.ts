// A local S3-compatible server for specs: fauxqs's S3 emulator (the S3 REST API as the AWS SDK
// speaks it, objects in memory), on loopback. It accepts any keys.
import type { AddressInfo } from 'node:net';
import {
	CreateBucketCommand,
	DeleteBucketCommand,
	DeleteObjectsCommand,
	ListObjectsV2Command,
	S3Client
} from '@aws-sdk/client-s3';
import { buildApp } from 'fauxqs';
import { s3ConfigFromEnv } from '#lib/server/platform/s3-config.js';

const KEYS = 'proofwork:fake-secret';

export interface FakeS3 {
	/** The S3_URL form: http://KEY:SECRET@127.0.0.1:PORT/BUCKET */
	url: string;
	close(): Promise<void>;
}

/** Starts the emulator with one empty bucket. */
export async function startFakeS3({ port = 0, bucket = 'proofwork-test' } = {}): Promise<FakeS3> {
	const app = buildApp({ logger: false });
	await app.listen({ port, host: '127.0.0.1' });
	const address = app.server.address() as AddressInfo;
	const url = `http://${KEYS}@127.0.0.1:${address.port}/${bucket}`;
	await withClient(url, (client) => client.send(new CreateBucketCommand({ Bucket: bucket })));
	return { url, close: () => app.close() };
}

/**
 * A fresh, empty bucket for one spec file: on TEST_S3_URL's server when set (.ci/run starts one),
 * otherwise on an emulator of its own. close() empties and removes it.
 */
export async function testBucket(): Promise<FakeS3> {
	const shared = process.env.TEST_S3_URL;
	const own = shared ? undefined : await startFakeS3();
	const base = new URL(shared ?? own!.url);
	const bucket = `proofwork-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
	base.pathname = `/${bucket}`;
	const url = base.href;
	await withClient(url, (client) => client.send(new CreateBucketCommand({ Bucket: bucket })));
	return {
		url,
		async close() {
			await withClient(url, async (client) => {
				for (;;) {
					const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
					const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
					if (keys.length === 0) break;
					await client.send(
						new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } })
					);
				}
				await client.send(new DeleteBucketCommand({ Bucket: bucket }));
			});
			await own?.close();
		}
	};
}

async function withClient<T>(url: string, fn: (client: S3Client) => Promise<T>): Promise<T> {
	const config = s3ConfigFromEnv({ S3_URL: url })!;
	const client = new S3Client({
		endpoint: config.endpoint,
		region: config.region,
		credentials: config.credentials,
		forcePathStyle: true,
		requestChecksumCalculation: 'WHEN_REQUIRED'
	});
	try {
		return await fn(client);
	} finally {
		client.destroy();
	}
}
