/**
 * Never twice across executions, through n8n's engine against the stand-in: the default Idempotency-Key
 * names the request (workflow, node, operation, body, duplicate-window slot), so a later execution of
 * the same input is replayed by Soku; replays are visible; custom keys are honoured or refused; a
 * dispatch_failed is never resent to an account that may have the post; lost-answer deletes succeed.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { canonicalJson, customIdempotencyKey, deriveContentKey, requestFingerprint, windowSlot } from '../../nodes/Soku/actions/common/idempotency';
import { runSoku, type RunSokuOptions } from '../helpers/engine';
import { useFakeRuntime, type FakeRuntime } from '../helpers/fakeRuntime';
import { demoCredentials, textPostParameters } from '../helpers/items';
import { startStandIn, type RecordedRequest, type SokuStandIn } from '../stand-in/soku-stand-in';

const POST = textPostParameters({ retry: { initialDelaySeconds: 1, maxDelaySeconds: 2 } });
const HOUR = 3_600_000;
const MIDNIGHT = Date.parse('2026-11-26T00:00:00.000Z');

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
beforeEach(() => s.reset());

/** One execution (a fresh execution id each time, as every n8n run, retry or webhook delivery has). */
async function run(parameters: INodeParameters, items: IDataObject[], extra: Partial<RunSokuOptions> = {}) {
	return await runSoku({
		parameters,
		items,
		credentials: demoCredentials(s.url),
		executionId: `never-twice-${++executions}`,
		...extra,
	});
}

const keyOf = (r: RecordedRequest) => r.headers['idempotency-key'] as string;
const postRequests = () => s.requests.filter((r) => r.method === 'POST' && r.path === '/v1/posts');
const success = (outputs: INodeExecutionData[][] | undefined) => (outputs?.[0] ?? []).map((i) => i.json);
const routed = (outputs: INodeExecutionData[][] | undefined) =>
	(outputs ?? []).slice(1).flat().map((i) => i.json.sokuError as IDataObject);

