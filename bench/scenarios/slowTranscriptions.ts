/**
 * 9. Slow transcriptions (issue 21, row a): N transcriptions whose answers take d ms each, the stand-in
 * enforcing Soku's transcription limit (L per sliding window), time-scaled to a window of W ms; the node
 * one request at a time (Parallel Requests 1) against its default (5) and the endpoint's limit (L).
 *
 * Theoretical minimum (the window bound and the latency bound together): at most L requests are counted
 * per window and each answer takes d, so the last window's requests cannot be counted before
 * (ceil(N/L) - 1) * W and answer d later: T_min = (ceil(N/L) - 1) * W + d. The stand-in counts a request
 * when it answers it (a scripted latency delays the handling), so T_min holds for it too.
 */
import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { runSoku } from '../../test/helpers/engine';
import { gc, nowMs } from '../lib/sokuParams';
import { DEMO_KEY, standIn, type SokuStandIn } from '../lib/standIn';
import { median, round } from '../lib/stats';
import type { Row, ScenarioResult } from '../lib/types';

export interface SlowTranscriptionsOptions {
	transcriptions: number;
	latencyMs: number;
	windowMs: number;
	limit: number;
	runs: number;
}

/**
 * The node cannot tell when Soku counted a request (on arrival or when it answered, as this stand-in does),
 * so pacing keeps each slot until its answer + W (0 × 429 either way). A window's requests then start one
 * latency after the earlier window's answers + W: with P = L, T = (ceil(N/L) - 1) * (W + d) + d.
 */
const SAFE_NOTE = (n: number, limit: number, w: number, d: number) =>
	`pacing keeps each slot until its answer + W (Soku may count a request when it answers it), so each later window starts one latency late: ${round(((Math.ceil(n / limit) - 1) * (w + d) + d) / 1000, 2)} s at ${limit} in flight`;

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
			const total429 = runs.reduce((a, r) => a + r.responses429, 0);
			const everyItemOnce = runs.every((r) => r.transcribed === n && r.keys === n && r.requests === n);
			if (variant.parallel === 1) sequentialMs = ms;
			raw[variant.key] = { medianMs: ms, ratio, runs };
			rows.push({
				id: `slowTranscriptions-${variant.key}`,
				readme: {
					label: `Slow transcriptions, ${variant.parallel === 1 ? 'one at a time' : `${variant.parallel} in parallel`}`,
					meaning:
						variant.parallel === 1
							? `${n} transcriptions whose answers take ${d / 1000} s (${limit} per ${w / 1000} s window) take ${round(ms / 1000, 1)} s one at a time: the latency, not the limit, sets the pace.`
							: `the same batch takes ${round(ms / 1000, 1)} s with ${variant.parallel} in flight (${round(ms / sequentialMs, 2)}× the one-at-a-time time, ${total429} × 429); the rest to the ${round(tMin / 1000, 1)} s minimum is pacing holding each slot until its answer + the window.`,
				},
				scenario: `9. Slow transcriptions: ${n} answering after ${d} ms, ${limit}/${w} ms window, ${variant.title}`,
				measured: `${round(ms / 1000, 2)} s, ${total429} × 429`,
				baseline: `T_min ${round(tMin / 1000, 2)} s`,
				measuredValue: round(ms, 1),
				baselineValue: tMin,
				unit: 'ms',
				ratio: round(ratio, 3),
				target: variant.target,
				pass: variant.target === 'info' ? (everyItemOnce ? null : false) : everyItemOnce && total429 === 0 && ratio <= 1.1,
				note: [
					everyItemOnce ? `every item transcribed once (${n} keys, ${n} requests per run)` : 'not every item was transcribed exactly once',
					variant.parallel > 1 ? `${round(ms / sequentialMs, 3)}× the one-at-a-time time` : undefined,
					// Why parallel stays above T_min: see SAFE_NOTE.
					variant.parallel > 1 ? SAFE_NOTE(n, limit, w, d) : undefined,
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
