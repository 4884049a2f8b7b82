/**
 * Edges of the pure policy functions: retry limits at their boundaries, unknown codes by status class,
 * the run summary's wording, cancellable waits and the outputs expression. Found missing by mutation
 * testing (docs/mutation.md).
 */
import { Workflow, type INode, type INodeTypes } from 'n8n-workflow';

import { OUTPUT_TABLE } from '../../nodes/Soku/actions/versionDescription';
import type { SokuErrorInfo } from '../../nodes/Soku/errors/classify';
import { DEFAULT_RETRY_SETTINGS, backoffDelay, policyFor, retryDecision } from '../../nodes/Soku/policy/retry';
import { buildOutputTable, errorCodesParameter, outputsExpression, routeItem } from '../../nodes/Soku/policy/route';
import { ExecutionCancelledError, getRuntime, realRuntime, setRuntime } from '../../nodes/Soku/policy/runtime';
import { emptyOutcome, type ItemOutcome } from '../../nodes/Soku/policy/sendWithPolicy';
import { RunSummary } from '../../nodes/Soku/policy/summary';

const error = (code: string, httpStatus: number | null, extra: Partial<SokuErrorInfo> = {}): SokuErrorInfo => ({
	code,
	known: ['internal_error', 'rate_limit_exceeded', 'dispatch_failed', 'validation_error', 'post_creation_failed'].includes(code),
	type: null,
	message: code,
	httpStatus,
	requestId: null,
	timestamp: null,
	details: {},
	source: 'api',
	...extra,
});
const fresh = { serverRetries: 0, rateLimitRetries: 0 };
const S = DEFAULT_RETRY_SETTINGS;
const half = () => 0.5;

describe('retry policy', () => {
	test('unknown codes follow their HTTP status class; known codes the table, whatever the status', () => {
		expect(policyFor(error('http_429', 429))).toBe('rateLimit');
		expect(policyFor(error('http_500', 500))).toBe('backoff');
		expect(policyFor(error('http_499', 499))).toBe('never');
		expect(policyFor(error('http_0', null))).toBe('never');
		expect(policyFor(error('timeout', null, { source: 'network' }))).toBe('backoff');
		expect(policyFor(error('post_creation_failed', 500))).toBe('backoff');
		expect(policyFor(error('dispatch_failed', 500))).toBe('retryFailedPlatforms');
		// A known code that Soku sent with an odd status keeps the table's policy.
		expect(policyFor(error('validation_error', 500))).toBe('never');
		expect(policyFor(error('validation_error', 500, { known: false }))).toBe('backoff');
	});

	test('limits are "at most": the last allowed retry still happens', () => {
		const e = error('internal_error', 500);
		expect(retryDecision(e, { serverRetries: 2, rateLimitRetries: 0 }, { ...S, maxServerRetries: 3 }, 'always', half)).toMatchObject({ action: 'retry' });
		expect(retryDecision(e, fresh, { ...S, maxServerRetries: 0 }, 'always', half)).toEqual({ action: 'route', reason: 'failed after 0 retries' });
		const r = error('rate_limit_exceeded', 429, { retryAfterMs: 1000 });
		expect(retryDecision(r, { serverRetries: 0, rateLimitRetries: 4 }, S, 'always', half)).toMatchObject({ action: 'retry' });
		expect(retryDecision(r, { serverRetries: 0, rateLimitRetries: 0 }, { ...S, maxRateLimitRetries: 0 }, 'always', half)).toEqual({
			action: 'route',
			reason: 'still rate limited after 0 retries',
		});
		// Retry-After exactly the maximum wait is waited; one millisecond more is routed.
		expect(retryDecision(error('rate_limit_exceeded', 429, { retryAfterMs: S.maxRateLimitWaitMs }), fresh, S, 'always', half)).toEqual({
			action: 'retry',
			delayMs: S.maxRateLimitWaitMs,
			kind: 'rateLimit',
		});
		expect(retryDecision(error('rate_limit_exceeded', 429, { retryAfterMs: S.maxRateLimitWaitMs + 1 }), fresh, S, 'always', half)).toEqual({
			action: 'route',
			reason: `Retry-After ${S.maxRateLimitWaitMs + 1} ms exceeds the maximum wait`,
		});
	});

	test('429 without Retry-After: backoff, never longer than Max Rate-Limit Wait', () => {
		const r = error('rate_limit_exceeded', 429);
		const settings = { ...S, initialDelayMs: 10_000, maxDelayMs: 30_000, maxRateLimitWaitMs: 12_000 };
		expect(retryDecision(r, fresh, settings, 'always', () => 1)).toEqual({ action: 'retry', delayMs: 10_000, kind: 'rateLimit' });
		expect(retryDecision(r, { serverRetries: 0, rateLimitRetries: 1 }, settings, 'always', () => 1)).toEqual({ action: 'retry', delayMs: 12_000, kind: 'rateLimit' });
	});

	test('backoff: the first retry starts from the initial delay, a retry number below 1 too', () => {
		const s = { ...S, initialDelayMs: 1000, maxDelayMs: 60_000 };
		expect(backoffDelay(0, s, () => 1)).toBe(1000);
		expect(backoffDelay(1, s, () => 1)).toBe(1000);
		expect(backoffDelay(3, s, () => 0.25)).toBe(2500);
	});

	test('key-less creates: only a connection that never reached Soku is resent', () => {
		const refused = error('network_error', null, { source: 'network', details: { requestMaybeProcessed: false } });
		const lost = error('network_error', null, { source: 'network', details: { requestMaybeProcessed: true } });
		const unknown = error('network_error', null, { source: 'network', details: {} });
		expect(retryDecision(refused, fresh, S, 'ifNotProcessed', half)).toMatchObject({ action: 'retry', kind: 'server' });
		expect(retryDecision(lost, fresh, S, 'ifNotProcessed', half)).toEqual({ action: 'route', reason: 'not idempotent: a resend could act twice' });
		expect(retryDecision(unknown, fresh, S, 'ifNotProcessed', half)).toMatchObject({ action: 'route' });
		// An API answer claiming requestMaybeProcessed: false is still an answer: Soku may have acted.
		const api500 = error('internal_error', 500, { details: { requestMaybeProcessed: false } });
		expect(retryDecision(api500, fresh, S, 'ifNotProcessed', half)).toMatchObject({ action: 'route' });
		expect(retryDecision(refused, { serverRetries: 3, rateLimitRetries: 0 }, S, 'ifNotProcessed', half)).toMatchObject({ action: 'route' });
	});

	test('dispatch_failed: only named platforms are resent; non-names are ignored', () => {
		const e = error('dispatch_failed', 500, { details: { failedPlatforms: ['tiktok', '', 3, 'youtube'] } });
		expect(retryDecision(e, fresh, S, 'always', half)).toEqual({ action: 'retry', delayMs: 750, kind: 'server', retryPlatforms: ['tiktok', 'youtube'] });
		const none = error('dispatch_failed', 500, { details: { failedPlatforms: 'tiktok' } });
		expect(retryDecision(none, fresh, S, 'always', half)).toEqual({ action: 'route', reason: 'failed platforms unknown or platform retry turned off' });
		expect(retryDecision(e, { serverRetries: 3, rateLimitRetries: 0 }, S, 'always', half)).toMatchObject({ action: 'route' });
	});
});

