/**
 * 2. Rate-limited batch: N posts while the stand-in enforces the documented post limit (30 per sliding
 * window), time-scaled to a window of W ms, Retry-After in fractional seconds.
 *
 * Theoretical minimum (stated in the results): with a sliding window of L per W and sequential requests
 * that each take d, request k cannot start before request k-L started + W, so the last window begins at
 * (ceil(N/L) - 1) * W and its L requests take L * d: T_min = (ceil(N/L) - 1) * W + L * d. d is measured in
 * the same run: the same N posts with rate limits off and pacing off, T_free / N (median of several).
 */
import type { SokuStandIn } from '../lib/standIn';
import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { runSoku } from '../../test/helpers/engine';
import { gc, nowMs, postItems, postParameters } from '../lib/sokuParams';
import { DEMO_KEY, standIn } from '../lib/standIn';
import { median, round } from '../lib/stats';
import type { Row, ScenarioResult } from '../lib/types';

export interface RateLimitedOptions {
	posts: number;
	windowMs: number;
	limit: number;
	freeRuns: number;
	pacedRuns: number;
}

interface BatchRun {
	label: string;
	ms: number;
	created: number;
	requests: number;
	responses429: number;
	otherErrors: number;
	/** Largest number of accepted post requests the stand-in saw inside any window (should be ≤ limit). */
	maxInWindow: number;
	/** When each burst of accepted posts started (a window opening), relative to the first request (ms). */
	windowStarts: number[];
	hints: string[];
}

async function runBatch(
	s: SokuStandIn,
	label: string,
	items: ReturnType<typeof postItems>,
	nodeOptions: Record<string, unknown>,
	limit: number,
	windowMs: number,
): Promise<BatchRun> {
	s.reset();
	pacingRegistry.clear();
	gc();
	const t0 = nowMs();
	const result = await runSoku({
		parameters: postParameters(nodeOptions),
		items,
		credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: s.url } },
		executionId: `bench-rl-${label}-${Date.now()}`,
	});
	const ms = nowMs() - t0;
	const posts = s.requests.filter((r) => r.path === '/v1/posts');
	const status = (r: (typeof posts)[number]) => (r.response && 'status' in r.response ? r.response.status : 0);
	const accepted = posts.filter((r) => status(r) !== 429).map((r) => r.receivedAt);
	let maxInWindow = 0;
	for (let i = 0, j = 0; i < accepted.length; i++) {
		while (accepted[i] - accepted[j] >= windowMs) j++;
		maxInWindow = Math.max(maxInWindow, i - j + 1);
	}
	const first = posts.length ? posts[0].receivedAt : 0;
	// A burst starts when an accepted post follows the previous one by more than W/4: a new window opening.
	const windowStarts = accepted.filter((t, i) => i === 0 || t - accepted[i - 1] > windowMs / 4).map((t) => Math.round(t - first));
	return {
		label,
		ms,
		created: result.outputs?.[0]?.length ?? 0,
		requests: posts.length,
		responses429: posts.filter((r) => status(r) === 429).length,
		otherErrors: posts.filter((r) => status(r) !== 429 && status(r) !== 201).length,
		maxInWindow,
		windowStarts,
		hints: result.hints.map((h) => h.message),
	};
}

