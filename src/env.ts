import { defineEnvVars } from '@sveltejs/kit/env';

const optional = (value: string | undefined) => (value ? value : undefined);

// Every variable the app reads. Undeclared variables read as undefined, so add new ones here.
export const variables = defineEnvVars({
	DATABASE_URL: {
		schema: optional,
		description: 'PostgreSQL connection string. When unset, the embedded PGlite database is used.'
	},
	PGLITE_DATA_DIR: {
		schema: (value) => value || './data/pglite',
		description: 'Where the embedded PGlite database keeps its files (default ./data/pglite).'
	},
	PUBLIC_URL: {
		schema: optional,
		description:
			'The public address people use, e.g. https://proofwork.example (default: the local address).'
	},
	LISTEN_ORIGIN: {
		schema: optional,
		description:
			'Set by `npm start` (src/server.js): the address it listens on, which links use when PUBLIC_URL is unset.'
	},
	SMTP_URL: {
		schema: optional,
		description:
			'SMTP connection string for outgoing mail. When unset, mail goes to the log and the outbox table.'
	},
	MAIL_FROM: {
		schema: (value) => value || 'Proofwork <no-reply@localhost>',
		description: 'The From address of outgoing mail.'
	},
	JOBS_IN_PROCESS: {
		schema: (value) => value !== 'false',
		description:
			'Run background jobs (verification, previews) inside the app (default). Set to false when `npm run worker` runs them; PGlite always runs them in the app.'
	},
	GITHUB_TOKEN: {
		schema: optional,
		description:
			'Optional GitHub token (no scopes needed): account checks may then make 5,000 GitHub API calls an hour instead of 60.'
	},
	FETCH_USER_AGENT: {
		schema: optional,
		description:
			'The User-Agent of outbound checks and previews (default names ProofworkBot and the project page).'
	},
	FETCH_ALLOW_ADDRESSES: {
		schema: optional,
		description:
			'Tests only: addresses the outbound fetcher may reach although they are private, e.g. 127.0.0.1.'
	},
	FETCH_REWRITE: {
		schema: optional,
		description:
			'Tests only: origins the outbound fetcher sends elsewhere, e.g. https://api.github.com=http://127.0.0.1:4183.'
	},
	S3_URL: {
		schema: optional,
		description:
			'Keep uploaded media in an S3-compatible bucket instead of the database: https://ACCESS_KEY_ID:SECRET@host[:port]/bucket[?region=…&forcePathStyle=false] (docs/media.md).'
	},
	S3_ENDPOINT: {
		schema: optional,
		description:
			'Instead of S3_URL: the S3-compatible endpoint, e.g. https://minio.internal:9000 (default: AWS for S3_REGION).'
	},
	S3_BUCKET: {
		schema: optional,
		description: 'Instead of S3_URL: the bucket for media. Setting it selects S3 storage.'
	},
	S3_REGION: {
		schema: optional,
		description: "Instead of S3_URL: the bucket's region (default us-east-1)."
	},
	S3_ACCESS_KEY_ID: {
		schema: optional,
		description:
			'Instead of S3_URL: the access key id (with S3_SECRET_ACCESS_KEY; without both, the usual AWS credential chain).'
	},
	S3_SECRET_ACCESS_KEY: {
		schema: optional,
		description: 'Instead of S3_URL: the secret of S3_ACCESS_KEY_ID.'
	},
	S3_FORCE_PATH_STYLE: {
		schema: optional,
		description:
			'Instead of S3_URL: true puts the bucket in the path (host/bucket/key); default true with S3_ENDPOINT, false for AWS.'
	},
	LOG_LEVEL: {
		schema: (value) => value || 'info',
		description: 'pino log level: trace, debug, info, warn, error, fatal or silent.'
	}
});
