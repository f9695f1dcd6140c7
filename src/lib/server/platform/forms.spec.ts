import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { isHttpError } from '@sveltejs/kit';
import {
	CONTROL_CHARACTER_MESSAGE,
	formValues,
	parseForm,
	parseId,
	readForm
} from '#lib/server/platform/forms.js';

describe('parseId', () => {
	it('accepts positive int4 ids written in plain digits', () => {
		expect(parseId('1')).toBe(1);
		expect(parseId('2147483647')).toBe(2_147_483_647);
	});

	it.each([
		'',
		'0',
		'-1',
		'01',
		'1e5',
		'0x10',
		'1.5',
		' 1',
		'1 ',
		'abc',
		'2147483648',
		'99999999999',
		'1\u0000'
	])('refuses %j', (value) => expect(parseId(value)).toBeNull());

	it('refuses files and missing fields', () => {
		expect(parseId(null)).toBeNull();
		expect(parseId(new File(['1'], 'id.txt'))).toBeNull();
	});
});

describe('parseForm', () => {
	const schema = v.object({
		title: v.pipe(v.string(), v.nonEmpty('Give it a title.')),
		url: v.string()
	});

	it('refuses a field with a NUL byte, names it, and keeps the other values', () => {
		const form = new FormData();
		form.set('title', 'Launch\u0000 plan');
		form.set('url', 'https://example.com/kept');
		const result = parseForm(schema, form);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.errors).toEqual({ title: CONTROL_CHARACTER_MESSAGE });
		expect(result.values).toEqual({ title: 'Launch plan', url: 'https://example.com/kept' });
	});

	it('keeps tabs and line breaks, which people do type', () => {
		const form = new FormData();
		form.set('title', 'Line one\r\nline\ttwo');
		form.set('url', '');
		const result = parseForm(schema, form);
		expect(result.ok && result.data.title).toBe('Line one\r\nline\ttwo');
	});

	it('formValues drops control characters for routes that read fields directly', () => {
		const form = new FormData();
		form.set('skill', 'SEO\u0000\u0007');
		expect(formValues(form, ['skill'])).toEqual({ skill: 'SEO' });
	});
});

describe('readForm', () => {
	const post = (type: string, body: string) =>
		new Request('http://localhost/x', { method: 'POST', headers: { 'content-type': type }, body });

	it('reads a well-formed form', async () => {
		const form = await readForm(post('application/x-www-form-urlencoded', 'a=1&a=2'));
		expect(form.getAll('a')).toEqual(['1', '2']);
	});

	it.each([
		['multipart/form-data; boundary=right', '--wrong\r\n\r\n--wrong--'],
		[
			'multipart/form-data; boundary=cut',
			'--cut\r\nContent-Disposition: form-data; name="a"\r\n\r\n1'
		],
		['multipart/form-data', 'no boundary'],
		['application/json', '{}']
	])('answers 400 to a body that is no form (%s)', async (type, body) => {
		const failure = await readForm(post(type, body)).catch((error: unknown) => error);
		expect(isHttpError(failure, 400)).toBe(true);
	});
});
