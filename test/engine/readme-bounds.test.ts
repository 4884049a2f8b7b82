/**
 * The README's bounds, each against what the node does (the numbers are read from the README):
 * pacing's total wait for one item stays within Max Rate-Limit Wait (the waits add up, a single wait
 * under the cap is not enough), the node keeps at most 1,000 pacing windows, and the tier limit
 * (100/min) holds requests back across endpoints before Soku has to refuse one.
 */
import * as fs from 'fs';
import * as path from 'path';

import type { INodeParameters } from 'n8n-workflow';

import { pacingRegistry } from '../../nodes/Soku/actions/router';
import type { OperationId } from '../../nodes/Soku/errors/errorTable';
import { PacingRegistry, type WindowLimit } from '../../nodes/Soku/policy/pacing';
import { DEFAULT_RETRY_SETTINGS } from '../../nodes/Soku/policy/retry';
import { sendWithPolicy } from '../../nodes/Soku/policy/sendWithPolicy';
import { ENDPOINTS } from '../../nodes/Soku/transport/endpoints';
import { runSoku } from '../helpers/engine';
import { useFakeRuntime, type FakeRuntime } from '../helpers/fakeRuntime';
import { demoCredentials } from '../helpers/items';
import { deps, fakeRuntime, ok, post, script, settings } from '../helpers/scriptedSoku';
import { VALID_PARAMETERS } from '../helpers/validParams';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

function readmeNumber(pattern: RegExp): number {
	const match = pattern.exec(README);
	if (!match) throw new Error(`README no longer says ${pattern}`);
	return Number(match[1].replace(/,/g, ''));
}

const MAX_WAIT_SECONDS = readmeNumber(/Pacing never waits longer than \*Retry › Max Rate-Limit Wait\* \((\d+) s\)/);
const WINDOW_CAP = readmeNumber(/\*\*Memory\*\* is bounded: at most ([\d,]+) windows/);
const TIER_LIMIT = readmeNumber(/tier limit \((\d+)\/min for subscribers\)/);

describe('pacing waits, added up, stay within Max Rate-Limit Wait', () => {
	test('the README states the default the node uses', () => {
		expect(DEFAULT_RETRY_SETTINGS.maxRateLimitWaitMs).toBe(MAX_WAIT_SECONDS * 1000);
	});

	test('a slot taken by another execution during the wait: the second wait would pass the cap, so the item is routed after the first', async () => {
		const rt = fakeRuntime();
		const registry = new PacingRegistry();
		const limits: WindowLimit[] = [{ key: 'k|/v1/posts', limit: 1, windowMs: 60_000 }];
		const soku = script(ok());
		await sendWithPolicy(post(['x']), settings(), 'always', deps(soku.send, rt, { registry, limits }));
		// Each wait alone (about one window) is under the cap; two are not.
		const maxRateLimitWaitMs = 100_000;
		// Another execution sharing the window takes the slot that frees while this item sleeps (twice, so a
		// loop that ignores the total ends: it then waits a third window and sends).
		const sleep = rt.sleep;
		let takenByOthers = 0;
		rt.sleep = async (ms: number) => {
			await sleep(ms);
			if (takenByOthers++ < 2) registry.reserve(limits, rt.now());
		};
		const outcome = await sendWithPolicy(post(['x']), settings({ maxRateLimitWaitMs }), 'always', deps(soku.send, rt, { registry, limits }));
		expect(soku.requests).toHaveLength(1);
		expect(outcome.ok).toBe(false);
		expect(outcome.error?.details).toMatchObject({ routedBecause: 'pacingWaitTooLong' });
		const slept = rt.sleeps.reduce((a, b) => a + b, 0);
		expect(rt.sleeps).toHaveLength(1);
		expect(slept).toBeLessThanOrEqual(maxRateLimitWaitMs);
		// What it would have had to wait in total, in seconds, for a Wait node.
		expect((outcome.error?.details as { retryAfter: number }).retryAfter * 1000).toBeGreaterThan(maxRateLimitWaitMs);
	});
});

test(`at most ${WINDOW_CAP} pacing windows are kept by the node, however many credentials and endpoints it sees`, () => {
	pacingRegistry.clear();
	try {
		for (let i = 0; i <= WINDOW_CAP; i++) pacingRegistry.get(`credential-${i}|https://api.mysoku.io|tier`);
		expect(pacingRegistry.size).toBe(WINDOW_CAP);
		// The least recently used one went.
		expect(pacingRegistry.has('credential-0|https://api.mysoku.io|tier')).toBe(false);
		expect(pacingRegistry.has(`credential-${WINDOW_CAP}|https://api.mysoku.io|tier`)).toBe(true);
	} finally {
		pacingRegistry.clear();
	}
});

describe('the tier limit', () => {
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

	test(`${TIER_LIMIT} requests over several endpoints in one minute: the next request, to an endpoint with no limit of its own, waits for the window instead of meeting a 429`, async () => {
		// Fill the tier from endpoints with their own (higher-priority) limits, each within that limit.
		let left = TIER_LIMIT;
		const fills: Array<[OperationId, number]> = [];
		for (const id of ['createPost', 'uploadMedia', 'renderTemplate', 'renderOgAlias'] as OperationId[]) {
			const n = Math.min(left, ENDPOINTS[id].perMinute as number);
			if (n > 0) fills.push([id, n]);
			left -= n;
		}
		expect(left).toBe(0);
		const credentials = demoCredentials(standIn.url);
		// A text post to X: the demo seed fails TikTok's first delivery, whose retry would add a request.
		const parametersOf = (id: OperationId): INodeParameters =>
			id === 'createPost' ? { resource: 'post', operation: 'create', mediaType: 'text', text: 'tier', targets: { target: [{ platform: 'x', accountId: '' }] } } : VALID_PARAMETERS[id];
		for (const [id, n] of fills) {
			const result = await runSoku({ parameters: parametersOf(id), items: Array.from({ length: n }, () => ({})), credentials });
			expect(result.outputs![0]).toHaveLength(n);
		}
		expect(fake.sleeps).toEqual([]);
		expect(standIn.requests).toHaveLength(TIER_LIMIT);

		const list = await runSoku({ parameters: VALID_PARAMETERS.listRepurposeLinks, items: [{}], credentials });
		expect(list.outputs![0].length).toBeGreaterThan(0);
		const statuses = standIn.requests.map((r) => (r.response && 'status' in r.response ? r.response.status : 0));
		expect(statuses.filter((s) => s === 429)).toEqual([]);
		expect(standIn.requests).toHaveLength(TIER_LIMIT + 1);
		// Held back by the node's own tier window, about one window after the first request.
		expect(fake.sleeps.length).toBeGreaterThan(0);
		expect(standIn.requests[TIER_LIMIT].receivedAt - standIn.requests[0].receivedAt).toBeGreaterThanOrEqual(60_000);
	});
});
