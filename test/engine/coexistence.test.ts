/**
 * How the node lives with n8n's own node settings: On Error (all three values), Retry On Fail
 * (whole-node re-runs must not post twice), AI-tool mode (only output 0 reaches the agent), and
 * cancellation during a wait.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { OTHER_ERROR_OUTPUT } from '../../nodes/Soku/errors/errorTable';
import { SOKU_TOOL_TYPE, engineOutputNames, runSoku } from '../helpers/engine';
import { useFakeRuntime, type FakeRuntime } from '../helpers/fakeRuntime';
import { DEMO_KEY, allItems, pairedIndexes, demoCredentials } from '../helpers/items';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

const POST: INodeParameters = {
	resource: 'post',
	operation: 'create',
	text: '={{ $json.text }}',
	targets: { target: [{ platform: '={{ $json.platform }}', accountId: '' }] },
	retry: { initialDelaySeconds: 0.01, maxDelaySeconds: 0.02 },
};

/** Items: a success, a missing_integrations (youtube is not connected), and a bug (expression throws). */
const MIXED = [
	{ text: 'ok', platform: 'x' },
	{ text: 'needs youtube', platform: 'youtube' },
	{ text: 'bug', platform: 'x', broken: true },
];
// Referencing a node that does not exist makes n8n's expression evaluation throw: a workflow bug.
const WITH_BUG: INodeParameters = { ...POST, text: '={{ $json.broken ? $("No Such Node").item.json.text : $json.text }}' };

let standIn: SokuStandIn;
beforeAll(async () => {
	standIn = await startStandIn();
});
afterAll(async () => {
	await standIn.close();
});
beforeEach(() => standIn.reset());

const credentials = () => (demoCredentials(standIn.url));

describe('On Error setting', () => {
	test('Continue (using error output): n8n appends Error after ours; Soku codes stay on their branch, bugs go to Error', async () => {
		const names = engineOutputNames(POST, 'continueErrorOutput');
		expect(names[names.length - 2]).toBe(OTHER_ERROR_OUTPUT);
		expect(names[names.length - 1]).toBe('Error');
		const result = await runSoku({
			parameters: { ...WITH_BUG, mediaType: 'video', videoUrl: 'https://cdn.example.com/a.mp4' },
			items: MIXED,
			credentials: credentials(),
			onError: 'continueErrorOutput',
		});
		expect(result.error).toBeUndefined();
		const outputs = result.outputs!;
		expect(outputs).toHaveLength(names.length);
		expect(outputs[0].map((i) => typeof i.json.postSubmissionId)).toEqual(['string']);
		const missing = outputs[names.indexOf('missing_integrations')];
		expect(missing).toHaveLength(1);
		expect((missing[0].json.sokuError as IDataObject).details).toEqual({ missingPlatforms: ['youtube'] });
		expect(missing[0].json.text).toBe('needs youtube');
		const errors = outputs[names.length - 1];
		expect(errors).toHaveLength(1);
		expect(errors[0].pairedItem).toEqual({ item: 2 });
		expect(String(errors[0].json.error)).toMatch(/Referenced node/);
		expect(pairedIndexes(outputs)).toEqual([0, 1, 2]);
	});

	test('Continue (regular output): Soku codes stay on their branch; a bug becomes an error item on Success', async () => {
		const result = await runSoku({
			parameters: { ...WITH_BUG, mediaType: 'video', videoUrl: 'https://cdn.example.com/a.mp4' },
			items: MIXED,
			credentials: credentials(),
			onError: 'continueRegularOutput',
		});
		const outputs = result.outputs!;
		const names = engineOutputNames(POST, 'continueRegularOutput');
		expect(outputs).toHaveLength(names.length);
		expect(outputs[names.indexOf('missing_integrations')]).toHaveLength(1);
		expect(outputs[0]).toHaveLength(2);
		expect(outputs[0][1].json.error).toBeDefined();
		expect(pairedIndexes(outputs)).toEqual([0, 1, 2]);
	});

	test('Stop workflow: Soku codes are routed data, so the run succeeds; a bug stops it', async () => {
		const routed = await runSoku({
			parameters: { ...POST, mediaType: 'video', videoUrl: 'https://cdn.example.com/a.mp4' },
			items: MIXED.slice(0, 2),
			credentials: credentials(),
		});
		expect(routed.error).toBeUndefined();
		expect(allItems(routed.outputs)).toHaveLength(2);

		const failed = await runSoku({
			parameters: { ...WITH_BUG, mediaType: 'video', videoUrl: 'https://cdn.example.com/a.mp4' },
			items: MIXED,
			credentials: credentials(),
		});
		expect(failed.run.status).toBe('error');
	});

	test('Error Routing "Stop the workflow" + Continue (using error output): the Soku error goes to n8n\'s Error output', async () => {
		const parameters = { ...POST, mediaType: 'video', videoUrl: 'https://cdn.example.com/a.mp4', errorRouting: 'stop' };
		expect(engineOutputNames(parameters, 'continueErrorOutput')).toEqual(['Success', 'Error']);
		const result = await runSoku({ parameters, items: MIXED.slice(0, 2), credentials: credentials(), onError: 'continueErrorOutput' });
		expect(result.outputs![0]).toHaveLength(1);
		expect(result.outputs![1]).toHaveLength(1);
		expect(String(result.outputs![1][0].json.error)).toContain('missing_integrations');
		expect(String(result.outputs![1][0].json.error)).toMatch(/requestId req_/);
		expect((result.outputs![1][0].json.details as IDataObject).code).toBe('missing_integrations');
		expect(result.outputs![1][0].json.text).toBe('needs youtube');
	});
});

