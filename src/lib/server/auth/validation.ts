import * as v from 'valibot';
import { checkPasswordStrength, PASSWORD_MAX } from '#lib/server/auth/password.js';

// Paths and words a handle must never take, since /@handle sits beside the app's own pages.
export const RESERVED_HANDLES = new Set([
	'about',
	'account',
	'accounts',
	'admin',
	'administrator',
	'api',
	'app',
	'assets',
	'auth',
	'blog',
	'contact',
	'dashboard',
	'docs',
	'edit',
	'endorse',
	'endorsements',
	'explore',
	'help',
	'home',
	'login',
	'logout',
	'mail',
	'me',
	'messages',
	'new',
	'null',
	'privacy',
	'profile',
	'profiles',
	'proofwork',
	'register',
	'reset',
	'reset_password',
	'root',
	'search',
	'security',
	'settings',
	'shortlists',
	'signin',
	'signout',
	'signup',
	'sitemap',
	'static',
	'status',
	'support',
	'system',
	'terms',
	'undefined',
	'user',
	'users',
	'verify',
	'verify_email',
	'www'
]);

export const HANDLE_PATTERN = /^[a-z0-9_]{3,30}$/;

/** Whether text from an address could be a handle, in any letter case: lookups skip anything else. */
export function isHandleShaped(text: string): boolean {
	return HANDLE_PATTERN.test(text.toLowerCase());
}

export const emailField = v.pipe(
	v.string(),
	v.trim(),
	v.nonEmpty('Enter your email address.'),
	v.maxLength(254, 'Use at most 254 characters.'),
	v.email('Enter an email address like name@example.com.')
);

export const handleField = v.pipe(
	v.string(),
	v.trim(),
	v.toLowerCase(),
	v.nonEmpty('Choose a handle.'),
	v.minLength(3, 'Use at least 3 characters.'),
	v.maxLength(30, 'Use at most 30 characters.'),
	v.regex(HANDLE_PATTERN, 'Use only letters a–z, digits and underscores.'),
	v.check((handle) => !RESERVED_HANDLES.has(handle), 'This handle is reserved. Choose another.')
);

export const newPasswordField = v.pipe(
	v.string(),
	v.nonEmpty('Choose a password.'),
	v.check(
		(password) => checkPasswordStrength(password) === null,
		(issue) => checkPasswordStrength(String(issue.input)) ?? 'Choose another password.'
	)
);

export const currentPasswordField = v.pipe(
	v.string(),
	v.nonEmpty('Enter your current password.'),
	v.maxLength(PASSWORD_MAX, 'That password is longer than any we accept.')
);

export const signupSchema = v.object({
	email: emailField,
	handle: handleField,
	password: newPasswordField,
	// From an invite link (?invite=…), carried in a hidden field.
	invite: v.optional(
		v.pipe(v.string(), v.trim(), v.maxLength(100, 'That invite code is not one we made.')),
		''
	),
	// Asked while sign-ups need an admin's approval.
	joinReason: v.optional(
		v.pipe(v.string(), v.trim(), v.maxLength(1000, 'Use at most 1,000 characters.')),
		''
	)
});

export const loginSchema = v.object({
	identifier: v.pipe(
		v.string(),
		v.trim(),
		v.nonEmpty('Enter your email address or handle.'),
		v.maxLength(254, 'Use at most 254 characters.')
	),
	password: v.pipe(
		v.string(),
		v.nonEmpty('Enter your password.'),
		v.maxLength(PASSWORD_MAX, 'That password is longer than any we accept.')
	)
});

export const changePasswordSchema = v.object({
	currentPassword: currentPasswordField,
	newPassword: newPasswordField
});

export const changeEmailSchema = v.object({
	email: emailField,
	currentPassword: currentPasswordField
});

export const deleteAccountSchema = v.object({
	currentPassword: currentPasswordField,
	confirm: v.pipe(v.string(), v.literal('delete', 'Type “delete” to confirm.'))
});

export const resetRequestSchema = v.object({ email: emailField });

export const resetPasswordSchema = v.object({ newPassword: newPasswordField });
