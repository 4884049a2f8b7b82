/**
 * Several workers, each with its own pacing state, sharing one Soku quota (test/helpers/pacingModel.ts:
 * the real PacingRegistry on a virtual clock against a sliding-window Soku). Generated with fast-check;
 * FC_SEED re-runs a seed, FC_RUNS changes the size (default 60).
 */
import fc from 'fast-check';

import { runPacingModel, type PacingModelOptions } from '../helpers/pacingModel';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FC_RUNS ?? 60);

/** The bench's 8b setting (bench/scenarios/index.ts): 30 posts per 3 s, 2.5 ms per request. */
const bench8b = (executionsPerWorker: number[], jitter: number, seed = 1): PacingModelOptions => ({
	executionsPerWorker,
	postsPerExecution: 30,
	limit: 30,
	windowMs: 3000,
	latencyMs: 2.5,
	jitter,
	seed,
});

describe('pacing model: workers with their own pacing state, one Soku quota', () => {
	beforeAll(() => console.log(`pacing model: seed ${SEED} (re-run with FC_SEED=${SEED}), ${RUNS} runs`));

	test('one worker, two executions: the whole limit each window, no 429, T_min', () => {
		const r = runPacingModel(bench8b([2], 0.5));
		expect(r.responses429).toBe(0);
		expect(r.sendsPerWindow).toEqual([[30, 30]]);
		expect(r.ms / r.theoreticalMinimumMs).toBeLessThan(1.01);
	});

	test('two like workers with equal latencies settle on 15 each per window and reach T_min (bench 8b without jitter)', () => {
		const r = runPacingModel(bench8b([2, 2], 0));
		expect(r.responses429).toBe(0);
		expect(r.sendsPerWindow).toEqual([
			[15, 15, 15, 15],
			[15, 15, 15, 15],
		]);
		expect(r.ms / r.theoreticalMinimumMs).toBeLessThan(1.01);
	});

	test('four like workers share about 7 each (floor(30 / 4)): 240 posts take 9 windows instead of 8, the 1.14× of bench 8b', () => {
		const r = runPacingModel(bench8b([2, 2, 2, 2], 0.5));
		expect(r.responses429).toBe(0);
		expect(Math.max(...r.sendsPerWindow.map((perWindow) => perWindow.length))).toBe(9);
		const ratio = r.ms / r.theoreticalMinimumMs;
		expect(ratio).toBeGreaterThan(1.1);
		expect(ratio).toBeLessThan(1.15);
	});

	test('two workers with varying latencies: 120 posts fill exactly 4 windows, so one slot lost costs a whole window (1.00× or 1.33×, bench 8b)', () => {
		// Which of the two a run gets depends on the latencies; the time is a whole number of windows plus
		// the last burst either way, never in between.
		const ratios = [1, 2, 3, 4, 5, 6].map((seed) => runPacingModel(bench8b([2, 2], 0.5, seed))).map((r) => {
			expect(r.responses429).toBe(0);
			return r.ms / r.theoreticalMinimumMs;
		});
		for (const ratio of ratios) expect(Math.min(Math.abs(ratio - 1), Math.abs(ratio - 4 / 3))).toBeLessThan(0.01);
	});

	test('any mix of workers, executions, limits and latencies: every post answered with success exactly once, and a lone worker never meets a 429', () => {
		fc.assert(
			fc.property(
				fc.record({
					executionsPerWorker: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 5 }),
					postsPerExecution: fc.integer({ min: 1, max: 40 }),
					limit: fc.integer({ min: 5, max: 60 }),
					windowMs: fc.constantFrom(1000, 3000, 60_000),
					latencyMs: fc.double({ min: 0.5, max: 400, noNaN: true }),
					jitter: fc.double({ min: 0, max: 1, noNaN: true }),
					seed: fc.integer({ min: 1, max: 2 ** 30 }),
				}),
				(options) => {
					const r = runPacingModel(options);
					expect(r.delivered).toEqual(options.executionsPerWorker.map((e) => e * options.postsPerExecution));
					if (options.executionsPerWorker.length === 1) expect(r.responses429).toBe(0);
				},
			),
			{ seed: SEED, numRuns: RUNS },
		);
	});
});
