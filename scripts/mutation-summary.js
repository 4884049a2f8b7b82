#!/usr/bin/env node
// mutation-summary.js REPORT.json[,REPORT2.json] OUT.md [SECONDS] [COMMIT] [NOTE] - turns Stryker's JSON report (mutation-testing-report
// schema) into docs/mutation.md: score per folder against the issue-13 targets, date, commit, run time,
// every surviving mutant (file:line, mutator, the code it changed) and the mutants disabled in the source
// with their reason. Prints one line, "mutation: ... (targets met|missed: ...)"; exits 1 when a target is missed.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const [reportPath, outPath, seconds = '0', commitOfRun, note] = process.argv.slice(2);
if (!reportPath || !outPath) {
	console.error('usage: mutation-summary.js REPORT.json OUT.md [SECONDS] [COMMIT]');
	process.exit(2);
}
// Several reports (comma-separated), one per part of a run split with `--mutate` (scripts/mutation.sh): a file
// mutated in several parts (line ranges) gets the mutants of each, a mutant (by its location and
// replacement) counted once, from the later report.
const report = { files: {} };
/** Verdicts of timed-out mutants re-tested by scripts/mutant-check.js --record (retest-<part>.jsonl beside mutation-<part>.json). */
const retested = new Map();
for (const one of reportPath.split(',')) {
	const records = path.join(path.dirname(one), path.basename(one).replace(/^mutation-(.*)\.json$/, 'retest-$1.jsonl'));
	const verdicts = new Map();
	if (records !== one && fs.existsSync(records)) {
		for (const line of fs.readFileSync(records, 'utf8').split('\n').filter(Boolean)) {
			const r = JSON.parse(line);
			verdicts.set(`${r.file}#${r.id}`, r.verdict);
		}
	}
	for (const [file, data] of Object.entries(JSON.parse(fs.readFileSync(one, 'utf8')).files)) {
		const merged = (report.files[file] ??= { source: data.source, mutants: new Map() });
		merged.source = data.source;
		for (const m of data.mutants) {
			const where = `${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column} ${m.mutatorName} ${m.replacement ?? ''}`;
			merged.mutants.set(where, m);
			// Mutant ids repeat across reports: a verdict belongs to the mutant object of its own report.
			const verdict = verdicts.get(`${file}#${m.id}`);
			if (verdict) retested.set(m, verdict);
		}
	}
}
for (const data of Object.values(report.files)) data.mutants = [...data.mutants.values()];
const ROOT = 'nodes/Soku/';
/** Folder (or file) whose score is reported, and its target in % (issue 13). */
const GROUPS = [
	{ name: 'policy/', target: 85 },
	{ name: 'errors/', target: 85 },
	{ name: 'transport/', target: null },
	// Issue 20: where "never twice" and the routing of every item live.
	{ name: 'actions/router.ts', target: 85 },
	{ name: 'actions/common/', target: 85 },
];
const OVERALL_TARGET = 70;

const relative = (file) => path.relative(process.cwd(), path.resolve(file)).split(path.sep).join('/');
const groupOf = (file) => {
	const inner = relative(file).slice(ROOT.length);
	return GROUPS.find((g) => (g.name.endsWith('/') ? inner.startsWith(g.name) : inner === g.name))?.name ?? 'other';
};

const empty = () => ({ killed: 0, timeout: 0, retestDetected: 0, retestMissed: 0, survived: 0, noCoverage: 0, invalid: 0, static: 0, disabled: 0 });
/** Stryker marks static mutants "Ignored" when ignoreStatic is on; the others were disabled in the source. */
const isStatic = (m) => m.status === 'Ignored' && /static/i.test(m.statusReason ?? '');
/** A timed-out mutant re-tested by hand counts by its verdict ("hung" stays a timeout). */
const verdictOf = (m) => (m.status === 'Timeout' ? retested.get(m) : undefined);
const add = (count, m, verdict) => {
	const key = isStatic(m)
		? 'static'
		: verdict === 'detected'
			? 'retestDetected'
			: verdict === 'missed'
				? 'retestMissed'
				: ({ Killed: 'killed', Timeout: 'timeout', Survived: 'survived', NoCoverage: 'noCoverage', Ignored: 'disabled' }[m.status] ?? 'invalid');
	count[key]++;
};
/**
 * Stryker's mutation score, detected / (detected + undetected), compile errors and ignored mutants left out;
 * a re-tested timeout counts as its re-test found it.
 */
