/**
 * 6. One Soku quota, many executions and workers (issue 9). The stand-in enforces the documented post
 * limit (L per sliding window W, time-scaled), X-RateLimit-Reset as ISO time.
 *
 * 8a. E executions started at once in one process (one pacing registry), P posts each.
 * 8b. K simulated workers: K fresh copies of the node's modules (what separate n8n worker processes
 *     have: their own pacing state), each running X executions at once; they share only the stand-in.
 *
 * Theoretical minimum, as in scenario 2: T_min = (ceil(N/L) - 1) * W + L * d, where d is the
 * per-request time of one execution without limits or pacing, measured in the same run.
 */
import * as fs from 'fs';
import * as path from 'path';

import type { runSoku as RunSoku } from '../../test/helpers/engine';
import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { runSoku } from '../../test/helpers/engine';
import { gc, nowMs, postItems, postParameters } from '../lib/sokuParams';
import { DEMO_KEY, standIn, type SokuStandIn } from '../lib/standIn';
import { median, round } from '../lib/stats';
import type { Row, ScenarioResult } from '../lib/types';

export interface ConcurrencyOptions {
	windowMs: number;
	limit: number;
	/** 8a: executions at once in one process, and posts each. */
	executions: number;
	postsEach: number;
	/** 8b: simulated worker counts, executions per worker and posts per execution. */
	workers: number[];
	executionsPerWorker: number;
	postsPerWorkerExecution: number;
	freeRuns: number;
}

/** bench/out: the compiled node, credentials and engine helper the copies are made from. */
const OUT_DIR = path.resolve(__dirname, '../..');
const WORKERS_DIR = path.join(OUT_DIR, 'workers');
let workerCount = 0;

/**
 * A fresh copy of the node (and the engine helper that loads it): its own pacing registry, like another
 * process. The compiled files are copied under another path rather than required again after a
 * require.cache purge: the node imports its router lazily, on first execute, and that import resolves by
 * file name, so after a purge every copy (and the original, used by the scenarios that run later) would
 * share whichever router was loaded last; one pacing registry for all "workers", and a later scenario
 * clearing a registry its node no longer uses.
 */
function freshWorker(): typeof RunSoku {
	const dir = path.join(WORKERS_DIR, `${process.pid}-${++workerCount}`);
	for (const sub of ['nodes', 'credentials', 'test']) fs.cpSync(path.join(OUT_DIR, sub), path.join(dir, sub), { recursive: true });
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return (require(path.join(dir, 'test', 'helpers', 'engine')) as { runSoku: typeof RunSoku }).runSoku;
}

interface Measured {
	ms: number;
	posts: number;
	stored: number;
	distinctStored: number;
	responses429: number;
	success: number;
}

async function measure(s: SokuStandIn, jobs: Array<{ run: typeof RunSoku; label: string; posts: number }>, windowMs: number): Promise<Measured> {
	s.reset();
	gc();
	const t0 = nowMs();
	const results = await Promise.all(
		jobs.map(({ run, label, posts }) =>
			run({
				parameters: postParameters({ pacingWindowSeconds: windowMs / 1000 }),
				items: postItems(posts, label),
				credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: s.url } },
				executionId: `bench-conc-${label}-${Date.now()}`,
			}),
		),
	);
	const ms = nowMs() - t0;
	const posts = s.requests.filter((r) => r.path === '/v1/posts');
	const texts = s.state.posts.map((p) => p.text);
	return {
		ms,
		posts: jobs.reduce((a, j) => a + j.posts, 0),
		stored: texts.length,
		distinctStored: new Set(texts).size,
		responses429: posts.filter((r) => r.response && 'status' in r.response && r.response.status === 429).length,
		success: results.reduce((a, r) => a + (r.outputs?.[0]?.length ?? 0), 0),
	};
}

