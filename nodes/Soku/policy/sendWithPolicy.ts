/**
 * One item's request, carried through pacing, the retry policy and dispatch_failed platform retries.
 * The I/O (send, sleep, clock) is passed in, so this loop is tested without HTTP or real time.
 */
import type { IDataObject } from 'n8n-workflow';

import { classify, clientValidationError, type ResponseHeaders, type SokuErrorInfo, type TransportResult } from '../errors/classify';
import type { SokuRequest } from '../transport';
import { ENDPOINTS } from '../transport/endpoints';
import { DispatchLedger, type PlatformDelivery, type Target } from './dispatchLedger';
import type { PacingRegistry, WindowLimit } from './pacing';
import { backoffDelay, policyFor, retryDecision, type RetryHistory, type RetrySafety, type RetrySettings } from './retry';
import type { Runtime } from './runtime';

export type { AmbiguousTarget, PlatformDelivery } from './dispatchLedger';

export interface ItemOutcome {
	ok: boolean;
	body?: unknown;
	error?: SokuErrorInfo;
	/** Requests sent for this item. */
	attempts: number;
	/** Time spent waiting before retries (Retry-After and backoff), not counting pacing. */
	waitedMs: number;
	/** Time spent waiting for room in the rate-limit window before sending. */
	pacedMs: number;
	rateLimitWaits: number;
	rateLimitWaitedMs: number;
	/** Codes that were retried, once per retry. */
	retriedCodes: string[];
	/** createPost only: which platform was delivered by which attempt, and what still failed. */
	dispatch?: { delivered: PlatformDelivery[]; failed: string[]; postSubmissionIds: string[] };
	/**
	 * Whether Soku answered the item's first accepted request from its idempotency store: true / false only
	 * when known (an Idempotent-Replayed header saying so, or a 409 under a time-relative key), null when
	 * the answer does not say (Soku documents no such header). The work had been done before, by an earlier
	 * run or by an attempt of this run whose answer was lost.
	 */
	replayed?: boolean | null;
	/** Replayed known from a 409 under a time-relative key: Soku's answer had no body to return. */
	replayedByConflict?: boolean;
	/** That replay answered the item's very first request: an earlier run had done the work. */
	replayedByEarlierRun?: boolean;
	/** A DELETE answered not_found after an earlier attempt whose answer was lost: that attempt deleted it. */
	deletedByEarlierAttempt?: boolean;
}

export interface SendDependencies {
	send: (request: SokuRequest) => Promise<TransportResult>;
	runtime: Runtime;
	signal?: AbortSignal;
	pacing?: { registry: PacingRegistry; limits: WindowLimit[] };
}

function targetsOf(body: IDataObject | undefined): Target[] {
	const content = ((body?.post as IDataObject | undefined)?.content ?? {}) as IDataObject;
	return Array.isArray(content.platform) ? (content.platform as Target[]) : [];
}

function withTargets(request: SokuRequest, targets: Target[], round: number, itemKey: string | undefined): SokuRequest {
	const body = request.body as IDataObject;
	const post = body.post as IDataObject;
	const content = post.content as IDataObject;
	return {
		...request,
		body: { ...body, post: { ...post, content: { ...content, platform: targets } } },
		// Its own key per round (the item's key and the round, not suffixes piling up): a different body under
		// the first key would be an idempotency_conflict.
		idempotencyKey: itemKey ? `${itemKey}-platforms-r${round}` : undefined,
	};
}

function responseHeaders(result: TransportResult): ResponseHeaders | undefined {
	return result.kind === 'response' ? result.headers : undefined;
}

/** Idempotent-Replayed as Soku sent it: true, false, or null when absent or neither. */
function replayHeader(result: TransportResult): boolean | null {
	const value = result.kind === 'response' ? result.headers['idempotent-replayed'] : undefined;
	const text = String(Array.isArray(value) ? value[0] : value).trim().toLowerCase();
	return text === 'true' ? true : text === 'false' ? false : null;
}

/** An answer after which the request may have been carried out (lost answer, timeout, 5xx). */
function mayHaveActed(error: SokuErrorInfo): boolean {
	if (error.source === 'network') return error.details.requestMaybeProcessed !== false;
	return (error.httpStatus ?? 0) >= 500;
}

/** An outcome before anything happened (also what a client-side validation failure starts from). */
export function emptyOutcome(): ItemOutcome {
	return { ok: false, attempts: 0, waitedMs: 0, pacedMs: 0, rateLimitWaits: 0, rateLimitWaitedMs: 0, retriedCodes: [] };
}

