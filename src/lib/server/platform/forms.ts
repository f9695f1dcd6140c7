import { error } from '@sveltejs/kit';
import * as v from 'valibot';

export type FieldErrors = Partial<Record<string, string>>;

export type FormResult<T> =
	| { ok: true; data: T; values: Record<string, string> }
	| { ok: false; errors: FieldErrors; values: Record<string, string> };

// Password-like fields are never echoed back to the page.
const SECRET_FIELD = /password/i;
// C0 controls other than tab, line feed and carriage return, and DEL: nobody types them, and
// PostgreSQL refuses NUL in text outright.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const INT4_MAX = 2_147_483_647;
export const CONTROL_CHARACTER_MESSAGE =
	'Remove the invisible control character (such as a NUL byte) from this field.';

/** The text without control characters that have no place in a form field or a URL. */
export function stripControlCharacters(text: string): string {
	return text.replace(CONTROL_CHARACTERS, '');
}

export function hasControlCharacters(text: string): boolean {
	return text.search(CONTROL_CHARACTERS) !== -1;
}

/**
 * A database id from a path parameter or a form field: a positive int4 written in plain decimal
 * digits, or null for anything else ('1e5', '0x10', '-1', '99999999999', '', NUL bytes...).
 */
export function parseId(value: unknown): number | null {
	if (typeof value !== 'string' || !/^[1-9][0-9]{0,9}$/.test(value)) return null;
	const id = Number(value);
	return id <= INT4_MAX ? id : null;
}

/**
 * The request's form, or a 400 when the body is not one (a broken multipart body, a missing
 * boundary, a wrong content type): the client sent something no form produces.
 */
export async function readForm(request: Request): Promise<FormData> {
	try {
		return await request.formData();
	} catch {
		error(400, 'The form could not be read. Reload the page and send it again.');
	}
}

/**
 * Reads the named text fields of a form, dropping files, anything the schema does not name and
 * control characters (parseForm refuses a field that had any, with a message next to it).
 */
export function formValues<K extends string>(
	form: FormData,
	fields: readonly K[]
): Record<K, string> {
	const values = {} as Record<K, string>;
	for (const field of fields) {
		const value = form.get(field);
		values[field] = typeof value === 'string' ? stripControlCharacters(value) : '';
	}
	return values;
}

/** Values safe to send back to the page after a failed submission. */
export function safeValues(values: Record<string, string>): Record<string, string> {
	return Object.fromEntries(Object.entries(values).filter(([key]) => !SECRET_FIELD.test(key)));
}

export function parseForm<
	S extends v.ObjectSchema<v.ObjectEntries, v.ErrorMessage<v.ObjectIssue> | undefined>
>(schema: S, form: FormData): FormResult<v.InferOutput<S>> {
	const fields = Object.keys(schema.entries);
	const values = formValues(form, fields);
	const errors: FieldErrors = {};
	for (const field of fields) {
		const raw = form.get(field);
		if (typeof raw === 'string' && hasControlCharacters(raw))
			errors[field] = CONTROL_CHARACTER_MESSAGE;
	}
	const result = v.safeParse(schema, values);
	if (result.success && Object.keys(errors).length === 0)
		return { ok: true, data: result.output, values: safeValues(values) };
	for (const issue of result.issues ?? []) {
		const key = v.getDotPath(issue) ?? 'form';
		errors[key] ??= issue.message;
	}
	return { ok: false, errors, values: safeValues(values) };
}

/** A trimmed text field that may be left empty (stored as null), with a length limit. */
export const optionalText = (max: number, label: string) =>
	v.pipe(
		v.string(),
		v.trim(),
		v.maxLength(max, `${label}: use at most ${max} characters.`),
		v.transform((value) => (value === '' ? null : value))
	);
