import { classify, parseRetryAfter } from '../../nodes/Soku/errors/classify';

const NOW = Date.parse('2026-11-25T08:00:00Z');
const response = (status: number, body: unknown, headers: Record<string, string> = {}) =>
	({ kind: 'response', status, body, headers }) as const;

test('2xx is success, whatever the body (204 has none)', () => {
	expect(classify(response(201, { postSubmissionId: 'p1' }), NOW)).toEqual({ ok: true, body: { postSubmissionId: 'p1' } });
	expect(classify(response(204, ''), NOW)).toEqual({ ok: true, body: '' });
	expect(classify(response(200, '[{"id":"rl_1"}]'), NOW)).toEqual({ ok: true, body: [{ id: 'rl_1' }] });
});

test('the full envelope is read', () => {
	const result = classify(
		response(429, {
			error: { type: 'invalid_request_error', code: 'rate_limit_exceeded', message: 'Too many', timestamp: '2026-11-25T08:00:00.000Z', requestId: 'req_abc123def456', details: { retryAfter: 12, limit: 100, tier: 'premium' } },
		}, { 'retry-after': '3' }),
		NOW,
	);
	expect(result).toEqual({
		ok: false,
		error: {
			code: 'rate_limit_exceeded', known: true, type: 'invalid_request_error', message: 'Too many', httpStatus: 429,
			requestId: 'req_abc123def456', timestamp: '2026-11-25T08:00:00.000Z', details: { retryAfter: 12, limit: 100, tier: 'premium' },
			source: 'api', retryAfterMs: 3000,
		},
	});
});

test('omitted type and details are tolerated; the table supplies the type', () => {
	const result = classify(response(403, { error: { code: 'forbidden', message: 'An active subscription is required to access the API.' } }), NOW);
	expect(result.ok).toBe(false);
	if (!result.ok) expect(result.error).toMatchObject({ code: 'forbidden', known: true, type: 'authentication_error', details: {}, requestId: null });
});

test('an envelope arriving as a JSON string is parsed; non-JSON and unknown codes are marked unknown', () => {
	const fromString = classify(response(404, '{"error":{"code":"not_found","message":"No such template"}}'), NOW);
	expect(!fromString.ok && fromString.error.code).toBe('not_found');
	const html = classify(response(502, '<html><body>502 Bad Gateway</body></html>'), NOW);
	expect(!html.ok && html.error).toMatchObject({ code: 'http_502', known: false, httpStatus: 502, source: 'api' });
	expect(!html.ok && html.error.message).toContain('502 Bad Gateway');
	const legacy = classify(response(400, { error: { code: 'bad_request', type: 'invalid_request_error', message: 'old' } }), NOW);
	expect(!legacy.ok && legacy.error).toMatchObject({ code: 'bad_request', known: false, type: 'invalid_request_error' });
	const bare = classify(response(500, { error: 'boom' }), NOW);
	expect(!bare.ok && bare.error).toMatchObject({ code: 'http_500', known: false });
});

test('Retry-After: seconds, fractions, HTTP dates; details.retryAfter as fallback', () => {
	expect(parseRetryAfter('12', NOW)).toBe(12_000);
	expect(parseRetryAfter('0.35', NOW)).toBe(350);
	expect(parseRetryAfter(new Date(NOW + 5000).toUTCString(), NOW)).toBe(5000);
	expect(parseRetryAfter('soon', NOW)).toBeUndefined();
	const fallback = classify(response(429, { error: { code: 'rate_limit_exceeded', details: { retryAfter: 7 } } }), NOW);
	expect(!fallback.ok && fallback.error.retryAfterMs).toBe(7000);
});

test('network failures are their own source; a refused connection is known not to have been sent', () => {
	const refused = classify({ kind: 'network', code: 'ECONNREFUSED', message: 'refused', timedOut: false, notSent: true }, NOW);
	expect(!refused.ok && refused.error).toMatchObject({ code: 'network_error', source: 'network', details: { requestMaybeProcessed: false } });
	const timeout = classify({ kind: 'network', code: 'ECONNABORTED', message: 'timeout of 100ms exceeded', timedOut: true, notSent: false }, NOW);
	expect(!timeout.ok && timeout.error).toMatchObject({ code: 'timeout', details: { requestMaybeProcessed: true } });
});
