/**
 * How many requests one node run keeps in flight (Options › Parallel Requests) and the pool that runs
 * them: indexes handed out in order, each run once, never more than the limit at once, nothing new once
 * stopped. Generated with fast-check; FC_SEED re-runs a seed, FC_RUNS changes the size (default 300).
 */
import fc from 'fast-check';

import { DEFAULT_PARALLEL_REQUESTS, PARALLEL_BY_DEFAULT, parallelRequests, runPool } from '../../nodes/Soku/policy/parallel';
import { parallelResources } from '../../nodes/Soku/actions/common.description';
import { OPERATIONS, RESOURCES } from '../../nodes/Soku/actions/operations';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FC_RUNS ?? 300);

describe('parallelRequests', () => {
	test('unset: 5 for transcription, media import, OG render and template render; 1 for posts, repurpose links and API keys', () => {
		expect(DEFAULT_PARALLEL_REQUESTS).toBe(5);
		const byOperation = Object.fromEntries(OPERATIONS.map((op) => [op.id, parallelRequests(undefined, op.id, 'perCode', 100)]));
		expect(byOperation).toEqual({
			createPost: 1,
			uploadMedia: 5,
			renderOgAlias: 5,
			transcribe: 5,
			renderTemplate: 5,
			createRepurposeLink: 1,
			deleteRepurposeLink: 1,
			listRepurposeLinks: 1,
			createApiKey: 1,
			listApiKeys: 1,
			revokeApiKey: 1,
		});
	});

	test('a set value is used, as a number or text, floored, at least 1 and at most the endpoint limit per window', () => {
		expect(parallelRequests(3, 'createPost', 'perCode', 30)).toBe(3);
		expect(parallelRequests('4', 'transcribe', 'single', 10)).toBe(4);
		expect(parallelRequests(2.9, 'createPost', 'perCategory', 30)).toBe(2);
		expect(parallelRequests(0, 'transcribe', 'perCode', 10)).toBe(1);
		expect(parallelRequests(-3, 'transcribe', 'perCode', 10)).toBe(1);
		expect(parallelRequests(50, 'transcribe', 'perCode', 10)).toBe(10);
		expect(parallelRequests(5, 'transcribe', 'perCode', 0)).toBe(1);
		// Not a number (e.g. an object from an expression): the operation's default.
		expect(parallelRequests({ valueOf: 'x' }, 'transcribe', 'perCode', 10)).toBe(5);
		expect(parallelRequests('', 'createPost', 'perCode', 30)).toBe(1);
	});

	test('Stop the Workflow: always 1', () => {
		expect(parallelRequests(undefined, 'transcribe', 'stop', 10)).toBe(1);
		expect(parallelRequests(8, 'createPost', 'stop', 30)).toBe(1);
	});

	test("the editor's two Parallel Requests entries split the resources, and no resource mixes defaults", () => {
		const parallel = parallelResources(true);
		const sequential = parallelResources(false);
		expect(parallel.sort()).toEqual(['media', 'template', 'transcription']);
		expect(sequential.sort()).toEqual(['apiKey', 'post', 'repurposeLink']);
		for (const resource of RESOURCES) {
			expect(new Set(resource.operations.map((op) => PARALLEL_BY_DEFAULT.has(op.id))).size).toBe(1);
		}
	});
});

describe('runPool', () => {
	test('every index runs once, started in index order, never more than the limit at once; resolves when all settled', async () => {
		console.log(`runPool: seed ${SEED} (re-run with FC_SEED=${SEED}), ${RUNS} runs`);
		await fc.assert(
			fc.asyncProperty(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 40 }), async (count, limit, ticks) => {
				const started: number[] = [];
				const finished: number[] = [];
				let running = 0;
				let most = 0;
				await runPool(
					count,
					limit,
					async (i) => {
						started.push(i);
						running++;
						most = Math.max(most, running);
						// Finish after a few microtask turns: runs end out of order.
						for (let t = 0; t < (ticks[i] ?? 1); t++) await Promise.resolve();
						running--;
						finished.push(i);
					},
					() => false,
				);
				const all = Array.from({ length: count }, (_, i) => i);
				expect(started).toEqual(all);
				expect([...finished].sort((a, b) => a - b)).toEqual(all);
				expect(running).toBe(0);
				expect(most).toBeLessThanOrEqual(Math.min(limit, Math.max(1, count)));
				if (count >= limit) expect(most).toBe(limit);
			}),
			{ seed: SEED, numRuns: RUNS },
		);
	});

	test('once stopped, no new index is handed out; runs already started finish', async () => {
		const started: number[] = [];
		let finished = 0;
		let stop = false;
		await runPool(
			20,
			3,
			async (i) => {
				started.push(i);
				await Promise.resolve();
				if (i === 4) stop = true;
				finished++;
			},
			() => stop,
		);
		expect(started).toEqual([0, 1, 2, 3, 4, 5]);
		expect(finished).toBe(6);
	});
});
