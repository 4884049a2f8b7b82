/**
 * The retry policy, as pure functions: given an error and what already happened to the item, decide
 * whether to wait and resend or to route the item. Randomness is injected so tests are exact.
 */
import type { SokuErrorInfo } from '../errors/classify';
import { ERROR_ROWS_BY_CODE, OTHER_ERROR_RETRY, type RetryPolicy } from '../errors/errorTable';

export interface RetrySettings {
	/** Retries after 5xx codes, unknown 5xx and network errors (REFERENCE: max 3). */
	maxServerRetries: number;
	/** Retries after 429 rate_limit_exceeded. */
	maxRateLimitRetries: number;
	/** A single rate-limit wait longer than this routes the item instead of blocking the worker. */
	maxRateLimitWaitMs: number;
	initialDelayMs: number;
	maxDelayMs: number;
	/** dispatch_failed: resend only details.failedPlatforms. Off: route at once (never resend all). */
	retryFailedPlatformsOnly: boolean;
}

/** Defaults equal the documented policy (REFERENCE §5.2 retry table). */
export const DEFAULT_RETRY_SETTINGS: RetrySettings = {
	maxServerRetries: 3,
	maxRateLimitRetries: 5,
	maxRateLimitWaitMs: 120_000,
	initialDelayMs: 1_000,
	maxDelayMs: 30_000,
	retryFailedPlatformsOnly: true,
};

/**
 * always: resending cannot create a duplicate (reads, deletes, Idempotency-Key endpoints, renders).
 * ifNotProcessed: a non-idempotent create; resend only when Soku certainly did not act (429, refused).
 */
export type RetrySafety = 'always' | 'ifNotProcessed';

export interface RetryHistory {
	serverRetries: number;
	rateLimitRetries: number;
}

export type RetryDecision =
	| { action: 'retry'; delayMs: number; kind: 'server' | 'rateLimit'; retryPlatforms?: string[] }
	| { action: 'route'; reason: string };

/** The policy for an error: the table's for known codes, the HTTP status class's otherwise. */
export function policyFor(error: SokuErrorInfo): RetryPolicy {
	if (error.source === 'client') return 'never';
	const row = error.known ? ERROR_ROWS_BY_CODE.get(error.code) : undefined;
	if (row) return row.retry;
	if (error.source === 'network') return OTHER_ERROR_RETRY.network;
	if (error.httpStatus === 429) return OTHER_ERROR_RETRY.status429;
	if (error.httpStatus !== null && error.httpStatus >= 500) return OTHER_ERROR_RETRY.status5xx;
	return OTHER_ERROR_RETRY.otherwise;
}

/** Exponential backoff with "equal jitter": half fixed, half random, capped. retryNumber starts at 1. */
export function backoffDelay(retryNumber: number, settings: RetrySettings, random: () => number): number {
	const exponential = settings.initialDelayMs * 2 ** Math.max(0, retryNumber - 1);
	const capped = Math.min(settings.maxDelayMs, exponential);
	return Math.round(capped / 2 + (capped / 2) * random());
}

function platformsOf(value: unknown): string[] {
	return Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string' && p !== '') : [];
}

export function retryDecision(
	error: SokuErrorInfo,
	history: RetryHistory,
	settings: RetrySettings,
	safety: RetrySafety,
	random: () => number,
): RetryDecision {
	const policy = policyFor(error);
	if (policy === 'never') return { action: 'route', reason: 'not retryable' };

	if (policy === 'rateLimit') {
		// A 429 means Soku did not act on the request, so even non-idempotent creates may resend.
		if (history.rateLimitRetries >= settings.maxRateLimitRetries) {
			return { action: 'route', reason: `still rate limited after ${history.rateLimitRetries} retries` };
		}
		const requested = error.retryAfterMs;
		if (requested !== undefined && requested > settings.maxRateLimitWaitMs) {
			return { action: 'route', reason: `Retry-After ${requested} ms exceeds the maximum wait` };
		}
		// First 429: wait exactly what Soku asked. Repeats: add backoff so callers sharing a key spread out.
		const extra =
			history.rateLimitRetries > 0 || requested === undefined
				? backoffDelay(history.rateLimitRetries + 1, settings, random)
				: 0;
		const delayMs = Math.min((requested ?? 0) + extra, Math.max(settings.maxRateLimitWaitMs, requested ?? 0));
		return { action: 'retry', delayMs, kind: 'rateLimit' };
	}

	if (safety === 'ifNotProcessed' && !(error.source === 'network' && error.details.requestMaybeProcessed === false)) {
		return { action: 'route', reason: 'not idempotent: a resend could act twice' };
	}
	if (history.serverRetries >= settings.maxServerRetries) {
		return { action: 'route', reason: `failed after ${history.serverRetries} retries` };
	}
	const delayMs = backoffDelay(history.serverRetries + 1, settings, random);

	if (policy === 'retryFailedPlatforms') {
		const failed = platformsOf(error.details.failedPlatforms);
		if (!settings.retryFailedPlatformsOnly || failed.length === 0) {
			// Resending every platform would post twice on the ones that succeeded.
			return { action: 'route', reason: 'failed platforms unknown or platform retry turned off' };
		}
		return { action: 'retry', delayMs, kind: 'server', retryPlatforms: failed };
	}
	return { action: 'retry', delayMs, kind: 'server' };
}