describe('default key: names the request, not the run', () => {
	test('same body → same key in a later execution; Soku replays, nothing is stored twice', async () => {
		const items = [{ text: 'first' }, { text: 'second' }];
		const first = await run(POST, items);
		const second = await run(POST, items);
		const [a, b, c, d] = postRequests().map(keyOf);
		expect([c, d]).toEqual([a, b]);
		expect(a).not.toBe(b);
		expect(a).toMatch(/^n8n-[0-9a-f]{40}$/);
		expect(s.state.posts).toHaveLength(2);
		expect(success(first.outputs).map((j) => j.replayed)).toEqual([null, null]);
		expect(success(second.outputs).map((j) => j.replayed)).toEqual([true, true]);
		expect(success(second.outputs).map((j) => j.postSubmissionId)).toEqual(s.state.posts.map((p) => p.postSubmissionId));
		expect(second.hints.map((h) => h.message).join(' ')).toContain('2 items were already published by an earlier run; nothing was sent twice');
		expect(first.hints.map((h) => h.message).join(' ')).not.toContain('earlier run');
	});

	test('a replay after a lost answer in this run is marked replayed, but not counted as an earlier run', async () => {
		s.script({ match: { method: 'POST', path: '/v1/posts' }, drop: 'after', times: 1 });
		const result = await run(POST, [{ text: 'lost answer' }]);
		expect(postRequests().map((r) => Boolean(r.idempotentReplay))).toEqual([false, true]);
		expect(s.state.posts).toHaveLength(1);
		expect(success(result.outputs)).toEqual([expect.objectContaining({ postSubmissionId: s.state.posts[0].postSubmissionId, replayed: true })]);
		expect(result.hints.map((h) => h.message).join(' ')).not.toContain('earlier run');
	});

	test('a key follows the body, not the item position: reordered input still replays', async () => {
		await run(POST, [{ text: 'one' }, { text: 'two' }]);
		await run(POST, [{ text: 'two' }, { text: 'one' }]);
		const [one, two, twoAgain, oneAgain] = postRequests().map(keyOf);
		expect([twoAgain, oneAgain]).toEqual([two, one]);
		expect(s.state.posts).toHaveLength(2);
	});

	test.each([
		['body', { items: [{ text: 'changed' }] }],
		['node', { nodeId: 'another-soku-node' }],
		['workflow', { workflowId: 'another-workflow' }],
	] as Array<[string, Partial<RunSokuOptions>]>)('a different %s → a different key, and a new post', async (_what, change) => {
		await run(POST, [{ text: 'original' }]);
		await run(POST, change.items ?? [{ text: 'original' }], change);
		const [a, b] = postRequests().map(keyOf);
		expect(b).not.toBe(a);
		expect(s.state.posts).toHaveLength(2);
	});

	test('a different operation → a different key for the same body', () => {
		const identity = { instanceId: 'i', workflowId: 'w', nodeId: 'n', body: { url: 'https://cdn.example.com/a.mp4' } };
		const asMedia = requestFingerprint({ ...identity, operation: 'uploadMedia' });
		const asPost = requestFingerprint({ ...identity, operation: 'createPost' });
		expect(asMedia).not.toBe(asPost);
		expect(deriveContentKey(asMedia, 1, 0)).not.toBe(deriveContentKey(asPost, 1, 0));
	});

	test('canonical body: key order does not matter, values do', () => {
		expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
		const fp = (body: unknown) => requestFingerprint({ instanceId: '', workflowId: 'w', nodeId: 'n', operation: 'createPost', body });
		expect(fp({ post: { content: { text: 'a', mediaType: 'text' } } })).toBe(fp({ post: { content: { mediaType: 'text', text: 'a' } } }));
		expect(fp({ post: { content: { text: 'a' } } })).not.toBe(fp({ post: { content: { text: 'a ' } } }));
	});

	test('identical bodies in one batch are not merged: two keys, two posts; a later run replays both', async () => {
		const items = [{ text: 'same' }, { text: 'same' }, { text: 'other' }];
		const first = await run(POST, items);
		expect(s.state.posts).toHaveLength(3);
		const keys = postRequests().map(keyOf);
		expect(new Set(keys).size).toBe(3);
		expect(success(first.outputs).map((j) => j.replayed)).toEqual([null, null, null]);

		const second = await run(POST, items);
		expect(postRequests().slice(3).map(keyOf)).toEqual(keys);
		expect(s.state.posts).toHaveLength(3);
		expect(success(second.outputs).map((j) => j.replayed)).toEqual([true, true, true]);
	});

	test("the node's own retries resend the same key; a later execution reuses it too", async () => {
		s.script({ match: { method: 'POST', path: '/v1/posts' }, status: 500, times: 2 });
		await run(POST, [{ text: 'retried' }]);
		await run(POST, [{ text: 'retried' }]);
		const keys = postRequests().map(keyOf);
		expect(keys).toHaveLength(4);
		expect(new Set(keys).size).toBe(1);
		expect(s.state.posts).toHaveLength(1);
	});

	test("n8n's Retry On Fail re-runs the node with the same keys, even when the re-run falls in the next window slot", async () => {
		fake.clock.set(MIDNIGHT - 5_000);
		// Item 1 fails both its attempts (a 7.5 s backoff moves the clock past UTC midnight), so the node
		// stops the workflow and n8n re-runs it: item 0 must be replayed, item 1 sent under its old key.
		s.script({ match: (r) => (r.body as IDataObject)?.post !== undefined && JSON.stringify(r.body).includes('"b"'), status: 500, times: 2 });
		const result = await run({ ...POST, errorRouting: 'stop', retry: { maxServerRetries: 1, initialDelaySeconds: 10, maxDelaySeconds: 10 } }, [{ text: 'a' }, { text: 'b' }], {
			retryOnFail: true,
			maxTries: 2,
			waitBetweenTries: 0,
		});
		expect(fake.clock.now()).toBeGreaterThan(MIDNIGHT);
		expect(result.error).toBeUndefined();
		const requests = postRequests();
		const of = (text: string) => requests.filter((r) => JSON.stringify(r.body).includes(`"${text}"`));
		const keysOf = (text: string) => new Set(of(text).map(keyOf));
		// a: once per node run; b: 2 attempts in the first run, 1 in the re-run.
		expect([of('a').length, of('b').length]).toEqual([2, 3]);
		expect(keysOf('a').size).toBe(1);
		expect(keysOf('b').size).toBe(1);
		expect(s.state.posts.map((p) => p.text)).toEqual(['a', 'b']);
		expect(requests.filter((r) => r.idempotentReplay)).toHaveLength(1);
	});
});

