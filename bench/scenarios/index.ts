/**
 * The scenario registry: `npm run bench` runs these in order (`--only name,name` picks some). A new
 * scenario is one entry here: a name and a function returning its rows and raw numbers.
 */
import type { ScenarioResult } from '../lib/types';
import { runFootprint } from './footprint';
import { runConcurrency } from './concurrency';
import { runMemory } from './memory';
import { runOverhead } from './overhead';
import { runRateLimited } from './rateLimited';
import { runRealN8n } from './realN8n';
import { runRetryAfter } from './retryAfter';
import { runSlowTranscriptions } from './slowTranscriptions';
import { runVersusHttpRequest } from './versusHttpRequest';

export interface BenchContext {
	/** `--quick`: small sizes, to check the harness (numbers not meaningful). */
	quick: boolean;
	/** Other command-line flags (`--skip-build` …). */
	flag(name: string): boolean;
}

export interface ScenarioEntry {
	name: string;
	run(context: BenchContext): Promise<ScenarioResult>;
}

export const PEERS = ['n8n-nodes-upload-post', '@blotato/n8n-nodes-blotato', '@mendable/n8n-nodes-firecrawl'];

export const SCENARIOS: ScenarioEntry[] = [
	{
		name: 'overhead',
		run: ({ quick }) => runOverhead(quick ? { posts: 200, repetitions: 3, warmups: 1 } : { posts: 1000, repetitions: 5, warmups: 2 }),
	},
	{
		name: 'versusHttpRequest',
		run: ({ quick }) => runVersusHttpRequest(quick ? { posts: 200, repetitions: 3, warmups: 1 } : { posts: 1000, repetitions: 5, warmups: 2 }),
	},
	{
		name: 'realN8n',
		run: ({ quick, flag }) => runRealN8n({ posts: quick ? 200 : 1000, repetitions: quick ? 1 : 3, skipBuild: flag('skip-build') }),
	},
	{
		name: 'rateLimited',
		run: ({ quick }) =>
			runRateLimited(
				quick
					? { posts: 90, windowMs: 1000, limit: 30, freeRuns: 2, pacedRuns: 1 }
					: { posts: 300, windowMs: 1000, limit: 30, freeRuns: 3, pacedRuns: 1 },
			),
	},
	{
		name: 'retryAfter',
		run: ({ quick }) => runRetryAfter(quick ? { waits: 8, minSeconds: 0.2, maxSeconds: 0.5 } : { waits: 40, minSeconds: 0.2, maxSeconds: 0.5 }),
	},
	{
		name: 'concurrency',
		run: ({ quick }) =>
			runConcurrency(
				quick
					? { windowMs: 1000, limit: 30, executions: 4, postsEach: 15, workers: [2], executionsPerWorker: 2, postsPerWorkerExecution: 15, freeRuns: 1 }
					: { windowMs: 3000, limit: 30, executions: 10, postsEach: 30, workers: [2, 4], executionsPerWorker: 2, postsPerWorkerExecution: 30, freeRuns: 3 },
			),
	},
	{
		name: 'slowTranscriptions',
		run: ({ quick }) =>
			runSlowTranscriptions(
				quick
					? { transcriptions: 20, latencyMs: 200, windowMs: 400, limit: 10, runs: 1 }
					: // The case (answers of 30 s, 10 per 60 s) scaled 1:30.
						{ transcriptions: 20, latencyMs: 1000, windowMs: 2000, limit: 10, runs: 3 },
			),
	},
	{
		name: 'memory',
		run: ({ quick }) =>
			runMemory(
				quick
					? { items: 1000, runs: 3, warmupItems: 200, liveSampleMs: 500 }
					: { items: 10_000, runs: 5, warmupItems: 10_000, liveSampleMs: 1000 },
			),
	},
	{
		name: 'footprint',
		run: ({ quick, flag }) => runFootprint({ peers: PEERS, loadRuns: quick ? 3 : 15, skipBuild: flag('skip-build') }),
	},
];
