import { startStandIn } from '../stand-in/soku-stand-in';
import { runSoku } from '../helpers/engine';

test('smoke: create a post through the engine', async () => {
	const s = await startStandIn({});
	try {
		const result = await runSoku({
			parameters: { resource: 'post', operation: 'create', text: '={{ $json.text }}', targets: { target: [{ platform: 'x', accountId: '' }] } },
			items: [{ text: 'hello' }, { text: '' }],
			credentials: { sokuApi: { apiKey: 'sk_live_demo_active_0000000000000000', baseUrl: s.url } },
		});
		console.log(JSON.stringify(result, null, 1).slice(0, 6000));
		console.log(JSON.stringify(s.requests.map((r: any) => ({ m: r.method, p: r.path, h: r.headers, b: r.body, st: r.response })), null, 1).slice(0, 2000));
	} finally {
		await s.close();
	}
});
