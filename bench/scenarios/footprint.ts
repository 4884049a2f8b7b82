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

const LOAD_CODE = [
	'const files = JSON.parse(process.argv[1]);',
	'const c0 = process.cpuUsage(); const t0 = performance.now();',
	'for (const f of files) require(f);',
	'const t1 = performance.now(); const c1 = process.cpuUsage(c0);',
	'process.stdout.write(JSON.stringify({ requireMs: t1 - t0, requireCpuMs: (c1.user + c1.system) / 1000 }));',
].join(' ');

function timeLoad(files: string[], cwd: string): LoadTime {
	const t0 = nowMs();
	const r = spawnSync(process.execPath, ['-e', LOAD_CODE, JSON.stringify(files)], { cwd, encoding: 'utf8', timeout: 60_000 });
	const wallMs = nowMs() - t0;
	if (r.status !== 0) throw new Error(`load failed: ${r.stderr.slice(0, 500)}`);
	const inner = JSON.parse(r.stdout) as { requireMs: number; requireCpuMs: number };
	return { wallMs, ...inner };
}

const signed = (ms: number) => `${ms < 0 ? '−' : '+'}${Math.abs(round(ms, 0))} ms`;

const kb = (bytes: number) => `${round(bytes / 1024, 1)} KB`;

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

		// Cold load, round-robin.
		const targets: Array<{ label: string; files: string[]; cwd: string }> = [];
		const cwd = installDir ?? REPO_ROOT;
		const moduleDir = (name: string) => path.join(cwd, 'node_modules', ...name.split('/'));
		targets.push({ label: 'empty node -e ""', files: [], cwd });
		targets.push({ label: "require('n8n-workflow')", files: [require.resolve('n8n-workflow', { paths: [cwd] })], cwd });
		targets.push({ label: soku.name, files: n8nFiles(installDir ? moduleDir(soku.name) : REPO_ROOT), cwd });
		if (installDir) for (const p of peers) targets.push({ label: p.name, files: n8nFiles(moduleDir(p.name)), cwd });
		// One untimed round warms the OS file cache (so "cold" means a fresh process, not a cold disk).
		for (const t of targets) timeLoad(t.files, t.cwd);
		const times: Record<string, LoadTime[]> = Object.fromEntries(targets.map((t) => [t.label, []]));
		for (let i = 0; i < options.loadRuns; i++) {
			const order = targets.map((_, k) => targets[(k + i) % targets.length]);
			for (const t of order) times[t.label].push(timeLoad(t.files, t.cwd));
		}
		const medianOf = (key: keyof LoadTime) => Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v.map((x) => x[key]))]));
		const med = medianOf('requireMs');
		const wall = medianOf('wallMs');
		raw.loadTimesMs = times;
		raw.loadMedianMs = { require: med, requireCpu: medianOf('requireCpuMs'), wall };
		raw.loadedFiles = Object.fromEntries(targets.map((t) => [t.label, t.files.map((f) => path.relative(cwd, f))]));
		const empty = wall['empty node -e ""'];
		const workflow = med["require('n8n-workflow')"];
		const workflowWall = wall["require('n8n-workflow')"];

		const packages = [soku, ...(installDir ? peers : [])];
		const peerSizes = peers.map((p) => p.size);
		for (const p of packages) {
			const isSoku = p.name === soku.name;
			const load = med[p.name];
			rows.push({
				scenario: `5. Footprint: ${p.name}@${p.version}${isSoku ? ' (this package)' : ''}`,
				measured: `tgz ${kb(p.size)} (${kb(p.unpackedSize)} unpacked, ${p.entryCount} files); require ${round(load, 0)} ms (${signed(load - workflow)}); process ${round(wall[p.name], 0)} ms`,
				baseline: `n8n-workflow alone: require ${round(workflow, 0)} ms, process ${round(workflowWall, 0)} ms (empty node ${round(empty, 0)} ms)`,
				ratio: round(load / workflow, 3),
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
		} else if (peerSizes.length) {
			const peerLoads = peers.map((p) => med[p.name] - workflow);
			rows.push({
				scenario: '5b. Footprint: Soku vs median of peers (tarball size; load time over n8n-workflow)',
				measured: `${kb(soku.size)}; ${signed(med[soku.name] - workflow)}`,
				baseline: `${kb(median(peerSizes))}; ${signed(median(peerLoads))}`,
				ratio: round(soku.size / median(peerSizes), 3),
				target: 'info',
				pass: null,
			});
		}
		return { name: 'footprint', rows, raw };
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}
