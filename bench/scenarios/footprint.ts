/**
 * 5. Footprint vs peers: packed tarball size and cold load time of the node module, next to three other
 * social-posting / API community nodes installed into a temp folder in the same run.
 *
 * - Soku: `npm run build`, then `npm pack --json --pack-destination <tmp>` (the real tarball).
 * - Peers: `npm pack <name>@<version> --dry-run --json` (size as published) and installed with the Soku
 *   tarball and n8n-workflow (the repo's version) via `npm install --no-save --ignore-scripts` into one
 *   temp folder, so every package resolves the same n8n-workflow.
 * - Cold load: a fresh `node -e` process that requires every file the package lists in its package.json
 *   `n8n.nodes` and `n8n.credentials` (what n8n loads), median of N; round-robin over packages so drift hits
 *   all alike. Timed inside the fresh process around the require() calls (less noisy than process wall
 *   time, which is recorded too). Baselines: `require('n8n-workflow')` alone, and an empty `node -e`.
 * If the registry cannot be reached, peers are skipped and Soku is measured from the repo's dist/.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';

import { REPO_ROOT } from '../lib/paths';
import { nowMs } from '../lib/sokuParams';
import { median, round } from '../lib/stats';
import type { Row, ScenarioResult } from '../lib/types';

export interface FootprintOptions {
	peers: string[];
	loadRuns: number;
	skipBuild: boolean;
}

interface PackInfo {
	name: string;
	version: string;
	size: number;
	unpackedSize: number;
	entryCount: number;
	filename: string;
}

const npmBin = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function npm(args: string[], cwd: string, timeoutMs: number): { ok: boolean; stdout: string; stderr: string; ms: number } {
	const t0 = nowMs();
	const r = spawnSync(npmBin, args, {
		cwd,
		encoding: 'utf8',
		timeout: timeoutMs,
		maxBuffer: 64 * 1024 * 1024,
		env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
	});
	return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : ''), ms: nowMs() - t0 };
}

function parsePack(stdout: string): PackInfo {
	const start = stdout.indexOf('[');
	const list = JSON.parse(stdout.slice(start)) as PackInfo[];
	const p = list[0];
	return { name: p.name, version: p.version, size: p.size, unpackedSize: p.unpackedSize, entryCount: p.entryCount, filename: p.filename };
}

/** Files n8n loads for a package: its n8n.nodes and n8n.credentials entries, as absolute paths. */
function n8nFiles(packageDir: string): string[] {
	const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
		n8n?: { nodes?: string[]; credentials?: string[] };
	};
	return [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])].map((f) => path.join(packageDir, f));
}

interface LoadTime {
	/** Whole process, spawn to exit (includes Node's own start-up). */
	wallMs: number;
	/** Inside the fresh process: the require() calls alone (performance.now around them). */
	requireMs: number;
	/** CPU time (user + system) of those require() calls. */
	requireCpuMs: number;
}

// argv[1]: files to time; argv[2]: files required first, untimed (n8n-workflow: n8n has it loaded before any node).
const LOAD_CODE = [
	'const files = JSON.parse(process.argv[1]);',
	'for (const f of JSON.parse(process.argv[2])) require(f);',
	'const c0 = process.cpuUsage(); const t0 = performance.now();',
	'for (const f of files) require(f);',
	'const t1 = performance.now(); const c1 = process.cpuUsage(c0);',
	'process.stdout.write(JSON.stringify({ requireMs: t1 - t0, requireCpuMs: (c1.user + c1.system) / 1000 }));',
].join(' ');

function timeLoad(files: string[], cwd: string, preload: string[]): LoadTime {
	const t0 = nowMs();
	const r = spawnSync(process.execPath, ['-e', LOAD_CODE, JSON.stringify(files), JSON.stringify(preload)], { cwd, encoding: 'utf8', timeout: 60_000 });
	const wallMs = nowMs() - t0;
	if (r.status !== 0) throw new Error(`load failed: ${r.stderr.slice(0, 500)}`);
	const inner = JSON.parse(r.stdout) as { requireMs: number; requireCpuMs: number };
	return { wallMs, ...inner };
}

const signed = (ms: number) => `${ms < 0 ? '−' : '+'}${Math.abs(round(ms, 0))} ms`;

const kb = (bytes: number) => `${round(bytes / 1024, 1)} KB`;

/** Bytes of the JS files n8n loads for a package (what V8 has to read and compile at n8n start). */
const loadedBytes = (files: string[]) => files.reduce((sum, f) => sum + fs.statSync(f).size, 0);

