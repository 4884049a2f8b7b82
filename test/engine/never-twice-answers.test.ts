/**
 * Never twice whatever Soku answers (issue 19), through n8n's engine against the stand-in: answers the
 * Soku docs allow but the stand-in's default reading never gave. Each test here failed on caf3064.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runSoku, type RunSokuOptions } from '../helpers/engine';
import { useFakeRuntime, type FakeRuntime } from '../helpers/fakeRuntime';
import { demoCredentials } from '../helpers/items';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

const POST: INodeParameters = {
	resource: 'post',
	operation: 'create',
	mediaType: 'video',
	videoUrl: 'https://cdn.example.com/v.mp4',
	text: '={{ $json.text }}',
	targets: { target: [{ platform: 'x', accountId: '' }] },
	retry: { initialDelaySeconds: 1, maxDelaySeconds: 2 },
};

let fake: FakeRuntime;
let s: SokuStandIn;
let executions = 0;
beforeAll(async () => {
	fake = useFakeRuntime();
	s = await startStandIn({ clock: fake.clock });
});
afterAll(async () => {
	fake.restore();
	await s.close();
});
beforeEach(() => {
	s.reset();
	s.state.users.user_demo.failDispatch = {};
});

async function run(parameters: INodeParameters, items: IDataObject[], extra: Partial<RunSokuOptions> = {}) {
	return await runSoku({ parameters, items, credentials: demoCredentials(s.url), executionId: `answers-${++executions}`, ...extra });
}
const withTargets = (...targets: Array<[string, string]>): INodeParameters => ({
	...POST,
	targets: { target: targets.map(([platform, accountId]) => ({ platform, accountId })) },
});
const postRequests = () => s.requests.filter((r) => r.method === 'POST' && r.path === '/v1/posts');
const targetsSent = () => postRequests().map((r) => ((r.body as IDataObject).post as IDataObject as { content: { platform: unknown[] } }).content.platform);
const success = (outputs: INodeExecutionData[][] | undefined) => (outputs?.[0] ?? []).map((i) => i.json);
const routed = (outputs: INodeExecutionData[][] | undefined) => (outputs ?? []).slice(1).flat().map((i) => i.json.sokuError as IDataObject);
const deliveriesPerAccount = () => {
	const counts: Record<string, number> = {};
	for (const d of s.state.deliveries) counts[d.accountId] = (counts[d.accountId] ?? 0) + 1;
	return counts;
};

describe('dispatch_failed lists that overlap or are incomplete', () => {
	test('one account, x named failed and succeeded: x is not resent; the item says x is unknown, never delivered twice', async () => {
		s.script({
			match: { method: 'POST', path: '/v1/posts' },
			status: 500,
			code: 'dispatch_failed',
			details: { failedPlatforms: ['x', 'tiktok'], succeededPlatforms: ['x', 'threads'] },
		});
		const result = await run(withTargets(['x', ''], ['tiktok', ''], ['threads', '']), [{ text: 'overlap' }]);
		expect(targetsSent()).toEqual([['x', 'tiktok', 'threads'], ['tiktok']]);
		const [error] = routed(result.outputs);
		expect(error).toMatchObject({
			code: 'dispatch_failed',
			details: {
				failedPlatforms: ['x'],
				succeededPlatforms: ['tiktok', 'threads'],
				ambiguousAccounts: [{ platform: 'x', accountId: null }],
			},
		});
		const deliveries = (error.details as IDataObject).deliveries as IDataObject[];
		expect(deliveries.map((d) => `${String(d.platform)}@${String(d.attempt)}`)).toEqual(['tiktok@2', 'threads@1']);
		expect(error.hint).toContain('does not say whether x (default account) got the post');
		expect(success(result.outputs)).toEqual([]);
	});

	test('x_primary + x_alt + threads, x in both lists (one X account failed): nothing resent, nothing claimed for X', async () => {
		s.configureAnswers({ dispatchLists: 'overlap' });
		const user = s.state.users.user_demo;
		user.integrations.x = ['x_primary', 'x_alt'];
		user.failDispatchAccounts = { x_alt: 1 };
		const result = await run(withTargets(['x', 'x_primary'], ['x', 'x_alt'], ['threads', '']), [{ text: 'two X accounts' }]);
		expect(postRequests()).toHaveLength(1);
		expect(postRequests()[0].response).toMatchObject({ body: { error: { details: { failedPlatforms: ['x'], succeededPlatforms: ['x', 'threads'] } } } });
		expect(deliveriesPerAccount()).toEqual({ x_primary: 1, threads_main: 1 });
		const [error] = routed(result.outputs);
		expect(error).toMatchObject({
			code: 'dispatch_failed',
			details: {
				failedPlatforms: ['x'],
				succeededPlatforms: ['threads'],
				deliveries: [{ platform: 'threads', attempt: 1, postSubmissionId: null }],
				ambiguousAccounts: [
					{ platform: 'x', accountId: 'x_primary' },
					{ platform: 'x', accountId: 'x_alt' },
				],
			},
		});
	});

	test('only failedPlatforms named (the README example): the platforms accepted by the first request stay in Success', async () => {
		s.configureAnswers({ dispatchLists: 'failedOnly' });
		s.state.users.user_demo.failDispatch = { tiktok: 1 };
		const result = await run(withTargets(['x', ''], ['tiktok', '']), [{ text: 'failed only' }]);
		expect(targetsSent()).toEqual([['x', 'tiktok'], ['tiktok']]);
		const [json] = success(result.outputs);
		const retry = s.state.posts[1];
		expect(json.platforms).toEqual([
			{ platform: 'x', attempt: 1, postSubmissionId: null },
			{ platform: 'tiktok', attempt: 2, postSubmissionId: retry.postSubmissionId },
		]);
		expect(deliveriesPerAccount()).toEqual({ x_primary: 1, tt_open_id_main: 1 });
	});

	test('only succeededPlatforms named: the unnamed target is unknown, not resent, and reported', async () => {
		s.configureAnswers({ dispatchLists: 'succeededOnly' });
		s.state.users.user_demo.failDispatch = { tiktok: 1 };
		const result = await run(withTargets(['x', ''], ['tiktok', '']), [{ text: 'succeeded only' }]);
		expect(postRequests()).toHaveLength(1);
		const [error] = routed(result.outputs);
		expect(error.details).toMatchObject({
			failedPlatforms: ['tiktok'],
			succeededPlatforms: ['x'],
			ambiguousAccounts: [{ platform: 'tiktok', accountId: null }],
		});
	});
});