const score = (c) => {
	const valid = c.killed + c.timeout + c.retestDetected + c.retestMissed + c.survived + c.noCoverage;
	return valid ? (100 * (c.killed + c.timeout + c.retestDetected)) / valid : NaN;
};
const pct = (n) => (Number.isNaN(n) ? '–' : `${n.toFixed(1)} %`);

const byGroup = new Map(GROUPS.map((g) => [g.name, empty()]));
const byFile = new Map();
const overall = empty();
const survivors = [];
const disabled = new Map();
for (const [file, data] of Object.entries(report.files)) {
	const lines = data.source.split('\n');
	const fileCount = empty();
	byFile.set(relative(file), fileCount);
	const group = byGroup.get(groupOf(file)) ?? empty();
	for (const m of data.mutants) {
		const verdict = verdictOf(m);
		for (const c of [overall, group, fileCount]) add(c, m, verdict);
		const line = m.location.start.line;
		const original = lines[line - 1].trim();
		const where = `${relative(file)}:${line}`;
		if (m.status === 'Survived' || m.status === 'NoCoverage' || verdict === 'missed') {
			const status = verdict === 'missed' ? 'RetestMissed' : m.status;
			survivors.push({ where, status, mutator: m.mutatorName, original, replacement: m.replacement ?? '' });
		} else if (m.status === 'Ignored' && !isStatic(m)) {
			// One row per file and reason: a disabled block holds many mutants.
			const key = `${relative(file)}\u0000${m.statusReason ?? ''}`;
			const entry = disabled.get(key) ?? { file: relative(file), reason: m.statusReason ?? '', lines: new Set(), count: 0 };
			entry.lines.add(line);
			entry.count++;
			disabled.set(key, entry);
		}
	}
}

// A part run on its own (scripts/mutation.sh --only) leaves the other groups empty: they were not measured,
// which is neither a met nor a missed target.
const ran = (c) => Object.values(c).some((n) => n > 0);
const missed = [];
for (const g of GROUPS) if (g.target !== null && ran(byGroup.get(g.name)) && !(score(byGroup.get(g.name)) >= g.target)) missed.push(`${g.name} ${pct(score(byGroup.get(g.name)))} < ${g.target} %`);
if (!(score(overall) >= OVERALL_TARGET)) missed.push(`overall ${pct(score(overall))} < ${OVERALL_TARGET} %`);

let commit = commitOfRun || 'unknown';
if (!commitOfRun) try {
	commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
	const dirty = execFileSync('git', ['status', '--porcelain', '--', 'nodes', 'test'], { encoding: 'utf8' }).trim();
	if (dirty) commit += ' (plus uncommitted changes in nodes/ or test/)';
} catch {
	// Not a git checkout: the commit stays unknown.
}
const minutes = Math.round(Number(seconds) / 60);
const clip = (text, n = 90) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
const code = (text) => `\`${clip(text.replace(/\s+/g, ' ')).replace(/`/g, "'")}\``;
const row = (name, c, target) =>
	!ran(c)
		? `| ${name} | not in this run | | | | | | | | | | ${target === null ? '–' : `≥ ${target} %`} |`
		: `| ${name} | ${c.killed} | ${c.timeout} | ${c.retestDetected} | ${c.retestMissed} | ${c.survived} | ${c.noCoverage} | ${c.invalid} | ${c.static} | ${c.disabled} | **${pct(score(c))}** | ${target === null ? '–' : `≥ ${target} %`} |`;
const header = [
	'| Mutated code | Killed | Timed out | Timed out, re-tested: detected | Timed out, re-tested: missed | Survived | No coverage | Did not compile | Static (not run) | Disabled | Score | Target |',
	'| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
];
const span = (lines) => {
	const sorted = [...lines].sort((a, b) => a - b);
	return sorted.length > 1 ? `${sorted[0]}–${sorted[sorted.length - 1]}` : String(sorted[0]);
};