/** The README's share of the tarball: npm always packs it, and it is the package's user contract. */
const gzippedReadme = () => zlib.gzipSync(fs.readFileSync(path.join(REPO_ROOT, 'README.md')), { level: 9 }).length;

export async function runFootprint(options: FootprintOptions): Promise<ScenarioResult> {
	const raw: Record<string, unknown> = { options };
	const rows: Row[] = [];
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'soku-bench-footprint-'));
	try {
		// Build and pack this package.
		if (!options.skipBuild) {
			const build = npm(['run', 'build'], REPO_ROOT, 300_000);
			raw.build = { ok: build.ok, ms: build.ms, stderr: build.ok ? undefined : build.stderr.slice(-2000) };
			if (!build.ok && !fs.existsSync(path.join(REPO_ROOT, 'dist', 'nodes', 'Soku', 'Soku.node.js'))) {
				throw new Error(`npm run build failed and there is no dist/: ${build.stderr.slice(-500)}`);
			}
		}
		const packed = npm(['pack', '--json', '--pack-destination', tmp], REPO_ROOT, 120_000);
		if (!packed.ok) throw new Error(`npm pack failed: ${packed.stderr.slice(-500)}`);
		const soku = parsePack(packed.stdout);
		raw.soku = soku;

		// Registry: peers' published tarballs, then one install of everything.
		const n8nWorkflowVersion = (
			JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', 'n8n-workflow', 'package.json'), 'utf8')) as { version: string }
		).version;
		const peers: PackInfo[] = [];
		let registryError: string | undefined;
		for (const name of options.peers) {
			const r = npm(['pack', name, '--dry-run', '--json'], tmp, 120_000);
			if (!r.ok) {
				registryError = `npm pack ${name} failed: ${r.stderr.split('\n').filter((l) => /ERR|error/i.test(l)).slice(0, 3).join(' ')}`;
				break;
			}
			peers.push(parsePack(r.stdout));
		}
		let installDir: string | undefined;
		if (!registryError) {
			fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'soku-bench-footprint', version: '0.0.0', private: true }));
			const install = npm(
				[
					'install',
					'--no-save',
					'--ignore-scripts',
					'--legacy-peer-deps',
					'--no-audit',
					'--no-fund',
					'--loglevel=error',
					`n8n-workflow@${n8nWorkflowVersion}`,
					path.join(tmp, soku.filename),
					...peers.map((p) => `${p.name}@${p.version}`),
				],
				tmp,
				300_000,
			);
			raw.install = { ok: install.ok, ms: install.ms, stderr: install.ok ? undefined : install.stderr.slice(-2000) };
			if (install.ok) installDir = tmp;
			else registryError = `npm install failed: ${install.stderr.split('\n').filter((l) => /ERR/.test(l)).slice(0, 3).join(' ')}`;
		}
		raw.peers = peers;
		raw.registryError = registryError ?? null;

		// Cold load, round-robin. Packages are timed after n8n-workflow is loaded (untimed), as in n8n.
		const cwd = installDir ?? REPO_ROOT;
		const workflowFile = require.resolve('n8n-workflow', { paths: [cwd] });
		const targets: Array<{ label: string; files: string[]; cwd: string; preload: string[] }> = [];
		const moduleDir = (name: string) => path.join(cwd, 'node_modules', ...name.split('/'));
		targets.push({ label: 'empty node -e ""', files: [], cwd, preload: [] });
		targets.push({ label: "require('n8n-workflow')", files: [workflowFile], cwd, preload: [] });
		const sokuFiles = n8nFiles(installDir ? moduleDir(soku.name) : REPO_ROOT);
		const fileLists: Record<string, string[]> = {};
		targets.push({ label: soku.name, files: sokuFiles, cwd, preload: [workflowFile] });
		if (installDir)
			for (const p of peers) {
				fileLists[p.name] = n8nFiles(moduleDir(p.name));
				targets.push({ label: p.name, files: fileLists[p.name], cwd, preload: [workflowFile] });
			}
		// One untimed round warms the OS file cache (so "cold" means a fresh process, not a cold disk).
		for (const t of targets) timeLoad(t.files, t.cwd, t.preload);
		const times: Record<string, LoadTime[]> = Object.fromEntries(targets.map((t) => [t.label, []]));
		for (let i = 0; i < options.loadRuns; i++) {
			const order = targets.map((_, k) => targets[(k + i) % targets.length]);
			for (const t of order) times[t.label].push(timeLoad(t.files, t.cwd, t.preload));
		}
		const medianOf = (key: keyof LoadTime) => Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v.map((x) => x[key]))]));
		const med = medianOf('requireMs');
		const cpu = medianOf('requireCpuMs');
		const wall = medianOf('wallMs');
		raw.loadTimesMs = times;
		raw.loadMedianMs = { require: med, requireCpu: cpu, wall };
		raw.loadedFiles = Object.fromEntries(targets.map((t) => [t.label, t.files.map((f) => path.relative(cwd, f))]));
		const empty = wall['empty node -e ""'];
		const workflow = med["require('n8n-workflow')"];

		const packages = [soku, ...(installDir ? peers : [])];
		for (const p of packages) {
			const isSoku = p.name === soku.name;
			rows.push({
				scenario: `5. Footprint: ${p.name}@${p.version}${isSoku ? ' (this package)' : ''}`,
				measured: `tgz ${kb(p.size)} (${kb(p.unpackedSize)} unpacked, ${p.entryCount} files); load ${round(cpu[p.name], 1)} ms CPU, ${round(med[p.name], 1)} ms wall`,
				baseline: `n8n-workflow alone (loaded first, untimed): ${round(workflow, 0)} ms wall (empty node process ${round(empty, 0)} ms)`,
				ratio: null,
				target: 'info',
				pass: null,
			});
		}
		if (!installDir && registryError) {
			rows.push({
				scenario: '5. Footprint: peers',
				measured: 'skipped',
				baseline: '-',
				ratio: null,
				target: 'info',
				pass: null,
				note: `registry not usable: ${registryError}`,
			});
		} else if (peers.length) {
			const fastest = peers.reduce((a, b) => (cpu[b.name] < cpu[a.name] ? b : a));
			const smallest = peers.reduce((a, b) => (b.size < a.size ? b : a));
			const loadRatio = round(cpu[soku.name] / cpu[fastest.name], 3);
			const sizeRatio = round(soku.size / smallest.size, 3);
			const short = (name: string) => name.replace(/^@[^/]+\//, '');
			rows.push({
				id: 'loadTime',
				scenario: `5b. Footprint: load time of the node and credentials (after n8n-workflow, CPU, median of ${options.loadRuns}) vs the fastest peer`,
				measured: `${round(cpu[soku.name], 1)} ms`,
				baseline: `${short(fastest.name)} ${round(cpu[fastest.name], 1)} ms`,
				measuredValue: round(cpu[soku.name], 2),
				baselineValue: round(cpu[fastest.name], 2),
				unit: 'ms CPU',
				ratio: loadRatio,
				target: '≤ 1.00×',
				pass: loadRatio <= 1,
				note:
					`wall: Soku ${round(med[soku.name], 1)} ms, ${peers.map((p) => `${short(p.name)} ${round(med[p.name], 1)} ms`).join(', ')}; ` +
					`JS loaded: Soku ${kb(loadedBytes(sokuFiles))} (minified; bytes alike, so the gap is work at load: the module builds every operation's parameters and both versions' outputs, the description n8n reads), ${short(fastest.name)} ${kb(loadedBytes(fileLists[fastest.name]))}`,
				readme: {
					label: 'Load time of the package at n8n start (node + credentials, after n8n-workflow)',
					meaning:
						loadRatio <= 1
							? `n8n loads every installed community node at start and on every worker; this package adds ${round(cpu[soku.name], 1)} ms there, no more than the fastest peer (${short(fastest.name)}, ${round(cpu[fastest.name], 1)} ms).`
							: `n8n loads every installed community node at start and on every worker; this package adds ${round(cpu[soku.name], 1)} ms there, ${round(cpu[soku.name] - cpu[fastest.name], 1)} ms more than the fastest peer (${short(fastest.name)}).`,
				},
			});
			rows.push({
				id: 'tarball',
				scenario: '5c. Footprint: packed tarball vs the smallest peer',
				measured: `${kb(soku.size)} (${soku.entryCount} files)`,
				baseline: `${short(smallest.name)} ${kb(smallest.size)} (${smallest.entryCount} files)`,
				measuredValue: soku.size,
				baselineValue: smallest.size,
				unit: 'bytes',
				ratio: sizeRatio,
				target: '≤ 1.00×',
				pass: sizeRatio <= 1,
				note: `README.md alone (packed by npm whatever "files" says; the contract with users) is ${kb(gzippedReadme())} gzipped; the rest of the tarball about ${kb(soku.size - gzippedReadme())}`,
				readme: {
					label: 'Packed tarball vs the smallest peer',
					meaning: `Installing the package downloads ${kb(soku.size)}${sizeRatio <= 1 ? ', no more than the smallest peer' : `, ${kb(soku.size - smallest.size)} more than the smallest peer`} (${short(smallest.name)}, ${kb(smallest.size)}).`,
				},
			});
		}
		return { name: 'footprint', rows, raw };
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}