export async function sendWithPolicy(
	initial: SokuRequest,
	settings: RetrySettings,
	safety: RetrySafety,
	deps: SendDependencies,
): Promise<ItemOutcome> {
	const { runtime } = deps;
	const outcome = emptyOutcome();
	const history: RetryHistory = { serverRetries: 0, rateLimitRetries: 0 };
	let request = initial;
	let round = 1;
	const isPost = initial.operation === 'createPost';
	// One record per target (platform + account): what may be resent and what the item reports.
	const ledger = isPost ? new DispatchLedger(targetsOf(initial.body)) : undefined;
	let sawDispatchFailure = false;
	let lastDispatchError: SokuErrorInfo | undefined;
	let earlierAttemptMayHaveActed = false;
	// Some answer in this dispatch round may have been acted on (lost, timed out, 5xx): a later 4xx or 429
	// does not make the round's targets certainly undelivered.
	let roundMayHaveActed = false;
	const isDelete = ENDPOINTS[initial.operation].method === 'DELETE';
	// Only the first accepted answer (2xx or dispatch_failed) says whether the work had been done before.
	const noteReplay = (known: boolean | null) => {
		if (outcome.replayed !== undefined) return;
		outcome.replayed = known;
		outcome.replayedByEarlierRun = known === true && outcome.attempts === 1;
	};

	for (;;) {
		let sentAt = 0;
		if (deps.pacing) {
			const slot = await waitForSlot(deps.pacing, settings, runtime, outcome, deps.signal);
			if (typeof slot !== 'number') {
				outcome.error = slot;
				return outcome;
			}
			// The exact time the slot was recorded at: settle finds the send by it.
			sentAt = slot;
		}
		const late = tooLateToSend(request, runtime.now());
		if (late) {
			// Not sent: give the slot back.
			if (deps.pacing) deps.pacing.registry.settle(deps.pacing.limits, sentAt, runtime.now(), false);
			outcome.error = late;
			return outcome;
		}
		outcome.attempts++;
		const result = await deps.send(request);
		let classified = classify(result, runtime.now());
		let conflictReplay = false;
		if (!classified.ok && classified.error.code === 'idempotency_conflict' && request.conflictMeansReplay) {
			// The key leaves out the time-relative values, so the only different body it can have met is this
			// post computed at an earlier time, which Soku accepted: a replay, with no answer body to return.
			classified = { ok: true, body: undefined };
			conflictReplay = true;
		}
		if (deps.pacing) {
			const counted = !(result.kind === 'response' && result.status === 429);
			const retryAfterMs = counted || classified.ok ? undefined : classified.error.retryAfterMs;
			// +1 ms: clocks floor to whole milliseconds, so "now" may be just before Soku counted the request.
			deps.pacing.registry.settle(deps.pacing.limits, sentAt, runtime.now() + 1, counted, responseHeaders(result), retryAfterMs);
		}

		if (classified.ok) {
			noteReplay(conflictReplay ? true : replayHeader(result));
			if (conflictReplay && outcome.replayedByConflict === undefined) outcome.replayedByConflict = round === 1;
			outcome.ok = true;
			outcome.body = classified.body;
			if (ledger && sawDispatchFailure) {
				ledger.accepted(targetsOf(request.body), round, (classified.body as IDataObject | undefined)?.postSubmissionId);
				outcome.dispatch = dispatchReport(ledger);
				if (!ledger.complete()) {
					ledger.close();
					// The retried targets are live, but some target's delivery is unknown: not a success.
					outcome.ok = false;
					outcome.body = undefined;
					outcome.error = dispatchFailure(lastDispatchError as SokuErrorInfo, ledger);
				}
			}
			return outcome;
		}

		const error = classified.error;
		if (isDelete && error.code === 'not_found' && earlierAttemptMayHaveActed) {
			// The earlier attempt deleted it and its answer was lost: the retry finds nothing to delete.
			outcome.ok = true;
			outcome.body = undefined;
			outcome.deletedByEarlierAttempt = true;
			return outcome;
		}
		if (mayHaveActed(error)) {
			earlierAttemptMayHaveActed = true;
			roundMayHaveActed = true;
		}
		if (isPost && error.code === 'dispatch_failed') {
			noteReplay(replayHeader(result));
			sawDispatchFailure = true;
			lastDispatchError = error;
			(ledger as DispatchLedger).dispatchFailed(targetsOf(request.body), round, error.details, replayHeader(result) === true);
		}

		let decision = retryDecision(error, history, settings, safety, runtime.random);
		let retryTargets: Target[] | undefined;
		if (decision.action === 'retry' && decision.retryPlatforms && ledger) {
			// Only what the ledger knows certainly failed (one account, named failed only) is resent.
			retryTargets = ledger.resendable();
			// Stryker disable next-line StringLiteral: a route decision's reason made here is not shown anywhere
			if (retryTargets.length === 0) decision = { action: 'route', reason: 'no target certainly failed' };
		}
		if (decision.action === 'route') {
			const routed = policyFor(error) === 'rateLimit' ? withRetryAfter(error, settings, history, runtime.random) : error;
			outcome.error = routed;
			if (ledger && sawDispatchFailure) {
				if (error.code !== 'dispatch_failed') ledger.gaveUp(targetsOf(request.body), roundMayHaveActed);
				ledger.close();
				outcome.error = dispatchFailure(routed, ledger);
				outcome.dispatch = dispatchReport(ledger);
			}
			return outcome;
		}

		if (decision.kind === 'rateLimit') {
			history.rateLimitRetries++;
			outcome.rateLimitWaits++;
			outcome.rateLimitWaitedMs += decision.delayMs;
		} else {
			history.serverRetries++;
		}
		outcome.retriedCodes.push(error.code);
		if (retryTargets) {
			round++;
			roundMayHaveActed = false;
			request = withTargets(request, retryTargets, round, initial.idempotencyKey);
		}
		await runtime.sleep(decision.delayMs, deps.signal);
		outcome.waitedMs += decision.delayMs;
	}
}

