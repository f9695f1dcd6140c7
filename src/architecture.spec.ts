import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ESLint } from 'eslint';
import { cruise, type IConfiguration } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

// The layer boundaries of docs/architecture.md are held by `npm run lint`: ESLint refuses upward
// imports and dependency-cruiser refuses import loops. These specs show both refusing a violation,
// so that a rule that silently stopped matching (as gitignore-style patterns did for '#lib/...')
// fails here.

const root = path.resolve(import.meta.dirname, '..');
const config: IConfiguration = createRequire(import.meta.url)(
	path.join(root, '.dependency-cruiser.cjs')
);

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
	const eslint = new ESLint({ cwd: root });
	const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
	return result.messages
		.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
		.map((m) => m.message);
}

describe('layer boundaries', () => {
	it.each([
		[
			'a component importing server code',
			'src/lib/components/format.ts',
			'#lib/server/db/index.js'
		],
		[
			'the database layer importing a domain module',
			'src/lib/server/db/x.ts',
			'#lib/server/accounts/index.js'
		],
		[
			'infrastructure importing a domain module',
			'src/lib/server/platform/x.ts',
			'#lib/server/work.js'
		],
		[
			'a domain module importing a component',
			'src/lib/server/x.ts',
			'#lib/components/Field.svelte'
		],
		[
			'a domain module importing the HTTP edge',
			'src/lib/server/x.ts',
			'#lib/server/http/profile-cache.js'
		],
		['a domain module importing a CLI', 'src/lib/server/x.ts', '../../cli/seed.ts'],
		['a route importing the query builder', 'src/routes/x/+page.server.ts', 'kysely']
	])('refuses %s', async (_, file, specifier) => {
		const messages = await restrictedImports(
			file,
			`import * as m from '${specifier}';\nexport { m };\n`
		);
		expect(messages).toHaveLength(1);
	});

	it('refuses a query written in a route', async () => {
		const messages = await restrictedImports(
			'src/routes/x/+page.server.ts',
			`import { db } from '#lib/server/db/index.js';\nexport const load = () => db.selectFrom('users').selectAll().execute();\n`
		);
		expect(messages).toEqual([expect.stringContaining('queries live there')]);
	});

	it('lets each layer import what lies below it', async () => {
		for (const [file, specifier] of [
			['src/lib/server/db/x.ts', '#lib/server/platform/log.js'],
			['src/lib/server/platform/x.ts', '#lib/server/db/connect.js'],
			['src/lib/server/x.ts', '#lib/server/platform/forms.js'],
			['src/lib/server/http/x.ts', '#lib/server/views.js'],
			['src/routes/x/+page.server.ts', '#lib/server/db/index.js']
		])
			expect(
				await restrictedImports(file, `import * as m from '${specifier}';\nexport { m };\n`),
				`${file} -> ${specifier}`
			).toEqual([]);
	});
});

describe('import loops', () => {
	it('finds none in the app', { timeout: 60_000 }, async () => {
		const { output } = await cruise(['src'], {
			ruleSet: config,
			validate: true,
			...config.options
		});
		if (typeof output === 'string') throw new Error('expected a cruise result');
		expect(output.summary.totalCruised).toBeGreaterThan(100);
		expect(output.summary.violations).toEqual([]);
	});

	it('refuses a loop through several modules', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-'));
		fs.writeFileSync(
			path.join(dir, 'a.ts'),
			`import { b } from './b.ts';\nexport const a = () => b;\n`
		);
		fs.writeFileSync(
			path.join(dir, 'b.ts'),
			`import { c } from './c.ts';\nexport const b = () => c;\n`
		);
		fs.writeFileSync(
			path.join(dir, 'c.ts'),
			`import { a } from './a.ts';\nexport const c = () => a;\n`
		);
		try {
			const { output } = await cruise([dir], {
				ruleSet: config,
				validate: true,
				...config.options
			});
			if (typeof output === 'string') throw new Error('expected a cruise result');
			expect(output.summary.violations.map((v) => v.rule.name)).toContain('no-import-loop');
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
