import * as v from 'valibot';

export type FieldErrors = Partial<Record<string, string>>;

export type FormResult<T> =
	| { ok: true; data: T; values: Record<string, string> }
	| { ok: false; errors: FieldErrors; values: Record<string, string> };

// Password-like fields are never echoed back to the page.
const SECRET_FIELD = /password/i;

/** Reads the named text fields of a form, dropping files and anything the schema does not name. */
export function formValues<K extends string>(
	form: FormData,
	fields: readonly K[]
): Record<K, string> {
	const values = {} as Record<K, string>;
	for (const field of fields) {
		const value = form.get(field);
		values[field] = typeof value === 'string' ? value : '';
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
	const values = formValues(form, Object.keys(schema.entries));
	const result = v.safeParse(schema, values);
	if (result.success) return { ok: true, data: result.output, values: safeValues(values) };
	const errors: FieldErrors = {};
	for (const issue of result.issues) {
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
