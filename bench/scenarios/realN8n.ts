/**
 * 7. The same posts in the real n8n of the e2e suite (n8n 2.41.1 from scripts/n8n/install-n8n.sh, the
 * packed package installed the way Settings > Community nodes does, SQLite, task runner): one workflow
 * with the Soku node, one with the HTTP Request node configured as in scenario 6, both fed the same N
 * items (Set → Split Out). Each run is `n8n execute --id --rawOutput` (the CLI runs the workflow itself);
 * the time is n8n's own `stoppedAt − startedAt` of the execution, arms alternate after one warm-up each.
 *
 * Ports: base 5800 + N8N_E2E_PORT_OFFSET (the task broker uses +1..+3); user folder
 * ~/.cache/n8n-e2e/e2e-bench-<version><-N8N_E2E_INSTANCE>.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { loadNodesBase, N8N_DIR } from '../lib/n8nNodesBase';
import { REPO_ROOT } from '../lib/paths';
import { postItems, postParameters } from '../lib/sokuParams';
import { DEMO_KEY, standIn } from '../lib/standIn';
import { median, round } from '../lib/stats';
import type { Row, ScenarioResult } from '../lib/types';
import { httpRequestNode } from './versusHttpRequest';

export interface RealN8nOptions {
	posts: number;
	repetitions: number;
	skipBuild: boolean;
}

interface E2eN8n {
	startFresh(options: { tarball: string }): Promise<void>;
	stop(): Promise<void>;
	saveLogs(): void;
	importCredentials(credentials: unknown[]): Promise<void>;
	importWorkflows(files: string[]): Promise<void>;
	sh(args: string[], options?: { allowFail?: boolean; timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }>;
	outDir: string;
	home: string;
}

interface RawRun {
	startedAt: string;
	stoppedAt: string;
	status?: string;
	data: { resultData: { error?: unknown; runData: Record<string, Array<{ executionTime: number; data?: { main?: unknown[][] } }>> } };
}

const BASE_PORT = 5800;
const WORKFLOW_IDS = { soku: 'benchSokuPosts01', httpRequest: 'benchHttpPosts01' } as const;
type Arm = keyof typeof WORKFLOW_IDS;

function workflow(arm: Arm, posts: ReturnType<typeof postItems>, baseUrl: string): Record<string, unknown> {
	const node = (id: string, name: string, type: string, typeVersion: number, x: number, parameters: Record<string, unknown>) => ({
		id,
		name,
		type,
		typeVersion,
		position: [x, 0],
		parameters,
	});
	const target =
		arm === 'soku'
			? {
					...node('b0000000-0000-4000-8000-000000000004', 'Soku', 'n8n-nodes-soku.soku', 1, 720, postParameters({ pacing: false })),
					credentials: { sokuApi: { id: 'benchSokuKey0001', name: 'Soku (bench stand-in)' } },
				}
			: {
					...httpRequestNode(baseUrl),
					id: 'b0000000-0000-4000-8000-000000000005',
					position: [720, 0],
					credentials: { httpHeaderAuth: { id: 'benchHeaderKey01', name: 'Soku key header (bench stand-in)' } },
				};
	return {
		id: WORKFLOW_IDS[arm],
		name: `Soku bench: ${posts.length} posts, ${arm === 'soku' ? 'Soku node' : 'HTTP Request node'}`,
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		nodes: [
			node('b0000000-0000-4000-8000-000000000001', 'Start', 'n8n-nodes-base.manualTrigger', 1, 0, {}),
			node('b0000000-0000-4000-8000-000000000002', 'Posts', 'n8n-nodes-base.set', 3.4, 240, { mode: 'raw', jsonOutput: JSON.stringify({ posts }), options: {} }),
			node('b0000000-0000-4000-8000-000000000003', 'Split Out', 'n8n-nodes-base.splitOut', 1, 480, { fieldToSplitOut: 'posts', options: {} }),
			target,
		],
		connections: {
			Start: { main: [[{ node: 'Posts', type: 'main', index: 0 }]] },
			Posts: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: String(target.name), type: 'main', index: 0 }]] },
		},
	};
}

function skipped(reason: string): ScenarioResult {
	return {
		name: 'realN8n',
		rows: [
			{
				id: 'realN8n',
				scenario: '7. Real n8n: Soku node vs HTTP Request node',
				measured: 'skipped',
				baseline: '-',
				ratio: null,
				target: '≤ 1.00×',
				pass: null,
				note: reason,
			},
		],
		raw: { skipped: reason },
	};
}

export async function runRealN8n(options: RealN8nOptions): Promise<ScenarioResult> {
	const nodesBase = loadNodesBase(); // installs n8n when it is missing, or says why it cannot
	if (!nodesBase.ok) return skipped(`real n8n not available: ${nodesBase.reason}`);
	const tarballDir = path.join(REPO_ROOT, '.cache', 'pack');
	const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
	const tarball = path.join(tarballDir, `${pkg.name}-${pkg.version}.tgz`);
	if (!options.skipBuild || !fs.existsSync(tarball)) {
		const packed = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'n8n', 'pack-package.sh'), '--quiet'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000 });
		if (packed.status !== 0) return skipped(`pack-package.sh failed: ${packed.stderr.slice(-300)}`);
	}

	const portOffset = Number(process.env.N8N_E2E_PORT_OFFSET || 0);
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { N8n } = require(path.join(REPO_ROOT, 'test', 'e2e', 'lib', 'n8n.js')) as { N8n: new (o: { name: string; port: number }) => E2eN8n };
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { readExecution } = require(path.join(REPO_ROOT, 'scripts', 'n8n', 'read-branches.js')) as { readExecution: (text: string) => RawRun };
	const n8n = new N8n({ name: 'bench', port: BASE_PORT + portOffset });
	const s = await standIn.startStandIn({ host: '127.0.0.1', rateLimits: { enabled: false }, maxRecordedRequests: 5 });
	const posts = postItems(options.posts, 'real');
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'soku-bench-real-'));
	const raw: Record<string, unknown> = { options, n8nDir: N8N_DIR, port: BASE_PORT + portOffset };
	try {
		await n8n.startFresh({ tarball });
		await n8n.importCredentials([
			{ id: 'benchSokuKey0001', name: 'Soku (bench stand-in)', type: 'sokuApi', data: { apiKey: DEMO_KEY, baseUrl: s.url } },
			{ id: 'benchHeaderKey01', name: 'Soku key header (bench stand-in)', type: 'httpHeaderAuth', data: { name: 'soku-api-key', value: DEMO_KEY } },
		]);
		const files = (['soku', 'httpRequest'] as Arm[]).map((arm) => {
			const file = path.join(work, `${arm}.json`);
			fs.writeFileSync(file, JSON.stringify(workflow(arm, posts, s.url)));
			return file;
		});
		await n8n.importWorkflows(files);

		interface Execution {
			arm: Arm;
			rep: number;
			executionMs: number;
			nodeExecutionMs: number | null;
			created: number;
			processMs: number;
		}
		const execute = async (arm: Arm, rep: number): Promise<Execution> => {
			s.reset();
			const out = path.join(n8n.outDir, `execute-${arm}.out`);
			const t0 = Date.now();
			const r = await n8n.sh(['execute', WORKFLOW_IDS[arm], out], { allowFail: true, timeoutMs: 10 * 60_000 });
			const processMs = Date.now() - t0;
			const text = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
			if (r.code !== 0) throw new Error(`n8n execute ${arm} failed: ${r.stderr.slice(-500)} ${text.slice(-500)}`);
			const run = readExecution(text);
			if (run.data.resultData.error) throw new Error(`n8n execute ${arm}: ${JSON.stringify(run.data.resultData.error).slice(0, 500)}`);
			const nodeName = arm === 'soku' ? 'Soku' : 'HTTP Request';
			const nodeRun = run.data.resultData.runData[nodeName]?.[0];
			const success = (nodeRun?.data?.main?.[0] ?? []) as Array<{ json: { postSubmissionId?: unknown } }>;
			return {
				arm,
				rep,
				executionMs: Date.parse(run.stoppedAt) - Date.parse(run.startedAt),
				nodeExecutionMs: nodeRun?.executionTime ?? null,
				created: success.filter((item) => typeof item.json.postSubmissionId === 'string').length,
				processMs,
			};
		};

		const warmup = [await execute('soku', -1), await execute('httpRequest', -1)];
		const runs: Execution[] = [];
		for (let rep = 0; rep < options.repetitions; rep++) {
			const order: Arm[] = rep % 2 === 0 ? ['httpRequest', 'soku'] : ['soku', 'httpRequest'];
			for (const arm of order) runs.push(await execute(arm, rep));
		}
		const of = (arm: Arm, key: 'executionMs' | 'nodeExecutionMs') => median(runs.filter((r) => r.arm === arm).map((r) => r[key] ?? NaN));
		const sokuMs = of('soku', 'executionMs');
		const httpMs = of('httpRequest', 'executionMs');
		const ratio = round(sokuMs / httpMs, 3);
		const allCreated = runs.every((r) => r.created === options.posts);
		const us = (ms: number) => round((ms / options.posts) * 1000, 0);
		Object.assign(raw, { warmup, runs, medianExecutionMs: { soku: sokuMs, httpRequest: httpMs } });
		const row: Row = {
			id: 'realN8n',
			scenario: `7. Real n8n ${nodesBase.value.nodesBaseVersion} (n8n execute, SQLite): ${options.posts} posts, Soku node vs HTTP Request node, execution stoppedAt − startedAt`,
			measured: `${round(sokuMs, 0)} ms (${us(sokuMs)} µs/post)`,
			baseline: `${round(httpMs, 0)} ms (${us(httpMs)} µs/post)`,
			measuredValue: round(sokuMs, 0),
			baselineValue: round(httpMs, 0),
			unit: 'ms per execution',
			ratio,
			target: '≤ 1.00×',
			pass: allCreated && ratio <= 1,
			note: `${allCreated ? '' : 'not every run created every post; '}node executionTime: Soku ${round(of('soku', 'nodeExecutionMs'), 0)} ms, HTTP Request ${round(of('httpRequest', 'nodeExecutionMs'), 0)} ms`,
			readme: {
				label: `${options.posts.toLocaleString('en')} posts in a real n8n ${nodesBase.value.nodesBaseVersion}: Soku node vs HTTP Request node (n8n's own execution times)`,
				meaning:
					ratio <= 1
						? `In the n8n users run, a workflow posting with the Soku node finishes no later than the same workflow built with the HTTP Request node (${ratio}×).`
						: `In the n8n users run, the Soku workflow takes ${round((ratio - 1) * 100, 0)} % longer than the HTTP Request one on loopback (${us(sokuMs)} vs ${us(httpMs)} µs per post): it sends one post after another, where the HTTP Request node sends all at once, which on Soku's real limit of 30 posts per minute would end in 429s.`,
			},
		};
		return { name: 'realN8n', rows: [row], raw };
	} catch (error) {
		n8n.saveLogs();
		throw error;
	} finally {
		await n8n.stop();
		await s.close();
		fs.rmSync(work, { recursive: true, force: true });
	}
}