describe('with Parallel Requests on: the same keys as one at a time', () => {
	test('identical bodies, lost answers and 500s in a batch sent 5 at a time: nothing stored twice; a one-at-a-time run replays each item its own post', async () => {
		const PARALLEL = { ...POST, options: { parallelRequests: 5 } };
		s.script({ match: { method: 'POST', path: '/v1/posts' }, drop: 'after', times: 2 }, { match: { method: 'POST', path: '/v1/posts' }, status: 500, times: 2 });
		const items = ['same', 'same', 'other', 'same', 'x', 'y', 'other', 'z'].map((text) => ({ text }));
		const first = await run(PARALLEL, items);
		expect(s.state.posts.map((p) => p.text).sort()).toEqual(items.map((i) => i.text).sort());
		expect(postRequests()).toHaveLength(items.length + 4);
		const ids = success(first.outputs).map((j) => j.postSubmissionId);
		expect(new Set(ids).size).toBe(items.length);

		const second = await run(POST, items);
		expect(success(second.outputs).map((j) => j.postSubmissionId)).toEqual(ids);
		expect(success(second.outputs).map((j) => j.replayed)).toEqual(items.map(() => true));
		expect(s.state.posts).toHaveLength(items.length);
	});
});

describe('Duplicate Window: fixed slots from UTC midnight', () => {
	test('24 h: a re-run later the same UTC day replays; just after UTC midnight it posts again (the edge)', async () => {
		fake.clock.set(MIDNIGHT - 23 * HOUR);
		await run(POST, [{ text: 'daily' }]);
		fake.clock.set(MIDNIGHT - 60_000);
		await run(POST, [{ text: 'daily' }]);
		expect(s.state.posts).toHaveLength(1);
		fake.clock.set(MIDNIGHT + 60_000);
		await run(POST, [{ text: 'daily' }]);
		expect(s.state.posts).toHaveLength(2);
		const [a, b, c] = postRequests().map(keyOf);
		expect(b).toBe(a);
		expect(c).not.toBe(a);
	});

	test('1 h: slots are whole UTC hours', async () => {
		const options = { ...POST, options: { duplicateWindowHours: 1 } };
		fake.clock.set(MIDNIGHT + 5 * 60_000);
		await run(options, [{ text: 'hourly' }]);
		fake.clock.set(MIDNIGHT + 59 * 60_000);
		await run(options, [{ text: 'hourly' }]);
		fake.clock.set(MIDNIGHT + 61 * 60_000);
		await run(options, [{ text: 'hourly' }]);
		expect(s.state.posts).toHaveLength(2);
		expect(windowSlot(MIDNIGHT + 59 * 60_000, HOUR)).not.toBe(windowSlot(MIDNIGHT + 61 * 60_000, HOUR));
	});

	test('0: every execution gets new keys, so a re-run posts again', async () => {
		const options = { ...POST, options: { duplicateWindowHours: 0 } };
		await run(options, [{ text: 'again' }]);
		await run(options, [{ text: 'again' }]);
		expect(s.state.posts).toHaveLength(2);
		expect(postRequests().some((r) => r.idempotentReplay)).toBe(false);
	});
});

