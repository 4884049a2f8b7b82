#!/usr/bin/env node
// mutant-check.js REPORT.json [--status Timeout] [--sample N|all] [--file SUBSTRING] [--covering] [--shard K/N] [--record FILE]
// Re-tests mutants from a Stryker report by hand, one at a time, outside Stryker: writes the mutant into the source, runs the tests
// related to that file (jest roots and exclusions read from stryker.config.mjs), restores the source.
// Why: Stryker counts a timed-out mutant as detected, and on 2 cores its type checkers starve the test
// runners, so a timeout may be load, not detection. This shows whether the tests really fail on it.
// Run it on a checkout at the report's commit (the source is checked against the report's copy).
// jest stops at the first failing test file (--bail): one failure is a detection, and a detected mutant
// then costs seconds. --shard K/N re-tests the K-th of N interleaved slices of the chosen mutants, so N
// checkouts (git worktrees sharing node_modules) can re-test every timed-out mutant side by side.
// --record FILE appends one JSON line per re-tested mutant (file, id, line, verdict); scripts/mutation.sh
// passes .cache/mutation/retest-<part>.jsonl and mutation-summary.js then counts each recorded timeout by
// its verdict instead of as detected.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const args = process.argv.slice(2);
const option = (name, fallback) => {
	const i = args.indexOf(name);
	return i === -1 ? fallback : args[i + 1];
};
const reportPath = args[0];
if (!reportPath || reportPath.startsWith('--')) {
	console.error('usage: mutant-check.js REPORT.json [--status Timeout] [--sample N|all] [--file SUBSTRING] [--covering] [--shard K/N] [--record FILE]');
	process.exit(2);
}
const status = option('--status', 'Timeout');
const sampleOption = option('--sample', '10');
const sample = sampleOption === 'all' ? Infinity : Number(sampleOption);
const [shardIndex, shardCount] = option('--shard', '1/1').split('/').map(Number);
if (!(shardCount >= 1 && shardIndex >= 1 && shardIndex <= shardCount)) {
	console.error('mutant-check.js: --shard takes K/N with 1 <= K <= N');
	process.exit(2);
}
const fileFilter = option('--file', '');
// --covering: run only the test files that cover the mutant (the report's coveredBy), not every test related
// to its source file: seconds instead of minutes for a mutant in the router, which nearly every engine test imports.
const coveringOnly = args.includes('--covering');
const recordPath = option('--record', '');
const record = (file, m, verdict) => {
	if (recordPath) fs.appendFileSync(recordPath, `${JSON.stringify({ file, id: m.id, line: m.location.start.line, status: m.status, verdict })}\n`);
};
const report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
/** Test id → test file, from the report. */
const testFileOf = new Map();
for (const [file, data] of Object.entries(report.testFiles ?? {})) for (const t of data.tests) testFileOf.set(t.id, file);

/** Offset of a 1-based line and column (mutation-testing-report schema) in text. */
function offsetOf(text, { line, column }) {
	let offset = 0;
	for (let l = 1; l < line; l++) offset = text.indexOf('\n', offset) + 1;
	return offset + column - 1;
}

const candidates = [];
for (const [file, data] of Object.entries(report.files)) {
	if (!file.includes(fileFilter)) continue;
	for (const m of data.mutants) if (m.status === status) candidates.push({ file, source: data.source, m });
}
// Spread over the list (not the first N): every file and mutator gets a chance, and runs are repeatable.
const step = Math.max(1, candidates.length / Math.max(1, Math.min(sample, candidates.length)));
const spread = [];
for (let i = 0; i < candidates.length && spread.length < sample; i += step) spread.push(candidates[Math.floor(i)]);
const chosen = spread.filter((_, i) => i % shardCount === shardIndex - 1);

async function main() {
	// The same tests Stryker ran: its jest roots and exclusions, from the one place they are written.
	const { default: stryker } = await import(path.resolve('stryker.config.mjs'));
	const { roots, testPathIgnorePatterns } = stryker.jest.config;
	const results = { failed: 0, passed: 0, hung: 0, skipped: 0 };
	for (const { file, source, m } of chosen) {
		const rel = path.relative(process.cwd(), path.resolve(file));
		const current = fs.readFileSync(rel, 'utf8');
		const where = `${rel}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName}`;
		if (current !== source) {
			results.skipped++;
			console.log(`skipped  ${where} (the file differs from the report's copy)`);
			continue;
		}
		const start = offsetOf(source, m.location.start);
		const end = offsetOf(source, m.location.end);
		const original = source.slice(start, end);
		fs.writeFileSync(rel, source.slice(0, start) + m.replacement + source.slice(end));
		let run;
		try {
			const covering = [...new Set((m.coveredBy ?? []).map((id) => testFileOf.get(id)).filter(Boolean))];
			const which = coveringOnly && covering.length ? ['--runTestsByPath', ...covering] : ['--findRelatedTests', rel];
			run = spawnSync(
				'npx',
				['jest', '--roots', ...roots, ...which, '--testPathIgnorePatterns', ...testPathIgnorePatterns, '--bail', '--silent', '--passWithNoTests'],
				{ encoding: 'utf8', timeout: 300_000 },
			);
		} finally {
			fs.writeFileSync(rel, source);
		}
		const clip = (t) => t.replace(/\s+/g, ' ').slice(0, 60);
		if (run.error || run.signal) {
			results.hung++;
			console.log(`hung     ${where}: ${clip(original)} -> ${clip(m.replacement)} (no result in 300 s)`);
			record(file, m, 'hung');
			continue;
		}
		// jest exits 1 when a test (or a test file) fails; with --bail it writes no --json report then, so the
		// exit code is the verdict and its "Tests:" line the detail.
		const detected = run.status !== 0;
		const tests = /Tests:\s+([^\n]*)/.exec(run.stderr ?? '')?.[1]?.trim() ?? 'no test summary';
		if (detected) results.failed++;
		else results.passed++;
		record(file, m, detected ? 'detected' : 'missed');
		console.log(`${detected ? 'detected' : 'MISSED  '} ${where}: ${clip(original)} -> ${clip(m.replacement)} (${tests})`);
	}
	const shard = shardCount > 1 ? ` (shard ${shardIndex}/${shardCount} of ${spread.length})` : '';
	console.log(`mutant-check: ${chosen.length} ${status} mutants re-tested${shard}: ${results.failed} made tests fail, ${results.hung} hung, ${results.passed} passed every test, ${results.skipped} skipped`);
	process.exitCode = results.passed ? 1 : 0;
}
main();
