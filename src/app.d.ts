import type { SessionValidationResult } from '#lib/server/auth/session.js';

declare global {
	namespace App {
		interface Locals {
			user: SessionValidationResult['user'];
			session: SessionValidationResult['session'];
		}
	}
}

export {};
