import type { ScenarioResult } from '../lib/types';

export interface RealN8nOptions {
	posts: number;
	repetitions: number;
	skipBuild: boolean;
}

export async function runRealN8n(_options: RealN8nOptions): Promise<ScenarioResult> {
	return { name: 'realN8n', rows: [], raw: {} };
}
