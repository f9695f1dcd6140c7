// Import loops are refused by `npm run lint` (layer boundaries are ESLint's no-restricted-imports,
// in eslint.config.js). See docs/architecture.md.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
	forbidden: [
		{
			name: 'no-import-loop',
			comment:
				'Modules that import each other, directly or through others, cannot be understood alone.',
			severity: 'error',
			from: {},
			to: { circular: true }
		}
	],
	options: {
		doNotFollow: { path: 'node_modules' },
		exclude: { path: ['\\.svelte-kit/', '^build/', 'node_modules'] },
		tsPreCompilationDeps: true,
		enhancedResolveOptions: {
			exportsFields: ['exports'],
			conditionNames: ['import', 'require', 'node', 'default', 'types'],
			extensions: ['.ts', '.js', '.svelte', '.json']
		},
		reporterOptions: { text: { highlightFocused: true } }
	}
};
