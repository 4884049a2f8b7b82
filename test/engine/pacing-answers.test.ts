/**
 * Pacing whatever Soku's clock and headers say (issue 19), through n8n's engine against the stand-in on a
 * virtual clock. Each test here failed on caf3064.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { engineOutputNames, runSoku } from '../helpers/engine';
import { useFakeRuntime, type FakeRuntime } from '../helpers/fakeRuntime';
import { allItems, demoCredentials, textPostParameters } from '../helpers/items';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

const POST = textPostParameters();
const MEDIA: INodeParameters = { resource: 'media', operation: 'import', url: '={{ $json.url }}' };

let fake: FakeRuntime;
let standIn: SokuStandIn;
let executions = 0;
beforeEach(async () => {
	fake = useFakeRuntime();
	standIn = await startStandIn({ clock: fake.clock });
});
afterEach(async () => {
	fake.restore();
	await standIn.close();
});

const posts = (n: number, tag = 'p') => Array.from({ length: n }, (_, i) => ({ text: `${tag} #${i}`, url: `https://cdn.example.com/${tag}-${i}.mp4` }));
const run = async (parameters: INodeParameters, items: IDataObject[]) =>
	await runSoku({ parameters, items, credentials: demoCredentials(standIn.url), executionId: `pacing-answers-${++executions}` });
const statusOf = (r: (typeof standIn.requests)[number]) => (r.response && 'status' in r.response ? r.response.status : 0);
const of = (path: string) => standIn.requests.filter((r) => r.path === path);
/** One pacing window after an answer, which the node dates 1 ms late (clocks floor to whole ms). */
const ONE_WINDOW = 60_001;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

test.each([
	['5 min ahead of', 300_000],
	['10 min behind', -600_000],
])('Soku\'s clock %s n8n\'s: "0 left, next slot in 10 s" is read on Soku\'s clock (Date header): a 10 s wait', async (_, skew) => {
	standIn.configureRateLimits({ clockSkewMs: skew });
	const sokuNow = fake.clock.now() + skew;
	standIn.script({
		match: { path: '/v1/posts' },
		status: 201,
		body: { postSubmissionId: 'ps-first' },
		headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil((sokuNow + 10_000) / 1000)) },
	});
	const result = await run({ ...POST, retry: { maxRateLimitWaitSeconds: 120 } }, posts(2));
	expect(result.outputs![0]).toHaveLength(2);
	// Reset is whole seconds (rounded up): the slot frees 10 s after the first post, at most 1 s later.
	expect(fake.sleeps).toHaveLength(1);
	expect(fake.sleeps[0]).toBeGreaterThanOrEqual(9_000);
	expect(fake.sleeps[0]).toBeLessThanOrEqual(11_000);
});

test('Reset 310 s ahead although the clocks agree (a wrong Reset, a wider window): the hold is cut to one window, then the post is sent', async () => {
	standIn.script({
		match: { path: '/v1/posts' },
		status: 201,
		body: { postSubmissionId: 'ps-held' },
		headers: { 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(fake.clock.now() / 1000) + 310) },
	});
	const result = await run({ ...POST, retry: { maxRateLimitWaitSeconds: 100 } }, posts(2));
	expect(result.outputs![0]).toHaveLength(2);
	expect(sum(fake.sleeps)).toBeLessThanOrEqual(ONE_WINDOW);
});

test.each([[''], ['   '], ['-3'], ['lots']])('X-RateLimit-Remaining %j is ignored, not read as 0 (no pacing wait)', async (remaining) => {
	standIn.script({
		match: { path: '/v1/posts' },
		status: 201,
		body: { postSubmissionId: 'ps-odd' },
		headers: { 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': remaining, 'x-ratelimit-reset': String(Math.ceil(fake.clock.now() / 1000) + 50) },
		times: 1,
	});
	const result = await run(POST, posts(3));
	expect(result.outputs![0]).toHaveLength(3);
	expect(fake.sleeps).toEqual([]);
});

test('after a 429 with Retry-After: 1 and no retries left, the next execution waits 1 s, not the rest of the window', async () => {
	standIn.script({
		match: { path: '/v1/posts' },
		status: 429,
		headers: { 'retry-after': '1', 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(fake.clock.now() / 1000) + 9) },
		retryAfter: 1,
	});
	const parameters = { ...POST, retry: { maxRateLimitRetries: 0, maxRateLimitWaitSeconds: 5 } };
	const first = await run(parameters, posts(1, 'first'));
	const names = engineOutputNames(parameters);
	expect(allItems(first.outputs).map(({ output }) => names[output])).toEqual(['rate_limit_exceeded']);
	const second = await run(parameters, posts(1, 'second'));
	expect(second.outputs![0]).toHaveLength(1);
	expect(sum(fake.sleeps)).toBeLessThanOrEqual(1000);
});

test('tier-scoped headers: 20 media imports then 30 posts on one key pace as one user (no wait), and posts keep their documented 30', async () => {
	standIn.configureRateLimits({ headerScope: 'tier' });
	await run(MEDIA, posts(20, 'media'));
	const thirty = await run(POST, posts(30, 'post'));
	expect(thirty.outputs![0]).toHaveLength(30);
	// 50 of the tier's 100 counted, all by this process: nobody else uses the key, nothing to wait for.
	expect(fake.sleeps).toEqual([]);
	// Post 31 must wait for the posts window (30 per 60 s), although the tier headers say 50 left.
	const more = await run(POST, posts(5, 'more'));
	expect(more.outputs![0]).toHaveLength(5);
	expect(of('/v1/posts').filter((r) => statusOf(r) === 429)).toHaveLength(0);
	expect(sum(fake.sleeps)).toBeGreaterThan(50_000);
});
