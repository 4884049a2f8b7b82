/**
 * Scripted Soku answers and a virtual clock for driving the send loop (sendWithPolicy) without HTTP.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ResponseHeaders, TransportResult } from '../../nodes/Soku/errors/classify';
import { DEFAULT_RETRY_SETTINGS, type RetrySettings } from '../../nodes/Soku/policy/retry';
import type { Runtime } from '../../nodes/Soku/policy/runtime';
import type { SendDependencies } from '../../nodes/Soku/policy/sendWithPolicy';
import type { SokuRequest } from '../../nodes/Soku/transport';

export const T0 = Date.parse('2026-12-01T10:00:00.000Z');

/** now/random/sleep over a clock that only sleeps move; every sleep is recorded. */
export function fakeRuntime(random = 0.5): Runtime & { sleeps: number[]; clock: { t: number } } {
	const clock = { t: T0 };
	const sleeps: number[] = [];
	return {
		clock,
		sleeps,
		now: () => clock.t,
		random: () => random,
		sleep: async (ms: number) => {
			sleeps.push(ms);
			clock.t += ms;
		},
	};
}

export const ok = (body: unknown = { id: 'x' }, headers: ResponseHeaders = {}): TransportResult => ({ kind: 'response', status: 200, headers, body });

/** Soku's error envelope with the given status and code. */
export const fail = (status: number, code: string, details: IDataObject = {}, headers: ResponseHeaders = {}): TransportResult => ({
	kind: 'response',
	status,
	headers,
	body: { error: { code, type: status === 429 ? 'invalid_request_error' : 'api_error', message: code, details } },
});

/** The connection broke after the request went out: Soku may have acted. */
export const lost: TransportResult = { kind: 'network', code: 'ECONNRESET', message: 'socket hang up', timedOut: false, notSent: false };

/** A scripted Soku: answers in order (the last one repeats); records every request it got. */
export function script(...answers: TransportResult[]) {
	const requests: SokuRequest[] = [];
	const send = async (request: SokuRequest) => {
		requests.push(request);
		return answers[Math.min(requests.length - 1, answers.length - 1)];
	};
	return { send, requests };
}

export const post = (platform: unknown[], idempotencyKey: string | null = 'k1'): SokuRequest => ({
	operation: 'createPost',
	path: '/v1/posts',
	body: { post: { content: { text: 'hi', platform } } },
	idempotencyKey: idempotencyKey ?? undefined,
});

export const settings = (s: Partial<RetrySettings> = {}): RetrySettings => ({ ...DEFAULT_RETRY_SETTINGS, ...s });

export function deps(send: SendDependencies['send'], runtime: Runtime, pacing?: SendDependencies['pacing']): SendDependencies {
	return { send, runtime, pacing };
}
