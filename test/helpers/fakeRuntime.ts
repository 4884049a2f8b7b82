/**
 * A virtual clock shared by the node (through its injectable runtime) and the stand-in, so Retry-After,
 * backoff and rate-limit windows are exact and instant: a "sleep" advances the clock and is recorded.
 */
import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { ExecutionCancelledError, setRuntime } from '../../nodes/Soku/policy/runtime';
import { createManualClock, type ManualClock } from '../stand-in/soku-stand-in';

export interface FakeRuntime {
	clock: ManualClock;
	/** Every wait the node asked for, in order (ms). */
	sleeps: number[];
	restore(): void;
}

export function useFakeRuntime(options: { random?: () => number; start?: number } = {}): FakeRuntime {
	const clock = createManualClock(options.start ?? Date.parse('2026-11-25T08:00:00.000Z'));
	const sleeps: number[] = [];
	pacingRegistry.clear();
	const restore = setRuntime({
		now: () => clock.now(),
		random: options.random ?? (() => 0.5),
		sleep: async (ms: number, signal?: AbortSignal) => {
			if (signal?.aborted) throw new ExecutionCancelledError();
			sleeps.push(ms);
			clock.advance(ms);
		},
	});
	return {
		clock,
		sleeps,
		restore: () => {
			restore();
			pacingRegistry.clear();
		},
	};
}
