/**
 * The reference times the slow-transcriptions bench row prints (bench/lib/schedule.ts): the omniscient
 * minimum and the minimum for a client that keeps each slot until its answer + W, checked against their
 * closed forms and against each other. Generated with fast-check; FC_SEED re-runs a seed, FC_RUNS changes
 * the size (default 300).
 */
import fc from 'fast-check';

import { scheduleMs } from '../../bench/lib/schedule';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FC_RUNS ?? 300);

/** n requests, limit per window, latency d, window w ≥ d (the bench's case: 20, 10, 1 s, 2 s). */
const cases = fc
	.record({ n: fc.integer({ min: 1, max: 60 }), limit: fc.integer({ min: 1, max: 15 }), d: fc.integer({ min: 1, max: 2000 }), extra: fc.integer({ min: 0, max: 5000 }) })
	.map(({ n, limit, d, extra }) => ({ n, limit, d, w: d + extra }));

describe('scheduleMs', () => {
	beforeAll(() => console.log(`scheduleMs: seed ${SEED} (re-run with FC_SEED=${SEED}), ${RUNS} runs`));

	test('the bench case: 20 transcriptions, 10 per 2 s, answers after 1 s', () => {
		expect(scheduleMs(20, 10, 2000, 1000, 10, true)).toBe(3000);
		expect(scheduleMs(20, 10, 2000, 1000, 10, false)).toBe(4000);
		expect(scheduleMs(20, 10, 2000, 1000, 5, true)).toBe(4000);
		expect(scheduleMs(20, 10, 2000, 1000, 5, false)).toBe(5000);
		expect(scheduleMs(20, 10, 2000, 1000, 1, false)).toBe(20_000);
	});

	test('limit in flight: the omniscient client reaches T_min = (ceil(N/L) - 1) * W + d, the safe one (ceil(N/L) - 1) * (W + d) + d', () => {
		fc.assert(
			fc.property(cases, ({ n, limit, d, w }) => {
				const windows = Math.ceil(n / limit) - 1;
				expect(scheduleMs(n, limit, w, d, limit, true)).toBe(windows * w + d);
				expect(scheduleMs(n, limit, w, d, limit, false)).toBe(windows * (w + d) + d);
			}),
			{ seed: SEED, numRuns: RUNS },
		);
	});

	test('any number in flight: never below the latency bound ceil(N/P) * d nor the window bound, and knowing the counting point never makes it slower', () => {
		fc.assert(
			fc.property(cases, fc.integer({ min: 1, max: 20 }), ({ n, limit, d, w }, parallel) => {
				const omniscient = scheduleMs(n, limit, w, d, parallel, true);
				const safe = scheduleMs(n, limit, w, d, parallel, false);
				expect(omniscient).toBeGreaterThanOrEqual(Math.ceil(n / parallel) * d);
				expect(omniscient).toBeGreaterThanOrEqual((Math.ceil(n / limit) - 1) * w + d);
				expect(safe).toBeGreaterThanOrEqual(omniscient);
			}),
			{ seed: SEED, numRuns: RUNS },
		);
	});

	test('one at a time, when the oldest answer leaves the window before the window fills (W ≤ (L - 1) * d): N * d either way', () => {
		fc.assert(
			fc.property(cases, ({ n, limit, d, w }) => {
				fc.pre(w <= (limit - 1) * d);
				expect(scheduleMs(n, limit, w, d, 1, false)).toBe(n * d);
				expect(scheduleMs(n, limit, w, d, 1, true)).toBe(n * d);
			}),
			{ seed: SEED, numRuns: RUNS },
		);
	});
});
