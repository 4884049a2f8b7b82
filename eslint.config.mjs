// Lint for what we ship: nodes/, credentials/ and package.json.
//
// The rule wiring mirrors what `@n8n/scan-community-package` (scanner/scanner.mjs, buildScanConfig)
// and `@n8n/node-cli` (dist/configs/eslint.js) apply to a community package:
//   - @n8n/eslint-plugin-community-nodes `recommended` (the n8n Cloud-eligible set, which includes
//     no-restricted-globals and no-restricted-imports),
//   - eslint-plugin-n8n-nodes-base `community` (package.json), `credentials` and `nodes` rule sets,
//     with the same three/two rules switched off as the scanner and node-cli do,
//   - no-console: error,
//   - the typescript-eslint parser for .ts and .json files.
// `npm run verify` additionally runs the scanner's own analyzePackage() (its pinned plugin versions,
// inline config disabled) on the source and on the packed tarball.
//
// Not linted here: test/, scripts/, bench/ and build config files. They are never published
// (package.json "files" is ["dist"]) and the scanner does not look at them; they are type-checked
// by tsconfig.test.json / exercised by jest instead.
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import { defineConfig, globalIgnores } from 'eslint/config';

const SHIPPED_TS = ['nodes/**/*.ts', 'credentials/**/*.ts'];
const SHIPPED_JSON = ['package.json', 'nodes/**/*.json', 'credentials/**/*.json'];

export default defineConfig(
	globalIgnores([
		'dist/**',
		'node_modules/**',
		'coverage/**',
		'test/**',
		'scripts/**',
		'bench/**',
		'.n8n-e2e/**',
		'.cache/**',
		'*.js',
		'*.cjs',
		'*.mjs',
		'**/package-lock.json',
	]),
	{
		linterOptions: { reportUnusedDisableDirectives: 'error' },
	},
	{
		files: [...SHIPPED_TS, ...SHIPPED_JSON],
		extends: [n8nCommunityNodesPlugin.configs.recommended],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		languageOptions: {
			parser: tsParser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
	},
	{
		files: SHIPPED_TS,
		rules: { 'no-console': 'error' },
	},
	{
		files: ['package.json'],
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Not valid for community nodes (same override as the scanner and @n8n/node-cli).
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// @n8n/community-nodes/credential-password-field covers this more accurately.
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Outputs may use NodeConnectionTypes / an expression instead of the string 'main'.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			// A third-party API maximum is a valid maxValue.
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
);
