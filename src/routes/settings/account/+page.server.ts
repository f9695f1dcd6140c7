import { fail, redirect } from '@sveltejs/kit';
import { db } from '#lib/server/db/index.js';
import * as accounts from '#lib/server/accounts/index.js';
import { deleteSessionCookie } from '#lib/server/auth/cookies.js';
import { requireUser } from '#lib/server/auth/guard.js';
import {
	changeEmailSchema,
	changePasswordSchema,
	deleteAccountSchema
} from '#lib/server/auth/validation.js';
import { fieldErrors, readForm, parseForm } from '#lib/server/platform/forms.js';
import type { Actions, PageServerLoad } from './$types';
import { siteOrigin } from '#lib/server/platform/site.js';
import * as dataExports from '#lib/server/data-export/limits.js';

export const load: PageServerLoad = async ({ url }) => {
	const { user } = requireUser();
	const lastDownload = await dataExports.lastDownload(db, user.id);
	return {
		account: { email: user.email, handle: user.handle, emailVerified: user.emailVerified },
		saved: url.searchParams.get('saved'),
		dataExport: {
			lastDownloadAt: lastDownload?.at.toISOString() ?? null,
			nextAllowedAt: lastDownload?.nextAllowedAt?.toISOString() ?? null,
			lapsed: url.searchParams.get('export') === 'lapsed'
		}
	};
};

export const actions = {
	password: async (event) => {
		const { user, session } = requireUser();
		const parsed = parseForm(changePasswordSchema, await readForm(event.request));
		if (!parsed.ok)
			return fail(400, { action: 'password', errors: parsed.errors, values: parsed.values });
		const result = await accounts.changePassword(db, {
			userId: user.id,
			sessionId: session.id,
			...parsed.data
		});
		if (!result.ok)
			return fail(result.status, {
				action: 'password',
				errors: result.errors,
				values: parsed.values
			});
		redirect(303, '/settings/account?saved=password');
	},

	email: async (event) => {
		const { user, session } = requireUser();
		const parsed = parseForm(changeEmailSchema, await readForm(event.request));
		if (!parsed.ok)
			return fail(400, { action: 'email', errors: parsed.errors, values: parsed.values });
		const result = await accounts.changeEmail(db, {
			userId: user.id,
			sessionId: session.id,
			origin: siteOrigin(),
			...parsed.data
		});
		if (!result.ok)
			return fail(result.status, { action: 'email', errors: result.errors, values: parsed.values });
		redirect(303, '/settings/account?saved=email');
	},

	// Asking opens a ten-minute window for the download itself (a GET the browser saves as a file).
	export: async () => {
		const { user } = requireUser();
		const result = await dataExports.requestExport(db, user.id);
		if (!result.ok)
			return fail(result.status, {
				action: 'export',
				errors: fieldErrors({
					form: `You downloaded your data at ${formatUtc(result.lastDownloadAt)}. You can download it once a day: again from ${formatUtc(result.nextAllowedAt)}.`
				}),
				values: {} as Record<string, string>
			});
		redirect(303, '/settings/account/export');
	},

	delete: async (event) => {
		const { user } = requireUser();
		const parsed = parseForm(deleteAccountSchema, await readForm(event.request));
		if (!parsed.ok)
			return fail(400, { action: 'delete', errors: parsed.errors, values: parsed.values });
		const result = await accounts.deleteAccount(db, {
			userId: user.id,
			currentPassword: parsed.data.currentPassword
		});
		if (!result.ok)
			return fail(result.status, {
				action: 'delete',
				errors: result.errors,
				values: parsed.values
			});
		deleteSessionCookie(event.cookies);
		redirect(303, '/?deleted=1');
	}
} satisfies Actions;

function formatUtc(date: Date): string {
	return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
