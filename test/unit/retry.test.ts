import type { SokuErrorInfo } from '../../nodes/Soku/errors/classify';
import { DEFAULT_RETRY_SETTINGS, backoffDelay, policyFor, retryDecision } from '../../nodes/Soku/policy/retry';

const error = (code: string, httpStatus: number | null, extra: Partial<SokuErrorInfo> = {}): SokuErrorInfo => ({
	code,
	known: !code.startsWith('http_') && code !== 'network_error' && code !== 'bad_request',
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
const half = () => 0.5;

test('4xx codes other than 429 are never retried, nor client-side errors', () => {
	for (const [code, status] of [['validation_error', 400], ['unauthorized', 401], ['insufficient_credits', 402], ['forbidden', 403], ['not_found', 404], ['idempotency_conflict', 409], ['bad_request', 400]] as const) {
		expect(retryDecision(error(code, status), fresh, DEFAULT_RETRY_SETTINGS, 'always', half)).toMatchObject({ action: 'route' });
	}
	expect(policyFor(error('validation_error', null, { source: 'client' }))).toBe('never');
});

test('backoff doubles from the initial delay, with jitter in [half, full], capped', () => {
	const s = { ...DEFAULT_RETRY_SETTINGS, initialDelayMs: 1000, maxDelayMs: 5000 };
	expect([1, 2, 3, 4].map((n) => backoffDelay(n, s, () => 0))).toEqual([500, 1000, 2000, 2500]);
	expect([1, 2, 3, 4].map((n) => backoffDelay(n, s, () => 1))).toEqual([1000, 2000, 4000, 5000]);
});

test('5xx codes and network errors: backoff, at most maxServerRetries', () => {
	const e = error('internal_error', 500);
	expect(retryDecision(e, fresh, DEFAULT_RETRY_SETTINGS, 'always', half)).toEqual({ action: 'retry', delayMs: 750, kind: 'server' });
	expect(retryDecision(e, { serverRetries: 2, rateLimitRetries: 0 }, DEFAULT_RETRY_SETTINGS, 'always', half)).toEqual({ action: 'retry', delayMs: 3000, kind: 'server' });
	expect(retryDecision(e, { serverRetries: 3, rateLimitRetries: 0 }, DEFAULT_RETRY_SETTINGS, 'always', half)).toMatchObject({ action: 'route' });
	expect(retryDecision(error('http_502', 502), fresh, DEFAULT_RETRY_SETTINGS, 'always', half)).toMatchObject({ action: 'retry' });
	expect(retryDecision(error('network_error', null, { source: 'network' }), fresh, DEFAULT_RETRY_SETTINGS, 'always', half)).toMatchObject({ action: 'retry' });
});

test('429: wait exactly Retry-After first, then Retry-After plus backoff; route beyond max wait or max retries', () => {
	const e = error('rate_limit_exceeded', 429, { retryAfterMs: 12_000 });
	expect(retryDecision(e, fresh, DEFAULT_RETRY_SETTINGS, 'always', half)).toEqual({ action: 'retry', delayMs: 12_000, kind: 'rateLimit' });
	expect(retryDecision(e, { serverRetries: 0, rateLimitRetries: 1 }, DEFAULT_RETRY_SETTINGS, 'always', half)).toEqual({ action: 'retry', delayMs: 13_500, kind: 'rateLimit' });
	expect(retryDecision(e, { serverRetries: 0, rateLimitRetries: 5 }, DEFAULT_RETRY_SETTINGS, 'always', half)).toMatchObject({ action: 'route' });
	expect(retryDecision(e, fresh, { ...DEFAULT_RETRY_SETTINGS, maxRateLimitWaitMs: 10_000 }, 'always', half)).toMatchObject({ action: 'route' });
	// No Retry-After at all: backoff.
	expect(retryDecision(error('rate_limit_exceeded', 429), fresh, DEFAULT_RETRY_SETTINGS, 'always', half)).toEqual({ action: 'retry', delayMs: 750, kind: 'rateLimit' });
	// A 429 means nothing was done: even a non-idempotent create may wait and resend.
	expect(retryDecision(e, fresh, DEFAULT_RETRY_SETTINGS, 'ifNotProcessed', half)).toMatchObject({ action: 'retry' });
});

test('non-idempotent creates are resent only when Soku certainly did not act', () => {
	const lost = error('timeout', null, { source: 'network', details: { requestMaybeProcessed: true } });
	const refused = error('network_error', null, { source: 'network', details: { requestMaybeProcessed: false } });
	expect(retryDecision(lost, fresh, DEFAULT_RETRY_SETTINGS, 'ifNotProcessed', half)).toMatchObject({ action: 'route' });
	expect(retryDecision(error('internal_error', 500), fresh, DEFAULT_RETRY_SETTINGS, 'ifNotProcessed', half)).toMatchObject({ action: 'route' });
	expect(retryDecision(refused, fresh, DEFAULT_RETRY_SETTINGS, 'ifNotProcessed', half)).toMatchObject({ action: 'retry' });
});

test('dispatch_failed: resend only the failed platforms; never resend all', () => {
	const e = error('dispatch_failed', 500, { details: { failedPlatforms: ['tiktok'], succeededPlatforms: ['x'] } });
	expect(retryDecision(e, fresh, DEFAULT_RETRY_SETTINGS, 'always', half)).toEqual({ action: 'retry', delayMs: 750, kind: 'server', retryPlatforms: ['tiktok'] });
	expect(retryDecision(e, fresh, { ...DEFAULT_RETRY_SETTINGS, retryFailedPlatformsOnly: false }, 'always', half)).toMatchObject({ action: 'route' });
	expect(retryDecision(error('dispatch_failed', 500), fresh, DEFAULT_RETRY_SETTINGS, 'always', half)).toMatchObject({ action: 'route' });
});
