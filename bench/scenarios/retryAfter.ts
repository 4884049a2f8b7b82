/**
 * 3. Retry-After precision: the stand-in answers each item's first request with 429 and a fractional
 * Retry-After between 0.2 and 0.5 s, then lets the retry through. Measured on the stand-in: from the
 * moment the 429 response was handed to the socket ('finish') to the moment the retry's request arrived
 * ('request' event, headers parsed), divided by the requested wait.
 *
 * Control, same run: when each 429 is sent, a plain setTimeout of the requested length is started in this
 * process too; its lateness is what the machine and event loop add to any timer at that moment (a noisy
 * 2-core box can stall a process for tens of ms). GC pauses overlapping each wait are recorded as well.
 */
import type { IncomingMessage, ServerResponse } from 'http';
import { PerformanceObserver, performance } from 'perf_hooks';

import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { runSoku } from '../../test/helpers/engine';
import { gc, postItems, postParameters } from '../lib/sokuParams';
import { DEMO_KEY, standIn, type SokuStandIn } from '../lib/standIn';
import { max, median, min, quantile, round } from '../lib/stats';
import type { ScenarioResult } from '../lib/types';

export interface RetryAfterOptions {
	waits: number;
	minSeconds: number;
	maxSeconds: number;
}

export async function runRetryAfter(options: RetryAfterOptions): Promise<ScenarioResult> {
	const s: SokuStandIn = await standIn.startStandIn({ rateLimits: { enabled: false, fractionalRetryAfter: true } });
	// Requested waits, spread evenly over [min, max] and shuffled (deterministically) so order is no factor.
	const waits = Array.from({ length: options.waits }, (_, i) =>
		round(options.minSeconds + ((options.maxSeconds - options.minSeconds) * i) / Math.max(1, options.waits - 1), 3),
	);
	for (let i = waits.length - 1; i > 0; i--) {
		const j = (i * 7919 + 13) % (i + 1);
		[waits[i], waits[j]] = [waits[j], waits[i]];
	}
	interface Event {
		key: string;
		arrivedAt: number;
		finishedAt?: number;
		status?: number;
		/** Control timer: when a setTimeout(requested) started at finishedAt actually fired. */
		controlFiredAt?: number;
		controlRequestedMs?: number;
		/** process.cpuUsage() (µs, user + system) when the control timer fired / when this request arrived. */
		cpuAtControl?: number;
		cpuAtArrival: number;
	}
	const cpuNow = () => {
		const c = process.cpuUsage();
		return c.user + c.system;
	};
	const nowMs = () => performance.now();
	const events: Event[] = [];
	const controlTimers = new Set<NodeJS.Timeout>();
	/** Requested waits of the measured run, in the order its 429s are sent (the script's order). */
	let controlQueue: number[] = [];
	const onRequest = (req: IncomingMessage, res: ServerResponse) => {
		const event: Event = { key: String(req.headers['idempotency-key'] ?? ''), arrivedAt: nowMs(), cpuAtArrival: cpuNow() };
		events.push(event);
		res.on('finish', () => {
			event.finishedAt = nowMs();
			event.status = res.statusCode;
			const retryAfter = res.statusCode === 429 ? controlQueue.shift() : undefined;
			if (retryAfter !== undefined) {
				event.controlRequestedMs = Math.round(retryAfter * 1000);
				const timer = setTimeout(() => {
					controlTimers.delete(timer);
					event.controlFiredAt = nowMs();
					event.cpuAtControl = cpuNow();
				}, event.controlRequestedMs);
				controlTimers.add(timer);
			}
		});
	};
	s.server.on('request', onRequest);
	const gcPauses: Array<{ start: number; duration: number }> = [];
	const gcObserver = new PerformanceObserver((list) => {
		for (const entry of list.getEntries()) gcPauses.push({ start: entry.startTime, duration: entry.duration });
	});
	gcObserver.observe({ entryTypes: ['gc'] });
	try {
		s.reset();
		pacingRegistry.clear();
		// A first request of an item (no earlier request with its Idempotency-Key) gets the next scripted 429.
		const firstAttempt = (req: { seq: number; headers: Record<string, unknown> }) =>
			!s.requests.some((r) => r.seq < req.seq && r.headers['idempotency-key'] === req.headers['idempotency-key']);
		s.script({ match: firstAttempt, status: 429, retryAfter: 0.05 });
		// Warm the code paths first (one item, one 429 of 50 ms), outside the measurement.
		const warm = await runSoku({
			parameters: postParameters({ pacing: false }),
			items: postItems(1, 'warm'),
			credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: s.url } },
			executionId: 'bench-retry-after-warmup',
		});
		void warm;
		s.reset();
		events.length = 0;
		gc();
		gcPauses.length = 0;
		controlQueue = [...waits];
		s.script(waits.map((retryAfter) => ({ match: firstAttempt, status: 429, retryAfter })));

		const t0 = nowMs();
		const result = await runSoku({
			parameters: postParameters({ pacing: false }),
			items: postItems(options.waits, 'retry-after'),
			credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: s.url } },
			executionId: `bench-retry-after-${Date.now()}`,
		});
		const totalMs = nowMs() - t0;
		const created = result.outputs?.[0]?.length ?? 0;

		const samples: Array<{
			requestedMs: number;
			gapMs: number;
			ratio: number;
			controlRatio: number | null;
			gcMsDuringWait: number;
			/** From the control timer firing to the retry's arrival: wall time and this process's CPU time. */
			afterTimerWallMs: number | null;
			afterTimerCpuMs: number | null;
		}> = [];
		let w = 0;
		for (let i = 0; i < events.length; i++) {
			const e = events[i];
			if (e.status !== 429) continue;
			const retry = events.slice(i + 1).find((x) => x.key === e.key);
			if (!retry || e.finishedAt === undefined) continue;
			const requestedMs = waits[w++] * 1000;
			const gapMs = retry.arrivedAt - e.finishedAt;
			const from = e.finishedAt;
			const gcMsDuringWait = gcPauses
				.filter((g) => g.start < retry.arrivedAt && g.start + g.duration > from)
				.reduce((a, g) => a + g.duration, 0);
			const controlRatio = e.controlFiredAt !== undefined ? (e.controlFiredAt - e.finishedAt) / requestedMs : null;
			const afterTimerWallMs = e.controlFiredAt !== undefined ? round(retry.arrivedAt - e.controlFiredAt, 2) : null;
			const afterTimerCpuMs = e.cpuAtControl !== undefined ? round((retry.cpuAtArrival - e.cpuAtControl) / 1000, 2) : null;
			samples.push({ requestedMs, gapMs, ratio: gapMs / requestedMs, controlRatio, gcMsDuringWait: round(gcMsDuringWait, 2), afterTimerWallMs, afterTimerCpuMs });
		}
		const ratios = samples.map((x) => x.ratio);
		const controls = samples.map((x) => x.controlRatio).filter((x): x is number => x !== null);
		// The node's own part: how much later than the plain timer the retry arrived.
		const ownMs = samples.filter((x) => x.controlRatio !== null).map((x) => x.gapMs - (x.controlRatio as number) * x.requestedMs);
		const outliers = samples.filter((x) => x.ratio > 1.05);
		const extra = samples.map((x) => x.gapMs - x.requestedMs);
		const inBand = ratios.every((r) => r >= 1 && r <= 1.05);
		const complete = samples.length === options.waits && created === options.waits;
		return {
			name: 'retryAfter',
			rows: [
				{
					scenario: `3. Retry-After precision: ${samples.length} waits of ${options.minSeconds}–${options.maxSeconds} s (429 sent → retry arrived) / requested`,
					measured: `min ${round(min(ratios), 4)} / median ${round(median(ratios), 4)} / max ${round(max(ratios), 4)}`,
					baseline: 'requested wait',
					ratio: round(median(ratios), 4),
					target: 'all in [1.00, 1.05]',
					pass: complete && inBand,
					note: complete
						? `extra time: median ${round(median(extra), 2)} ms, max ${round(max(extra), 2)} ms` +
							(outliers.length
								? `; above 1.05: ${outliers
										.map(
											(o) =>
												`${o.requestedMs} ms → ×${round(o.ratio, 3)} (control timer ×${o.controlRatio === null ? '?' : round(o.controlRatio, 3)}, ` +
												`GC ${o.gcMsDuringWait} ms, after the timer ${o.afterTimerWallMs} ms wall / ${o.afterTimerCpuMs} ms CPU)`,
										)
										.join(', ')}`
								: '')
						: 'not every item was retried and created',
				},
				{
					scenario: '3b. (control) plain setTimeout of the requested length, started when each 429 was sent',
					measured: `min ${round(min(controls), 4)} / median ${round(median(controls), 4)} / max ${round(max(controls), 4)}`,
					baseline: 'requested wait',
					ratio: round(median(controls), 4),
					target: 'info',
					pass: null,
					note: `retry arrival minus control timer (the node's own part): median ${round(median(ownMs), 2)} ms, max ${round(max(ownMs), 2)} ms`,
				},
			],
			raw: {
				options,
				requestedSeconds: waits,
				samples,
				ratio: { min: min(ratios), p10: quantile(ratios, 0.1), median: median(ratios), p90: quantile(ratios, 0.9), max: max(ratios) },
				extraMs: { min: min(extra), median: median(extra), max: max(extra) },
				controlRatio: { min: min(controls), median: median(controls), max: max(controls) },
				nodeOwnMsBeyondControl: { min: min(ownMs), median: median(ownMs), max: max(ownMs) },
				gcPauses: gcPauses.length,
				created,
				totalMs,
			},
		};
	} finally {
		gcObserver.disconnect();
		for (const timer of controlTimers) clearTimeout(timer);
		s.server.off('request', onRequest);
		pacingRegistry.clear();
		await s.close();
	}
}