describe('custom keys: honoured or refused, never dropped', () => {
	test('numbers and booleans become text, scoped by the operation; a re-run replays', async () => {
		const options = { ...POST, options: { idempotencyKey: '={{ $json.id }}' } };
		const items = [{ id: 42, text: 'n' }, { id: true, text: 't' }, { id: 'ext-7', text: 's' }];
		await run(options, items);
		const second = await run(options, items);
		expect(postRequests().map(keyOf)).toEqual(['createPost:42', 'createPost:true', 'createPost:ext-7', 'createPost:42', 'createPost:true', 'createPost:ext-7']);
		expect(s.state.posts).toHaveLength(3);
		expect(success(second.outputs).map((j) => j.replayed)).toEqual([true, true, true]);
	});

	test.each([
		['empty text', ''],
		['null', null],
		['an object', { a: 1 }],
		['an array', [1, 2]],
	])('an expression giving %s → validation_error naming Idempotency Key, 0 requests', async (_what, id) => {
		const result = await run({ ...POST, options: { idempotencyKey: '={{ $json.id }}' } }, [{ id, text: 'x' }]);
		expect(s.requests).toHaveLength(0);
		expect(success(result.outputs)).toEqual([]);
		const [error] = routed(result.outputs);
		expect(error).toMatchObject({ code: 'validation_error', source: 'client', attempts: 0, details: { field: 'Idempotency-Key' } });
		expect(error.message).toMatch(/^Idempotency Key/);
	});

	test('the option added but left empty (no expression) uses the derived key', async () => {
		await run({ ...POST, options: { idempotencyKey: '' } }, [{ text: 'x' }]);
		expect(keyOf(postRequests()[0])).toMatch(/^n8n-/);
		expect(customIdempotencyKey('', false, 'createPost')).toBeUndefined();
	});

	test('one {{ $json.id }} on Media and on Post cannot collide', async () => {
		await run({ resource: 'media', operation: 'import', url: 'https://cdn.example.com/a.mp4', options: { idempotencyKey: '={{ $json.id }}' } }, [{ id: 7 }]);
		await run({ ...POST, options: { idempotencyKey: '={{ $json.id }}' } }, [{ id: 7, text: 'x' }]);
		expect(s.requests.map(keyOf)).toEqual(['uploadMedia:7', 'createPost:7']);
	});
});

describe('dispatch_failed never re-delivers', () => {
	const accounts = (...targets: Array<[string, string]>) => ({
		...POST,
		targets: { target: targets.map(([platform, accountId]) => ({ platform, accountId })) },
	});
	const twoXAccounts = () => {
		const user = s.state.users.user_demo;
		user.integrations.x = ['x_primary', 'x_alt'];
		user.failDispatchAccounts = { x_alt: 1 };
		user.failDispatch = {};
	};

	test('a failed platform with two accounts in the request is not resent: dispatch_failed names both accounts', async () => {
		twoXAccounts();
		const result = await run(accounts(['x', 'x_primary'], ['x', 'x_alt'], ['threads', '']), [{ text: 'two X accounts' }]);
		expect(postRequests()).toHaveLength(1);
		expect(s.state.deliveries.map((d) => d.accountId).sort()).toEqual(['threads_main', 'x_primary']);
		const [error] = routed(result.outputs);
		expect(error).toMatchObject({
			code: 'dispatch_failed',
			attempts: 1,
			details: {
				failedPlatforms: ['x'],
				succeededPlatforms: ['threads'],
				ambiguousAccounts: [
					{ platform: 'x', accountId: 'x_primary' },
					{ platform: 'x', accountId: 'x_alt' },
				],
			},
		});
		expect(error.hint).toContain('x x_primary, x x_alt');
	});

	test('certain failures are still retried alone; the ambiguous platform keeps the item on dispatch_failed', async () => {
		twoXAccounts();
		s.state.users.user_demo.failDispatch = { tiktok: 1 };
		const result = await run(
			{ ...accounts(['x', 'x_primary'], ['x', 'x_alt'], ['tiktok', '']), mediaType: 'video', videoUrl: 'https://cdn.example.com/v.mp4' },
			[{ text: 'mixed' }],
		);
		const requests = postRequests();
		expect(requests).toHaveLength(2);
		expect((requests[1].body as IDataObject).post).toMatchObject({ content: { platform: ['tiktok'] } });
		const counts = s.state.deliveries.map((d) => d.accountId).sort();
		expect(counts).toEqual(['tt_open_id_main', 'x_primary']);
		const [error] = routed(result.outputs);
		expect(error.code).toBe('dispatch_failed');
		expect(error.details).toMatchObject({ failedPlatforms: ['x'], succeededPlatforms: ['tiktok'] });
		expect((error.details as IDataObject).ambiguousAccounts).toHaveLength(2);
	});

	test('after a partial retry, Success says which platform each attempt published; the first id is unknown (null)', async () => {
		// Demo seed: TikTok's first delivery fails. Soku's dispatch_failed answer carries no postSubmissionId.
		const result = await run({ ...accounts(['x', ''], ['tiktok', '']), mediaType: 'video', videoUrl: 'https://cdn.example.com/v.mp4' }, [{ text: 'partial' }]);
		const [first, retry] = s.state.posts;
		expect(postRequests().map((r) => r.response && 'status' in r.response && r.response.status)).toEqual([500, 201]);
		const [json] = success(result.outputs);
		expect(json).toEqual({
			postSubmissionId: retry.postSubmissionId,
			postSubmissionIds: [retry.postSubmissionId],
			platforms: [
				{ platform: 'x', attempt: 1, postSubmissionId: null },
				{ platform: 'tiktok', attempt: 2, postSubmissionId: retry.postSubmissionId },
			],
			replayed: null,
		});
		expect(first.postSubmissionId).not.toBe(retry.postSubmissionId);
	});
});

