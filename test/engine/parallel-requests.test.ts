/**
 * Requests in parallel within the rate-limit window (Options › Parallel Requests), through n8n's engine
 * against the stand-in answering after a set latency (real clock, time-scaled 1 s windows): outputs in
 * input order with pairedItem, each item its own key (the one a sequential run derives) and its own
 * retries, at most N requests in flight, posts one at a time unless asked, 0 × 429 under pacing, and
 * Stop aborting every request in flight with nothing sent after.
 */
import type { ServerResponse } from 'http';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { engineOutputNames, runSoku } from '../helpers/engine';
import { demoCredentials, pairedIndexes, textPostParameters } from '../helpers/items';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

const WINDOW_MS = 1000;
const TRANSCRIBE: INodeParameters = {
	resource: 'transcription',
	operation: 'create',
	mediaId: 'med_demo_video',
	// Bodies repeat every 10 items: the key's occurrence counter, not the body alone, tells items apart.
	additionalFields: { durationSeconds: '={{ $json.seconds }}' },
	options: { pacingWindowSeconds: WINDOW_MS / 1000 },
};
const POST = textPostParameters({ options: { pacingWindowSeconds: WINDOW_MS / 1000 } });

let standIn: SokuStandIn;
/** Requests the stand-in is handling right now, the most at once, and answers the client did not wait for. */
let inFlight = 0;
let maxInFlight = 0;
let abandoned = 0;
beforeEach(async () => {
	standIn = await startStandIn({ rateLimits: { windowMs: WINDOW_MS, fractionalRetryAfter: true } });
	// Enough AI credits for every transcription of the test.
	standIn.state.credits.user_demo = 1000;
	pacingRegistry.clear();
	inFlight = 0;
	maxInFlight = 0;
	abandoned = 0;
	standIn.server.on('request', (_req, res: ServerResponse) => {
		inFlight++;
		maxInFlight = Math.max(maxInFlight, inFlight);
		res.on('close', () => {
			inFlight--;
			if (!res.writableFinished) abandoned++;
		});
	});
});
afterEach(async () => {
	await standIn.close();
});

const transcriptions = (n: number) => Array.from({ length: n }, (_, i) => ({ seconds: (i % 10) + 1 }));
const status = (r: SokuStandIn['requests'][number]) => (r.response && 'status' in r.response ? r.response.status : undefined);
const latency = (path: string, delayMs: number, times: number) => standIn.script({ match: { method: 'POST', path }, delayMs, times });

test('20 transcriptions in parallel (default 5): outputs in input order with pairedItem, each item its own key and retries, at most 5 in flight, 0 × 429', async () => {
	// The first three requests to arrive fail with a 500 (retried with their key), then every answer takes 150 ms.
	standIn.script({ match: { method: 'POST', path: '/v1/ai/transcribe' }, status: 500, times: 3 });
	latency('/v1/ai/transcribe', 150, 20);
	const items = transcriptions(20);
	const result = await runSoku({ parameters: { ...TRANSCRIBE, retry: { initialDelaySeconds: 0.01 } }, items, credentials: demoCredentials(standIn.url) });
	expect(result.error).toBeUndefined();

	const success = result.outputs![0];
	expect(success.map((item) => (item.pairedItem as { item: number }).item)).toEqual(items.map((_, i) => i));
	expect(pairedIndexes(result.outputs)).toEqual(items.map((_, i) => i));
	expect(maxInFlight).toBeGreaterThan(1);
	expect(maxInFlight).toBeLessThanOrEqual(5);

	const requests = standIn.requests.filter((r) => r.path === '/v1/ai/transcribe');
	expect(requests.filter((r) => status(r) === 429)).toHaveLength(0);
	expect(requests).toHaveLength(23);
	// One key per item: 20 keys, the three that met a 500 sent twice (the retry reuses the item's key).
	const perKey = new Map<string, number>();
	for (const r of requests) perKey.set(String(r.headers['idempotency-key']), (perKey.get(String(r.headers['idempotency-key'])) ?? 0) + 1);
	expect(perKey.size).toBe(20);
	expect([...perKey.values()].sort()).toEqual([...Array(17).fill(1), 2, 2, 2]);
	// Each Success item is the transcription Soku made from that item's body.
	const sentFor = new Map(
		requests.filter((r) => status(r) === 200).map((r) => [((r.response as { body: IDataObject }).body).jobId, r.body as IDataObject]),
	);
	expect(standIn.state.transcriptions).toHaveLength(20);
	success.forEach((item, i) => expect(sentFor.get(item.json.jobId)?.durationSeconds).toBe(items[i].seconds));

	// The keys are the ones a one-at-a-time run derives: run again with Parallel Requests 1, every item gets
	// its own earlier transcription back (item i+10 has item i's body; only the order tells them apart).
	const again = await runSoku({
		parameters: { ...TRANSCRIBE, options: { pacingWindowSeconds: WINDOW_MS / 1000, parallelRequests: 1 } },
		items,
		credentials: demoCredentials(standIn.url),
	});
	expect(again.outputs![0].map((item) => item.json.jobId)).toEqual(success.map((item) => item.json.jobId));
	expect(again.outputs![0].every((item) => item.json.replayed === true)).toBe(true);
	expect(standIn.state.transcriptions).toHaveLength(20);
}, 60_000);

