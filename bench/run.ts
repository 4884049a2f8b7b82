/**
 * `npm run bench`: runs every scenario against the Soku stand-in, prints a table and writes
 * bench/results.json (machine, date, every raw number). Ratios are measured side by side in one run.
 *
 *   npm run bench                       all scenarios (a few minutes)
 *   npm run bench -- --only overhead,versusHttpRequest   (names: bench/scenarios/index.ts)
 *   npm run bench -- --quick            smaller sizes, for a smoke test of the harness (not for numbers)
 *   npm run bench -- --skip-build       footprint: pack the existing dist/ instead of `npm run build`
 *   npm run bench -- --no-profile       do not CPU-profile the node when the Soku vs HTTP Request target is missed
 *   npm run bench -- --out FILE         write results elsewhere
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { summariseProfile } from './lib/cpuprofile';
import { BENCH_OUT, REPO_ROOT } from './lib/paths';
import { nowMs } from './lib/sokuParams';
import { round } from './lib/stats';
import type { Row, ScenarioResult } from './lib/types';
import { SCENARIOS } from './scenarios';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const value = (name: string) => {
	const i = argv.indexOf(`--${name}`);
	return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('quick');
const only = value('only')?.split(',').map((s) => s.trim());
const outFile = path.resolve(REPO_ROOT, value('out') ?? path.join('bench', 'results.json'));

function git(args: string[]): string | null {
	try {
		return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
	} catch {
		return null;
	}
}

function versionOf(pkg: string): string | null {
	try {
		return (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
	} catch {
		return null;
	}
}

function machine(): Record<string, unknown> {
	const cpus = os.cpus();
	return {
		node: process.version,
		v8: process.versions.v8,
		platform: `${os.platform()} ${os.release()} ${os.arch()}`,
		cpuModel: cpus[0]?.model ?? null,
		cpuCount: cpus.length,
		availableParallelism: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
		totalMemMB: Math.round(os.totalmem() / 1024 / 1024),
		freeMemMB: Math.round(os.freemem() / 1024 / 1024),
		loadavg: os.loadavg(),
		n8nCore: versionOf('n8n-core'),
		n8nWorkflow: versionOf('n8n-workflow'),
		gitCommit: git(['rev-parse', 'HEAD']),
		gitDirtyFiles: (git(['status', '--porcelain']) ?? '').split('\n').filter(Boolean).length,
	};
}

/** CPU profile of the node arm alone (1,000 posts × 4), summarised by owner and by function. */
function profileNode(): Record<string, unknown> {
	const dir = path.join(REPO_ROOT, 'bench', 'out', 'profiles');
	fs.rmSync(dir, { recursive: true, force: true });
	fs.mkdirSync(dir, { recursive: true });
	const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, path.join(BENCH_OUT, 'profile-node.js'), '1000', '4'], {
		cwd: REPO_ROOT,
		encoding: 'utf8',
		timeout: 300_000,
	});
	const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
	if (r.status !== 0 || !file) return { error: r.stderr?.slice(-1000) ?? 'no profile' };
	const summary = summariseProfile(path.join(dir, file), [
		'resolveSimpleParameterValue',
		'getDataProxy',
		'initializeGlobalContext',
		'authenticate',
		'build',
		'dispatchHttpRequest',
		'httpRequest',
		'handle',
	]);
	return { file: path.relative(REPO_ROOT, path.join(dir, file)), runs: r.stdout.trim().split('\n'), ...summary, topFunctions: summary.topFunctions.slice(0, 15) };
}

/** Pads short cells to the column width; long cells are printed whole (results.json has everything too). */
function cell(text: string, width: number): string {
	return text.padEnd(width);
}

