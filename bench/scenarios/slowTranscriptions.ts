/**
 * 9. Slow transcriptions (issue 21, row a): N transcriptions whose answers take d ms each, the stand-in
 * enforcing Soku's transcription limit (L per sliding window), time-scaled to a window of W ms; the node
 * one request at a time (Parallel Requests 1) against its default (5) and the endpoint's limit (L).
 *
 * Theoretical minimum (the window bound and the latency bound together): at most L requests are counted
 * per window and each answer takes d, so the last window's requests cannot be counted before
 * (ceil(N/L) - 1) * W and answer d later: T_min = (ceil(N/L) - 1) * W + d. The stand-in counts a request
 * when it answers it (a scripted latency delays the handling), so T_min holds for it too.
 *
 * T_min is for an omniscient client. A client that cannot know when Soku counts a request (REFERENCE §6.3
 * does not say) nor how long the next answer takes must keep each slot until its answer + W: the next
 * request may be counted the moment it arrives. Each row also shows that client's minimum, T_safe
 * (scheduleMs below; (ceil(N/L) - 1) * (W + d) + d with L in flight), and the ratio against it.
 */
import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { runSoku } from '../../test/helpers/engine';
import { gc, nowMs } from '../lib/sokuParams';
import { DEMO_KEY, standIn, type SokuStandIn } from '../lib/standIn';
import { scheduleMs } from '../lib/schedule';
import { median, round } from '../lib/stats';
import type { Row, ScenarioResult } from '../lib/types';

export interface SlowTranscriptionsOptions {
	transcriptions: number;
	latencyMs: number;
	windowMs: number;
	limit: number;
	runs: number;
}

interface BatchRun {
	label: string;
	ms: number;
	transcribed: number;
	requests: number;
	responses429: number;
	/** Distinct Idempotency-Keys sent: every item once. */
	keys: number;
}

async function runBatch(s: SokuStandIn, label: string, options: SlowTranscriptionsOptions, parallelRequests: number): Promise<BatchRun> {
	s.reset();
	s.state.credits.user_demo = 10_000;
	s.script({ match: { method: 'POST', path: '/v1/ai/transcribe' }, delayMs: options.latencyMs, times: options.transcriptions * 2 });
	pacingRegistry.clear();
	gc();
	const items = Array.from({ length: options.transcriptions }, (_, i) => ({ seconds: i + 1 }));
	const t0 = nowMs();
	const result = await runSoku({
		parameters: {
			resource: 'transcription',
			operation: 'create',
			mediaId: 'med_demo_video',
			additionalFields: { durationSeconds: '={{ $json.seconds }}' },
			options: { pacingWindowSeconds: options.windowMs / 1000, parallelRequests },
		},
		items,
		credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: s.url } },
		executionId: `bench-slow-${label}-${Date.now()}`,
	});
	const ms = nowMs() - t0;
	const requests = s.requests.filter((r) => r.path === '/v1/ai/transcribe');
	const status = (r: (typeof requests)[number]) => (r.response && 'status' in r.response ? r.response.status : 0);
	return {
		label,
		ms,
		transcribed: result.outputs?.[0]?.length ?? 0,
		requests: requests.length,
		responses429: requests.filter((r) => status(r) === 429).length,
		keys: new Set(requests.map((r) => r.headers['idempotency-key'])).size,
	};
}

/**
 * Why a parallel row stays above T_min (judged against it, as issue 21 asks). The answers' headers cannot
 * safely free a slot before answer + W: when a window's requests answer together, Remaining bounds their
 * counts by that answer, which pacing already assumes; Reset (whole seconds in one documented form) may
 * be the oldest or the newest count + W (not stated) and says nothing of the requests still in flight.
 */
const SAFE_NOTE = (tSafe: number, tOmniscient: number, parallel: number, d: number) =>
	`T_safe ${round(tSafe / 1000, 2)} s at ${parallel} in flight: Soku may count a request on arrival or on answer (REFERENCE §6.3 does not say; this stand-in counts on answer), so pacing keeps each slot until its answer + W; ` +
	`reaching T_min (the omniscient client: ${round(tOmniscient / 1000, 2)} s at ${parallel} in flight) means sending each later window's requests ${d} ms before the earlier counts leave the window, which is safe only if each of them is known to take ≥ ${d} ms to answer (one answered at once is counted inside the window: 429), ` +
	'and X-RateLimit-Remaining / Reset cannot tell that (Remaining bounds the counts by the answer, which pacing assumes already; Reset is whole seconds, from the oldest or newest count, and silent on requests in flight)';

