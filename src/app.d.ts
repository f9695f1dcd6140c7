import type { SessionValidationResult } from '#lib/server/auth/session.js';
import type { ProfileCacheBridge } from '#lib/server/http/profile-cache.js';

declare global {
	namespace App {
		interface Locals {
			user: SessionValidationResult['user'];
			session: SessionValidationResult['session'];
			/** Set by the /@handle page: whose profile it rendered, for the page cache and view counts. */
			profileId?: number;
		}
	}
	/** Set by the app (http/profile-cache.ts) and read by src/server.js, outside the app bundle. */
	var proofworkProfileCache: ProfileCacheBridge | undefined;
}

export {};