const md = [
	'# Mutation testing',
	'',
	'How many deliberate small breakages (mutants) of the node\'s decision code make a unit or engine test fail.',
	'Generated by `npm run test:mutation` (StrykerJS, `stryker.config.mjs`; `scripts/mutation-summary.js` writes this',
	'file). Score = detected / (detected + survived + no coverage), where detected = killed + timed out; a timed-out',
	'mutant re-tested by hand outside Stryker (`scripts/mutant-check.js --record`) counts as its re-test found it. Mutants that do not compile',
	'are dropped by the TypeScript checker. Static mutants (module-level constants: the error table\'s fields, the endpoint',
	'list, parameter texts) are not run (`ignoreStatic`: each would need the whole suite); the README-table and error-table',
	'tests check those constants. Mutants disabled in the source are listed at the end with the reason.',
	'',
	`Last run: ${new Date().toISOString().slice(0, 10)}, commit ${commit}, ${minutes} min on 2 cores (concurrency as set in`,
	`\`stryker.config.mjs\` unless the note below says otherwise; per-test coverage). Targets ${missed.length ? `**missed**: ${missed.join('; ')}` : commit.includes('parts missing') ? '**met for the parts run only**' : '**met**'}${
		// A timeout counts as detected; when most detections are timeouts the score says little on its own.
		overall.timeout > overall.killed ? ` by Stryker's count, in which ${overall.timeout} of ${overall.killed + overall.timeout} detected mutants only timed out` : ''
	}.${
		overall.retestDetected + overall.retestMissed
			? ` ${overall.retestDetected + overall.retestMissed} timed-out mutants were re-tested one at a time outside Stryker (each with the test files covering it): ${overall.retestDetected} made a test fail, ${overall.retestMissed} passed every test and count as survivors; ${overall.timeout} timed-out mutants were not re-tested, or hung again when re-tested (no result in 300 s: the mutant loops), and count as detected.`
			: ''
	}`,
	...(note ? ['', note] : []),
	'',
	...header,
	...GROUPS.map((g) => row(`\`${g.name}\``, byGroup.get(g.name), g.target)),
	row('**all**', overall, OVERALL_TARGET),
	'',
	'<details><summary>Per file</summary>',
	'',
	...header,
	...[...byFile].sort(([a], [b]) => a.localeCompare(b)).map(([f, c]) => row(`\`${f.slice(ROOT.length)}\``, c, null)),
	'',
	'</details>',
	'',
	`## Surviving mutants (${survivors.length})`,
	'',
	survivors.length
		? 'Each is a change to the code that no test noticed. Open `.cache/mutation/mutation-<part>.html` after a run to see them in context.'
		: 'None.',
	'',
	...(survivors.length ? ['| Where | Mutator | Code | Became |', '| --- | --- | --- | --- |'] : []),
	...survivors.map((s) => `| ${s.where}${s.status === 'NoCoverage' ? ' (no test runs it)' : s.status === 'RetestMissed' ? ' (timed out in Stryker; passed every test when re-tested)' : ''} | ${s.mutator} | ${code(s.original)} | ${code(s.replacement)} |`),
	'',
	`## Disabled in the source (${[...disabled.values()].reduce((n, d) => n + d.count, 0)})`,
	'',
	...(disabled.size ? ['| Where | Mutants | Reason |', '| --- | ---: | --- |'] : ['None.']),
	...[...disabled.values()].map((d) => `| ${d.file}:${span(d.lines)} | ${d.count} | ${clip(d.reason.replace(/\|/g, '/'), 200)} |`),
	'',
].join('\n');
fs.mkdirSync(path.dirname(outPath), { recursive: true });
fs.writeFileSync(outPath, md);

const groups = GROUPS.filter((g) => ran(byGroup.get(g.name)))
	.map((g) => `${g.name} ${pct(score(byGroup.get(g.name)))}`)
	.join(', ');
console.log(`\nwrote ${outPath}`);
console.log(
	`mutation: ${overall.killed + overall.timeout + overall.retestDetected} killed, ${overall.survived + overall.noCoverage + overall.retestMissed} survived, score ${pct(score(overall))} (${groups}) - targets ${missed.length ? `missed: ${missed.join('; ')}` : 'met'}`,
);
process.exit(missed.length ? 1 : 0);
