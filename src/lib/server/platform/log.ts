import pino from 'pino';

// Secrets never reach the log: any field with one of these names is replaced before writing.
const REDACT = [
	'password',
	'newPassword',
	'currentPassword',
	'password_hash',
	'passwordHash',
	'token',
	'secret',
	'secret_hash',
	'token_hash',
	'cookie',
	'authorization'
];

export const logger = pino({
	level: process.env.LOG_LEVEL || 'info',
	base: { app: 'proofwork' },
	redact: {
		paths: [...REDACT, ...REDACT.map((key) => `*.${key}`)],
		censor: '[redacted]'
	}
});

// Paths whose last segment is a secret link token (password reset, email verification,
// endorsement requests): logged with the token cut out.
const TOKEN_PATH = /^(\/reset-password\/|\/verify-email\/|\/endorse\/r\/)[^/]+/;

/** The request path as it may be logged: never with a link token in it. */
export function loggablePath(pathname: string): string {
	return pathname.replace(TOKEN_PATH, '$1[redacted]');
}
