/**
 * The documented answer space, generated (issue 19): fast-check drives the send loop (sendWithPolicy) with a
 * model of Soku (test/helpers/scriptedSoku.ts ModelSoku) that keeps the truth per account and answers as the
 * docs allow where they are silent: dispatch_failed lists that overlap, omit a list or name strangers;
 * 2xx with or without ids; replays marked or not; 429 with or without Retry-After; rate-limit headers
 * absent / empty / malformed / negative / endpoint- or tier-scoped / on a clock ±10 min off / far ahead;
 * answers lost or timed out after Soku stored the post. Each generated run sends 1-3 items through one
 * pacing registry on a virtual clock and checks:
 * - no account receives an item's post twice;
 * - every item ends exactly once, ok xor error;
 * - the report equals the model's per-account record (accepted = delivered, failed = not delivered,
 *   unknown only where the answers could not tell);
 * - no wait beyond its bound;
 * - distinct requests carry distinct keys (no key is ever sent with two bodies: Soku never answers 409).
 * FC_SEED re-runs a seed, FC_RUNS changes the size (default 2,000 runs). Failures are shrunk by fast-check.
 */
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import { PacingRegistry, type WindowLimit } from '../../nodes/Soku/policy/pacing';
import { sendWithPolicy, type ItemOutcome } from '../../nodes/Soku/policy/sendWithPolicy';
import type { SokuRequest } from '../../nodes/Soku/transport';
import { ModelSoku, fakeRuntime, settings as retrySettings, type ModelStep } from '../helpers/scriptedSoku';

const RUNS = Number(process.env.FC_RUNS ?? 2000);
const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const WINDOW = 60_000;

const POOL: ReadonlyArray<string | { platform: string; accountId: string }> = [
	'x',
	{ platform: 'x', accountId: 'x_alt' },
	'threads',
	{ platform: 'tiktok', accountId: 'tt_1' },
	{ platform: 'instagram', accountId: 'ig_a' },
	{ platform: 'instagram', accountId: 'ig_b' },
];

const step: fc.Arbitrary<ModelStep> = fc.record({
	kind: fc.constantFrom<ModelStep['kind']>('ok', 'dispatch', 'dispatch', 'storedThenLost', 'storedThenTimeout', 'dispatchThenLost', 'lostBefore', 'refused', 'internal', 'creationFailed', 'rateLimited'),
	withId: fc.boolean(),
	failBits: fc.nat(63),
	lists: fc.constantFrom<ModelStep['lists']>('exclusive', 'overlap', 'failedOnly', 'succeededOnly', 'none', 'withStrangers'),
	retryAfter: fc.option(fc.integer({ min: 0, max: 200 }), { nil: null }),
	headers: fc.constantFrom<ModelStep['headers']>('absent', 'empty', 'malformed', 'negative', 'endpoint', 'tier', 'skewAhead', 'skewBehind', 'farReset'),
});

const scenario = fc.record({
	items: fc.array(fc.subarray([...POOL], { minLength: 1 }), { minLength: 1, maxLength: 3 }),
	steps: fc.array(step, { minLength: 1, maxLength: 8 }),
	replayHeader: fc.constantFrom('onReplay' as const, 'always' as const, 'never' as const),
	pacing: fc.boolean(),
	maxServerRetries: fc.integer({ min: 0, max: 3 }),
	maxRateLimitRetries: fc.integer({ min: 0, max: 3 }),
	maxRateLimitWaitMs: fc.constantFrom(5_000, 120_000),
	retryFailedPlatformsOnly: fc.boolean(),
});

const account = (t: unknown): string =>
	typeof t === 'string' ? `${t}#default` : `${String((t as IDataObject).platform)}#${String((t as IDataObject).accountId || 'default')}`;
const reported = (list: unknown): Set<string> =>
	new Set(((Array.isArray(list) ? list : []) as IDataObject[]).map((d) => `${String(d.platform)}#${String(d.accountId || 'default')}`));