describe("n8n's Retry On Fail", () => {
	test('a whole-node re-run replays earlier items by idempotency key instead of posting them again', async () => {
		// The third item fails after two succeeded; with "Stop the workflow" the node throws, and n8n re-runs
		// the whole node (all items) up to Max Tries.
		const result = await runSoku({
			parameters: { ...POST, mediaType: 'video', videoUrl: 'https://cdn.example.com/a.mp4', errorRouting: 'stop' },
			items: [
				{ text: 'one', platform: 'x' },
				{ text: 'two', platform: 'x' },
				{ text: 'three', platform: 'youtube' },
			],
			credentials: credentials(),
			retryOnFail: true,
			maxTries: 3,
			waitBetweenTries: 0,
		});
		expect(result.run.status).toBe('error');
		const posts = standIn.requests.filter((r) => r.path === '/v1/posts');
		expect(posts).toHaveLength(9); // 3 runs x 3 items
		expect(standIn.state.posts).toHaveLength(2); // items one and two, created once
		expect(standIn.state.deliveries.filter((d) => d.text === 'one')).toHaveLength(1);
		expect(posts.filter((r) => r.idempotentReplay)).toHaveLength(4);
	});
});

describe('AI agent tool mode', () => {
	test('routing collapses into output 0, errors included as data the agent can read', async () => {
		const result = await runSoku({
			parameters: { ...POST, mediaType: 'video', videoUrl: 'https://cdn.example.com/a.mp4' },
			items: MIXED.slice(0, 2),
			credentials: credentials(),
			nodeType: SOKU_TOOL_TYPE,
		});
		expect(result.outputs).toHaveLength(1);
		expect(result.outputs![0]).toHaveLength(2);
		expect((result.outputs![0][1].json.sokuError as IDataObject).code).toBe('missing_integrations');
		expect((result.outputs![0][1].json.sokuError as IDataObject).hint).toContain('youtube');
	});
});

describe('cancellation', () => {
	test('cancelling the execution ends a Retry-After wait at once', async () => {
		standIn.script({ status: 429, code: 'rate_limit_exceeded', retryAfter: 60, details: { retryAfter: 60, limit: 30, tier: 'premium' } });
		const abortController = new AbortController();
		const started = Date.now();
		const running = runSoku({
			parameters: { ...POST, mediaType: 'video', videoUrl: 'https://cdn.example.com/a.mp4' },
			items: [MIXED[0]],
			credentials: credentials(),
			abortController,
		});
		// Cancel as soon as the 429 has been answered: the node is then waiting 60 s.
		while (!standIn.requests.some((r) => r.response)) await new Promise((r) => setImmediate(r));
		abortController.abort();
		const result = await running;
		expect(Date.now() - started).toBeLessThan(30_000); // far below the 60 s wait; not a speed target
		expect(standIn.requests).toHaveLength(1);
		expect(result.run.status).not.toBe('success');
	});
});

