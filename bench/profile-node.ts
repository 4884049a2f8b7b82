/** Runs only the node arm of the overhead scenario, for `node --cpu-prof`. */
import { pacingRegistry } from '../nodes/Soku/actions/router';
import { runSoku } from '../test/helpers/engine';
import { nowMs, postItems, postParameters } from './lib/sokuParams';
import { DEMO_KEY, standIn } from './lib/standIn';

async function main(): Promise<void> {
	const posts = Number(process.argv[2] ?? 1000);
	const reps = Number(process.argv[3] ?? 4);
	const s = await standIn.startStandIn({ rateLimits: { enabled: false }, maxRecordedRequests: 5 });
	try {
		const items = postItems(posts, 'profile');
		for (let r = 0; r < reps; r++) {
			s.reset();
			pacingRegistry.clear();
			const t0 = nowMs();
			const result = await runSoku({ parameters: postParameters({ pacing: false }), items, credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: s.url } }, executionId: `profile-${r}` });
			console.log(`run ${r}: ${Math.round(nowMs() - t0)} ms, ${result.outputs?.[0]?.length} created`);
		}
	} finally {
		await s.close();
	}
}
void main();
