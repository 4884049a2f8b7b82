/**
 * The shared executor's behaviour where the mutation run (docs/mutation.md) found it unguarded: the exact
 * Stop-mode error (message, description, HTTP code, what was live before the stop), tool mode never
 * failing the node, Success items for answers that are not objects, Options › Request Timeout and
 * Rate-Limit Window in their units, pacing windows kept apart per Base URL, and the replay wording per
 * operation. Each test names the behaviour a user relies on, not the line it covers.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { SOKU_TOOL_TYPE, runSoku, type RunSokuOptions } from '../helpers/engine';
import { useFakeRuntime, type FakeRuntime } from '../helpers/fakeRuntime';
import { demoCredentials } from '../helpers/items';
import { VALID_PARAMETERS } from '../helpers/validParams';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

const POST: INodeParameters = {
	resource: 'post',
	operation: 'create',
	mediaType: 'video',
	videoUrl: 'https://cdn.example.com/clip.mp4',
	text: '={{ $json.text }}',
	targets: { target: [{ platform: '={{ $json.platform }}', accountId: '' }] },
};
const statusOf = (s: SokuStandIn) => s.requests.map((r) => (r.response && 'status' in r.response ? r.response.status : 0));

describe('with one stand-in', () => {
	let standIn: SokuStandIn;
	beforeEach(async () => {
		pacingRegistry.clear();
		standIn = await startStandIn({});
	});
	afterEach(async () => {
		await standIn.close();
	});
	const run = async (parameters: INodeParameters, items: IDataObject[], extra: Partial<RunSokuOptions> = {}) =>
		await runSoku({ parameters, items, credentials: demoCredentials(standIn.url), typeVersion: 2, ...extra });

	describe('Stop the Workflow: the error says what failed, how to fix it and what is already live', () => {
		test('the first item fails: code, Soku\'s message and request id; the hint alone as description; the HTTP status', async () => {
			const result = await run({ ...POST, errorRouting: 'stop' }, [{ text: 'needs youtube', platform: 'youtube' }]);
			expect(result.run.status).toBe('error');
			const [request] = standIn.requests;
			const answer = (request.response as { body: { error: { message: string; requestId: string } } }).body.error;
			const error = result.error as IDataObject;
			expect(error.message).toBe(`Soku missing_integrations: ${answer.message} (requestId ${answer.requestId})`);
			expect(error.description).toBe(
				'Connect youtube to your Soku account under Settings > Integrations, then run the item again.',
			);
			expect(error.httpCode).toBe('400');
		});

		test('after accepted posts with Duplicate Window 0: a re-run posts them again, and the error says so', async () => {
			const result = await run({ ...POST, errorRouting: 'stop', options: { duplicateWindowHours: 0 } }, [
				{ text: 'live', platform: 'x' },
				{ text: 'needs youtube', platform: 'youtube' },
			]);
			const id = standIn.state.posts[0].postSubmissionId;
			expect((result.error as IDataObject).description).toBe(
				`Connect youtube to your Soku account under Settings > Integrations, then run the item again. Before the stop, Soku had accepted 1 item (input 0; ids ${id}): they are live. Duplicate Window is 0, so running the same input again sends them again.`,
			);
		});

		test('an operation without idempotency keys: what was accepted, without a re-run promise', async () => {
			const render = { ...VALID_PARAMETERS.renderTemplate, templateSlug: '={{ $json.slug }}', errorRouting: 'stop' };
			const result = await run(render, [{ slug: 'tweetImage' }, { slug: 'no-such-template' }]);
			expect(statusOf(standIn)).toEqual([200, 404]);
			const description = String((result.error as IDataObject).description);
			expect(description).toMatch(/Before the stop, Soku had accepted 1 item \(input 0(; ids [^)]+)?\): they are live\.$/);
			expect(description).not.toMatch(/Running the same input again|Duplicate Window/);
		});

		test('Soku unreachable: "could not be reached" in the message (n8n keeps it), the network detail and hint in the description, no HTTP status', async () => {
			const result = await runSoku({
				parameters: { ...POST, errorRouting: 'stop', retry: { maxServerRetries: 0 } },
				items: [{ text: 'hello', platform: 'x' }],
				credentials: demoCredentials('http://127.0.0.1:1'),
				typeVersion: 2,
			});
			const error = result.error as IDataObject;
			expect(error.message).toBe('Soku network_error: Soku could not be reached');
			expect(String(error.description)).toMatch(/^Could not reach Soku: ECONNREFUSED: .+\. Soku could not be reached: check the Base URL in the credential and the network, then run again\.$/);
			// No HTTP status to report: n8n falls back to the code (never "null").
			expect(error.httpCode).toBe('network_error');
		});
	});

	test('tool mode with Stop the Workflow: the agent still gets the error as data, the node does not fail', async () => {
		const result = await run({ ...POST, errorRouting: 'stop' }, [{ text: 'needs youtube', platform: 'youtube' }], { nodeType: SOKU_TOOL_TYPE });
		expect(result.run.status).toBe('success');
		expect(result.outputs).toHaveLength(1);
		expect((result.outputs![0][0].json.sokuError as IDataObject).code).toBe('missing_integrations');
	});

	test.each([
		['a JSON array', [{ id: 'a' }, { id: 'b' }], { data: [{ id: 'a' }, { id: 'b' }] }],
		['an empty answer', '', { success: true }],
	])('Soku answers %s: the Success item says so instead of spreading it', async (_label, body, json) => {
		standIn.script({ match: { path: '/v1/templates' }, status: 200, body });
		const result = await run(VALID_PARAMETERS.renderTemplate, [{}]);
		expect(result.outputs![0].map((item) => item.json)).toEqual([json]);
	});

	test('Request Timeout is in seconds: an answer after 0.4 s arrives within a 2 s timeout', async () => {
		standIn.script({ match: { path: '/v1/templates' }, delayMs: 400 });
		const result = await run({ ...VALID_PARAMETERS.renderTemplate, options: { timeoutSeconds: 2 }, retry: { maxServerRetries: 0 } }, [{}]);
		expect(result.outputs![0]).toHaveLength(1);
		expect(result.outputs![0][0].json.sokuError).toBeUndefined();
	});

	test('Request Timeout is in seconds: an answer later than 1 s is a timeout with a 1 s timeout (no retry here)', async () => {
		standIn.script({ match: { path: '/v1/templates' }, delayMs: 2500 });
		const result = await run({ ...VALID_PARAMETERS.renderTemplate, options: { timeoutSeconds: 1 }, retry: { maxServerRetries: 0 } }, [{}]);
		const [routed] = result.outputs!.flat();
		expect(routed.json.sokuError).toMatchObject({ code: 'timeout', source: 'network', attempts: 1 });
		expect((routed.json.sokuError as IDataObject).hint).toContain('Options > Request Timeout');
	});

	test('replays are worded per operation: media imports were "accepted", not "published"', async () => {
		await run(VALID_PARAMETERS.uploadMedia, [{}]);
		const again = await run(VALID_PARAMETERS.uploadMedia, [{}]);
		expect(again.hints.map((h) => h.message)).toContain('Soku: 1 item was already accepted by an earlier run; nothing was sent twice');
	});

	test('an operation this release does not know (e.g. a workflow saved by a newer one) fails the node naming it; nothing is sent', async () => {
		const result = await run({ ...POST, operation: 'schedule' }, [{ text: 'hello', platform: 'x' }]);
		expect(result.run.status).toBe('error');
		expect((result.error as IDataObject).message).toBe('Unknown operation "schedule" for resource "post"');
		expect(standIn.requests).toHaveLength(0);
	});
});

describe('pacing windows', () => {
	let fake: FakeRuntime;
	const started: SokuStandIn[] = [];
	const standIn = async () => {
		const s = await startStandIn({ clock: fake.clock });
		started.push(s);
		return s;
	};
	beforeEach(() => {
		fake = useFakeRuntime();
	});
	afterEach(async () => {
		fake.restore();
		for (const s of started.splice(0)) await s.close();
	});
	const posts = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `post ${i}`, platform: 'x' }));

	test('Rate-Limit Window 0 falls back to 60 s: the 31st post waits for the window instead of meeting a 429', async () => {
		const s = await standIn();
		const result = await runSoku({ parameters: { ...POST, options: { pacingWindowSeconds: 0 } }, items: posts(31), credentials: demoCredentials(s.url), typeVersion: 2 });
		expect(result.outputs![0]).toHaveLength(31);
		expect(statusOf(s).filter((status) => status === 429)).toEqual([]);
		expect(fake.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(59_000);
	});

	test('posts to another Base URL do not wait for this one\'s full endpoint window', async () => {
		const [a, b] = [await standIn(), await standIn()];
		await runSoku({ parameters: POST, items: posts(30), credentials: demoCredentials(a.url), typeVersion: 2 });
		const other = await runSoku({ parameters: POST, items: posts(1), credentials: demoCredentials(b.url), typeVersion: 2 });
		expect(other.outputs![0]).toHaveLength(1);
		expect(fake.sleeps).toEqual([]);
	});

	test('requests to another Base URL do not wait for this one\'s full tier window', async () => {
		const [a, b] = [await standIn(), await standIn()];
		const list = VALID_PARAMETERS.listRepurposeLinks;
		await runSoku({ parameters: list, items: Array.from({ length: 100 }, () => ({})), credentials: demoCredentials(a.url), typeVersion: 2 });
		expect(fake.sleeps).toEqual([]);
		await runSoku({ parameters: list, items: [{}], credentials: demoCredentials(b.url), typeVersion: 2 });
		expect(fake.sleeps).toEqual([]);
		expect(b.requests).toHaveLength(1);
	});
});
