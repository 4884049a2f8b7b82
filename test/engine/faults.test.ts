/**
 * Never twice, never lost: 1,000 post creations through n8n's engine while the stand-in injects faults
 * into 20 % of requests (500s, 429s, responses lost after the post was stored, connections reset before,
 * timeouts). Every item must come out on exactly one output and no post may exist twice; a second execution
 * of the same input (faults still on) creates no new post.
 */
import type { IDataObject } from 'n8n-workflow';

import { engineOutputNames, runSoku } from '../helpers/engine';
import { useFakeRuntime, type FakeRuntime } from '../helpers/fakeRuntime';
import { DEMO_KEY, allItems, pairedIndexes, demoCredentials } from '../helpers/items';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

const N = 1000;
const PARAMETERS = {
	resource: 'post',
	operation: 'create',
	mediaType: 'text',
	text: '={{ $json.text }}',
	targets: { target: [{ platform: 'x', accountId: '' }, { platform: 'threads', accountId: '' }] },
	// Timeouts are real (the stand-in holds the answer), so keep the client timeout short.
	options: { timeoutSeconds: 0.15 },
};

let fake: FakeRuntime;
let standIn: SokuStandIn;
beforeEach(async () => {
	fake = useFakeRuntime({ random: mulberry32(7) });
	standIn = await startStandIn({ clock: fake.clock });
});
afterEach(async () => {
	fake.restore();
	await standIn.close();
});

function mulberry32(seed: number): () => number {
	let a = seed;
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// Parallel Requests 1 is the posts' default; 5 sends posts in parallel (Options › Parallel Requests).
test.each([1, 5])(`${N} posts with 20 %% injected faults, Parallel Requests %i: 0 duplicates, 0 lost items, each item on exactly one output; run again: 0 new posts`, async (parallelRequests) => {
	const parameters = { ...PARAMETERS, options: { ...PARAMETERS.options, parallelRequests } };
	standIn.faults({
		rate: 0.2,
		kinds: ['500', '429', 'drop-after', 'drop-before', 'timeout'],
		timeoutMs: 150,
		holdMs: 220,
		seed: 20261125,
		match: { method: 'POST', path: '/v1/posts' },
	});
	const items = Array.from({ length: N }, (_, i) => ({ text: `fault test post #${i}` }));
	const result = await runSoku({ parameters, items, credentials: demoCredentials(standIn.url) });
	expect(result.error).toBeUndefined();

	// Every input item on exactly one output.
	expect(pairedIndexes(result.outputs)).toEqual(Array.from({ length: N }, (_, i) => i));

	// No post stored twice, no platform delivered twice for the same text.
	const texts = standIn.state.posts.map((p) => p.text);
	expect(new Set(texts).size).toBe(texts.length);
	const deliveries = standIn.state.deliveries.map((d) => `${d.text}|${d.platform}`);
	expect(new Set(deliveries).size).toBe(deliveries.length);

	// Every Success item names a stored post; every stored post was reported (none created silently).
	const success = result.outputs![0];
	const stored = new Map(standIn.state.posts.map((p) => [p.postSubmissionId, p.text]));
	for (const item of success) {
		const index = (item.pairedItem as { item: number }).item;
		expect(stored.get(item.json.postSubmissionId as string)).toBe(`fault test post #${index}`);
	}
	const names = engineOutputNames(PARAMETERS);
	const routed = allItems(result.outputs).filter((l) => l.output > 0);
	for (const { output, item } of routed) {
		const error = item.json.sokuError as IDataObject;
		// Only an item that exhausted its retries may end on an error branch (429 waits come on top).
		expect(error.attempts).toBeGreaterThanOrEqual(4);
		expect(names[output]).toBe(names.includes(String(error.code)) ? error.code : 'Other Error');
	}
	const faults = standIn.faultCounts();
	const injected = Object.values(faults).reduce((a, b) => (a ?? 0) + (b ?? 0), 0) ?? 0;
	expect(injected).toBeGreaterThan(N * 0.15);
	expect(faults['drop-after']).toBeGreaterThan(10);
	expect(faults.timeout).toBeGreaterThan(10);
	expect(success.length + routed.length).toBe(N);
	expect(success.length).toBeGreaterThan(N * 0.98);

	// The same input again (a re-run, a retried execution, a redelivered webhook), faults still injected:
	// every post that exists is replayed, not created again: 0 new posts.
	const postsBefore = new Map(standIn.state.posts.map((p) => [p.text, p.postSubmissionId]));
	const deliveriesBefore = standIn.state.deliveries.length;
	const again = await runSoku({ parameters, items, credentials: demoCredentials(standIn.url) });
	expect(again.error).toBeUndefined();
	expect(pairedIndexes(again.outputs)).toEqual(Array.from({ length: N }, (_, i) => i));
	const newPosts = standIn.state.posts.slice(postsBefore.size);
	expect(newPosts.every((p) => !postsBefore.has(p.text))).toBe(true);
	// With this seed every item was stored by the first run (even the one whose answers were all lost).
	expect(postsBefore.size).toBe(N);
	expect(newPosts).toHaveLength(0);
	const allTexts = standIn.state.posts.map((p) => p.text);
	expect(new Set(allTexts).size).toBe(allTexts.length);
	const allDeliveries = standIn.state.deliveries.map((d) => `${d.text}|${d.platform}`);
	expect(new Set(allDeliveries).size).toBe(allDeliveries.length);
	expect(standIn.state.deliveries.length - deliveriesBefore).toBe(newPosts.length * 2);
	let replayedSuccess = 0;
	for (const item of again.outputs![0]) {
		const index = (item.pairedItem as { item: number }).item;
		const earlier = postsBefore.get(`fault test post #${index}`);
		if (earlier === undefined) continue;
		expect(item.json.postSubmissionId).toBe(earlier);
		expect(item.json.replayed).toBe(true);
		replayedSuccess++;
	}
	expect(replayedSuccess).toBeGreaterThan(N * 0.98);
	expect(again.hints.map((h) => h.message).join(' ')).toMatch(/\d+ items were already published by an earlier run; nothing was sent twice/);
}, 180_000);
