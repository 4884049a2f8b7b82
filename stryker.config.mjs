// Mutation testing (StrykerJS): does a broken line in the policy, the error table, the transport, the
// router or the shared helpers make a unit or engine test fail? Run with `npm run test:mutation`
// (scripts/mutation.sh wraps this and writes docs/mutation.md). Reports: .cache/mutation/.
// @ts-check
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
	packageManager: 'npm',
	testRunner: 'jest',
	jest: {
		projectType: 'custom',
		configFile: 'jest.config.js',
		// The unit and engine tests drive it. Two real-time files are left out: the 1,000-post fault run
		// (faults.test.ts, ~20 s) and the concurrent-executions run (pacing-concurrency.test.ts, ~15 s on the
		// real clock). Each covers nearly every line of the send loop, so every mutant there would run it (the
		// jest runner cannot bail): hours on 2 cores. The send loop's and pacing's own unit tests
		// (sendWithPolicy.test.ts, pacing.test.ts) pin the same behaviour on a virtual clock. The stand-in's own
		// tests do not exercise the node. The fuzz suite (fuzz.test.ts, 10,000 items, 30-60 s, a new seed each run)
		// is left out for the same reason, and because a mutant's verdict must not depend on a random seed; the
		// deterministic tests of the same code (reading-values, no-input-breaks-batch, property) stay in.
		// editor-defaults.test.ts bundles the node with esbuild to read its
		// description (no mutated decision code, and a bundle of instrumented sources would tie it to every mutant).
		// The sources and test helpers are roots too: Stryker runs the test files related to the mutated file
		// (jest --findRelatedTests), and jest only follows imports through files inside its roots. With
		// test/ alone, a mutant in sendWithPolicy.ts (reached through helpers/engine.ts and router.ts) ran no test.
		config: {
			roots: ['<rootDir>/test', '<rootDir>/nodes', '<rootDir>/credentials'],
			testPathIgnorePatterns: ['/node_modules/', '/test/e2e/', '/test/stand-in/', 'faults\\.test\\.ts$', 'pacing-concurrency\\.test\\.ts$', 'fuzz\\.test\\.ts$', 'editor-defaults\\.test\\.ts$'],
		},
	},
	checkers: ['typescript'],
	tsconfigFile: 'tsconfig.json',
	mutate: [
		'nodes/Soku/policy/**/*.ts',
		'nodes/Soku/errors/**/*.ts',
		'nodes/Soku/transport/**/*.ts',
		'nodes/Soku/actions/router.ts',
		'nodes/Soku/actions/common/**/*.ts',
	],
	// Each mutant runs only the tests that cover it. Concurrency 2 on 2 cores = one type checker and one test
	// runner, and two runners once every mutant is type-checked: Stryker hands the checkers' slots to new test
	// runners then (ConcurrencyTokenProvider.freeCheckers). With 4, that made four runners on 2 cores, whose
	// tests took twice as long: from then on nearly every mutant timed out, and each timeout restarts a runner
	// cold (measured 2026-12-02: 45 of 47 mutants in a row timed out, about 5 mutants a minute instead of 13).
	coverageAnalysis: 'perTest',
	concurrency: 2,
	// Static mutants (module-level constants: the error table's fields, the endpoint list, parameter texts)
	// cannot be tied to single tests, so each would run the whole suite: ~40 % of a run's time on 2 cores.
	// They are reported as ignored; the README-table test and errorTable.test.ts check those constants.
	ignoreStatic: true,
	// Engine tests wait real (short) Retry-After and backoff delays; a mutant that loops forever times out.
	timeoutMS: 10_000,
	timeoutFactor: 2,
	ignorePatterns: ['dist', 'bench/out', 'test-results', '.cache', 'docs', 'examples', '.n8n-e2e', 'reports'],
	tempDirName: '.cache/stryker-tmp',
	cleanTempDir: 'always',
	// Re-runs test only the mutants whose code or covering tests changed since the last run on this machine
	// (a clean clone has no such file: a full run). `npm run test:mutation -- --force` tests every mutant.
	incremental: true,
	incrementalFile: '.cache/mutation/incremental.json',
	reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
	htmlReporter: { fileName: '.cache/mutation/mutation.html' },
	jsonReporter: { fileName: '.cache/mutation/mutation.json' },
	clearTextReporter: { allowColor: false, logTests: false, reportTests: false, reportMutants: true, reportScoreTable: true },
	// Targets from issue 13: >= 85 % in policy/ and errors/ (checked by scripts/mutation.sh), >= 70 % overall.
	thresholds: { high: 85, low: 70, break: 70 },
};
