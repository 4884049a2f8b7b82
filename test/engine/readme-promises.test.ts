/**
 * README promises that no other test guarded (issue 13), each run through n8n's engine against the
 * stand-in: the output of the inferred DELETE operations, the Retry On Fail hint, Max Rate-Limit Wait on
 * repeated 429s, Retry Only Failed Platforms off, key-less creates never resent after an unknown
 * outcome (with the endpoints' real settings), and `snapchat` from an expression. Each was checked to
 * fail when the behaviour it guards is broken.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { RESOURCES } from '../../nodes/Soku/actions/operations';
import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { OTHER_ERROR_OUTPUT } from '../../nodes/Soku/errors/errorTable';
import { engineOutputNames, runSoku, type RunSokuResult } from '../helpers/engine';
import { useFakeRuntime, type FakeRuntime } from '../helpers/fakeRuntime';
import { allItems, demoCredentials } from '../helpers/items';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

const README = readFileSync(join(__dirname, '../../README.md'), 'utf8');
const TINY_BACKOFF = { initialDelaySeconds: 0.01, maxDelaySeconds: 0.02 };
const VIDEO_POST: INodeParameters = {
	resource: 'post',
	operation: 'create',
	mediaType: 'video',
	videoUrl: 'https://cdn.example.com/a.mp4',
	text: '={{ $json.text }}',
	targets: { target: [{ platform: '={{ $json.platform }}', accountId: '' }] },
	retry: TINY_BACKOFF,
};

let s: SokuStandIn;
beforeEach(async () => {
	pacingRegistry.clear();
	s = await startStandIn({});
});
afterEach(async () => {
	await s.close();
});

const run = async (parameters: INodeParameters, items: IDataObject[], extra: { retryOnFail?: boolean } = {}) =>
	await runSoku({ parameters, items, credentials: demoCredentials(s.url), ...extra });

/** The single item of a run, with the name of the output it left on. */
function landed(result: RunSokuResult, parameters: INodeParameters): { output: string; json: IDataObject } {
	const items = allItems(result.outputs);
	expect(items).toHaveLength(1);
	return { output: engineOutputNames(parameters)[items[0].output], json: items[0].item.json };
}

const label = (resource: string, operation: string) => {
	const r = RESOURCES.find((x) => x.value === resource);
	return `${r?.name} › ${r?.operations.find((o) => o.operation === operation)?.name}`;
};

describe('README: the inferred DELETE operations say what they return', () => {
	/** `{ deleted: true, id }` written the way the README writes an output shape. */
	const shapeOf = (json: IDataObject) => `\`{ ${Object.entries(json).map(([k, v]) => (v === true ? `${k}: true` : k)).join(', ')} }\``;

	test('each operation\'s real Success item (Soku answers 204) is the shape the README names for it', async () => {
		const cases: Array<{ parameters: INodeParameters; id: string }> = [
			{ parameters: { resource: 'repurposeLink', operation: 'delete', linkId: { __rl: true, mode: 'id', value: 'rl_demo0001' } }, id: 'rl_demo0001' },
			{ parameters: { resource: 'apiKey', operation: 'revoke', keyId: 'key_demo_revoked' }, id: 'key_demo_revoked' },
		];
		const claims: string[] = [];
		for (const c of cases) {
			s.clearRequests();
			const { output, json } = landed(await run(c.parameters, [{}]), c.parameters);
			expect(output).toBe('Success');
			expect((s.requests[0].response as { status: number }).status).toBe(204);
			expect(json.id).toBe(c.id);
			claims.push(`${shapeOf(json)} for *${label(String(c.parameters.resource), String(c.parameters.operation))}*`);
		}
		expect(claims).toEqual(['`{ deleted: true, id }` for *Repurpose Link › Delete*', '`{ revoked: true, id }` for *API Key › Revoke*']);
		const bullet = README.split('\n- ').find((b) => b.startsWith('**Inferred endpoints**'));
		for (const claim of claims) expect(bullet).toContain(claim);
	});
});

describe("README: n8n's Retry On Fail", () => {
	const HINT = /"Retry On Fail" is on in this node's settings\..*Consider turning it off\./;

	test('with Retry On Fail on, the node shows a hint suggesting to turn it off (and only then)', async () => {
		const on = await run(VIDEO_POST, [{ text: 'hello', platform: 'x' }], { retryOnFail: true });
		expect(on.sokuRuns).toBe(1);
		expect(on.hints.map((h) => h.message)).toEqual([expect.stringMatching(HINT)]);
		const off = await run(VIDEO_POST, [{ text: 'hello', platform: 'x' }]);
		expect(off.hints.map((h) => h.message).filter((m) => HINT.test(m))).toEqual([]);
	});
});

