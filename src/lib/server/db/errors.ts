/** True when a query failed on the named unique index (PostgreSQL and PGlite report it alike). */
export function isUniqueViolation(error: unknown, index: string): boolean {
	const e = error as { code?: string; constraint?: string; message?: string } | null;
	return e?.code === '23505' && (e.constraint === index || !!e.message?.includes(index));
}