describe('routing', () => {
	const e = (code: string, type: string | null, known = true): SokuErrorInfo => ({ ...error(code, 400), type, known });

	test('an error is never routed to Success (output 0), even if a code or type were named so', () => {
		expect(routeItem(e('Success', 'Success'), 'perCode', ['Success', 'x', 'Other Error'])).toBe(2);
		expect(routeItem(e('x', 'Success'), 'perCategory', ['Success', 'api_error', 'Other Error'])).toBe(2);
		expect(routeItem(e('x', 'api_error'), 'perCategory', ['Success', 'api_error', 'Other Error'])).toBe(1);
		expect(routeItem(e('x', 'api_error'), 'single', ['Success', 'Error'])).toBe(1);
	});

	test('each operation has its own Error Branches parameter', () => {
		expect(errorCodesParameter('repurposeLink', 'getAll')).toBe('errorCodesForRepurposeLinkGetAll');
		const table = buildOutputTable([{ resource: 'media', operation: 'import', id: 'uploadMedia' }]);
		expect(table).toEqual({
			codes: OUTPUT_TABLE.codes,
			categories: ['invalid_request_error', 'authentication_error', 'api_error'],
			other: 'Other Error',
			operationCodes: { 'media:import': ['validation_error', 'upload_failed', 'unauthorized', 'forbidden', 'idempotency_conflict', 'rate_limit_exceeded', 'internal_error'] },
			codeParameters: { 'media:import': 'errorCodesForMediaImport' },
		});
	});

	test("the outputs expression, evaluated by n8n's expression engine, gives the branch names", () => {
		const node: INode = {
			id: 'n',
			name: 'Soku',
			type: 'x',
			typeVersion: 1,
			position: [0, 0],
			parameters: { resource: 'transcription', operation: 'create', errorRouting: 'perCode', errorCodesForTranscriptionCreate: ['not_found', 'unauthorized'] },
		};
		const nodeTypes = { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) } as unknown as INodeTypes;
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		const outputs = workflow.expression.getSimpleParameterValue(node, outputsExpression(OUTPUT_TABLE), 'internal', {});
		expect(outputs).toEqual(['Success', 'unauthorized', 'not_found', 'Other Error'].map((displayName) => ({ type: 'main', displayName })));
	});
});