describe('README: Max Rate-Limit Wait caps every wait, repeated 429s included', () => {
	let fake: FakeRuntime;
	beforeEach(async () => {
		await s.close();
		fake = useFakeRuntime();
		s = await startStandIn({ clock: fake.clock });
	});
	afterEach(() => fake.restore());

	test('Retry-After 20 s three times, cap 25 s: waits 20 s, then 25 s (not Retry-After + backoff = 35 s), then routes', async () => {
		s.script({ match: { method: 'POST', path: '/v1/posts' }, status: 429, retryAfter: 20, times: 3 });
		const parameters: INodeParameters = {
			...VIDEO_POST,
			options: { pacing: false },
			retry: { maxRateLimitRetries: 2, maxRateLimitWaitSeconds: 25, initialDelaySeconds: 10, maxDelaySeconds: 30 },
		};
		const { output, json } = landed(await run(parameters, [{ text: 'hello', platform: 'x' }]), parameters);
		expect(fake.sleeps).toEqual([20_000, 25_000]);
		expect(output).toBe('rate_limit_exceeded');
		expect(json.sokuError).toMatchObject({ code: 'rate_limit_exceeded', attempts: 3, waitedMs: 45_000 });
		expect(s.requests).toHaveLength(3);
	});
});

describe('README: Retry Only Failed Platforms', () => {
	// The demo account's first TikTok delivery fails: Soku answers dispatch_failed with failedPlatforms ['tiktok'].
	const twoTargets: INodeParameters = {
		...VIDEO_POST,
		targets: { target: [{ platform: 'x', accountId: '' }, { platform: 'tiktok', accountId: '' }] },
	};

	test('off: a dispatch_failed item is routed at once, nothing is resent', async () => {
		const parameters = { ...twoTargets, retry: { ...TINY_BACKOFF, retryFailedPlatformsOnly: false } };
		const { output, json } = landed(await run(parameters, [{ text: 'hello' }]), parameters);
		expect(output).toBe('dispatch_failed');
		expect(s.requests.filter((r) => r.path === '/v1/posts')).toHaveLength(1);
		expect((json.sokuError as IDataObject).details).toMatchObject({ failedPlatforms: ['tiktok'] });
		expect(s.state.deliveries.map((d) => d.platform)).toEqual(['x']);
	});

	test('on (the default): only TikTok is resent, and the item ends on Success', async () => {
		const { output } = landed(await run(twoTargets, [{ text: 'hello' }]), twoTargets);
		expect(output).toBe('Success');
		const posts = s.requests.filter((r) => r.path === '/v1/posts');
		expect(posts).toHaveLength(2);
		expect((posts[1].body as { post: { content: { platform: unknown[] } } }).post.content.platform).toEqual(['tiktok']);
	});
});

describe('README: creates without an idempotency key are never resent after an unknown outcome', () => {
	// The operations' real endpoint settings (transport/endpoints.ts), not a retry-safety passed in by the test.
	const cases: Array<{ name: string; parameters: INodeParameters; path: string; created: () => number }> = [
		{
			name: 'Repurpose Link › Create',
			parameters: { resource: 'repurposeLink', operation: 'create', platform: 'instagram', accountId: 'ig_brand', type: 'post', retry: TINY_BACKOFF },
			path: '/v1/repurposeLinks',
			created: () => s.state.repurposeLinks.length,
		},
		{
			name: 'API Key › Create',
			parameters: { resource: 'apiKey', operation: 'create', name: 'CI key', retry: TINY_BACKOFF },
			path: '/v1/api-keys',
			created: () => s.state.apiKeys.length,
		},
	];

	describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
		const sent = () => s.requests.filter((r) => r.method === 'POST' && r.path === c.path);

		test('the answer is lost after Soku stored it: sent once, created once, routed (network)', async () => {
			const before = c.created();
			s.script({ match: { method: 'POST', path: c.path }, drop: 'after' });
			const { output, json } = landed(await run(c.parameters, [{}]), c.parameters);
			expect(sent()).toHaveLength(1);
			expect(c.created()).toBe(before + 1);
			expect(output).toBe(OTHER_ERROR_OUTPUT);
			expect(json.sokuError).toMatchObject({ source: 'network', attempts: 1 });
		});

		test('a 500 (Soku may have acted): sent once, routed to internal_error', async () => {
			s.script({ match: { method: 'POST', path: c.path }, status: 500 });
			const { output, json } = landed(await run(c.parameters, [{}]), c.parameters);
			expect(sent()).toHaveLength(1);
			expect(output).toBe('internal_error');
			expect(json.sokuError).toMatchObject({ code: 'internal_error', attempts: 1 });
		});

		test('a 429 (Soku certainly did not act): waited out and resent, created once', async () => {
			const before = c.created();
			s.script({ match: { method: 'POST', path: c.path }, status: 429, retryAfter: 0 });
			const { output } = landed(await run(c.parameters, [{}]), c.parameters);
			expect(sent()).toHaveLength(2);
			expect(output).toBe('Success');
			expect(c.created()).toBe(before + 1);
		});
	});
});

describe('README: `snapchat` is accepted from an expression', () => {
	test('a Snapchat target from an expression is sent to Soku (lower-cased), not refused by the client check', async () => {
		const { output, json } = landed(await run(VIDEO_POST, [{ text: 'hello', platform: 'Snapchat' }]), VIDEO_POST);
		const posts = s.requests.filter((r) => r.path === '/v1/posts');
		expect(posts).toHaveLength(1);
		expect((posts[0].body as { post: { content: { platform: unknown[] } } }).post.content.platform).toEqual(['snapchat']);
		// The demo account has no Snapchat connected: Soku itself says so.
		expect(output).toBe('missing_integrations');
		expect(json.sokuError).toMatchObject({ source: 'api', details: { missingPlatforms: ['snapchat'] } });
	});
});