export async function runRateLimited(options: RateLimitedOptions): Promise<ScenarioResult> {
	const { posts, windowMs, limit } = options;
	// A clock with sub-millisecond resolution: rate-limit windows and Retry-After are computed from it.
	const clock = { now: () => performance.timeOrigin + performance.now() };
	const make = (rateLimits: Record<string, unknown>) =>
		standIn.startStandIn({ clock, rateLimits: { windowMs, fractionalRetryAfter: true, endpoints: { '/v1/posts': limit }, ...rateLimits } });
	const items = postItems(posts, 'ratelimited');
	const windowSeconds = windowMs / 1000;
	const raw: Record<string, unknown> = { options };
	const rows: Row[] = [];

	// Per-request time without limits, measured now on this machine.
	const free = await make({ enabled: false });
	const freeRuns: BatchRun[] = [];
	try {
		await runBatch(free, 'warmup', items, { pacing: false }, limit, windowMs);
		for (let r = 0; r < options.freeRuns; r++) freeRuns.push(await runBatch(free, `free-${r}`, items, { pacing: false }, limit, windowMs));
	} finally {
		await free.close();
	}
	const tFree = median(freeRuns.map((r) => r.ms));
	const d = tFree / posts;
	const windows = Math.ceil(posts / limit);
	const tMin = (windows - 1) * windowMs + Math.min(limit, posts) * d;
	raw.free = { runs: freeRuns.map(({ label, ms, created }) => ({ label, ms, created })), medianMs: tFree, perRequestMs: d };
	raw.theoreticalMinimum = { formula: '(ceil(N/L) - 1) * W + L * d', N: posts, L: limit, W: windowMs, d, ms: tMin };

	const variants: Array<{ key: string; title: string; resetFormat: 'unix' | 'iso'; pacing: boolean }> = [
		{ key: 'pacedUnixReset', title: 'pacing on, X-RateLimit-Reset in Unix seconds (documented)', resetFormat: 'unix', pacing: true },
		{ key: 'pacedIsoReset', title: 'pacing on, X-RateLimit-Reset as ISO time (ms precision)', resetFormat: 'iso', pacing: true },
		{ key: 'unpaced', title: 'pacing off (node waits out Retry-After)', resetFormat: 'unix', pacing: false },
	];
	for (const variant of variants) {
		const s = await make({ enabled: true, resetFormat: variant.resetFormat });
		const runs: BatchRun[] = [];
		try {
			const n = variant.pacing ? options.pacedRuns : 1;
			for (let r = 0; r < n; r++) {
				runs.push(
					await runBatch(s, `${variant.key}-${r}`, items, { pacing: variant.pacing, pacingWindowSeconds: windowSeconds }, limit, windowMs),
				);
			}
		} finally {
			await s.close();
			pacingRegistry.clear();
		}
		const ms = median(runs.map((r) => r.ms));
		const ratio = ms / tMin;
		const total429 = runs.reduce((a, r) => a + r.responses429, 0);
		const allCreated = runs.every((r) => r.created === posts && r.otherErrors === 0);
		// Time from one window's first accepted post to the next one's: W when pacing is exact.
		const gaps = runs.flatMap((r) => r.windowStarts.slice(1).map((t, i) => t - r.windowStarts[i]));
		const windowsUsed = median(runs.map((r) => r.windowStarts.length));
		raw[variant.key] = { medianMs: ms, ratio, windowGapsMs: gaps, runs };
		const gapNote = `window-to-window gap median ${round(median(gaps), 0)} ms (W = ${windowMs} ms); ${windowsUsed} windows of ${limit} used (minimum ${windows})`;
		if (variant.pacing) {
			rows.push({
				scenario: `2. Rate-limited: ${posts} posts, ${limit}/${windowMs} ms window, ${variant.title}`,
				measured: `${round(ms / 1000, 2)} s, ${total429} × 429`,
				baseline: `T_min ${round(tMin / 1000, 2)} s`,
				ratio: round(ratio, 3),
				target: '≤ 1.05×, 0 × 429',
				pass: allCreated && ratio <= 1.05 && total429 === 0,
				note: allCreated ? gapNote : `not every post was created; ${gapNote}`,
			});
		} else {
			rows.push({
				scenario: `2b. Rate-limited: ${posts} posts, ${variant.title}`,
				measured: `${round(ms / 1000, 2)} s, ${total429} × 429 over ${runs[0].requests} requests`,
				baseline: `T_min ${round(tMin / 1000, 2)} s`,
				ratio: round(ratio, 3),
				target: 'info',
				pass: allCreated ? null : false,
				note: allCreated ? gapNote : `not every post was created; ${gapNote}`,
			});
		}
	}
	return { name: 'rateLimited', rows, raw };
}
