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
