/**
 * Pacing under real concurrency (real clock, real HTTP to the stand-in, time-scaled windows):
 * executions started at once in one process share one window and get 0 × 429; simulated workers
 * (separate copies of the node's modules, so separate pacing state, as separate n8n processes have)
 * share only Soku's X-RateLimit-* headers and still stay within a couple of 429s.
 */
import type { IDataObject } from 'n8n-workflow';

import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { runSoku } from '../helpers/engine';
import { DEMO_KEY, textPostParameters } from '../helpers/items';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

const WINDOW_MS = 1000;
const LIMIT = 30;

const OPTIONS = { pacingWindowSeconds: WINDOW_MS / 1000 };
const parameters = textPostParameters({ options: OPTIONS });

let standIn: SokuStandIn;
beforeEach(async () => {
	standIn = await startStandIn({ rateLimits: { windowMs: WINDOW_MS, fractionalRetryAfter: true, resetFormat: 'iso' } });
	pacingRegistry.clear();
});
afterEach(async () => {
	await standIn.close();
});

const items = (execution: string, n: number) => Array.from({ length: n }, (_, i) => ({ text: `${execution} post #${i}` }));
const postRequests = () => standIn.requests.filter((r) => r.path === '/v1/posts');
const count429 = () => postRequests().filter((r) => r.response && 'status' in r.response && r.response.status === 429).length;

/** Largest number of accepted posts the stand-in saw inside any window. */
function maxInWindow(): number {
	const accepted = postRequests()
		.filter((r) => r.response && 'status' in r.response && r.response.status === 201)
		.map((r) => r.receivedAt);
	let max = 0;
	for (let i = 0, j = 0; i < accepted.length; i++) {
		while (accepted[i] - accepted[j] >= WINDOW_MS) j++;
		max = Math.max(max, i - j + 1);
	}
	return max;
}

function expectStoredOnce(expected: string[]): void {
	const texts = standIn.state.posts.map((p) => p.text).sort();
	expect(texts).toEqual([...expected].sort());
}

type RunSoku = typeof runSoku;

/** A fresh copy of the node's modules: its own pacing registry, like another n8n worker process. */
function workerRunSoku(): RunSoku {
	let fn: RunSoku | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		fn = (require('../helpers/engine') as { runSoku: RunSoku }).runSoku;
	});
	return fn as RunSoku;
}

test('3 executions started at once, 15 posts each, limit 30 per window: 0 × 429, 45 posts stored once, all on Success', async () => {
	const names = ['a', 'b', 'c'];
	const results = await Promise.all(
		names.map((name) =>
			runSoku({ parameters, items: items(name, 15), credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: standIn.url } }, executionId: `conc-${name}` }),
		),
	);
	for (const result of results) expect(result.outputs![0]).toHaveLength(15);
	expect(count429()).toBe(0);
	expect(maxInWindow()).toBeLessThanOrEqual(LIMIT);
	expectStoredOnce(names.flatMap((name) => items(name, 15).map((i) => i.text)));
});

test('3 executions at once, 15 posts each, each with Parallel Requests 5, limit 30 per window: 0 × 429, 45 posts stored once, all on Success', async () => {
	const names = ['p', 'q', 'r'];
	const parallel = { ...parameters, options: { ...OPTIONS, parallelRequests: 5 } };
	const results = await Promise.all(
		names.map((name) =>
			runSoku({ parameters: parallel, items: items(name, 15), credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: standIn.url } }, executionId: `par-${name}` }),
		),
	);
	for (const result of results) expect(result.outputs![0]).toHaveLength(15);
	expect(count429()).toBe(0);
	expect(maxInWindow()).toBeLessThanOrEqual(LIMIT);
	expectStoredOnce(names.flatMap((name) => items(name, 15).map((i) => i.text)));
});

test('10 executions at once, 12 posts each: 0 × 429, every post stored once', async () => {
	const names = Array.from({ length: 10 }, (_, i) => `e${i}`);
	const results = await Promise.all(
		names.map((name) =>
			runSoku({ parameters, items: items(name, 12), credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: standIn.url } }, executionId: `conc10-${name}` }),
		),
	);
	for (const result of results) expect(result.outputs![0]).toHaveLength(12);
	expect(count429()).toBe(0);
	expectStoredOnce(names.flatMap((name) => items(name, 12).map((i) => i.text)));
});

test.each([2, 4])('%i simulated workers (separate pacing state), 2 executions of 20 posts each: at most 1 × 429 per worker, nothing lost or doubled', async (workers) => {
	const runs = Array.from({ length: workers }, () => workerRunSoku());
	// Workers are running before executions arrive: load each copy's code once, against another stand-in.
	const warmUp = await startStandIn({ rateLimits: { enabled: false } });
	for (const run of runs) await run({ parameters, items: items('warm-up', 1), credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: warmUp.url } } });
	await warmUp.close();
	const started = Date.now();
	const jobs = runs.flatMap((run, w) =>
		['x', 'y'].map((e) => ({ run, name: `w${w}${e}`, executionId: `worker-${w}-${e}` })),
	);
	const results = await Promise.all(
		jobs.map(({ run, name, executionId }) =>
			run({ parameters, items: items(name, 20), credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: standIn.url } }, executionId }),
		),
	);
	for (const result of results) {
		expect(result.outputs![0]).toHaveLength(20);
		expect(result.outputs!.slice(1).flat()).toEqual([] as IDataObject[]);
	}
	const total = jobs.length * 20;
	// Sliding window: the last window starts at (ceil(N/L) - 1) * W.
	const minimumMs = (Math.ceil(total / LIMIT) - 1) * WINDOW_MS;
	const first = postRequests()[0].receivedAt;
	const at429 = postRequests().filter((r) => r.response && 'status' in r.response && r.response.status === 429).map((r) => r.receivedAt - first);
	process.stdout.write(`${workers} workers: ${total} posts in ${Date.now() - started} ms (sliding-window minimum ${minimumMs} ms + request time), ${count429()} × 429 at [${at429.join(', ')}] ms\n`);
	expect(count429()).toBeLessThanOrEqual(workers);
	expectStoredOnce(jobs.flatMap(({ name }) => items(name, 20).map((i) => i.text)));
});