test('posts go one at a time in item order by default; Parallel Requests 4 sends up to 4 at once, outputs still in input order, each stored once', async () => {
	const items = Array.from({ length: 12 }, (_, i) => ({ text: `parallel post #${i}` }));
	latency('/v1/posts', 60, 24);
	const sequential = await runSoku({ parameters: POST, items, credentials: demoCredentials(standIn.url) });
	expect(maxInFlight).toBe(1);
	expect(standIn.state.posts.map((p) => p.text)).toEqual(items.map((i) => i.text));
	expect(sequential.outputs![0].map((item) => (item.pairedItem as { item: number }).item)).toEqual(items.map((_, i) => i));

	maxInFlight = 0;
	const others = items.map((i) => ({ text: `${i.text} (parallel)` }));
	const parallel = await runSoku({
		parameters: { ...POST, options: { pacingWindowSeconds: WINDOW_MS / 1000, parallelRequests: 4 } },
		items: others,
		credentials: demoCredentials(standIn.url),
	});
	expect(maxInFlight).toBeGreaterThan(1);
	expect(maxInFlight).toBeLessThanOrEqual(4);
	const success = parallel.outputs![0];
	expect(success.map((item) => (item.pairedItem as { item: number }).item)).toEqual(items.map((_, i) => i));
	const stored = new Map(standIn.state.posts.map((p) => [p.postSubmissionId, p.text]));
	success.forEach((item, i) => expect(stored.get(item.json.postSubmissionId as string)).toBe(others[i].text));
	expect(standIn.state.posts).toHaveLength(24);
	expect(standIn.requests.filter((r) => status(r) === 429)).toHaveLength(0);
}, 60_000);

test('Stop during parallel requests aborts every request in flight; nothing is sent after', async () => {
	// Answers would take 20 s: the run can only end early if Stop aborts the requests in flight.
	latency('/v1/ai/transcribe', 20_000, 20);
	const abortController = new AbortController();
	const started = Date.now();
	const running = runSoku({ parameters: TRANSCRIBE, items: transcriptions(20), credentials: demoCredentials(standIn.url), abortController });
	while (standIn.requests.length < 5) await new Promise((resolve) => setTimeout(resolve, 5));
	const stoppedAt = standIn.requests.length;
	abortController.abort();
	const result = await running;
	const elapsed = Date.now() - started;
	// Give any request sent after the stop time to arrive before counting.
	await new Promise((resolve) => setTimeout(resolve, 200));

	expect(stoppedAt).toBe(5);
	expect(standIn.requests).toHaveLength(5);
	expect(abandoned).toBe(5);
	expect(inFlight).toBe(0);
	expect(standIn.state.transcriptions).toHaveLength(0);
	expect(result.run.status).not.toBe('success');
	// Far below the 20 s answers; generous, not a speed target.
	expect(elapsed).toBeLessThan(10_000);
}, 60_000);

test('Stop the Workflow sends one at a time whatever Parallel Requests says: an error stops the run before any later item is sent', async () => {
	standIn.script({ match: { method: 'POST', path: '/v1/ai/transcribe' }, status: 400, code: 'validation_error', times: 1 });
	const result = await runSoku({
		parameters: { ...TRANSCRIBE, errorRouting: 'stop', options: { pacingWindowSeconds: WINDOW_MS / 1000, parallelRequests: 5 } },
		items: transcriptions(6),
		credentials: demoCredentials(standIn.url),
	});
	expect(result.error).toBeDefined();
	expect(maxInFlight).toBe(1);
	expect(standIn.requests).toHaveLength(1);
});

