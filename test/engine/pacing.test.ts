/**
 * Pacing and rate limits through n8n's engine against the stand-in: Soku's X-RateLimit-* headers win in
 * both directions, every routed rate_limit_exceeded says how long to wait, waits are capped by
 * Max Rate-Limit Wait, and a scheduledTime is re-checked after the pacing wait, right before the send.
 * Virtual clock (instant); the concurrency tests, which need real interleaving, are in pacing-concurrency.
 */
import type { IDataObject } from 'n8n-workflow';

import { engineOutputNames, runSoku } from '../helpers/engine';
import { useFakeRuntime, type FakeRuntime } from '../helpers/fakeRuntime';
import { allItems, demoCredentials } from '../helpers/items';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

const PARAMETERS = {
	resource: 'post',
	operation: 'create',
	mediaType: 'text',
	text: '={{ $json.text }}',
	targets: { target: [{ platform: 'x', accountId: '' }] },
};

let fake: FakeRuntime;
let standIn: SokuStandIn;
beforeEach(async () => {
	fake = useFakeRuntime();
	standIn = await startStandIn({ clock: fake.clock });
});
afterEach(async () => {
	fake.restore();
	await standIn.close();
});

const posts = (n: number, extra: IDataObject = {}) => Array.from({ length: n }, (_, i) => ({ text: `pacing post #${i}`, ...extra }));
const postRequests = () => standIn.requests.filter((r) => r.path === '/v1/posts');
const statusOf = (r: ReturnType<typeof postRequests>[number]) => (r.response && 'status' in r.response ? r.response.status : 0);

test('X-RateLimit-Limit: 60 lets the node send 60 posts in one window, not the documented 30', async () => {
	standIn.configureRateLimits({ endpoints: { '/v1/posts': 60 } });
	const result = await runSoku({ parameters: PARAMETERS, items: posts(60), credentials: demoCredentials(standIn.url) });
	expect(result.outputs![0]).toHaveLength(60);
	expect(postRequests().filter((r) => statusOf(r) === 429)).toHaveLength(0);
	// The old behaviour (stricter of table and headers) waited a whole window after post 30.
	expect(fake.sleeps).toEqual([]);
});

test('X-RateLimit-Limit below the table holds the node to it, without 429s', async () => {
	standIn.configureRateLimits({ endpoints: { '/v1/posts': 10 } });
	const result = await runSoku({ parameters: PARAMETERS, items: posts(25), credentials: demoCredentials(standIn.url) });
	expect(result.outputs![0]).toHaveLength(25);
	expect(postRequests().filter((r) => statusOf(r) === 429)).toHaveLength(0);
});

test('a 429 with only the Retry-After header, longer than the maximum: details.retryAfter in seconds and the matching hint', async () => {
	standIn.script({ match: { path: '/v1/posts' }, status: 429, body: { error: { code: 'rate_limit_exceeded', type: 'invalid_request_error', message: 'Too many requests' } }, headers: { 'Retry-After': '300' } });
	const result = await runSoku({ parameters: PARAMETERS, items: posts(1), credentials: demoCredentials(standIn.url) });
	const names = engineOutputNames(PARAMETERS);
	const routed = allItems(result.outputs).find(({ output }) => names[output] === 'rate_limit_exceeded');
	const error = routed?.item.json.sokuError as IDataObject;
	expect(error.details).toMatchObject({ retryAfter: 300, routedBecause: 'waitTooLong' });
	expect(error.hint).toMatch(/asks to wait 300 s, longer than Retry > Max Rate-Limit Wait/);
});

test('a 429 after the last retry: details.retryAfter from the header and the "kept refusing" hint', async () => {
	standIn.script({ match: { path: '/v1/posts' }, times: 3, status: 429, body: { error: { code: 'rate_limit_exceeded', type: 'invalid_request_error', message: 'Too many requests' } }, headers: { 'Retry-After': '2' } });
	const result = await runSoku({
		parameters: { ...PARAMETERS, retry: { maxRateLimitRetries: 2 } },
		items: posts(1),
		credentials: demoCredentials(standIn.url),
	});
	const error = allItems(result.outputs).find(({ output }) => output > 0)?.item.json.sokuError as IDataObject;
	expect(error.code).toBe('rate_limit_exceeded');
	expect(error.attempts).toBe(3);
	expect(error.details).toMatchObject({ retryAfter: 2, routedBecause: 'retriesExhausted' });
	expect(error.hint).toMatch(/kept refusing .* after the configured retries/);
});

test('pacing never waits longer than Max Rate-Limit Wait: past it the item is routed with retryAfter, nothing sent', async () => {
	const result = await runSoku({
		parameters: { ...PARAMETERS, retry: { maxRateLimitWaitSeconds: 10 } },
		items: posts(31),
		credentials: demoCredentials(standIn.url),
	});
	expect(result.outputs![0]).toHaveLength(30);
	expect(Math.max(0, ...fake.sleeps)).toBeLessThanOrEqual(10_000);
	expect(postRequests()).toHaveLength(30);
	const error = allItems(result.outputs).find(({ output }) => output > 0)?.item.json.sokuError as IDataObject;
	expect(error).toMatchObject({ code: 'rate_limit_exceeded', source: 'client', attempts: 0 });
	expect((error.details as IDataObject).retryAfter).toBeGreaterThan(10);
	expect((error.details as IDataObject).retryAfter).toBeLessThanOrEqual(61);
	expect(error.hint).toMatch(/frees a slot .* nothing was sent/);
});

test('scheduledTime is re-checked after the pacing wait: post 31, scheduled 90 s ahead, is refused by the client, not sent', async () => {
	const scheduledTime = new Date(fake.clock.now() + 90_000).toISOString();
	const result = await runSoku({
		parameters: { ...PARAMETERS, additionalFields: { scheduledTime: '={{ $json.scheduledTime }}' } },
		items: posts(31, { scheduledTime }),
		credentials: demoCredentials(standIn.url),
	});
	expect(result.outputs![0]).toHaveLength(30);
	expect(postRequests()).toHaveLength(30);
	const names = engineOutputNames(PARAMETERS);
	const routed = allItems(result.outputs).filter(({ output }) => output > 0);
	expect(routed).toHaveLength(1);
	expect(names[routed[0].output]).toBe('validation_error');
	const error = routed[0].item.json.sokuError as IDataObject;
	expect(error).toMatchObject({ code: 'validation_error', source: 'client', attempts: 0 });
	expect(error.details).toMatchObject({ field: 'scheduledTime', reason: 'must_be_future' });
});