describe('run summary (the execution hint)', () => {
	const outcome = (o: Partial<ItemOutcome>): ItemOutcome => ({ ...emptyOutcome(), ...o });

	test('nothing to say when every item went straight through', () => {
		const s = new RunSummary();
		s.add(outcome({ ok: true, attempts: 1 }));
		expect(s.message()).toBeUndefined();
		expect(s.hints(false)).toEqual([]);
	});

	test('counts items, sums waits, names codes once per item; seconds get one decimal below 10 s', () => {
		const s = new RunSummary();
		s.add(outcome({ ok: true, pacedMs: 1234, rateLimitWaits: 2, rateLimitWaitedMs: 4000, retriedCodes: ['rate_limit_exceeded', 'rate_limit_exceeded'] }));
		s.add(outcome({ ok: true, pacedMs: 0, retriedCodes: ['internal_error', 'internal_error'] }));
		s.add(outcome({ ok: false, error: error('internal_error', 500), retriedCodes: ['internal_error'] }));
		s.add(outcome({ ok: false, error: error('validation_error', null) }));
		expect(s.message()).toBe(
			"Soku: 1 item paced for 1.2 s to stay under Soku's rate limit; 1 item waited out rate limits for 4 s in total; 2 retried after internal_error; 1 routed to internal_error; 1 routed to validation_error",
		);
	});

	test('plural items and whole seconds from 10 s on', () => {
		const s = new RunSummary();
		s.add(outcome({ ok: true, pacedMs: 6000, rateLimitWaits: 1, rateLimitWaitedMs: 9_950 }));
		s.add(outcome({ ok: true, pacedMs: 6400, rateLimitWaits: 1, rateLimitWaitedMs: 10_000 }));
		expect(s.message()).toBe("Soku: 2 items paced for 12 s to stay under Soku's rate limit; 2 items waited out rate limits for 20 s in total");
	});

	test('an item that succeeded is not "routed", even with an error recorded from an earlier attempt', () => {
		const s = new RunSummary();
		s.add(outcome({ ok: true, error: error('internal_error', 500) }));
		expect(s.message()).toBeUndefined();
	});

	test('the Retry On Fail hint comes after the summary, and alone when there is nothing to summarise', () => {
		const quiet = new RunSummary();
		expect(quiet.hints(true)).toEqual([expect.stringMatching(/^"Retry On Fail" is on/)]);
		const busy = new RunSummary();
		busy.add(outcome({ ok: false, error: error('validation_error', null) }));
		expect(busy.hints(true)).toEqual(['Soku: 1 routed to validation_error', expect.stringMatching(/^"Retry On Fail" is on/)]);
	});
});

describe('runtime: waits end when the execution is cancelled', () => {
	test('the real runtime sleeps, and an aborted signal ends the wait at once', async () => {
		expect(getRuntime()).toBe(realRuntime);
		const t0 = Date.now();
		await realRuntime.sleep(30);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
		await expect(realRuntime.sleep(0)).resolves.toBeUndefined();

		const already = new AbortController();
		already.abort();
		await expect(realRuntime.sleep(10, already.signal)).rejects.toBeInstanceOf(ExecutionCancelledError);

		const later = new AbortController();
		const waiting = realRuntime.sleep(60_000, later.signal);
		setTimeout(() => later.abort(), 10);
		await expect(waiting).rejects.toThrow('The execution was cancelled while waiting to retry');

		const notAborted = new AbortController();
		await expect(realRuntime.sleep(5, notAborted.signal)).resolves.toBeUndefined();
	});

	test('setRuntime replaces only what it is given, and restores the previous runtime', () => {
		const restore = setRuntime({ now: () => 42 });
		expect(getRuntime().now()).toBe(42);
		expect(getRuntime().sleep).toBe(realRuntime.sleep);
		restore();
		expect(getRuntime()).toBe(realRuntime);
	});
});

describe('runtime with a newer n8n-workflow that exports sleepWithAbort', () => {
	/** runtime.ts loaded against an n8n-workflow whose sleepWithAbort behaves as given. */
	function runtimeWith(sleepWithAbort: (ms: number, signal?: AbortSignal) => Promise<void>) {
		let loaded: typeof import('../../nodes/Soku/policy/runtime') | undefined;
		jest.isolateModules(() => {
			jest.doMock('n8n-workflow', () => ({ ...jest.requireActual<object>('n8n-workflow'), sleepWithAbort }));
			loaded = jest.requireActual<typeof import('../../nodes/Soku/policy/runtime')>('../../nodes/Soku/policy/runtime');
		});
		jest.dontMock('n8n-workflow');
		return loaded!;
	}

	test('it is used when there is a signal; an abort is a cancellation, its other failures pass through', async () => {
		const calls: number[] = [];
		const rt = runtimeWith(async (ms, signal) => {
			calls.push(ms);
			if (signal?.aborted) throw new Error('AbortError');
			if (ms === 13) throw new Error('timer broke');
		});
		const live = new AbortController();
		await expect(rt.realRuntime.sleep(5, live.signal)).resolves.toBeUndefined();
		expect(calls).toEqual([5]);
		await expect(rt.realRuntime.sleep(13, live.signal)).rejects.toThrow('timer broke');
		await rt.realRuntime.sleep(1);
		expect(calls).toEqual([5, 13]); // without a signal, n8n's plain sleep

		const cancelling = runtimeWith(async (_ms, signal) => {
			// The user stops the execution while the timer runs.
			if (signal) controller.abort();
			throw new Error('AbortError');
		});
		const controller = new AbortController();
		await expect(cancelling.realRuntime.sleep(60_000, controller.signal)).rejects.toBeInstanceOf(cancelling.ExecutionCancelledError);
	});
});
