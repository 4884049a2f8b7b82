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

// ---- A model of Soku over the documented answer space (generated suites) ----------------------

/** How a dispatch_failed answer lists platforms (the docs say neither that the lists are complete nor disjoint). */
export type ListStyle = 'exclusive' | 'overlap' | 'failedOnly' | 'succeededOnly' | 'none' | 'withStrangers';
/** X-RateLimit-* headers on an answer: absent, unusable, endpoint- or tier-scoped, or on a clock ±10 min off. */
export type RateHeaders = 'absent' | 'empty' | 'malformed' | 'negative' | 'endpoint' | 'tier' | 'skewAhead' | 'skewBehind' | 'farReset';
export type ReplayHeaderMode = 'onReplay' | 'always' | 'never';

/** What Soku does with the next request it has not seen (its key is new). */
export interface ModelStep {
	kind: 'ok' | 'dispatch' | 'storedThenLost' | 'storedThenTimeout' | 'dispatchThenLost' | 'lostBefore' | 'refused' | 'internal' | 'creationFailed' | 'rateLimited';
	/** ok/dispatch: the answer names the postSubmissionId. */
	withId: boolean;
	/** dispatch: bit i set = target i of the request fails. */
	failBits: number;
	lists: ListStyle;
	/** rateLimited: Retry-After in seconds (header and details), or none. */
	retryAfter: number | null;
	headers: RateHeaders;
}

export interface ModelRequestRecord {
	key: string | undefined;
	body: string;
	replayHeader: string | undefined;
	status: number | 'network';
}

const accountOf = (t: unknown): string =>
	typeof t === 'string' ? `${t}#default` : `${String((t as IDataObject).platform)}#${String((t as IDataObject).accountId || 'default')}`;
const platformOf = (t: unknown): string => (typeof t === 'string' ? t : String((t as IDataObject).platform));
const uniq = <T>(values: T[]): T[] => [...new Set(values)];

/**
 * Soku as its docs allow, with the truth kept per account: stored keys replay their first answer (same
 * body) or answer 409 (another body); new keys consume the scripted steps (the last repeats). Deliveries
 * are counted per item (its first key) and account.
 */
export class ModelSoku {
	readonly deliveries = new Map<string, number>();
	readonly requests: ModelRequestRecord[] = [];
	conflicts = 0;
	private readonly store = new Map<string, { body: string; result: TransportResult }>();
	private next = 0;
	private ids = 0;

	constructor(
		private readonly steps: ModelStep[],
		private readonly now: () => number,
		private readonly replayHeader: ReplayHeaderMode,
		private readonly windowMs = 60_000,
	) {}

	/** Delivery count of one account of one item (item = its first key, without the round suffix). */
	delivered(itemKey: string, target: unknown): number {
		return this.deliveries.get(`${itemKey}|${accountOf(target)}`) ?? 0;
	}

	readonly send = async (request: SokuRequest): Promise<TransportResult> => {
		const body = JSON.stringify(request.body ?? null);
		const key = request.idempotencyKey;
		const stored = key ? this.store.get(key) : undefined;
		const upcoming = this.steps[Math.min(this.next, this.steps.length - 1)];
		let result: TransportResult;
		if (upcoming.kind === 'rateLimited' && this.next < this.steps.length) {
			// Rate limits are checked before the key is looked up: a stored key can meet a 429 too.
			this.next++;
			result = this.act(upcoming, request, body);
		} else if (stored) {
			if (stored.body !== body) {
				this.conflicts++;
				result = { kind: 'response', status: 409, headers: {}, body: { error: { code: 'idempotency_conflict', type: 'invalid_request_error', message: 'conflict' } } };
			} else {
				result = stored.result.kind === 'response' ? { ...stored.result, headers: { ...stored.result.headers } } : stored.result;
				if (result.kind === 'response' && this.replayHeader !== 'never') result.headers['idempotent-replayed'] = 'true';
			}
		} else {
			const step = this.steps[Math.min(this.next++, this.steps.length - 1)];
			result = this.act(step, request, body);
		}
		this.requests.push({
			key,
			body,
			replayHeader: result.kind === 'response' ? (result.headers['idempotent-replayed'] as string | undefined) : undefined,
			status: result.kind === 'response' ? result.status : 'network',
		});
		return result;
	};

