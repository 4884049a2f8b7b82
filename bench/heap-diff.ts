/**
 * Diagnostic for the memory scenario (not run by `npm run bench`): runs the node R times over N items
 * (stand-in in its own process), writes a heap snapshot after run 2 and after the last run, and prints
 * which object kinds grew in between (count and bytes by V8 node type and constructor name).
 *
 *   npx tsc -p bench/tsconfig.json && node --expose-gc bench/out/bench/heap-diff.js [N=2000] [R=8]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';

import { pacingRegistry } from '../nodes/Soku/actions/router';
import { runSoku } from '../test/helpers/engine';
import { startStandInProcess } from './lib/child';
import { postItems, postParameters } from './lib/sokuParams';
import { DEMO_KEY } from './lib/standIn';

interface Snapshot {
	snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
	nodes: number[];
	strings: string[];
}

function histogram(file: string): Map<string, { count: number; bytes: number }> {
	const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
	const fields = snap.snapshot.meta.node_fields;
	const types = snap.snapshot.meta.node_types[0];
	const [ti, ni, si] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
	const out = new Map<string, { count: number; bytes: number }>();
	for (let i = 0; i < snap.nodes.length; i += fields.length) {
		const type = types[snap.nodes[i + ti]];
		const name = ['string', 'number', 'concatenated string', 'sliced string', 'code'].includes(type) ? '' : snap.strings[snap.nodes[i + ni]].slice(0, 80);
		const key = `${type}${name ? ` ${name}` : ''}`;
		const e = out.get(key) ?? { count: 0, bytes: 0 };
		e.count++;
		e.bytes += snap.nodes[i + si];
		out.set(key, e);
	}
	return out;
}

async function main(): Promise<void> {
	const gc = (globalThis as { gc?: () => void }).gc;
	if (!gc) throw new Error('run with node --expose-gc');
	const n = Number(process.argv[2] ?? 2000);
	const runs = Number(process.argv[3] ?? 8);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soku-heap-'));
	const server = await startStandInProcess(path.join(__dirname, 'lib', 'standInChild.js'), { rateLimits: { enabled: false }, maxRecordedRequests: 10 });
	const files: string[] = [];
	try {
		for (let r = 0; r < runs; r++) {
			await server.reset();
			pacingRegistry.clear();
			await runSoku({
				parameters: postParameters({ pacing: false }),
				items: postItems(n, `heap-${r}`),
				credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: server.url } },
				executionId: `heap-diff-${r}`,
			});
			gc();
			gc();
			console.log(`run ${r}: heapUsed ${Math.round(process.memoryUsage().heapUsed / 1024)} KB`);
			if (r === 1 || r === runs - 1) files.push(v8.writeHeapSnapshot(path.join(dir, `run${r}.heapsnapshot`)));
		}
	} finally {
		await server.close();
	}
	const [a, b] = files.map(histogram);
	const rows = [...new Set([...a.keys(), ...b.keys()])].map((k) => {
		const x = a.get(k) ?? { count: 0, bytes: 0 };
		const y = b.get(k) ?? { count: 0, bytes: 0 };
		return { kind: k, count: y.count - x.count, bytes: y.bytes - x.bytes };
	});
	rows.sort((p, q) => Math.abs(q.bytes) - Math.abs(p.bytes));
	console.log(`\nrun 1 → run ${runs - 1} (${(runs - 2) * n} items later): total ${rows.reduce((s, r) => s + r.bytes, 0)} B`);
	for (const r of rows.slice(0, 15)) console.log(`${String(r.bytes).padStart(9)} B ${String(r.count).padStart(6)} × ${r.kind}`);
	fs.rmSync(dir, { recursive: true, force: true });
}

void main();
