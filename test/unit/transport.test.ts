/**
 * The transport's pure parts and its contract with n8n's request helper: the Base URL as users paste it,
 * what a failed request becomes (never the request config, which holds the key), and the exact options
 * handed to httpRequestWithAuthentication. Found missing by mutation testing (docs/mutation.md).
 */
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { ExecutionCancelledError } from '../../nodes/Soku/policy/runtime';
import { DEFAULT_BASE_URL, networkFailure, normaliseBaseUrl, sendSokuRequest } from '../../nodes/Soku/transport';

test('Base URL: trimmed, without trailing slashes or a pasted /v1; empty means the default', () => {
	expect(normaliseBaseUrl('  https://api.example.com//  ')).toBe('https://api.example.com');
	expect(normaliseBaseUrl('https://api.example.com/v1/')).toBe('https://api.example.com');
	expect(normaliseBaseUrl('https://fn.example.net/api/v1')).toBe('https://fn.example.net/api');
	expect(normaliseBaseUrl('https://api.example.com/v10')).toBe('https://api.example.com/v10');
	expect(normaliseBaseUrl('   ')).toBe(DEFAULT_BASE_URL);
	expect(normaliseBaseUrl(undefined)).toBe(DEFAULT_BASE_URL);
	expect(DEFAULT_BASE_URL).toBe('https://api.mysoku.io');
});

describe('networkFailure', () => {
	test('a refused connection was certainly not sent; the system code is found in nested causes', () => {
		const refused = networkFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
		expect(refused).toEqual({ kind: 'network', code: 'ECONNREFUSED', message: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1', timedOut: false, notSent: true });
		for (const code of ['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']) {
			expect(networkFailure({ code, message: 'x' })).toMatchObject({ code, notSent: true, timedOut: false });
		}
		const wrapped = { message: 'The connection was aborted', code: 'not-a-system-code', cause: { message: 'outer', cause: new Error('socket hang up') } };
		(wrapped.cause.cause as Error & { code?: string }).code = 'ECONNRESET';
		expect(networkFailure(wrapped)).toEqual({ kind: 'network', code: 'ECONNRESET', message: 'ECONNRESET: socket hang up', timedOut: false, notSent: false });
	});

	test('timeouts are recognised by code or by message', () => {
		for (const code of ['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT']) expect(networkFailure({ code, message: 'x' })).toMatchObject({ timedOut: true, notSent: false });
		expect(networkFailure(new Error('timeout of 120000ms exceeded'))).toMatchObject({ code: 'ENETWORK', timedOut: true });
		expect(networkFailure(new Error('socket closed'))).toMatchObject({ code: 'ENETWORK', timedOut: false, notSent: false });
	});

	test('causes are followed five levels deep at most; long messages are cut at 200 characters', () => {
		let deep: Record<string, unknown> = { code: 'ECONNREFUSED', message: 'deep' };
		for (let i = 0; i < 5; i++) deep = { message: `level ${i}`, cause: deep };
		expect(networkFailure(deep)).toMatchObject({ code: 'ENETWORK' });
		const long = networkFailure(new Error('y'.repeat(250)));
		expect(long.kind === 'network' && long.message).toBe(`ENETWORK: ${'y'.repeat(200)}…`);
		const exact = networkFailure(new Error('z'.repeat(200)));
		expect(exact.kind === 'network' && exact.message).toBe(`ENETWORK: ${'z'.repeat(200)}`);
		expect(networkFailure('plain text')).toMatchObject({ code: 'ENETWORK', message: 'ENETWORK: plain text' });
	});

	test('only code and message survive: the request config (with the API key) is dropped', () => {
		const axiosLike = Object.assign(new Error('Request failed'), {
			code: 'ECONNRESET',
			config: { headers: { 'soku-api-key': 'sk_live_secret_000000000000000000' } },
		});
		expect(JSON.stringify(networkFailure(axiosLike))).not.toContain('sk_live_');
	});
});

describe('sendSokuRequest and n8n\'s request helper', () => {
	function contextAnswering(answer: (options: IHttpRequestOptions) => unknown) {
		const calls: Array<{ credential: string; options: IHttpRequestOptions }> = [];
		const context = {
			helpers: {
				httpRequestWithAuthentication: async (credential: string, options: IHttpRequestOptions) => {
					calls.push({ credential, options });
					return answer(options);
				},
			},
		} as unknown as IExecuteFunctions;
		return { context, calls };
	}

	test('a post: JSON body with its Content-Type, the Idempotency-Key, the full response, no throwing on status', async () => {
		const { context, calls } = contextAnswering(() => ({ statusCode: 201, headers: { 'x-ratelimit-remaining': '29' }, body: { postSubmissionId: 'p1' } }));
		const result = await sendSokuRequest(context, 'https://api.example.com', { operation: 'createPost', path: '/v1/posts', body: { post: {} }, idempotencyKey: 'k1' }, 5000);
		expect(result).toEqual({ kind: 'response', status: 201, headers: { 'x-ratelimit-remaining': '29' }, body: { postSubmissionId: 'p1' } });
		expect(calls).toEqual([
			{
				credential: 'sokuApi',
				options: {
					method: 'POST',
					url: 'https://api.example.com/v1/posts',
					headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'Idempotency-Key': 'k1' },
					qs: undefined,
					body: { post: {} },
					json: true,
					timeout: 5000,
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					// The key is never sent onward to a redirect target (test/engine/key-safety.test.ts).
					disableFollowRedirect: true,
				},
			},
		]);
	});

	test('an empty body is no body and no Content-Type; key management uses the account credential; headers may be absent', async () => {
		const { context, calls } = contextAnswering(() => ({ statusCode: 204, body: '' }));
		const result = await sendSokuRequest(context, 'https://api.example.com', { operation: 'createApiKey', path: '/v1/api-keys', body: {} }, 1000);
		expect(result).toEqual({ kind: 'response', status: 204, headers: {}, body: '' });
		expect(calls[0].credential).toBe('sokuAccountApi');
		expect(calls[0].options.headers).toEqual({ Accept: 'application/json' });
		expect(calls[0].options.body).toBeUndefined();
	});

	test('a thrown request becomes a network result; a cancelled execution is a cancellation', async () => {
		const failing = contextAnswering(() => {
			throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
		});
		await expect(sendSokuRequest(failing.context, 'http://127.0.0.1:1', { operation: 'listRepurposeLinks', path: '/v1/repurposeLinks' }, 1000)).resolves.toMatchObject({
			kind: 'network',
			code: 'ECONNREFUSED',
			notSent: true,
		});
		const cancel = new AbortController();
		const aborted = contextAnswering(() => {
			cancel.abort();
			throw new Error('canceled');
		});
		await expect(
			sendSokuRequest(aborted.context, 'http://127.0.0.1:1', { operation: 'listRepurposeLinks', path: '/v1/repurposeLinks' }, 1000, cancel.signal),
		).rejects.toBeInstanceOf(ExecutionCancelledError);
		const live = new AbortController();
		await expect(
			sendSokuRequest(failing.context, 'http://127.0.0.1:1', { operation: 'listRepurposeLinks', path: '/v1/repurposeLinks' }, 1000, live.signal),
		).resolves.toMatchObject({ kind: 'network' });
	});
});
