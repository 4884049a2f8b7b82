/** Unit, policy and engine tests (n8n-core's WorkflowExecute against the Soku stand-in). The real-n8n
 * end-to-end suite has its own config under test/e2e. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts', '**/stand-in/*.test.js'],
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json', diagnostics: false }],
	},
	setupFiles: ['<rootDir>/test/helpers/quiet-n8n.js'],
	testTimeout: 60_000,
};
