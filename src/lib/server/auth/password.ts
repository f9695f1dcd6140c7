import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const ARGON2_OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

// ~49,000 leaked passwords shipped with zxcvbn-ts, checked offline and case-insensitively.
const COMMON_PASSWORDS = new Set(
	(dictionary['passwords-common'] as string[]).map((word) => word.toLowerCase())
);

export async function hashPassword(password: string): Promise<string> {
	return hash(password, ARGON2_OPTIONS);
}

export async function verifyPasswordHash(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

/** Returns a message for the person when the password is not acceptable, otherwise null. */
export function checkPasswordStrength(password: string): string | null {
	const length = [...password].length;
	if (length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
	if (length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
	if (COMMON_PASSWORDS.has(password.toLowerCase()))
		return 'This password is on a list of commonly used passwords. Choose another.';
	return null;
}