function printTable(rows: Row[]): void {
	const header = ['scenario', 'measured', 'baseline', 'ratio', 'target', 'pass'];
	const data = rows.map((r) => [
		r.scenario,
		r.measured,
		r.baseline,
		r.ratio === null ? '-' : `${r.ratio}×`,
		r.target,
		r.pass === null ? 'info' : r.pass ? 'PASS' : 'FAIL',
	]);
	const widths = header.map((h, i) => Math.min(i === 0 ? 60 : 40, Math.max(h.length, ...data.map((d) => d[i].length))));
	const line = (cells: string[]) => `| ${cells.map((c, i) => cell(c, widths[i])).join(' | ')} |`;
	console.log(line(header));
	console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
	for (const d of data) console.log(line(d));
	for (const r of rows) if (r.note) console.log(`  note (${r.scenario.split(':')[0]}): ${r.note}`);
}

async function main(): Promise<void> {
	const started = nowMs();
	const startedAt = new Date().toISOString();
	const before = machine();
	const results: ScenarioResult[] = [];
	for (const scenario of SCENARIOS) {
		if (only && !only.includes(scenario.name)) continue;
		process.stderr.write(`bench: ${scenario.name} …\n`);
		const t0 = nowMs();
		try {
			const result = await scenario.run({ quick, flag });
			result.durationMs = round(nowMs() - t0, 0);
			results.push(result);
			process.stderr.write(`bench: ${scenario.name} done in ${round(result.durationMs / 1000, 1)} s\n`);
		} catch (error) {
			const message = (error as Error).stack ?? String(error);
			process.stderr.write(`bench: ${scenario.name} failed: ${message}\n`);
			results.push({
				name: scenario.name,
				rows: [{ scenario: scenario.name, measured: 'error', baseline: '-', ratio: null, target: '-', pass: false, note: message.split('\n')[0] }],
				raw: {},
				durationMs: round(nowMs() - t0, 0),
				error: message,
			});
		}
	}
	// The rows against the HTTP Request node with a ≤ 1.00× target (as added, one at a time, all in parallel).
	const versusIds = ['vsHttpRequest', 'vsHttpRequestOneAtATime', 'vsHttpRequestAllParallel'];
	const versusMissed = results.flatMap((r) => r.rows).some((row) => row.id !== undefined && versusIds.includes(row.id) && row.pass === false);
	let profile: Record<string, unknown> | undefined;
	if (versusMissed && !flag('no-profile') && !quick) {
		process.stderr.write('bench: Soku vs HTTP Request target missed, CPU-profiling the node arm …\n');
		profile = profileNode();
	}
	// Give closing sockets and children a moment, then list what is still open (stdio pipes are normal).
	await new Promise((resolve) => setTimeout(resolve, 500));
	const rows = results.flatMap((r) => r.rows);
	const totalMs = nowMs() - started;
	const report = {
		date: startedAt,
		totalSeconds: round(totalMs / 1000, 1),
		quick,
		machine: { ...before, loadavgAtEnd: os.loadavg() },
		rows,
		scenarios: Object.fromEntries(results.map((r) => [r.name, { durationMs: r.durationMs, error: r.error, raw: r.raw }])),
		profile,
		openHandlesAtEnd: process.getActiveResourcesInfo().filter((h) => !['TTYWrap', 'PipeWrap', 'SimpleShutdownWrap'].includes(h)),
	};
	fs.mkdirSync(path.dirname(outFile), { recursive: true });
	fs.writeFileSync(outFile, `${JSON.stringify(report, null, '\t')}\n`);
	console.log('');
	printTable(rows);
	console.log('');
	const failed = rows.filter((r) => r.pass === false);
	console.log(
		`${rows.filter((r) => r.pass === true).length} passed, ${failed.length} missed, ${rows.filter((r) => r.pass === null).length} informational; ` +
			`${round(totalMs / 1000, 1)} s in total; results in ${path.relative(REPO_ROOT, outFile)}`,
	);
	if (report.openHandlesAtEnd.length) console.log(`open handles left: ${report.openHandlesAtEnd.join(', ')}`);
	if (results.some((r) => r.error)) process.exitCode = 1;
	// Every scenario closes its servers and children; if anything still holds the loop, say so and leave.
	setTimeout(() => {
		console.error(`bench: still running after results were written; open handles: ${process.getActiveResourcesInfo().join(', ')}`);
		process.exit(2);
	}, 10_000).unref();
}

void main();
