/**
 * The policy at its edges: boundaries and branches that a full mutation run (docs/mutation.md) showed no
 * other test pinned. Each test states the behaviour, not the mutant: a share that ends exactly on time, a
 * 1-request plan, a Reset past the node's own window, a 429 before a delete's 404, the wording of replays.
 */
import { getEventListeners } from 'events';
import { Workflow, type INode, type INodeTypes } from 'n8n-workflow';

import type { SokuErrorInfo } from '../../nodes/Soku/errors/classify';
import { PacingRegistry, effectiveLimit, newWindowState, observeHeaders, pacingDelay, recordSend, settleSend } from '../../nodes/Soku/policy/pacing';
import { DEFAULT_RETRY_SETTINGS, policyFor, retryDecision } from '../../nodes/Soku/policy/retry';
import { outputsExpression } from '../../nodes/Soku/policy/route';
import { ExecutionCancelledError, realRuntime } from '../../nodes/Soku/policy/runtime';
import { emptyOutcome, sendWithPolicy, type ItemOutcome } from '../../nodes/Soku/policy/sendWithPolicy';
import { RunSummary } from '../../nodes/Soku/policy/summary';
import type { SokuRequest } from '../../nodes/Soku/transport';
import { deps, fail, fakeRuntime, ok, post, script, settings } from '../helpers/scriptedSoku';

const T = Date.parse('2026-11-25T08:00:00Z');
const rateHeaders = (limit: number, remaining: number, resetAt: number) => ({
	'x-ratelimit-limit': String(limit),
	'x-ratelimit-remaining': String(remaining),
	'x-ratelimit-reset': String(resetAt / 1000),
});

describe('pacing', () => {
	test('a share of the limit applies until exactly one window after it was seen, then the whole limit again', () => {
		const state = newWindowState();
		state.share = 5;
		state.shareUntil = T + 1000;
		expect(effectiveLimit(state, 30, T + 999)).toBe(5);
		expect(effectiveLimit(state, 30, T + 1000)).toBe(30);
		expect(effectiveLimit(newWindowState(), 30, T)).toBe(30);
	});

	test('X-RateLimit-Limit: 1 (the smallest plan) is honoured: the next send waits a full window from the answer', () => {
		const state = newWindowState();
		recordSend(state, 60_000, T);
		settleSend(state, T, T + 10, true);
		observeHeaders(state, rateHeaders(1, 0, T + 60_000), T + 10, 60_000, T);
		expect(state.serverLimit).toBe(1);
		// Kept from the answer (T + 10) for one window, not until the rounded Reset.
		expect(pacingDelay(state, 30, 60_000, T + 20)).toBe(59_990);
	});

	test('another consumer emptied the window: the node waits for Soku\'s Reset, but never past one window (a later Reset only a send could correct)', () => {
		const state = newWindowState();
		recordSend(state, 10_000, T);
		settleSend(state, T, T + 10, true);
		// 30 counted, 1 of them ours: someone else uses the key. Soku frees a slot at T + 30 s.
		observeHeaders(state, rateHeaders(30, 0, T + 30_000), T + 10, 10_000, T);
		expect(state.serverExplainedLocally).toBe(false);
		// Reset at T + 30 s is cut to one window after the answer (T + 10 + 10 s).
		expect(pacingDelay(state, 30, 10_000, T + 20)).toBe(10_000 - 10);
	});

	test('the share counts only this process\'s answers Soku had counted in the same window as the observed request', () => {
		const state = newWindowState();
		// Counted about T - 70 s (outside the window), T - 100 ms and T - 50 ms (inside), T + 500 ms (after this one).
		state.countedAt = [T - 70_000, T - 100, T - 50, T + 500];
		// Sent T - 10 ms, answered T + 10 ms: counted about T. Soku counted 20 of 30; two of them were ours.
		observeHeaders(state, rateHeaders(30, 10, T + 60_000), T + 10, 60_000, T - 10);
		// shareOf(30, 2, 20) = max(floor(30 / 10), floor(30 * 2 / 20) - 1) = 3; with 3 or 4 of ours it would be 4 or 6.
		expect(state.share).toBe(3);
		expect(state.shareUntil).toBe(T + 10 + 60_000);
	});
});

describe('retry policy', () => {
	const err = (extra: Partial<SokuErrorInfo>): SokuErrorInfo => ({
		code: 'rate_limit_exceeded',
		known: true,
		type: 'invalid_request_error',
		message: 'm',
		httpStatus: null,
		requestId: null,
		timestamp: null,
		details: {},
		...extra,
		source: extra.source ?? 'api',
	});

	test('a refusal made by the node itself (nothing was sent) is never retried, even with a retryable code', () => {
		expect(policyFor(err({ source: 'client' }))).toBe('never');
		expect(policyFor(err({ source: 'api', httpStatus: 429 }))).toBe('rateLimit');
	});

	test('a code that is not retried routes with the reason "not retryable"', () => {
		const decision = retryDecision(err({ code: 'validation_error', httpStatus: 400 }), { serverRetries: 0, rateLimitRetries: 0 }, DEFAULT_RETRY_SETTINGS, 'always', () => 0.5);
		expect(decision).toEqual({ action: 'route', reason: 'not retryable' });
	});
});

