/**
 * Summarises a V8 .cpuprofile: self time by function and by "owner" (this package's node code, n8n-core,
 * n8n-workflow, axios, the stand-in, Node internals, GC), so a missed target can be attributed.
 */
import * as fs from 'fs';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
	hitCount?: number;
	children?: number[];
}
interface Profile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

export function ownerOf(url: string, functionName: string): string {
	if (functionName === '(garbage collector)') return 'GC';
	if (functionName === '(idle)' || functionName === '(program)') return functionName;
	if (!url) return 'V8/native';
	if (url.includes('/test/stand-in/')) return 'stand-in (server)';
	if (url.includes('/nodes/Soku/') || url.includes('/credentials/')) return 'Soku node';
	if (url.includes('/test/helpers/')) return 'test harness';
	if (url.includes('/bench/')) return 'bench';
	const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
	if (m) return m[m.length - 1].replace('node_modules/', '');
	if (url.startsWith('node:')) return 'node core';
	return url;
}

export interface ProfileSummary {
	totalMs: number;
	byOwner: Array<{ owner: string; ms: number; pct: number }>;
	topFunctions: Array<{ fn: string; owner: string; ms: number; pct: number }>;
	/** Inclusive time of every frame in a package: how much of the run happens "under" n8n-core's request helper etc. */
	inclusive: Array<{ fn: string; ms: number; pct: number }>;
}

export function summariseProfile(file: string, inclusiveNames: string[] = []): ProfileSummary {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const self = new Map<number, number>();
	profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
	const totalMs = [...self.values()].reduce((a, b) => a + b, 0);
	const owners = new Map<string, number>();
	const fns = new Map<string, { owner: string; ms: number }>();
	const inclusive = new Map<string, number>();
	for (const [id, ms] of self) {
		const n = byId.get(id)!;
		const owner = ownerOf(n.callFrame.url, n.callFrame.functionName);
		owners.set(owner, (owners.get(owner) ?? 0) + ms);
		const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^.*\/main\//, '')}:${n.callFrame.lineNumber + 1}`;
		const f = fns.get(key) ?? { owner, ms: 0 };
		f.ms += ms;
		fns.set(key, f);
		// Inclusive: walk up once per distinct named frame.
		const seen = new Set<string>();
		for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
			const fn = byId.get(cur)!.callFrame.functionName;
			if (inclusiveNames.includes(fn) && !seen.has(fn)) {
				seen.add(fn);
				inclusive.set(fn, (inclusive.get(fn) ?? 0) + ms);
			}
		}
	}
	const pct = (ms: number) => Math.round((ms / totalMs) * 1000) / 10;
	return {
		totalMs: Math.round(totalMs),
		byOwner: [...owners].map(([owner, ms]) => ({ owner, ms: Math.round(ms), pct: pct(ms) })).sort((a, b) => b.ms - a.ms),
		topFunctions: [...fns]
			.map(([fn, v]) => ({ fn, owner: v.owner, ms: Math.round(v.ms), pct: pct(v.ms) }))
			.sort((a, b) => b.ms - a.ms)
			.slice(0, 30),
		inclusive: [...inclusive].map(([fn, ms]) => ({ fn, ms: Math.round(ms), pct: pct(ms) })).sort((a, b) => b.ms - a.ms),
	};
}

if (require.main === module) {
	const names = process.argv.slice(3);
	console.log(JSON.stringify(summariseProfile(process.argv[2], names), null, 1));
}
