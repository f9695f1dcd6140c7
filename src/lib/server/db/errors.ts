/** True when a query failed on the named unique index (PostgreSQL and PGlite report it alike). */
export function isUniqueViolation(error: unknown, index: string): boolean {
	const e = error as { code?: string; constraint?: string; message?: string } | null;
	return e?.code === '23505' && (e.constraint === index || !!e.message?.includes(index));
}

/**
 * True when PostgreSQL refused a value the request carried (SQLSTATE class 22, "data exception":
 * a NUL byte in text, a number outside int4, malformed input syntax). Inputs are checked before
 * they reach a query; this only lets the error hook answer 400 for one that slipped through.
 */
export function isInvalidInputError(error: unknown): boolean {
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}
