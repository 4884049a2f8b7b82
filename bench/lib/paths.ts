import * as fs from 'fs';
import * as path from 'path';

/** The repository root (the folder whose package.json is n8n-nodes-soku), from source or from bench/out. */
function findRoot(start: string): string {
	let dir = start;
	for (;;) {
		const pkg = path.join(dir, 'package.json');
		if (fs.existsSync(pkg)) {
			try {
				if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'n8n-nodes-soku') return dir;
			} catch {
				// keep walking
			}
		}
		const parent = path.dirname(dir);
		if (parent === dir) throw new Error(`n8n-nodes-soku root not found above ${start}`);
		dir = parent;
	}
}

export const REPO_ROOT = findRoot(__dirname);
/** Compiled bench files (bench/out/bench). */
export const BENCH_OUT = path.join(REPO_ROOT, 'bench', 'out', 'bench');
export const STAND_IN_PATH = path.join(REPO_ROOT, 'test', 'stand-in', 'soku-stand-in.js');