function checkItem(outcome: ItemOutcome, itemKey: string, targets: unknown[], soku: ModelSoku): void {
	// Never twice, per account.
	for (const t of targets) expect(soku.delivered(itemKey, t)).toBeLessThanOrEqual(1);
	// Exactly one end.
	expect(outcome.ok).toBe(outcome.error === undefined);
	if (outcome.ok) {
		// A Success: every target has the post, once.
		for (const t of targets) expect(soku.delivered(itemKey, t)).toBe(1);
		if (outcome.dispatch) expect(reported(outcome.dispatch.delivered)).toEqual(new Set(targets.map(account)));
		return;
	}
	const error = outcome.error!;
	if (!outcome.dispatch) {
		expect(error.code === 'dispatch_failed' && error.details.deliveries !== undefined).toBe(false);
		return;
	}
	// dispatch_failed report: accepted = delivered, unknown = could not tell, the rest certainly not delivered.
	expect(error.code).toBe('dispatch_failed');
	const accepted = reported(error.details.deliveries);
	const unknown = reported(error.details.ambiguousAccounts);
	expect(reported(outcome.dispatch.delivered)).toEqual(accepted);
	for (const t of targets) {
		const a = account(t);
		expect(accepted.has(a) && unknown.has(a)).toBe(false);
		if (accepted.has(a)) expect(soku.delivered(itemKey, t)).toBe(1);
		else if (!unknown.has(a)) expect(soku.delivered(itemKey, t)).toBe(0);
	}
	const notAccepted = new Set(targets.filter((t) => !accepted.has(account(t))).map((t) => account(t).split('#')[0]));
	expect(new Set(error.details.failedPlatforms as string[])).toEqual(notAccepted);
}

test(`the send loop over the documented answer space: ${RUNS} generated runs`, async () => {
	const started = Date.now();
	let items = 0;
	let requests = 0;
	// eslint-disable-next-line no-console
	console.log(`answer-space: seed ${SEED} (re-run with FC_SEED=${SEED}), ${RUNS} runs`);
	await fc.assert(
		fc.asyncProperty(scenario, async (s) => {
			const rt = fakeRuntime();
			const soku = new ModelSoku(s.steps, rt.now, s.replayHeader, WINDOW);
			const registry = new PacingRegistry();
			const limits: WindowLimit[] = [
				{ key: 'cred|/v1/posts', limit: 30, windowMs: WINDOW },
				{ key: 'cred|tier', limit: 100, windowMs: WINDOW },
			];
			const settings = retrySettings({
				maxServerRetries: s.maxServerRetries,
				maxRateLimitRetries: s.maxRateLimitRetries,
				maxRateLimitWaitMs: s.maxRateLimitWaitMs,
				initialDelayMs: 1000,
				maxDelayMs: 4000,
				retryFailedPlatformsOnly: s.retryFailedPlatformsOnly,
			});
			for (const [i, targets] of s.items.entries()) {
				const request: SokuRequest = { operation: 'createPost', path: '/v1/posts', body: { post: { content: { text: `item ${i}`, platform: targets } } }, idempotencyKey: `k${i}` };
				const before = soku.requests.length;
				const sleepsBefore = rt.sleeps.length;
				const outcome = await sendWithPolicy(request, settings, 'always', { send: soku.send, runtime: rt, pacing: s.pacing ? { registry, limits } : undefined });
				items++;
				checkItem(outcome, `k${i}`, targets, soku);
				// Honest replay flags: true / false only when an answer said so.
				const said = soku.requests.slice(before).map((r) => r.replayHeader);
				if (outcome.replayed === true) expect(said).toContain('true');
				if (outcome.replayed === false) expect(said).toContain('false');
				// Bounded waits: a retry waits at most Max Rate-Limit Wait or Max Backoff; a pacing sleep at most one
				// window (a Reset further ahead, on any clock, is cut to one window).
				for (const ms of rt.sleeps.slice(sleepsBefore)) expect(ms).toBeLessThanOrEqual(Math.max(settings.maxRateLimitWaitMs, settings.maxDelayMs, WINDOW + 1));
				// Each send's pacing wait stays within Max Rate-Limit Wait (else the item is routed unsent): in all,
				// at most that per request sent, plus the one that was refused.
				expect(outcome.pacedMs).toBeLessThanOrEqual(settings.maxRateLimitWaitMs * (outcome.attempts + 1));
			}
			requests += soku.requests.length;
			// Distinct requests, distinct keys: no key ever went out with two bodies.
			const bodyOf = new Map<string, string>();
			for (const r of soku.requests) {
				if (r.key === undefined) continue;
				expect(bodyOf.get(r.key) ?? r.body).toBe(r.body);
				bodyOf.set(r.key, r.body);
			}
			expect(soku.conflicts).toBe(0);
		}),
		{ seed: SEED, numRuns: RUNS },
	);
	// eslint-disable-next-line no-console
	console.log(`answer-space: ${RUNS} runs, ${items} items, ${requests} requests in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED})`);
});
