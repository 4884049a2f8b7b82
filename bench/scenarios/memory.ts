/** 4. Memory: runs memoryChild in a fresh `node --expose-gc` process and turns its numbers into rows. */
import { fork } from 'child_process';
import * as path from 'path';

import { waitForMessage } from '../lib/child';
import { median, round, slope } from '../lib/stats';
import type { ScenarioResult } from '../lib/types';

export interface MemoryOptions {
	items: number;
	runs: number;
	warmupItems: number;
	liveSampleMs: number;
}

interface ChildRun {
	ms: number;
	created: number;
	heapAfterRun: number;
	spacesAfterRun: Record<string, number>;
	node?: { startHeap: number; endHeap: number; livePeak: number; rawPeak: number; liveSamples: number; outputItems: number };
}
interface ChildResult {
	input: { heapBytes: number; jsonBytes: number };
	baselineHeap: number;
	warmup: { heapAfter: number };
	runs: ChildRun[];
}

const kb = (bytes: number) => `${round(bytes / 1024, 0)} KB`;
const mb = (bytes: number) => `${round(bytes / 1024 / 1024, 2)} MB`;

export async function runMemory(options: MemoryOptions): Promise<ScenarioResult> {
	const child = fork(path.join(__dirname, 'memoryChild.js'), [JSON.stringify(options)], {
		execArgv: ['--expose-gc'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	// 'close' (not 'exit'): the child's IPC pipe is closed too, so no handle is left behind.
	const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
	const message = await waitForMessage(
		child,
		(m): m is { result?: ChildResult; error?: string } => typeof m === 'object' && m !== null && ('result' in m || 'error' in m),
		600_000,
	);
	await exited;
	if (message.error || !message.result) throw new Error(`memory child failed: ${message.error}`);
	const r = message.result;
	const growth = r.runs.map((run) => (run.node ? run.node.livePeak - run.node.startHeap : NaN));
	const retained = r.runs.map((run) => (run.node ? run.node.endHeap - run.node.startHeap : NaN));
	const rawGrowth = r.runs.map((run) => (run.node ? run.node.rawPeak - run.node.startHeap : NaN));
	const peakGrowth = Math.max(...growth);
	const ratio = peakGrowth / r.input.heapBytes;
	const after = r.runs.map((run) => run.heapAfterRun);
	// Data heap = heapUsed without V8's code spaces: JIT code comes and goes by ±100–200 KB between runs
	// and says nothing about items; a per-item leak lands in old/large-object space.
	const dataHeap = (sp: Record<string, number>) =>
		Object.entries(sp)
			.filter(([name]) => !name.startsWith('code') && name !== 'read_only_space')
			.reduce((a, [, v]) => a + v, 0);
	const data = r.runs.map((run) => dataHeap(run.spacesAfterRun));
	const perRun = slope(data);
	const perItem = perRun / options.items;
	const allCreated = r.runs.every((run) => run.created === options.items);
	// "Flat": the heap left after a run grows by less than 5 bytes per item per run (50 KB per 10,000-item
	// run). Run-to-run noise of heapUsed after a forced GC (JIT code, feedback, caches) is about ±150 KB;
	// a real per-item leak (one retained Map entry or string per item) would be 50–100+ B/item.
	const flat = perItem < 5;
	return {
		name: 'memory',
		rows: [
			{
				scenario: `4. Memory: ${options.items} items, peak live heap growth during the node vs its input (heap)`,
				measured: `${mb(peakGrowth)} (retained at end ${mb(median(retained))})`,
				baseline: `input ${mb(r.input.heapBytes)} heap, ${mb(r.input.jsonBytes)} JSON`,
				ratio: round(ratio, 3),
				target: '≤ 2×',
				pass: allCreated && ratio <= 2,
				note: `vs JSON size ${round(peakGrowth / r.input.jsonBytes, 2)}×; raw heapUsed peak incl. uncollected garbage +${mb(Math.max(...rawGrowth))}`,
			},
			{
				scenario: `4b. Memory: data heap (heapUsed − JIT code) after each of ${options.runs} × ${options.items}-item runs (forced GC)`,
				measured: `${data.map(kb).join(', ')}; slope ${kb(perRun)}/run`,
				baseline: `${round(perItem, 2)} B per item per run`,
				ratio: null,
				target: '~flat (< 5 B/item/run)',
				pass: allCreated && flat,
				note: `heapUsed incl. code: ${after.map(kb).join(', ')} (slope ${kb(slope(after))}/run)`,
			},
		],
		raw: { options, ...r, peakLiveGrowth: growth, retainedAtEnd: retained, rawPeakGrowth: rawGrowth, dataHeapAfterRun: data, slopeBytesPerRun: perRun, bytesPerItemPerRun: perItem, heapUsedSlopeBytesPerRun: slope(after) },
	};
}
