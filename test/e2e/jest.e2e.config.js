/**
 * End-to-end suite against a real n8n (see test/e2e/README.md). Run through scripts/e2e.sh, which
 * installs n8n (cached), builds and packs the package, then runs:
 *   npx jest -c test/e2e/jest.e2e.config.js
 * Files run one after another (each starts its own n8n on its own ports).
 */
module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.js'],
	transform: {},
	maxWorkers: 1,
	verbose: true,
	testTimeout: 5 * 60 * 1000,
	globalSetup: '<rootDir>/test/e2e/lib/global-setup.js',
	// Order: regular mode first (fastest feedback), then browser, then queue mode.
	testSequencer: '<rootDir>/test/e2e/lib/sequencer.js',
};