/**
 * Waits for a send slot in the pacing windows. The slot is taken in the same synchronous step as the
 * check, and the check runs again after every sleep: several executions waiting for one free slot do
 * not all send. Returns when the slot was taken, or, past Retry > Max Rate-Limit Wait, the error to
 * route the item with (no request sent).
 */
async function waitForSlot(
	pacing: NonNullable<SendDependencies['pacing']>,
	settings: RetrySettings,
	runtime: SendDependencies['runtime'],
	outcome: ItemOutcome,
	signal?: AbortSignal,
): Promise<number | SokuErrorInfo> {
	let waited = 0;
	for (;;) {
		const now = runtime.now();
		const delay = pacing.registry.reserve(pacing.limits, now);
		if (delay === 0) return now;
		if (waited + delay > settings.maxRateLimitWaitMs) {
			const seconds = Math.max(1, Math.ceil((waited + delay) / 1000));
			return {
				code: 'rate_limit_exceeded',
				known: true,
				type: 'invalid_request_error',
				message: `Soku's rate limit has no free slot for ${seconds} s, longer than Retry > Max Rate-Limit Wait (${Math.round(settings.maxRateLimitWaitMs / 1000)} s): not sent`,
				httpStatus: null,
				requestId: null,
				timestamp: null,
				details: { retryAfter: seconds, routedBecause: 'pacingWaitTooLong' },
				source: 'client',
				retryAfterMs: waited + delay,
			};
		}
		await runtime.sleep(delay, signal);
		waited += delay;
		outcome.pacedMs += delay;
	}
}

/** A request whose deadline (e.g. "scheduledTime at least a minute ahead") has passed by the time it would be sent. */
export function tooLateToSend(request: SokuRequest, now: number): SokuErrorInfo | undefined {
	const check = request.sendBefore;
	if (!check || now < check.at) return undefined;
	return clientValidationError(check.field, check.reason, check.message);
}

/**
 * A routed rate_limit_exceeded always says how long to wait, in seconds (a Wait node reads it), also
 * when only the Retry-After header said so, and why it was routed (the hint depends on it).
 */
function withRetryAfter(error: SokuErrorInfo, settings: RetrySettings, history: RetryHistory, random: () => number): SokuErrorInfo {
	// No Retry-After at all: the backoff the next retry would have used.
	const waitMs = error.retryAfterMs ?? backoffDelay(history.rateLimitRetries + 1, settings, random);
	// retryDecision routes a 429 for one of two reasons and checks the retry count first: a 429 routed
	// with retries left had a Retry-After past Max Rate-Limit Wait.
	const routedBecause = history.rateLimitRetries < settings.maxRateLimitRetries ? 'waitTooLong' : 'retriesExhausted';
	const details: IDataObject = { ...error.details, routedBecause };
	if (typeof details.retryAfter !== 'number') details.retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
	return { ...error, details };
}

function dispatchReport(ledger: DispatchLedger): NonNullable<ItemOutcome['dispatch']> {
	return { delivered: ledger.deliveries(), failed: ledger.failedPlatforms(), postSubmissionIds: ledger.postSubmissionIds() };
}

/**
 * Once a dispatch_failed was seen the post exists, so the item ends on dispatch_failed whatever the
 * last retry answered, reporting from the ledger every target accepted in any round, the platforms not
 * known to be delivered, and the targets nobody can tell about.
 */
function dispatchFailure(last: SokuErrorInfo, ledger: DispatchLedger): SokuErrorInfo {
	const failed = ledger.failedPlatforms();
	const details: IDataObject = {
		...last.details,
		failedPlatforms: failed,
		succeededPlatforms: ledger.succeededPlatforms(),
		deliveries: ledger.deliveries() as unknown as IDataObject[],
	};
	const unknown = ledger.unknown();
	if (unknown.length) details.ambiguousAccounts = unknown as unknown as IDataObject[];
	else delete details.ambiguousAccounts;
	if (last.code === 'dispatch_failed') return { ...last, details };
	details.lastErrorCode = last.code;
	return {
		...last,
		code: 'dispatch_failed',
		known: true,
		type: 'api_error',
		message: `Delivery to ${failed.join(', ')} failed; the retry for them ended with ${last.code}: ${last.message}`,
		details,
	};
}
