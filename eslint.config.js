import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

// Import specifiers as regular expressions: the app imports its own code as #lib/... (package.json
// "imports"), which gitignore-style patterns would read as comments.
const SERVER = String.raw`^(#|\$)lib/server/|/lib/server/`;
const COMPONENTS = String.raw`^(#|\$)lib/components/|\.svelte$`;
const APP = String.raw`/routes/|^\$app/`;
const CLI = String.raw`(^|/)cli/`;
/**
 * @param {string} message
 * @param {...string} regexes
 * @returns {import('eslint').Linter.RulesRecord}
 */
const restrict = (message, ...regexes) => ({
	'no-restricted-imports': ['error', { patterns: regexes.map((regex) => ({ regex, message })) }]
});
const QUERY = 'Routes call domain modules; queries live there (HOUSE_STYLE.md).';

/** @type {import('eslint').Linter.Config[]} */
const layers = [
	{
		files: ['src/lib/components/**'],
		rules: restrict('Components are pure UI: pass data in as props.', SERVER)
	},
	{
		files: ['src/lib/server/db/**'],
		rules: restrict(
			'The database layer imports no domain, edge or app code: only db/ and platform/.',
			String.raw`^(#|\$)lib/server/(?!db/|platform/)`,
			COMPONENTS,
			APP.replace(String.raw`|^\$app/`, ''),
			CLI
		)
	},
	{
		files: ['src/lib/server/platform/**'],
		rules: restrict(
			'Infrastructure serves every domain and so imports none: only platform/ and db/.',
			String.raw`^(#|\$)lib/server/(?!platform/|db/)`,
			COMPONENTS,
			APP,
			CLI
		)
	},
	{
		files: ['src/lib/server/**'],
		ignores: ['src/lib/server/db/**', 'src/lib/server/platform/**', 'src/lib/server/http/**'],
		rules: restrict(
			'Domain code imports no routes, components, HTTP edge or CLI: return a typed result instead.',
			COMPONENTS,
			'/routes/',
			String.raw`^(#|\$)lib/server/http/`,
			CLI
		)
	},
	{
		files: ['src/routes/**'],
		rules: {
			...restrict(QUERY, '^kysely$', String.raw`^(#|\$)lib/server/db/(connect|schema)`, CLI),
			'no-restricted-syntax': [
				'error',
				{
					selector:
						'CallExpression[callee.property.name=/^(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|transaction)$/]',
					message: QUERY
				}
			]
		}
	}
];

export default ts.config(
	{
		ignores: [
			'build/',
			'.svelte-kit/',
			'node_modules/',
			'data/',
			'test-results/',
			'playwright-report/',
			'tests/.artifacts/'
		]
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	prettier,
	...svelte.configs.prettier,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } },
		rules: {
			// User content must never reach {@html}; a sanitiser-backed component is the only exception.
			'svelte/no-at-html-tags': 'error',
			'no-undef': 'off',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
		languageOptions: {
			parserOptions: {
				projectService: true,
				extraFileExtensions: ['.svelte'],
				parser: ts.parser,
				svelteConfig
			}
		}
	},
	{
		files: ['migrations/**/*.ts'],
		rules: { '@typescript-eslint/no-explicit-any': 'off' }
	},
	// Who may import whom (docs/architecture.md): routes -> domain and auth -> platform and db.
	...layers
);