describe('the send loop', () => {
	test('a delete answered 429 and then 404: the 429 did not act, so the 404 is a real not_found', async () => {
		const del: SokuRequest = { operation: 'deleteRepurposeLink', path: '/v1/repurpose-links/a' };
		const soku = script(fail(429, 'rate_limit_exceeded', {}, { 'retry-after': '1' }), fail(404, 'not_found'));
		const outcome = await sendWithPolicy(del, settings(), 'always', deps(soku.send, fakeRuntime()));
		expect(outcome).toMatchObject({ ok: false, attempts: 2, error: { code: 'not_found' } });
		expect(outcome.deletedByEarlierAttempt).toBeUndefined();
	});

	test('a delete that fails with 5xx on every attempt stays internal_error: only a 404 after a possible success means deleted', async () => {
		const del: SokuRequest = { operation: 'deleteRepurposeLink', path: '/v1/repurposeLinks/a' };
		const soku = script(fail(500, 'internal_error'));
		const outcome = await sendWithPolicy(del, settings(), 'always', deps(soku.send, fakeRuntime()));
		expect(outcome).toMatchObject({ ok: false, attempts: 4, error: { code: 'internal_error' } });
		expect(outcome.deletedByEarlierAttempt).toBeUndefined();
	});

	test('rate-limit retries used up, with a last Retry-After past the cap: routed because the retries ran out', async () => {
		const soku = script(fail(429, 'rate_limit_exceeded', {}, { 'retry-after': '5' }), fail(429, 'rate_limit_exceeded', {}, { 'retry-after': '500' }));
		const outcome = await sendWithPolicy(post(['x']), settings({ maxRateLimitRetries: 1 }), 'always', deps(soku.send, fakeRuntime()));
		expect(outcome).toMatchObject({ ok: false, attempts: 2, error: { code: 'rate_limit_exceeded', details: { retryAfter: 500, routedBecause: 'retriesExhausted' } } });
	});

	test('the pacing refusal is an invalid_request_error, like Soku\'s own 429', async () => {
		const rt = fakeRuntime();
		const registry = new PacingRegistry();
		const limits = [{ key: 'k', limit: 1, windowMs: 60_000 }];
		const soku = script(ok());
		await sendWithPolicy(post(['x']), settings(), 'always', deps(soku.send, rt, { registry, limits }));
		const refused = await sendWithPolicy(post(['x']), settings({ maxRateLimitWaitMs: 1000 }), 'always', deps(soku.send, rt, { registry, limits }));
		expect(refused.error).toMatchObject({ code: 'rate_limit_exceeded', type: 'invalid_request_error', source: 'client' });
		expect(soku.requests).toHaveLength(1);
	});

	test('dispatch_failed naming only the failed platforms (no succeededPlatforms): the others were accepted', async () => {
		const soku = script(fail(500, 'dispatch_failed', { failedPlatforms: ['TikTok'] }));
		const outcome = await sendWithPolicy(post(['x', 'tiktok']), settings({ retryFailedPlatformsOnly: false }), 'always', deps(soku.send, fakeRuntime()));
		expect(outcome.error?.details).toMatchObject({ failedPlatforms: ['tiktok'], succeededPlatforms: ['x'] });
		expect(outcome.dispatch).toEqual({ delivered: [{ platform: 'x', attempt: 1, postSubmissionId: null }], failed: ['tiktok'], postSubmissionIds: [] });
	});
});

describe('run summary', () => {
	const replayed = (): ItemOutcome => ({ ...emptyOutcome(), ok: true, attempts: 1, replayed: true, replayedByEarlierRun: true });

	test('replays are counted and worded in the singular and the plural, with what the operation does', () => {
		const accepted = new RunSummary();
		accepted.add(replayed());
		expect(accepted.message()).toBe('Soku: 1 item was already accepted by an earlier run; nothing was sent twice');
		accepted.add(replayed());
		accepted.add({ ...emptyOutcome(), ok: true, attempts: 1 });
		expect(accepted.message()).toBe('Soku: 2 items were already accepted by an earlier run; nothing was sent twice');
		const posts = new RunSummary('published');
		posts.add(replayed());
		expect(posts.message()).toBe('Soku: 1 item was already published by an earlier run; nothing was sent twice');
	});
});

describe('runtime', () => {
	test('the cancellation error is named for what it is', () => {
		expect(new ExecutionCancelledError().name).toBe('ExecutionCancelledError');
	});

	test('a zero wait returns at once: a cancel right after it does not turn it into a cancellation', async () => {
		const controller = new AbortController();
		const waited = realRuntime.sleep(0, controller.signal);
		controller.abort();
		await expect(waited).resolves.toBeUndefined();
	});

	test('a finished wait leaves no listener on the execution\'s cancel signal (thousands of waits per run)', async () => {
		const controller = new AbortController();
		for (let i = 0; i < 3; i++) await realRuntime.sleep(1, controller.signal);
		expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
	});
});

describe('the outputs expression', () => {
	test('a layout whose source has "{{" or "}}" still evaluates in n8n\'s expression engine', () => {
		// Built from text: the TypeScript compiler would reformat the nested blocks of a written function.
		const layout = new Function('parameters', "if (parameters) {{ return ['Success', 'n' + String(parameters.n)]; }} return [];");
		const node: INode = { id: 'n', name: 'Soku', type: 'x', typeVersion: 1, position: [0, 0], parameters: { n: 3 } };
		const nodeTypes = { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) } as unknown as INodeTypes;
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		const expression = outputsExpression({ codes: [], categories: [], other: 'Other Error', operationCodes: {}, codeParameters: {} }, layout as never);
		const outputs = workflow.expression.getSimpleParameterValue(node, expression, 'internal', {});
		expect(outputs).toEqual([{ type: 'main', displayName: 'Success' }, { type: 'main', displayName: 'n3' }]);
	});
});
