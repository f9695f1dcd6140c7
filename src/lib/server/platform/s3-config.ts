import * as v from 'valibot';

// Which S3-compatible bucket holds media, read from the environment at start-up. Apart from the
// store itself so that reading (and refusing) the settings never loads the AWS SDK.

export interface S3Config {
	/** Undefined: AWS's own endpoint for the region. */
	endpoint?: string;
	bucket: string;
	region: string;
	/** Undefined: the SDK's usual chain (AWS_* variables, instance or task role). */
	credentials?: { accessKeyId: string; secretAccessKey: string };
	forcePathStyle: boolean;
}

export type S3Env = Partial<
	Record<
		| 'S3_URL'
		| 'S3_ENDPOINT'
		| 'S3_BUCKET'
		| 'S3_REGION'
		| 'S3_ACCESS_KEY_ID'
		| 'S3_SECRET_ACCESS_KEY'
		| 'S3_FORCE_PATH_STYLE',
		string | undefined
	>
>;

export class S3ConfigError extends Error {
	override name = 'S3ConfigError';
}

const DEFAULT_REGION = 'us-east-1';
const URL_OPTIONS = new Set(['region', 'forcePathStyle']);

// S3's rules for new buckets: 3–63 characters, lower-case letters, digits, dots and hyphens.
const bucketSchema = v.pipe(
	v.string(),
	v.regex(
		/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
		'is not a bucket name (3–63 lower-case letters, digits, dots and hyphens)'
	)
);
const regionSchema = v.pipe(
	v.string(),
	v.regex(/^[a-z0-9-]{2,32}$/, 'is not a region name such as eu-central-1 or auto')
);
const booleanSchema = v.picklist(['true', 'false'], 'must be true or false');
const endpointSchema = v.pipe(
	v.string(),
	v.check((value) => {
		try {
			const url = new URL(value);
			return /^https?:$/.test(url.protocol) && !url.username && !url.password;
		} catch {
			return false;
		}
	}, 'must be an http:// or https:// address without user name or password')
);

function checked<T>(schema: v.GenericSchema<string, T>, value: string, name: string): T {
	const result = v.safeParse(schema, value);
	if (!result.success) throw new S3ConfigError(`${name} ${result.issues[0].message}.`);
	return result.output;
}

function keys(accessKeyId: string | undefined, secretAccessKey: string | undefined, names: string) {
	if (!accessKeyId && !secretAccessKey) return undefined;
	if (!accessKeyId || !secretAccessKey)
		throw new S3ConfigError(`${names}: give both the access key id and the secret, or neither.`);
	return { accessKeyId, secretAccessKey };
}

/**
 * Reads S3_URL, or the separate S3_* variables; undefined when none is set (media stay in the
 * database). Throws S3ConfigError with a message that names the setting and never the secret.
 *
 * S3_URL is the endpoint with the keys and the bucket in it:
 * `https://ACCESS_KEY_ID:SECRET@host[:port]/bucket[?region=eu-central-1&forcePathStyle=false]`
 * (percent-encode `/`, `+` or `@` in the secret). Requests go to the bucket as a path
 * (`host/bucket/key`) unless forcePathStyle=false.
 */
export function s3ConfigFromEnv(env: S3Env): S3Config | undefined {
	const separate = (
		[
			'S3_ENDPOINT',
			'S3_BUCKET',
			'S3_REGION',
			'S3_ACCESS_KEY_ID',
			'S3_SECRET_ACCESS_KEY',
			'S3_FORCE_PATH_STYLE'
		] as const
	).filter((name) => env[name]);
	if (env.S3_URL) {
		if (separate.length)
			throw new S3ConfigError(
				`Set either S3_URL or the separate S3_* variables, not both (also set: ${separate.join(', ')}).`
			);
		return fromUrl(env.S3_URL);
	}
	if (!separate.length) return undefined;
	if (!env.S3_BUCKET)
		throw new S3ConfigError(`S3_BUCKET is required when ${separate.join(', ')} is set.`);
	const endpoint = env.S3_ENDPOINT
		? checked(endpointSchema, env.S3_ENDPOINT, 'S3_ENDPOINT')
		: undefined;
	return {
		endpoint,
		bucket: checked(bucketSchema, env.S3_BUCKET, 'S3_BUCKET'),
		region: env.S3_REGION ? checked(regionSchema, env.S3_REGION, 'S3_REGION') : DEFAULT_REGION,
		credentials: keys(
			env.S3_ACCESS_KEY_ID,
			env.S3_SECRET_ACCESS_KEY,
			'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY'
		),
		// Most S3-compatible servers (MinIO, Garage, Ceph) answer on one host name: the bucket goes
		// in the path. AWS itself prefers the bucket in the host name.
		forcePathStyle: env.S3_FORCE_PATH_STYLE
			? checked(booleanSchema, env.S3_FORCE_PATH_STYLE, 'S3_FORCE_PATH_STYLE') === 'true'
			: !!endpoint
	};
}

function fromUrl(value: string): S3Config {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new S3ConfigError(
			'S3_URL is not an address: expected https://ACCESS_KEY_ID:SECRET@host/bucket?region=… (percent-encode / + @ in the secret).'
		);
	}
	if (!/^https?:$/.test(url.protocol))
		throw new S3ConfigError(
			`S3_URL must start with http:// or https:// (got ${url.protocol}//): the S3 endpoint, with the bucket as its path.`
		);
	const path = url.pathname.replace(/^\/+|\/+$/g, '');
	if (!path || path.includes('/'))
		throw new S3ConfigError(
			'S3_URL must name one bucket as its path, e.g. https://KEY:SECRET@s3.example/media.'
		);
	for (const name of url.searchParams.keys()) {
		if (!URL_OPTIONS.has(name))
			throw new S3ConfigError(
				`S3_URL has an unknown option "${name}": only region and forcePathStyle are read.`
			);
	}
	let accessKeyId: string;
	let secretAccessKey: string;
	try {
		accessKeyId = decodeURIComponent(url.username);
		secretAccessKey = decodeURIComponent(url.password);
	} catch {
		throw new S3ConfigError('S3_URL: the access key or secret is not validly percent-encoded.');
	}
	const region = url.searchParams.get('region');
	const pathStyle = url.searchParams.get('forcePathStyle');
	return {
		endpoint: url.origin,
		bucket: checked(bucketSchema, decodeURIComponent(path), 'S3_URL: the bucket'),
		region: region ? checked(regionSchema, region, 'S3_URL: region') : DEFAULT_REGION,
		credentials: keys(accessKeyId, secretAccessKey, 'S3_URL'),
		forcePathStyle: pathStyle
			? checked(booleanSchema, pathStyle, 'S3_URL: forcePathStyle') === 'true'
			: true
	};
}

/** Where media go, for the log: the endpoint and bucket, never the keys. */
export function describeS3(config: S3Config): string {
	return `${config.endpoint ?? `AWS S3 (${config.region})`} bucket ${config.bucket}`;
}
