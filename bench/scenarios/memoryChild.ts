/**
 * 4. Memory, measured in its own process (node --expose-gc) with the stand-in in another process, so
 * only the engine and the node live in this heap. Prints nothing; sends one result message to the parent.
 *
 * - Input size: the Soku node's input as the engine hands it over (INodeExecutionData[] built from parsed
 *   JSON, like the Items node does), measured as live heap (forced GC) before/after building it, plus its
 *   JSON size in bytes.
 * - Node growth: Soku.execute is wrapped. At its start: forced GC, heapUsed = start. While it runs: every
 *   `liveSampleMs` a forced GC and heapUsed (live heap), every 5 ms heapUsed without GC (raw, includes
 *   garbage not yet collected). At its end, with the outputs still referenced: forced GC, heapUsed.
 *   Peak live growth = max(live samples, end) - start.
 * - Leak check: after each whole run (result dropped), forced GC, heapUsed; compared across runs.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

// runSoku runs node version 1 unless told otherwise: this patches that version's execute.
import { SokuV1 as Soku } from '../../nodes/Soku/V1/SokuV1';
import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { runSoku } from '../../test/helpers/engine';
import { startStandInProcess } from '../lib/child';
import * as path from 'path';
import * as v8 from 'v8';
import { nowMs, postItems, postParameters } from '../lib/sokuParams';
import { DEMO_KEY } from '../lib/standIn';

interface Options {
	items: number;
	runs: number;
	warmupItems: number;
	liveSampleMs: number;
}

const forceGc = (globalThis as { gc?: () => void }).gc;
function liveHeap(): number {
	if (!forceGc) throw new Error('run with node --expose-gc');
	forceGc();
	forceGc();
	return process.memoryUsage().heapUsed;
}

interface NodeMeasure {
	startHeap: number;
	endHeap: number;
	livePeak: number;
	rawPeak: number;
	liveSamples: number;
	outputItems: number;
}

let current: NodeMeasure | undefined;
let liveSampleMs = 500;

function wrapExecute(): void {
	const original = Soku.prototype.execute;
	Soku.prototype.execute = async function (this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const startHeap = liveHeap();
		const m: NodeMeasure = { startHeap, endHeap: 0, livePeak: startHeap, rawPeak: startHeap, liveSamples: 0, outputItems: 0 };
		const raw = setInterval(() => {
			m.rawPeak = Math.max(m.rawPeak, process.memoryUsage().heapUsed);
		}, 5);
		const live = setInterval(() => {
			m.livePeak = Math.max(m.livePeak, liveHeap());
			m.liveSamples++;
		}, liveSampleMs);
		let out: INodeExecutionData[][];
		try {
			out = await original.call(this);
		} finally {
			clearInterval(raw);
			clearInterval(live);
		}
		m.rawPeak = Math.max(m.rawPeak, process.memoryUsage().heapUsed);
		m.endHeap = liveHeap();
		m.livePeak = Math.max(m.livePeak, m.endHeap);
		m.outputItems = out.reduce((a, o) => a + (o?.length ?? 0), 0);
		current = m;
		return out;
	};
}

/** Used bytes per V8 heap space (after a forced GC): shows where growth lands (old space = data, code space = JIT). */
function spaces(): Record<string, number> {
	liveHeap();
	return Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));
}

/**
 * Live heap taken by the node's input, built the way the engine hands it over: items parsed from JSON
 * (V8 may keep parsed strings as slices of the JSON text, so the text counts as long as the items live)
 * wrapped as INodeExecutionData. Measured like the node: forced GC before and after.
 */
function measureInput(n: number): { heapBytes: number; jsonBytes: number } {
	const jsonBytes = Buffer.byteLength(JSON.stringify(postItems(n, 'memory')));
	const before = liveHeap();
	const input = (JSON.parse(JSON.stringify(postItems(n, 'memory'))) as Array<Record<string, unknown>>).map((j, i) => ({
		json: j,
		pairedItem: { item: i },
	}));
	const after = liveHeap();
	if (input.length !== n) throw new Error('unreachable');
	return { heapBytes: after - before, jsonBytes };
}

async function main(): Promise<void> {
	const options = JSON.parse(process.argv[2]) as Options;
	liveSampleMs = options.liveSampleMs;
	const standInScript = path.join(__dirname, '..', 'lib', 'standInChild.js');
	const server = await startStandInProcess(standInScript, { rateLimits: { enabled: false }, maxRecordedRequests: 10 });
	try {
		wrapExecute();
		const input = measureInput(options.items);
		const parameters = postParameters({ pacing: false });
		const credentials = { sokuApi: { apiKey: DEMO_KEY, baseUrl: server.url } };
		const runOnce = async (n: number, label: string) => {
			await server.reset();
			pacingRegistry.clear();
			current = undefined;
			const items = postItems(n, label);
			const t0 = nowMs();
			const result = await runSoku({ parameters, items, credentials, executionId: `bench-memory-${label}` });
			const ms = nowMs() - t0;
			const created = result.outputs?.[0]?.length ?? 0;
			return { ms, created, node: current as NodeMeasure | undefined };
		};
		const baselineHeap = liveHeap();
		const warm = await runOnce(options.warmupItems, 'warmup');
		const afterWarmup = liveHeap();
		const spacesAfterWarmup = spaces();
		const runs = [];
		for (let r = 0; r < options.runs; r++) {
			const run = await runOnce(options.items, `run-${r}`);
			const heapAfterRun = liveHeap();
			runs.push({ ...run, heapAfterRun, spacesAfterRun: spaces() });
		}
		process.send?.({
			result: {
				options,
				node: process.version,
				input,
				baselineHeap,
				warmup: { ...warm, heapAfter: afterWarmup, spacesAfter: spacesAfterWarmup },
				runs,
				memoryUsageAtEnd: process.memoryUsage(),
			},
		});
	} finally {
		await server.close();
	}
}

main().catch((error: Error) => {
	process.send?.({ error: error.stack ?? String(error) });
	process.exitCode = 1;
});
