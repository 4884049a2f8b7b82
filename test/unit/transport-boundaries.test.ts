/**
 * The transport at its edges, found unguarded by the mutation run of transport/ (docs/mutation.md): what
 * counts as a Base URL the key may go to, normalising a Base URL, error-cause chains that are odd (a
 * string cause, a cycle), and the request a key-less call sends.
 */
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { baseUrlProblem, networkFailure, normaliseBaseUrl, sendSokuRequest } from '../../nodes/Soku/transport';

describe('Base URL', () => {
	test('slashes around a pasted /v1 are all dropped', () => {
		expect(normaliseBaseUrl('https://api.example.com//v1')).toBe('https://api.example.com');
		expect(normaliseBaseUrl('https://api.example.com///v1//')).toBe('https://api.example.com');
	});

	test('the scheme must start the Base URL: text before it is refused', () => {
		expect(baseUrlProblem('my https://api.example.com')).toContain('must start with https://');
		expect(baseUrlProblem('https://api.example.com')).toBeUndefined();
	});

	test('a long refused value is quoted only up to 80 characters', () => {
		const value = `${'a'.repeat(80)}TAIL-${'b'.repeat(100)}`;
		const problem = baseUrlProblem(value) as string;
		expect(problem).toContain(`got "${'a'.repeat(80)}"`);
		expect(problem).not.toContain('TAIL');
	});

	test('user info is not part of the host: loopback with a user may use http://; a password never appears in the message', () => {
		expect(baseUrlProblem('http://me@localhost:5678')).toBeUndefined();
		expect(baseUrlProblem('http://me:pw@127.0.0.1')).toBeUndefined();
		const problem = baseUrlProblem('http://user:s3cret@api.example.com') as string;
		expect(problem).toMatch(/got http:\/\/api\.example\.com$/);
		expect(problem).not.toContain('s3cret');
		// The last '@' ends the user info, as in a browser: this host is evil.example, not loopback.
		expect(baseUrlProblem('http://x@localhost@evil.example')).toMatch(/got http:\/\/evil\.example$/);
	});

	test('only http:// and https:// are allowed, also for loopback hosts', () => {
		expect(baseUrlProblem('ftp://localhost:21')).toMatch(/got ftp:\/\/localhost:21$/);
		expect(baseUrlProblem('ws://127.0.0.1:5678')).toMatch(/got ws:\/\//);
	});
});

describe('network failures with odd causes', () => {
	test('a string cause: the message is the error\'s own', () => {
		const error = Object.assign(new Error('request failed'), { cause: 'ECONNRESET happened' });
		expect(networkFailure(error)).toMatchObject({ code: 'ENETWORK', message: 'ENETWORK: request failed' });
	});

	test('a cause chain that loops back on itself ends the walk (no hang), without a code', () => {
		const a: Record<string, unknown> = { message: 'a' };
		const b: Record<string, unknown> = { message: 'b', cause: a };
		a.cause = b;
		expect(networkFailure(Object.assign(new Error('outer'), { cause: a }))).toMatchObject({ kind: 'network', code: 'ENETWORK' });
	});

	test('a primitive error (a number) is still a network failure with its text', () => {
		expect(networkFailure(42)).toEqual({ kind: 'network', code: 'ENETWORK', message: 'ENETWORK: 42', timedOut: false, notSent: false });
	});
});

describe('sendSokuRequest', () => {
	function recordingContext() {
		const calls: IHttpRequestOptions[] = [];
		const context = {
			helpers: {
				httpRequestWithAuthentication: async (_credential: string, options: IHttpRequestOptions) => {
					calls.push(options);
					return { statusCode: 200, headers: {}, body: [] };
				},
			},
		} as unknown as IExecuteFunctions;
		return { context, calls };
	}

	test('an http:// Base URL to another host is refused before n8n\'s helper is called (the key stays home)', async () => {
		const { context, calls } = recordingContext();
		await expect(sendSokuRequest(context, 'http://api.example.com', { operation: 'listRepurposeLinks', path: '/v1/repurposeLinks' }, 1000)).rejects.toThrow(
			'must start with https://',
		);
		expect(calls).toHaveLength(0);
	});

	test('a request without an Idempotency-Key sends no such header at all', async () => {
		const { context, calls } = recordingContext();
		await sendSokuRequest(context, 'https://api.example.com', { operation: 'listRepurposeLinks', path: '/v1/repurposeLinks' }, 1000);
		expect(calls[0].headers).toEqual({ Accept: 'application/json' });
	});
});