test.each([
	['Media › Import From URL', { resource: 'media', operation: 'import', url: '={{ $json.url }}' }, '/v1/media'],
	['Media › Render OG Image', { resource: 'media', operation: 'renderOgImage', templateSlug: 'og-blog-post' }, '/v1/media/render-og'],
	['Template › Render', { resource: 'template', operation: 'render', templateSlug: 'tweetImage', config: '{"title":"Hi"}' }, '/v1/templates'],
] as Array<[string, INodeParameters, string]>)('%s: in parallel by default (up to 5 at once; the option added with its 0 changes nothing), outputs in item order, 0 × 429', async (_name, parameters, path) => {
	latency(path, 100, 8);
	const items = Array.from({ length: 8 }, (_, i) => ({ url: `https://cdn.example.com/clip-${i}.mp4` }));
	const result = await runSoku({ parameters: { ...parameters, options: { pacingWindowSeconds: WINDOW_MS / 1000, parallelRequests: 0 } }, items, credentials: demoCredentials(standIn.url) });
	expect(maxInFlight).toBeGreaterThan(1);
	expect(maxInFlight).toBeLessThanOrEqual(5);
	expect(result.outputs![0].map((item) => (item.pairedItem as { item: number }).item)).toEqual(items.map((_, i) => i));
	expect(standIn.requests.filter((r) => status(r) === 429)).toHaveLength(0);
});

test('in parallel, an item that fails goes to its own branch, in item order, while the others succeed', async () => {
	standIn.script({ match: (r) => String((r.body as IDataObject | null)?.url).includes('bad'), status: 400, code: 'validation_error', times: 2 });
	latency('/v1/media', 80, 6);
	const parameters: INodeParameters = { resource: 'media', operation: 'import', url: '={{ $json.url }}', options: { pacingWindowSeconds: WINDOW_MS / 1000 } };
	const items = Array.from({ length: 8 }, (_, i) => ({ url: `https://cdn.example.com/${i === 2 || i === 5 ? 'bad' : 'clip'}-${i}.mp4` }));
	const result = await runSoku({ parameters, items, credentials: demoCredentials(standIn.url) });
	const names = engineOutputNames(parameters);
	const branch = result.outputs![names.indexOf('validation_error')];
	expect(branch.map((item) => (item.pairedItem as { item: number }).item)).toEqual([2, 5]);
	expect(branch.map((item) => (item.json.sokuError as IDataObject).code)).toEqual(['validation_error', 'validation_error']);
	expect(result.outputs![0].map((item) => (item.pairedItem as { item: number }).item)).toEqual([0, 1, 3, 4, 6, 7]);
	expect(maxInFlight).toBeGreaterThan(1);
});

test("never more in flight than the endpoint's limit per window, even with pacing off: Parallel Requests 50 on transcription sends 10 at once", async () => {
	standIn.configureRateLimits({ enabled: false });
	latency('/v1/ai/transcribe', 300, 15);
	const result = await runSoku({
		parameters: { ...TRANSCRIBE, options: { pacing: false, parallelRequests: 50 } },
		items: transcriptions(15),
		credentials: demoCredentials(standIn.url),
	});
	expect(result.outputs![0]).toHaveLength(15);
	expect(maxInFlight).toBe(10);
});

test('Dry Run with parallel requests: nothing sent, every item on Success in item order with the key a real run would send', async () => {
	const items = transcriptions(12);
	const dry = await runSoku({ parameters: { ...TRANSCRIBE, options: { ...(TRANSCRIBE.options as IDataObject), dryRun: true } }, items, credentials: demoCredentials(standIn.url) });
	expect(standIn.requests).toHaveLength(0);
	const out = dry.outputs![0];
	expect(out.map((item) => (item.pairedItem as { item: number }).item)).toEqual(items.map((_, i) => i));
	expect(out.every((item) => item.json.dryRun === true)).toBe(true);
	const real = await runSoku({ parameters: TRANSCRIBE, items, credentials: demoCredentials(standIn.url) });
	expect(real.outputs![0]).toHaveLength(12);
	const sentKeys = new Set(standIn.requests.map((r) => r.headers['idempotency-key']));
	expect(new Set(out.map((item) => (item.json.request as IDataObject).idempotencyKey))).toEqual(sentKeys);
});

test('Parallel Requests 1 spends AI credits in item order: with 3 credits left, a 1-credit then a 3-credit transcription → the second gets insufficient_credits', async () => {
	standIn.state.credits.user_demo = 3;
	latency('/v1/ai/transcribe', 50, 2);
	const parameters: INodeParameters = { ...TRANSCRIBE, options: { pacingWindowSeconds: WINDOW_MS / 1000, parallelRequests: 1 } };
	const result = await runSoku({ parameters, items: [{ seconds: 60 }, { seconds: 180 }], credentials: demoCredentials(standIn.url) });
	const names = engineOutputNames(parameters);
	expect(result.outputs![0].map((item) => (item.pairedItem as { item: number }).item)).toEqual([0]);
	const out = result.outputs![names.indexOf('insufficient_credits')];
	expect(out.map((item) => (item.pairedItem as { item: number }).item)).toEqual([1]);
	expect((out[0].json.sokuError as IDataObject).details).toMatchObject({ estimatedCost: 3, currentBalance: 2 });
	expect(maxInFlight).toBe(1);
});
