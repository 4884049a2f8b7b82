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

describe('time-relative fields keep one identity', () => {
	const SCHEDULED: INodeParameters = {
		...POST,
		mediaType: 'text',
		targets: { target: [{ platform: 'x', accountId: '' }] },
		additionalFields: { scheduledTime: '={{ $now.plus({ hours: 2 }) }}' },
	};

	test('Scheduled Time from $now: the same input run again seconds later is 1 post, and the re-run says replayed: true', async () => {
		const first = await run(SCHEDULED, [{ text: 'in two hours' }]);
		await new Promise((resolve) => setTimeout(resolve, 5));
		const again = await run(SCHEDULED, [{ text: 'in two hours' }]);
		expect(s.state.posts).toHaveLength(1);
		const [a, b] = postRequests();
		// The bodies differ (the time was computed again), the key does not; Soku answers 409, read as a replay.
		expect((a.body as IDataObject).scheduledTime).not.toBe((b.body as IDataObject).scheduledTime);
		expect(b.headers['idempotency-key']).toBe(a.headers['idempotency-key']);
		expect(success(first.outputs)[0]).toMatchObject({ postSubmissionId: s.state.posts[0].postSubmissionId });
		expect(success(again.outputs)).toEqual([
			{ postSubmissionId: null, postSubmissionIds: [], platforms: [{ platform: 'x', attempt: null, postSubmissionId: null }], replayed: true },
		]);
		expect(again.hints.map((h) => h.message).join(' ')).toContain('1 item was already published by an earlier run; nothing was sent twice');
	});

	test('a Text using $today is the same post on a re-run; a different input or an edited expression is a new post', async () => {
		const daily = { ...POST, mediaType: 'text', text: '={{ $json.text }} ({{ $today.toISODate() }} {{ $now.toMillis() }})' };
		await run(daily, [{ text: 'report' }]);
		await new Promise((resolve) => setTimeout(resolve, 5));
		await run(daily, [{ text: 'report' }]);
		expect(s.state.posts).toHaveLength(1);
		await run(daily, [{ text: 'another report' }]);
		expect(s.state.posts).toHaveLength(2);
		await run({ ...daily, text: '={{ $json.text }} (edited {{ $now.toMillis() }})' }, [{ text: 'report' }]);
		expect(s.state.posts).toHaveLength(3);
		await run({ ...SCHEDULED, additionalFields: { scheduledTime: '={{ $now.plus({ hours: 3 }) }}' } }, [{ text: 'report' }]);
		expect(s.state.posts).toHaveLength(4);
	});

	test('two identical items with Scheduled Time from $now in one run stay two posts; a re-run replays both', async () => {
		await run(SCHEDULED, [{ text: 'twin' }, { text: 'twin' }]);
		const again = await run(SCHEDULED, [{ text: 'twin' }, { text: 'twin' }]);
		expect(s.state.posts).toHaveLength(2);
		expect(success(again.outputs).map((j) => j.replayed)).toEqual([true, true]);
	});

	test('no time-relative field: a 409 is still idempotency_conflict', async () => {
		const fixed = { ...POST, mediaType: 'text', options: { idempotencyKey: '={{ $json.id }}' } };
		await run(fixed, [{ id: 'k', text: 'one' }]);
		const clash = await run(fixed, [{ id: 'k', text: 'two' }]);
		expect(routed(clash.outputs).map((e) => e.code)).toEqual(['idempotency_conflict']);
	});
});

describe('honest replay flags', () => {
	const TEXT = { ...POST, mediaType: 'text' };

	test('a stand-in that never sends Idempotent-Replayed: a re-run\'s items do not say replayed: false (unknown: null)', async () => {
		s.configureAnswers({ replayHeader: 'never' });
		const first = await run(TEXT, [{ text: 'silent a' }, { text: 'silent b' }]);
		const again = await run(TEXT, [{ text: 'silent a' }, { text: 'silent b' }]);
		expect(s.state.posts).toHaveLength(2);
		expect(success(first.outputs).map((j) => j.replayed)).toEqual([null, null]);
		expect(success(again.outputs).map((j) => j.replayed)).toEqual([null, null]);
		expect(again.hints.map((h) => h.message).join(' ')).not.toMatch(/earlier run|sent twice/);
	});

	test('a stand-in that says Idempotent-Replayed: false on fresh answers: false then true', async () => {
		s.configureAnswers({ replayHeader: 'always' });
		const first = await run(TEXT, [{ text: 'loud' }]);
		const again = await run(TEXT, [{ text: 'loud' }]);
		expect(success(first.outputs).map((j) => j.replayed)).toEqual([false]);
		expect(success(again.outputs).map((j) => j.replayed)).toEqual([true]);
	});
});

describe('window anchors from the execution\'s start', () => {
	const MIDNIGHT = Date.parse('2026-11-26T00:00:00.000Z');

	test('Retry at 00:01 of an execution that started at 23:59 keeps its slot: the post stored before the failure is replayed, not posted again', async () => {
		const now = jest.spyOn(Date, 'now').mockImplementation(() => fake.clock.now());
		try {
			fake.clock.set(MIDNIGHT - 60_000);
			// The post is stored, but every answer is lost: Stop the Workflow fails the execution.
			s.script({ match: { method: 'POST', path: '/v1/posts' }, drop: 'after', times: 4 });
			const parameters = { ...POST, mediaType: 'text', errorRouting: 'stop', retry: { initialDelaySeconds: 1, maxDelaySeconds: 1 } };
			const failed = await run(parameters, [{ text: 'late night' }]);
			expect(failed.run.status).toBe('error');
			expect(s.state.posts).toHaveLength(1);
			// n8n's Retry (ExecutionService.retry): the same data, the failed node's last run removed, a new execution id.
			const data = failed.run.data;
			delete data.resultData.error;
			data.resultData.runData.Soku.pop();
			fake.clock.set(MIDNIGHT + 60_000);
			const retried = await run(parameters, [{ text: 'late night' }], { runExecutionData: data, mode: 'retry' });
			expect(retried.error).toBeUndefined();
			expect(s.state.posts).toHaveLength(1);
			expect(success(retried.outputs)).toEqual([expect.objectContaining({ postSubmissionId: s.state.posts[0].postSubmissionId, replayed: true })]);
		} finally {
			now.mockRestore();
		}
	});
});
