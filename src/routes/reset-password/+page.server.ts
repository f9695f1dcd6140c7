import { fail } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import { clientAddress } from '#lib/server/http/client-address.js';
import * as accounts from '#lib/server/accounts/index.js';
import { resetRequestSchema } from '#lib/server/auth/validation.js';
import { readForm, parseForm } from '#lib/server/platform/forms.js';
import type { Actions } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';

export const actions = {
	default: async (event) => {
		const parsed = parseForm(resetRequestSchema, await readForm(event.request));
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });
		const result = await accounts.requestPasswordReset(db, {
			email: parsed.data.email,
			ip: clientAddress(event),
			origin: siteOrigin()
		});
		if (!result.ok) return fail(result.status, { errors: result.errors, values: parsed.values });
		// The same answer whether or not an account uses the address.
		return { sent: true, values: parsed.values };
	}
} satisfies Actions;