describe('stop mode tells what is live', () => {
	test('the error lists how many items and which postSubmissionIds were accepted before the stop', async () => {
		s.script({ match: (r) => JSON.stringify(r.body ?? {}).includes('"c"'), status: 500, times: 4 });
		const result = await run({ ...POST, errorRouting: 'stop' }, [{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
		expect(result.run.status).toBe('error');
		const ids = s.state.posts.map((p) => p.postSubmissionId);
		expect(ids).toHaveLength(2);
		const error = result.error as IDataObject;
		expect(String(error.description)).toContain(`Before the stop, Soku had accepted 2 items (input 0, 1; ids ${ids.join(', ')}): they are live.`);
		expect(String(error.description)).toContain('replays them');

		// Running the same input again replays them and posts only the third.
		const again = await run({ ...POST, errorRouting: 'stop' }, [{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
		expect(again.error).toBeUndefined();
		expect(s.state.posts.map((p) => p.text)).toEqual(['a', 'b', 'c']);
		expect(success(again.outputs).map((j) => j.replayed)).toEqual([true, true, null]);
	});
});

describe('deletes are idempotent', () => {
	const DELETE_LINK = { resource: 'repurposeLink', operation: 'delete', linkId: { __rl: true, mode: 'id', value: 'rl_demo0001' }, retry: { initialDelaySeconds: 1 } };

	test('a retried delete whose first answer was lost ends on Success (deleted), not not_found', async () => {
		s.script({ match: { method: 'DELETE' }, drop: 'after', times: 1 });
		const result = await run(DELETE_LINK, [{}]);
		expect(s.requests.map((r) => r.response && ('status' in r.response ? r.response.status : r.response.dropped))).toEqual(['reset-after', 404]);
		expect(s.state.repurposeLinks).toEqual([]);
		expect(success(result.outputs)).toEqual([{ deleted: true, id: 'rl_demo0001' }]);
	});

	test('a first-attempt 404 is still not_found', async () => {
		const result = await run({ ...DELETE_LINK, linkId: { __rl: true, mode: 'id', value: 'rl_missing' } }, [{}]);
		expect(success(result.outputs)).toEqual([]);
		expect(routed(result.outputs).map((e) => e.code)).toEqual(['not_found']);
	});

	test('API key revoke: 404 after a 500 (which may have revoked it) → revoked: true', async () => {
		s.script({ match: { method: 'DELETE' }, status: 500, times: 1 });
		const result = await runSoku({
			parameters: { resource: 'apiKey', operation: 'revoke', keyId: 'key_gone', retry: { initialDelaySeconds: 1 } },
			items: [{}],
			credentials: demoCredentials(s.url),
			executionId: `never-twice-${++executions}`,
		});
		expect(s.requests.map((r) => r.response && 'status' in r.response && r.response.status)).toEqual([500, 404]);
		expect(success(result.outputs)).toEqual([{ revoked: true, id: 'key_gone' }]);
	});
});
