/**
 * Soku answers at the edges of classification, found unguarded by the mutation run of errors/
 * (docs/mutation.md): redirects (never followed, only the host named), malformed envelopes, a retryAfter
 * of the wrong type, and the dispatch_failed hint for an ambiguous default account.
 */
import type { IDataObject } from 'n8n-workflow';

import { classify, type TransportResult } from '../../nodes/Soku/errors/classify';
import { ERROR_ROWS_BY_CODE } from '../../nodes/Soku/errors/errorTable';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const answer = (status: number, body: unknown, headers: Record<string, string> = {}): TransportResult => ({ kind: 'response', status, headers, body });
const errorOf = (result: TransportResult) => {
	const classified = classify(result, NOW);
	if (classified.ok) throw new Error('expected an error');
	return classified.error;
};

describe('redirects are not followed: an unknown error naming only the host', () => {
	test.each([
		[300, 'https://evil.example/v1/posts?token=abc', 'evil.example'],
		[302, 'https://api.soku.example:8443/x', 'api.soku.example:8443'],
		[399, '/v2/posts', 'a path on the same host'],
		[307, 'mailto:ops@example.com', 'an unknown host'],
		[301, undefined, 'nowhere (no Location header)'],
	])('HTTP %i to %s', (status, location, host) => {
		const error = errorOf(answer(status, '', location === undefined ? {} : { location }));
		expect(error).toMatchObject({ code: `http_${status}`, known: false, type: null, httpStatus: status, source: 'api', details: { redirectHost: host } });
		expect(error.message).toBe(
			`Soku answered HTTP ${status}, a redirect to ${host}, which the node does not follow (the API key would go along): check the Base URL in the credential`,
		);
		expect(error.message).not.toContain('token');
	});

	test('a redirect carrying a known code in its body is still not that code\'s branch', () => {
		const error = errorOf(answer(302, { error: { code: 'unauthorized', message: 'x' } }, { location: 'https://elsewhere.example/' }));
		expect(error).toMatchObject({ code: 'unauthorized', known: false, details: { redirectHost: 'elsewhere.example' } });
	});

	test('400 is not a redirect', () => {
		expect(errorOf(answer(400, { error: { code: 'validation_error', message: 'bad' } }, { location: 'https://x.example/' })).details).not.toHaveProperty('redirectHost');
	});
});

describe('malformed envelopes', () => {
	test('details that are not an object become {}', () => {
		for (const details of ['field x', ['a'], 42, null]) {
			const error = errorOf(answer(400, { error: { code: 'validation_error', type: 'invalid_request_error', message: 'bad', details } }));
			expect(error.details).toEqual({});
			expect(error.code).toBe('validation_error');
		}
	});

	test('an error envelope that is an array is no envelope: the status decides', () => {
		expect(errorOf(answer(500, { error: ['internal_error'] }))).toMatchObject({ code: 'http_500', known: false });
	});

	test('a retryAfter in details that is neither a number nor a string is ignored; the header still counts', () => {
		const body = (retryAfter: unknown) => ({ error: { code: 'rate_limit_exceeded', type: 'invalid_request_error', message: 'slow down', details: { retryAfter } as IDataObject } });
		expect(errorOf(answer(429, body([30]))).retryAfterMs).toBeUndefined();
		expect(errorOf(answer(429, body({ seconds: 30 }), { 'retry-after': '7' })).retryAfterMs).toBe(7000);
		expect(errorOf(answer(429, body('12'))).retryAfterMs).toBe(12_000);
	});
});

test('dispatch_failed hint: an ambiguous target without an accountId is named as the default account', () => {
	const hint = ERROR_ROWS_BY_CODE.get('dispatch_failed')!.hint(
		{ failedPlatforms: ['tiktok'], ambiguousAccounts: [{ platform: 'tiktok', accountId: null }, { platform: 'tiktok', accountId: 'tt_2' }] },
		'createPost',
	);
	expect(hint).toContain('does not say whether tiktok (default account), tiktok tt_2 got the post');
});
