import { fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { clientAddress } from '#lib/server/http/client-address.js';
import * as accounts from '#lib/server/accounts/index.js';
import * as rateLimit from '#lib/server/platform/rate-limit.js';
import { requireUser } from '#lib/server/auth/guard.js';
import type { Actions, PageServerLoad } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';

export const load: PageServerLoad = ({ url }) => {
	const { user } = requireUser();
	return {
		emailVerified: user.emailVerified,
		email: user.email,
		sent: url.searchParams.has('sent')
	};
};

export const actions = {
	resend: async (event) => {
		const { user } = requireUser();
		if (user.emailVerified) redirect(303, '/verify-email');
		if (!(await rateLimit.consume(db, `mail:ip:${clientAddress(event)}`, rateLimit.MAIL_PER_IP))) {
			return fail(429, {
				error: 'We sent several links already. Wait a few minutes, then try again.'
			});
		}
		await accounts.startEmailVerification(db, user, siteOrigin());
		redirect(303, '/verify-email?sent=1');
	}
} satisfies Actions;
