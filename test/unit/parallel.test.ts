/**
 * How many requests one node run keeps in flight (Options › Parallel Requests) and the pool that runs
 * them: indexes handed out in order, each run once, never more than the limit at once, nothing new once
 * stopped. Generated with fast-check; FC_SEED re-runs a seed, FC_RUNS changes the size (default 300).
 */
import fc from 'fast-check';

import { DEFAULT_PARALLEL_REQUESTS, PARALLEL_BY_DEFAULT, parallelRequests, runPool } from '../../nodes/Soku/policy/parallel';
import { optionsProperties } from '../../nodes/Soku/actions/common.description';
import { PacingRegistry } from '../../nodes/Soku/policy/pacing';
import { DEFAULT_RETRY_SETTINGS } from '../../nodes/Soku/policy/retry';
import type { Runtime } from '../../nodes/Soku/policy/runtime';
import { sendWithPolicy } from '../../nodes/Soku/policy/sendWithPolicy';
import { OPERATIONS } from '../../nodes/Soku/actions/operations';

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
		expect(parallelRequests(1, 'transcribe', 'perCode', 10)).toBe(1);
		expect(parallelRequests(50, 'transcribe', 'perCode', 10)).toBe(10);
		expect(parallelRequests(5, 'transcribe', 'perCode', 0)).toBe(1);
		// Not a number (e.g. an object from an expression): the operation's default.
		expect(parallelRequests({ valueOf: 'x' }, 'transcribe', 'perCode', 10)).toBe(5);
		expect(parallelRequests('', 'createPost', 'perCode', 30)).toBe(1);
	});

	test("0, the editor's default when the option is added, and less than 1 mean the operation's default: adding the option changes nothing", () => {
		const option = (optionsProperties[0].options as Array<{ name: string; default?: unknown }>).find((o) => o.name === 'parallelRequests');
		expect(option?.default).toBe(0);
		for (const op of OPERATIONS) expect(parallelRequests(option?.default, op.id, 'perCode', 100)).toBe(parallelRequests(undefined, op.id, 'perCode', 100));
		expect(parallelRequests(0, 'transcribe', 'perCode', 10)).toBe(5);
		expect(parallelRequests(0.5, 'createPost', 'perCode', 30)).toBe(1);
		expect(parallelRequests(-3, 'transcribe', 'perCode', 10)).toBe(5);
	});

	test('Stop the Workflow: always 1', () => {
		expect(parallelRequests(undefined, 'transcribe', 'stop', 10)).toBe(1);
		expect(parallelRequests(8, 'createPost', 'stop', 30)).toBe(1);
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

/**
 * Virtual time for concurrent waiters: sleep(ms) resolves when the clock reaches now + ms, timers in time
 * order, after the microtasks of the previous one ran (so each woken waiter re-checks its slot first).
 */
function virtualTime(): { runtime: Runtime; drive(done: Promise<unknown>): Promise<void> } {
	let now = 0;
	const timers: Array<{ at: number; resolve: () => void }> = [];
	const runtime: Runtime = {
		now: () => now,
		random: () => 0.5,
		sleep: async (ms) => await new Promise<void>((resolve) => timers.push({ at: now + Math.max(0, ms), resolve })),
	};
	const drive = async (done: Promise<unknown>) => {
		let finished = false;
		void done.then(() => (finished = true));
		while (!finished) {
			for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
			if (finished) break;
			timers.sort((a, b) => a.at - b.at);
			const next = timers.shift();
			if (!next) throw new Error('nothing to wait for, yet not finished');
			now = Math.max(now, next.at);
			next.resolve();
		}
	};
	return { runtime, drive };
}

test('waiters of one run never share a slot: parallel sends through one pacing window stay within its limit (generated)', async () => {
	await fc.assert(
		fc.asyncProperty(
			fc.integer({ min: 1, max: 30 }),
			fc.integer({ min: 1, max: 8 }),
			fc.integer({ min: 1, max: 6 }),
			fc.integer({ min: 0, max: 400 }),
			async (count, parallel, limit, latencyMs) => {
				const { runtime, drive } = virtualTime();
				const registry = new PacingRegistry();
				const windowMs = 1000;
				const limits = [{ key: 'cred|url|/v1/ai/transcribe', limit, windowMs }];
				// When the server would count each request: on its arrival (the send) or when it answers.
				const sent: Array<{ at: number; answeredAt: number }> = [];
				const send = async () => {
					const at = runtime.now();
					await runtime.sleep(latencyMs);
					sent.push({ at, answeredAt: runtime.now() });
					return { kind: 'response' as const, status: 200, headers: {}, body: { jobId: `j${sent.length}` } };
				};
				const settings = { ...DEFAULT_RETRY_SETTINGS, maxRateLimitWaitMs: 3_600_000 };
				const done = runPool(
					count,
					parallel,
					async (i) => {
						const outcome = await sendWithPolicy({ operation: 'transcribe', path: '/v1/ai/transcribe', body: { i } }, settings, 'always', {
							send,
							runtime,
							pacing: { registry, limits },
						});
						expect(outcome.ok).toBe(true);
					},
					() => false,
				);
				await drive(done);
				await done;
				expect(sent).toHaveLength(count);
				// Counted on arrival or on answer, no window ever holds more than the limit.
				for (const when of ['at', 'answeredAt'] as const) {
					const times = sent.map((r) => r[when]).sort((a, b) => a - b);
					for (let a = 0, b = 0; b < times.length; b++) {
						while (times[b] - times[a] >= windowMs) a++;
						expect(b - a + 1).toBeLessThanOrEqual(limit);
					}
				}
			},
		),
		{ seed: SEED, numRuns: Math.ceil(RUNS / 3) },
	);
});
