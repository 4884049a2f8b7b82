/**
 * Clock, randomness and waiting, in one replaceable object: production uses the real ones; tests swap
 * in a fake clock so backoff and Retry-After are checked exactly and instantly.
 */
import * as workflow from 'n8n-workflow';

export class ExecutionCancelledError extends Error {
	constructor() {
		super('The execution was cancelled while waiting to retry');
		this.name = 'ExecutionCancelledError';
	}
}

export interface Runtime {
	now(): number;
	random(): number;
	/** Resolves after ms, or rejects with ExecutionCancelledError as soon as the signal aborts. */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

type SleepWithAbort = (ms: number, signal?: AbortSignal) => Promise<void>;

/** n8n's own `sleep` (community nodes may not use setTimeout), raced against the cancel signal. */
async function cancellableSleep(ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) throw new ExecutionCancelledError();
	if (ms <= 0) return;
	// Newer n8n-workflow versions export sleepWithAbort, which also clears the timer on abort.
	const sleepWithAbort = (workflow as unknown as { sleepWithAbort?: SleepWithAbort }).sleepWithAbort;
	if (signal && typeof sleepWithAbort === 'function') {
		const failure = await sleepWithAbort(ms, signal).then(
			() => undefined,
			(error: unknown) => error,
		);
		if (signal.aborted) throw new ExecutionCancelledError();
		if (failure !== undefined) throw failure;
		return;
	}
	if (!signal) return await workflow.sleep(ms);
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<never>((_resolve, reject) => {
		onAbort = () => reject(new ExecutionCancelledError());
		// Stryker disable next-line ObjectLiteral,BooleanLiteral: the finally below removes the listener either way
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([workflow.sleep(ms), aborted]);
	} finally {
		if (onAbort) signal.removeEventListener('abort', onAbort);
	}
}

export const realRuntime: Runtime = {
	now: () => Date.now(),
	random: () => Math.random(),
	sleep: cancellableSleep,
};

let current: Runtime = realRuntime;

export function getRuntime(): Runtime {
	return current;
}

/** For tests and benchmarks only: replace the clock, randomness or sleep. Returns a restore function. */
export function setRuntime(runtime: Partial<Runtime>): () => void {
	const previous = current;
	current = { ...previous, ...runtime };
	return () => {
		current = previous;
	};
}
