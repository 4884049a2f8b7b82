/**
 * A model of several n8n workers sharing one Soku quota, on a virtual clock: each worker has its own
 * PacingRegistry (the real one from policy/pacing.ts), runs some executions at once, and each execution
 * sends its posts one at a time through reserve → request → settle, as sendWithPolicy does. Soku is a
 * sliding window that counts a request when it arrives and answers with the stand-in's headers (Limit,
 * Remaining, Reset as an ISO time; a 429 carries Retry-After). Latencies vary by ±jitter/2 around d,
 * from a seeded generator: the same arguments give the same run.
 *
 * It reproduces bench row 8b (2 workers × 2 executions × 30 posts, 30 per 3 s, d 2.5 ms) to the
 * hundredth (1.33× T_min both), so the row's misses can be studied here in milliseconds instead of
 * against a real clock (bench/README.md, scenario 8b).
 */
import { PacingRegistry, type WindowLimit } from '../../nodes/Soku/policy/pacing';

export interface PacingModelOptions {
	/** Executions at once per worker, e.g. [2, 2] is two workers with two executions each. */
	executionsPerWorker: number[];
	postsPerExecution: number;
	limit: number;
	windowMs: number;
	/** Mean request time (ms): sent → answered; Soku counts at the midpoint. */
	latencyMs: number;
	/** Spread of latencies as a fraction of latencyMs (0: all equal). */
	jitter: number;
	seed: number;
	/** The tier window every post also counts in (higher than the endpoint's in the bench). */
	tierLimit?: number;
}

export interface PacingModelResult {
	/** From the first send to the last answer. */
	ms: number;
	/** The bench's T_min: (ceil(N/L) - 1) * W + min(L, N) * d / (executions of the busiest worker). */
	theoreticalMinimumMs: number;
	responses429: number;
	/** Posts answered with success, per worker (each exactly once: the model retries a 429 like the node). */
	delivered: number[];
	/** Per worker, successful sends per window of time (window i = [i*W, (i+1)*W) from the start). */
	sendsPerWindow: number[][];
}

/** Park–Miller: small, seeded, good enough to spread latencies. */
function seeded(seed: number): () => number {
	let state = (Math.abs(Math.floor(seed)) % 2147483646) + 1;
	return () => (state = (state * 16807) % 2147483647) / 2147483647;
}

export function runPacingModel(o: PacingModelOptions): PacingModelResult {
	const { limit, windowMs, latencyMs } = o;
	const tierLimit = o.tierLimit ?? 100;
	const random = seeded(o.seed);
	const start = Date.parse('2026-12-01T00:00:00Z');
	// Events in time order, ties in the order they were scheduled.
	const queue: Array<{ at: number; run: (now: number) => void }> = [];
	const schedule = (at: number, run: (now: number) => void) => {
		let i = queue.length;
		// Later than every event at the same time: ties run in the order they were scheduled.
		while (i > 0 && queue[i - 1].at > at) i--;
		queue.splice(i, 0, { at, run });
	};

	const sokuWindows = { endpoint: [] as number[], tier: [] as number[] };
	const soku = (now: number): { headers: Record<string, string>; retryAfterMs?: number } => {
		sokuWindows.endpoint = sokuWindows.endpoint.filter((t) => t > now - windowMs);
		sokuWindows.tier = sokuWindows.tier.filter((t) => t > now - windowMs);
		const reset = (ms: number) => new Date(ms).toISOString();
		if (sokuWindows.endpoint.length >= limit) {
			const freeAt = sokuWindows.endpoint[sokuWindows.endpoint.length - limit] + windowMs;
			const retryAfterMs = Math.max(1, Math.ceil(freeAt - now));
			return {
				retryAfterMs,
				headers: { 'retry-after': String(retryAfterMs / 1000), 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset(freeAt) },
			};
		}
		sokuWindows.endpoint.push(now);
		sokuWindows.tier.push(now);
		// The tighter window, as the stand-in reports it.
		const endpointLeft = limit - sokuWindows.endpoint.length;
		const tierLeft = tierLimit - sokuWindows.tier.length;
		const [l, left, oldest] = endpointLeft <= tierLeft ? [limit, endpointLeft, sokuWindows.endpoint[0]] : [tierLimit, tierLeft, sokuWindows.tier[0]];
		return { headers: { 'x-ratelimit-limit': String(l), 'x-ratelimit-remaining': String(left), 'x-ratelimit-reset': reset(oldest + windowMs) } };
	};

	let responses429 = 0;
	let lastAnswer = start;
	const delivered = o.executionsPerWorker.map(() => 0);
	const sendsPerWindow: number[][] = o.executionsPerWorker.map(() => []);
	o.executionsPerWorker.forEach((executions, worker) => {
		const registry = new PacingRegistry();
		const limits: WindowLimit[] = [
			{ key: 'posts', limit, windowMs },
			{ key: 'tier', limit: tierLimit, windowMs },
		];
		for (let e = 0; e < executions; e++) {
			let left = o.postsPerExecution;
			const attempt = (now: number): void => {
				const delay = registry.reserve(limits, now);
				if (delay > 0) return schedule(now + delay, attempt);
				const sentAt = now;
				const latency = latencyMs * (1 + o.jitter * (random() - 0.5));
				schedule(sentAt + latency / 2, (arrivedAt) => {
					const answer = soku(arrivedAt);
					schedule(sentAt + latency, (answeredAt) => {
						// sendWithPolicy settles at its clock + 1 ms.
						registry.settle(limits, sentAt, answeredAt + 1, answer.retryAfterMs === undefined, answer.headers, answer.retryAfterMs);
						if (answer.retryAfterMs !== undefined) {
							responses429++;
							return schedule(answeredAt + answer.retryAfterMs, attempt);
						}
						delivered[worker]++;
						const w = Math.floor((sentAt - start) / windowMs);
						sendsPerWindow[worker][w] = (sendsPerWindow[worker][w] ?? 0) + 1;
						lastAnswer = Math.max(lastAnswer, answeredAt);
						if (--left > 0) schedule(answeredAt, attempt);
					});
				});
			};
			schedule(start, attempt);
		}
	});
	while (queue.length) {
		const event = queue.shift()!;
		event.run(event.at);
	}

	const total = o.executionsPerWorker.reduce((a, b) => a + b, 0) * o.postsPerExecution;
	const busiest = Math.max(...o.executionsPerWorker);
	return {
		ms: lastAnswer - start,
		theoreticalMinimumMs: (Math.ceil(total / limit) - 1) * windowMs + (Math.min(limit, total) * latencyMs) / busiest,
		responses429,
		delivered,
		sendsPerWindow: sendsPerWindow.map((counts) => Array.from(counts, (c) => c ?? 0)),
	};
}