export async function runConcurrency(options: ConcurrencyOptions): Promise<ScenarioResult> {
	const { windowMs, limit } = options;
	const clock = { now: () => performance.timeOrigin + performance.now() };
	const make = (rateLimits: Record<string, unknown>) =>
		standIn.startStandIn({ clock, rateLimits: { windowMs, fractionalRetryAfter: true, resetFormat: 'iso', endpoints: { '/v1/posts': limit }, ...rateLimits } });
	const raw: Record<string, unknown> = { options };
	const rows: Row[] = [];

	// d: one execution's per-request time without limits or pacing.
	const free = await make({ enabled: false });
	const freeMs: number[] = [];
	const n = options.postsEach;
	try {
		const items = postItems(n, 'free');
		const once = async () => {
			free.reset();
			const t0 = nowMs();
			await runSoku({ parameters: postParameters({ pacing: false }), items, credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: free.url } } });
			return nowMs() - t0;
		};
		await once();
		for (let r = 0; r < options.freeRuns; r++) freeMs.push(await once());
	} finally {
		await free.close();
	}
	const d = median(freeMs) / n;
	const tMin = (N: number) => (Math.ceil(N / limit) - 1) * windowMs + Math.min(limit, N) * d;
	raw.perRequestMs = d;

	// 8a: one process.
	const s = await make({ enabled: true });
	try {
		pacingRegistry.clear();
		const jobs = Array.from({ length: options.executions }, (_, i) => ({ run: runSoku, label: `exec${i}`, posts: options.postsEach }));
		const m = await measure(s, jobs, windowMs);
		const min = tMin(m.posts);
		const ratio = m.ms / min;
		const intact = m.success === m.posts && m.stored === m.posts && m.distinctStored === m.posts;
		raw.oneProcess = { ...m, theoreticalMinimumMs: min, ratio };
		rows.push({
			scenario: `8a. Concurrency: ${options.executions} executions × ${options.postsEach} posts at once, one process, ${limit}/${windowMs} ms`,
			measured: `${round(m.ms / 1000, 2)} s, ${m.responses429} × 429`,
			baseline: `T_min ${round(min / 1000, 2)} s`,
			ratio: round(ratio, 3),
			target: '≤ 1.05×, 0 × 429',
			pass: intact && m.responses429 === 0 && ratio <= 1.05,
			note: intact ? `${m.posts} posts stored once, all on Success` : `lost or doubled: ${m.success} on Success, ${m.stored} stored (${m.distinctStored} distinct) of ${m.posts}`,
		});
	} finally {
		await s.close();
	}

	// 8b: simulated workers.
	for (const workers of options.workers) {
		const w = await make({ enabled: true });
		try {
			const runs = Array.from({ length: workers }, () => freshWorker());
			// Workers are up before executions arrive: each copy has run once (against the free stand-in's successor).
			const warm = await make({ enabled: false });
			try {
				for (const run of runs) await run({ parameters: postParameters({ pacing: false }), items: postItems(1, 'warm'), credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: warm.url } } });
			} finally {
				await warm.close();
			}
			const jobs = runs.flatMap((run, k) =>
				Array.from({ length: options.executionsPerWorker }, (_, e) => ({ run, label: `w${k}e${e}`, posts: options.postsPerWorkerExecution })),
			);
			const m = await measure(w, jobs, windowMs);
			const min = tMin(m.posts);
			const ratio = m.ms / min;
			const intact = m.success === m.posts && m.stored === m.posts && m.distinctStored === m.posts;
			raw[`workers${workers}`] = { ...m, theoreticalMinimumMs: min, ratio };
			rows.push({
				scenario: `8b. Workers: ${workers} simulated workers (own pacing state) × ${options.executionsPerWorker} executions × ${options.postsPerWorkerExecution} posts, ${limit}/${windowMs} ms`,
				measured: `${round(m.ms / 1000, 2)} s, ${m.responses429} × 429`,
				baseline: `T_min ${round(min / 1000, 2)} s`,
				ratio: round(ratio, 3),
				target: `≤ 1.15×, ≤ ${workers} × 429 (1 per worker)`,
				pass: intact && m.responses429 <= workers && ratio <= 1.15,
				note: intact ? `${m.posts} posts stored once, all on Success` : `lost or doubled: ${m.success} on Success, ${m.stored} stored (${m.distinctStored} distinct) of ${m.posts}`,
			});
		} finally {
			await w.close();
			fs.rmSync(WORKERS_DIR, { recursive: true, force: true });
		}
	}
	return { name: 'concurrency', rows, raw };
}