	private act(step: ModelStep, request: SokuRequest, body: string): TransportResult {
		const targets = (((request.body?.post as IDataObject | undefined)?.content as IDataObject | undefined)?.platform ?? []) as unknown[];
		const itemKey = (request.idempotencyKey ?? '').replace(/-platforms-r\d+$/, '');
		const headers = this.rateHeaders(step.headers);
		const fresh = (h: ResponseHeaders) => (request.idempotencyKey && this.replayHeader === 'always' ? { ...h, 'idempotent-replayed': 'false' } : h);
		const deliver = (failBits: number) => {
			targets.forEach((t, i) => {
				if (failBits & (1 << i)) return;
				const k = `${itemKey}|${accountOf(t)}`;
				this.deliveries.set(k, (this.deliveries.get(k) ?? 0) + 1);
			});
		};
		const store = (result: TransportResult) => {
			if (request.idempotencyKey) this.store.set(request.idempotencyKey, { body, result });
		};
		const id = () => `ps-${++this.ids}`;
		const okResult = (withId: boolean): TransportResult => ({ kind: 'response', status: 201, headers: fresh(headers), body: withId ? { postSubmissionId: id() } : {} });
		switch (step.kind) {
			case 'ok':
			case 'storedThenLost':
			case 'storedThenTimeout': {
				deliver(0);
				const result = okResult(step.withId);
				store(result);
				if (step.kind === 'ok') return result;
				return { kind: 'network', code: step.kind === 'storedThenTimeout' ? 'ETIMEDOUT' : 'ECONNRESET', message: 'lost', timedOut: step.kind === 'storedThenTimeout', notSent: false };
			}
			case 'dispatch':
			case 'dispatchThenLost': {
				const failBits = step.failBits & ((1 << targets.length) - 1);
				deliver(failBits);
				let result: TransportResult;
				if (failBits === 0) result = okResult(step.withId);
				else {
					const failedP = uniq(targets.filter((_, i) => failBits & (1 << i)).map(platformOf));
					const okP = uniq(targets.filter((_, i) => !(failBits & (1 << i))).map(platformOf));
					const exclusive = okP.filter((p) => !failedP.includes(p));
					const details: IDataObject =
						step.lists === 'overlap'
							? { failedPlatforms: failedP, succeededPlatforms: okP }
							: step.lists === 'failedOnly'
								? { failedPlatforms: failedP }
								: step.lists === 'succeededOnly'
									? { succeededPlatforms: exclusive }
									: step.lists === 'none'
										? {}
										: step.lists === 'withStrangers'
											? { failedPlatforms: [...failedP, 'myspace'], succeededPlatforms: [...exclusive, 'friendster'] }
											: { failedPlatforms: failedP, succeededPlatforms: exclusive };
					if (step.withId) details.postSubmissionId = id();
					result = { kind: 'response', status: 500, headers: fresh(headers), body: { error: { code: 'dispatch_failed', type: 'api_error', message: 'dispatch failed', details } } };
				}
				store(result);
				if (step.kind === 'dispatch') return result;
				return { kind: 'network', code: 'ECONNRESET', message: 'lost', timedOut: false, notSent: false };
			}
			case 'lostBefore':
				return { kind: 'network', code: 'ECONNRESET', message: 'lost', timedOut: false, notSent: false };
			case 'refused':
				return { kind: 'network', code: 'ECONNREFUSED', message: 'refused', timedOut: false, notSent: true };
			case 'internal':
			case 'creationFailed': {
				const code = step.kind === 'internal' ? 'internal_error' : 'post_creation_failed';
				return { kind: 'response', status: 500, headers, body: { error: { code, type: 'api_error', message: code } } };
			}
			case 'rateLimited': {
				const h: ResponseHeaders = { ...headers };
				const details: IDataObject = { limit: 30, tier: 'premium' };
				if (step.retryAfter !== null) {
					h['retry-after'] = String(step.retryAfter);
					details.retryAfter = step.retryAfter;
				}
				return { kind: 'response', status: 429, headers: h, body: { error: { code: 'rate_limit_exceeded', type: 'invalid_request_error', message: 'slow down', details } } };
			}
		}
	}

	private rateHeaders(variant: RateHeaders): ResponseHeaders {
		const now = this.now();
		const resetIn = (clock: number, seconds: number) => String(Math.ceil((clock + seconds * 1000) / 1000));
		switch (variant) {
			case 'absent':
				return {};
			case 'empty':
				return { 'x-ratelimit-limit': '', 'x-ratelimit-remaining': ' ', 'x-ratelimit-reset': '' };
			case 'malformed':
				return { 'x-ratelimit-limit': 'lots', 'x-ratelimit-remaining': 'NaN', 'x-ratelimit-reset': 'soon' };
			case 'negative':
				return { 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '-1', 'x-ratelimit-reset': '-5' };
			case 'endpoint':
				return { 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': resetIn(now, 10), 'x-ratelimit-tier': 'premium' };
			case 'tier':
				return { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': resetIn(now, 40), 'x-ratelimit-tier': 'premium' };
			case 'skewAhead':
			case 'skewBehind': {
				const soku = now + (variant === 'skewAhead' ? 600_000 : -600_000);
				return { date: new Date(soku).toUTCString(), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': resetIn(soku, 10) };
			}
			case 'farReset':
				return { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': resetIn(now, (10 * this.windowMs) / 1000) };
		}
	}
}