describe('rate limits', () => {
	// Node and stand-in share one virtual clock, so windows and waits are exact and instant.
	let fake: FakeRuntime;
	let standIn: SokuStandIn;
	const credentials = () => (demoCredentials(standIn.url));
	beforeEach(async () => {
		fake = useFakeRuntime();
		standIn = await startStandIn({ clock: fake.clock });
	});
	afterEach(async () => {
		fake.restore();
		await standIn.close();
	});

	test('Retry-After longer than Max Rate-Limit Wait routes at once with details.retryAfter kept', async () => {
		standIn.script({ status: 429, code: 'rate_limit_exceeded', retryAfter: 600, details: { retryAfter: 600, limit: 30, tier: 'premium' } });
		const result = await runSoku({
			parameters: { ...POST, mediaType: 'video', videoUrl: 'https://cdn.example.com/a.mp4', retry: { maxRateLimitWaitSeconds: 30 } },
			items: [MIXED[0]],
			credentials: credentials(),
		});
		const names = engineOutputNames(POST);
		const landed = allItems(result.outputs);
		expect(names[landed[0].output]).toBe('rate_limit_exceeded');
		expect((landed[0].item.json.sokuError as IDataObject).details).toMatchObject({ retryAfter: 600 });
		expect(fake.sleeps).toEqual([]);
		expect(standIn.requests).toHaveLength(1);
	});

	test('without a Retry-After header, details.retryAfter is used', async () => {
		standIn.script({
			status: 429,
			body: { error: { type: 'invalid_request_error', code: 'rate_limit_exceeded', message: 'slow down', details: { retryAfter: 7 } } },
		});
		const result = await runSoku({
			parameters: { ...POST, mediaType: 'video', videoUrl: 'https://cdn.example.com/a.mp4' },
			items: [MIXED[0]],
			credentials: credentials(),
		});
		expect(fake.sleeps).toEqual([7000]);
		expect(result.outputs![0]).toHaveLength(1);
		expect(result.hints.map((h) => h.message).join(' ')).toContain('1 item waited out rate limits for 7 s in total');
	});

	test('pacing: 45 posts finish with no 429 against the documented 30 per 60 s limit', async () => {
		const items = Array.from({ length: 45 }, (_, i) => ({ text: `post ${i}`, platform: 'x' }));
		const result = await runSoku({
			parameters: { ...POST, mediaType: 'video', videoUrl: 'https://cdn.example.com/a.mp4' },
			items,
			credentials: credentials(),
		});
		expect(result.outputs![0]).toHaveLength(45);
		expect(standIn.requests.filter((r) => r.response && 'status' in r.response && r.response.status === 429)).toHaveLength(0);
		expect(fake.sleeps.length).toBeGreaterThan(0);
		expect(result.hints.map((h) => h.message).join(' ')).toMatch(/paced for/);
	});

	test('pacing off: the same batch meets 429s, waits them out, and still delivers every post once', async () => {
		const items = Array.from({ length: 45 }, (_, i) => ({ text: `post ${i}`, platform: 'x' }));
		const result = await runSoku({
			parameters: { ...POST, mediaType: 'video', videoUrl: 'https://cdn.example.com/a.mp4', options: { pacing: false } },
			items,
			credentials: credentials(),
		});
		expect(result.outputs![0]).toHaveLength(45);
		expect(standIn.requests.filter((r) => r.response && 'status' in r.response && r.response.status === 429).length).toBeGreaterThan(0);
		expect(standIn.state.deliveries).toHaveLength(45);
	});

	test("the server's X-RateLimit-Remaining/Reset (another worker using the key) holds this one back", async () => {
		// Another n8n worker used up the window: the next answer says 0 remaining until reset.
		standIn.script({
			status: 201,
			body: { postSubmissionId: '00000000-0000-4000-8000-000000000001' },
			headers: { 'X-RateLimit-Limit': 30, 'X-RateLimit-Remaining': 0, 'X-RateLimit-Reset': Math.ceil((fake.clock.now() + 20_000) / 1000) },
		});
		await runSoku({
			parameters: { ...POST, mediaType: 'video', videoUrl: 'https://cdn.example.com/a.mp4' },
			items: [MIXED[0], MIXED[0]],
			credentials: credentials(),
		});
		// Soku counted 30 and only 1 was ours: this worker's share is 1 per window, so the second post waits
		// at least until the Reset and at most until its own first post leaves the window.
		expect(fake.sleeps).toHaveLength(1);
		expect(fake.sleeps[0]).toBeGreaterThanOrEqual(19_000);
		expect(fake.sleeps[0]).toBeLessThanOrEqual(60_100);
		expect(standIn.requests.filter((r) => r.response && 'status' in r.response && r.response.status === 429)).toHaveLength(0);
	});
});