export async function runSlowTranscriptions(options: SlowTranscriptionsOptions): Promise<ScenarioResult> {
	const { transcriptions: n, latencyMs: d, windowMs: w, limit } = options;
	const tMin = (Math.ceil(n / limit) - 1) * w + d;
	const raw: Record<string, unknown> = { options, theoreticalMinimum: { formula: '(ceil(N/L) - 1) * W + d', N: n, L: limit, W: w, d, ms: tMin } };
	const rows: Row[] = [];
	const s = await standIn.startStandIn({
		clock: { now: () => performance.timeOrigin + performance.now() },
		rateLimits: { windowMs: w, fractionalRetryAfter: true, endpoints: { '/v1/ai/transcribe': limit } },
	});
	let sequentialMs = Number.NaN;
	try {
		const variants = [
			{ key: 'sequential', parallel: 1, title: 'one at a time (Parallel Requests 1)', target: 'info' },
			{ key: 'parallelDefault', parallel: 5, title: 'in parallel (default 5)', target: '≤ 1.10×, 0 × 429' },
			{ key: 'parallelLimit', parallel: limit, title: `in parallel (${limit}, the endpoint's limit)`, target: '≤ 1.10×, 0 × 429' },
		];
		for (const variant of variants) {
			const runs: BatchRun[] = [];
			for (let r = 0; r < options.runs; r++) runs.push(await runBatch(s, `${variant.key}-${r}`, options, variant.parallel));
			const ms = median(runs.map((r) => r.ms));
			const ratio = ms / tMin;
			const tSafe = scheduleMs(n, limit, w, d, variant.parallel, false);
			const tOmniscient = scheduleMs(n, limit, w, d, variant.parallel, true);
			const ratioSafe = ms / tSafe;
			const total429 = runs.reduce((a, r) => a + r.responses429, 0);
			const everyItemOnce = runs.every((r) => r.transcribed === n && r.keys === n && r.requests === n);
			if (variant.parallel === 1) sequentialMs = ms;
			raw[variant.key] = { medianMs: ms, ratio, safeMinimumMs: tSafe, ratioSafe, omniscientMinimumAtThisParallelMs: tOmniscient, runs };
			const secs = (x: number) => round(x / 1000, 2);
			rows.push({
				id: `slowTranscriptions-${variant.key}`,
				readme: {
					label: `Slow transcriptions, ${variant.parallel === 1 ? 'one at a time' : `${variant.parallel} in parallel`}`,
					meaning:
						variant.parallel === 1
							? `${n} transcriptions whose answers take ${d / 1000} s (${limit} per ${w / 1000} s window) take ${round(ms / 1000, 1)} s one at a time: the latency, not the limit, sets the pace.`
							: `${n} transcriptions answering after ${d / 1000} s (${limit} per ${w / 1000} s window) take ${round(ms / 1000, 1)} s with ${variant.parallel} in flight (${round(ms / sequentialMs, 2)}× the time one at a time, ${total429} × 429): ${round(ratioSafe, 2)}× the ${secs(tSafe)} s a client can reach that cannot know when Soku counts a request. The ${secs(tMin)} s minimum would mean sending each later window's requests before the earlier counts are known to have left it, safe only if every answer were known to take ≥ ${d / 1000} s (bench/README.md, scenario 9).`,
				},
				scenario: `9. Slow transcriptions: ${n} answering after ${d} ms, ${limit}/${w} ms window, ${variant.title}`,
				measured: `${secs(ms)} s, ${total429} × 429`,
				baseline: `T_min ${secs(tMin)} s; T_safe ${secs(tSafe)} s (${round(ratioSafe, 3)}×)`,
				measuredValue: round(ms, 1),
				baselineValue: tMin,
				unit: 'ms',
				ratio: round(ratio, 3),
				target: variant.target,
				pass: variant.target === 'info' ? (everyItemOnce ? null : false) : everyItemOnce && total429 === 0 && ratio <= 1.1,
				note: [
					everyItemOnce ? `every item transcribed once (${n} keys, ${n} requests per run)` : 'not every item was transcribed exactly once',
					variant.parallel > 1 ? `${round(ms / sequentialMs, 3)}× the one-at-a-time time` : undefined,
					variant.parallel > 1 ? SAFE_NOTE(tSafe, tOmniscient, variant.parallel, d) : undefined,
				]
					.filter(Boolean)
					.join('; '),
			});
		}
	} finally {
		await s.close();
		pacingRegistry.clear();
	}
	return { name: 'slowTranscriptions', rows, raw };
}
