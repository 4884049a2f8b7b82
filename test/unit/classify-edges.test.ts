/**
 * The edges of reading Soku's answers: status boundaries, answers without an envelope, odd Retry-After
 * values, header arrays, bodies that only look like JSON. Found missing by mutation testing (docs/mutation.md).
 */
import { classify, headerValue, parseBody, parseRetryAfter, type SokuErrorInfo } from '../../nodes/Soku/errors/classify';

const NOW = Date.parse('2026-11-25T08:00:00Z');
const response = (status: number, body: unknown, headers: Record<string, string | string[]> = {}) =>
	({ kind: 'response', status, body, headers }) as const;
const errorOf = (status: number, body: unknown, headers: Record<string, string | string[]> = {}): SokuErrorInfo => {
	const result = classify(response(status, body, headers), NOW);
	if (result.ok) throw new Error(`HTTP ${status} was classified as success`);
	return result.error;
};

test('success is exactly 200-299', () => {
	expect(classify(response(200, {}), NOW).ok).toBe(true);
	expect(classify(response(299, {}), NOW).ok).toBe(true);
	expect(errorOf(300, '')).toMatchObject({ code: 'http_300', httpStatus: 300 });
	expect(errorOf(199, '')).toMatchObject({ code: 'http_199' });
});

test('without an envelope: the status names the code, 401/403 are authentication errors, the body text is quoted', () => {
	expect(errorOf(401, '')).toMatchObject({ code: 'http_401', known: false, type: 'authentication_error', message: 'Soku answered HTTP 401 without an error envelope' });
	expect(errorOf(403, '')).toMatchObject({ type: 'authentication_error' });
	expect(errorOf(500, '')).toMatchObject({ type: null, requestId: null, timestamp: null, details: {} });
	expect(errorOf(502, '  Bad\n\n  Gateway  ').message).toBe('Soku answered HTTP 502 without an error envelope: Bad Gateway');
	const long = errorOf(503, 'x'.repeat(300)).message;
	expect(long).toBe(`Soku answered HTTP 503 without an error envelope: ${'x'.repeat(200)}…`);
	expect(errorOf(503, 'y'.repeat(200)).message).toBe(`Soku answered HTTP 503 without an error envelope: ${'y'.repeat(200)}`);
	expect(errorOf(500, { unexpected: true }).message).toBe('Soku answered HTTP 500 without an error envelope');
	expect(errorOf(500, { error: 'boom' }).message).toBe('Soku answered HTTP 500 without an error envelope');
});

test('an envelope with empty or missing fields falls back field by field', () => {
	const e = errorOf(409, { error: { code: 'idempotency_conflict', message: '', requestId: '', timestamp: '', type: '' } });
	expect(e).toMatchObject({
		code: 'idempotency_conflict',
		known: true,
		type: 'invalid_request_error',
		message: 'Soku answered HTTP 409',
		requestId: null,
		timestamp: null,
	});
	expect(errorOf(400, { error: { code: '', message: 'no code' } })).toMatchObject({ code: 'http_400', known: false, message: 'no code' });
	expect(errorOf(400, { error: [] })).toMatchObject({ code: 'http_400', message: 'Soku answered HTTP 400 without an error envelope' });
	expect(errorOf(400, { error: { code: 'validation_error', details: ['field'] } }).details).toEqual({});
});

test('Retry-After: the header wins over details, an array header gives its first value, odd values are dropped', () => {
	expect(errorOf(429, { error: { code: 'rate_limit_exceeded', details: { retryAfter: 9 } } }, { 'retry-after': '2' }).retryAfterMs).toBe(2000);
	expect(errorOf(429, { error: { code: 'rate_limit_exceeded' } }, { 'retry-after': ['4', '8'] }).retryAfterMs).toBe(4000);
	expect(errorOf(429, { error: { code: 'rate_limit_exceeded', details: { retryAfter: '7' } } }).retryAfterMs).toBe(7000);
	expect(errorOf(429, { error: { code: 'rate_limit_exceeded', details: { retryAfter: { s: 7 } } } }).retryAfterMs).toBeUndefined();
	expect(errorOf(429, { error: { code: 'rate_limit_exceeded' } }).retryAfterMs).toBeUndefined();
	expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
	expect(parseRetryAfter('   ', NOW)).toBeUndefined();
	expect(parseRetryAfter('-5', NOW)).toBe(0);
	expect(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0);
	expect(parseRetryAfter('1.2345', NOW)).toBe(1235);
});

test('headerValue reads lower-case names; parseBody only parses text that looks like JSON', () => {
	expect(headerValue({ 'x-ratelimit-remaining': '3' }, 'X-RateLimit-Remaining')).toBe('3');
	expect(headerValue({}, 'Retry-After')).toBeUndefined();
	expect(parseBody('  {"a":1}  ')).toEqual({ a: 1 });
	expect(parseBody('[1,2]')).toEqual([1, 2]);
	expect(parseBody('{not json')).toBe('{not json');
	expect(parseBody('"quoted"')).toBe('"quoted"');
	expect(parseBody(42)).toBe(42);
	const obj = { a: 1 };
	expect(parseBody(obj)).toBe(obj);
});

test('network failures: the message says whether Soku timed out or could not be reached', () => {
	const timeout = classify({ kind: 'network', code: 'ETIMEDOUT', message: 'ETIMEDOUT: slow', timedOut: true, notSent: false }, NOW);
	expect(!timeout.ok && timeout.error).toEqual({
		code: 'timeout',
		known: false,
		type: null,
		message: 'No response from Soku before the timeout (ETIMEDOUT: slow)',
		httpStatus: null,
		requestId: null,
		timestamp: null,
		details: { errorCode: 'ETIMEDOUT', requestMaybeProcessed: true },
		source: 'network',
	});
	const reset = classify({ kind: 'network', code: 'ECONNRESET', message: 'ECONNRESET: socket hang up', timedOut: false, notSent: false }, NOW);
	expect(!reset.ok && reset.error.message).toBe('Could not reach Soku: ECONNRESET: socket hang up');
});
