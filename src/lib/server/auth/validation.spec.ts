import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { checkPasswordStrength } from '#lib/server/auth/password.js';
import { signupSchema } from '#lib/server/auth/validation.js';
import { parseForm } from '#lib/server/platform/forms.js';

function form(fields: Record<string, string>): FormData {
	const data = new FormData();
	for (const [key, value] of Object.entries(fields)) data.set(key, value);
	return data;
}

describe('password rules', () => {
	it('asks for 8 to 256 characters and nothing else', () => {
		expect(checkPasswordStrength('short1!')).toMatch(/at least 8/);
		expect(checkPasswordStrength('a'.repeat(257))).toMatch(/at most 256/);
		expect(checkPasswordStrength('lowercase only words here')).toBeNull();
		expect(checkPasswordStrength('ünïcödé pässwörd')).toBeNull();
	});

	it('refuses passwords from the shipped list of common ones, in any case', () => {
		expect(checkPasswordStrength('password')).toMatch(/commonly used/);
		expect(checkPasswordStrength('PassWord1')).toMatch(/commonly used/);
		expect(checkPasswordStrength('qwertyuiop')).toMatch(/commonly used/);
	});
});

describe('sign-up form', () => {
	const valid = { email: ' Ann@Example.com ', handle: 'Ann_Smith', password: 'a long passphrase' };

	it('normalises the email and lowercases the handle', () => {
		const result = parseForm(signupSchema, form(valid));
		expect(result.ok && result.data).toEqual({
			email: 'Ann@Example.com',
			handle: 'ann_smith',
			password: 'a long passphrase',
			// Empty unless the person came by an invite link or registration needs approval.
			invite: '',
			joinReason: ''
		});
	});

	it.each([
		['ab', /at least 3/],
		['a'.repeat(31), /at most 30/],
		['ann-smith', /letters a–z, digits and underscores/],
		['ann smith', /letters a–z, digits and underscores/],
		['admin', /reserved/],
		['Settings', /reserved/],
		['login', /reserved/]
	])('refuses the handle %j', (handle, message) => {
		const result = parseForm(signupSchema, form({ ...valid, handle }));
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.errors.handle).toMatch(message);
	});

	it('gives one message per field and echoes back everything but the password', () => {
		const result = parseForm(
			signupSchema,
			form({ email: 'not-an-email', handle: 'ok_handle', password: 'password' })
		);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.errors.email).toMatch(/email address like/);
		expect(result.errors.password).toMatch(/commonly used/);
		expect(result.errors.handle).toBeUndefined();
		expect(result.values).toEqual({
			email: 'not-an-email',
			handle: 'ok_handle',
			invite: '',
			joinReason: ''
		});
	});

	it('ignores fields the schema does not name', () => {
		const result = parseForm(signupSchema, form({ ...valid, user_id: '1', is_verified: 'true' }));
		expect(result.ok && Object.keys(result.data).sort()).toEqual([
			'email',
			'handle',
			'invite',
			'joinReason',
			'password'
		]);
		expect(v.is(signupSchema, { ...valid, handle: 'ann' })).toBe(true);
	});
});
