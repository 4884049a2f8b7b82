/**
 * Client-side pacing to Soku's sliding-window rate limits (REFERENCE §6), so a large batch finishes
 * without 429s. Local windows count what this process sent; the X-RateLimit-* headers tell what the
 * server counted for the same key. The documented limits are only the starting assumption: once Soku
 * sends X-RateLimit-Limit, that limit applies, higher or lower. When Soku's count is not explained by
 * this process's own sends, another consumer (an n8n worker, another tool) shares the key: this
 * process then keeps to a share of the limit proportional to its part of Soku's count, so N workers
 * together converge on the limit instead of racing for the last slots.
 * Pure functions over a small state object; the clock is passed in.
 */
import { headerValue, type ResponseHeaders } from '../errors/classify';

export interface WindowState {
	/** Send times (ms) inside the current window, oldest first. */
	sent: number[];
	/** From the last response's headers: requests left, and when the window frees up again. */
	serverRemaining?: number;
	serverResetAt?: number;
	/** X-RateLimit-Limit from the last response: replaces the documented limit for this window. */
	serverLimit?: number;
	/** Requests sent since those headers arrived: the server's Remaining does not count them yet. */
	sentSinceObserved: number;
	/** Answered, counted requests (recent ones), each at the middle of send and answer: about when Soku counted it. */
	countedAt: number[];
	/**
	 * The server had counted no more than this process sent in the window: the local window (exact to
	 * the ms) already knows when a slot frees, so the Reset header (whole seconds, rounded up) is not needed.
	 */
	serverExplainedLocally?: boolean;
	/** Other consumers seen: this process's share of the limit, valid until shareUntil (one window). */
	share?: number;
	shareUntil?: number;
}

export interface WindowLimit {
	key: string;
	limit: number;
	windowMs: number;
}

export function newWindowState(): WindowState {
	return { sent: [], sentSinceObserved: 0, countedAt: [] };
}

function othersActive(state: WindowState, now: number): boolean {
	// share and shareUntil are set and cleared together.
	return (state.shareUntil ?? -Infinity) > now;
}

/** The limit this process keeps to now: Soku's reported limit (else the documented one), or its share. */
export function effectiveLimit(state: WindowState, limit: number, now: number): number {
	const base = state.serverLimit ?? limit;
	return othersActive(state, now) ? Math.min(base, state.share as number) : base;
}

/** How long to wait before one more request fits in the window. */
export function pacingDelay(state: WindowState, tableLimit: number, windowMs: number, now: number): number {
	const { sent } = state;
	const limit = effectiveLimit(state, tableLimit, now);
	// sent is in time order: the limit-th newest send decides. If it left the window, fewer than limit
	// sends are inside it and the "delay" is not positive; so are a Reset in the past and its wait.
	let delay = 0;
	if (sent.length >= limit) delay = sent[sent.length - limit] + windowMs - now;
	if (!state.serverExplainedLocally && state.serverRemaining !== undefined && state.serverResetAt !== undefined) {
		if (state.serverRemaining - state.sentSinceObserved <= 0) delay = Math.max(delay, state.serverResetAt - now);
	}
	return Math.max(0, Math.ceil(delay));
}

export function recordSend(state: WindowState, windowMs: number, now: number): void {
	state.sent = state.sent.filter((t) => t > now - windowMs);
	state.sent.push(now);
	state.sentSinceObserved++;
}

/** X-RateLimit-Reset is Unix seconds in one source and an ISO time in another: accept both. */
export function parseResetHeader(value: string | undefined, now: number): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const number = Number(value);
	// A negative Reset means nothing in either reading.
	if (number < 0) return undefined;
	if (Number.isFinite(number)) {
		// Unix seconds (or ms); a small number would be "seconds from now". At the exact boundaries (2001 as
		// ms or as seconds) > and >= differ, and no real Reset is there.
		// Stryker disable next-line EqualityOperator: see above
		if (number > 1e12) return number;
		// Stryker disable next-line EqualityOperator: see above
		if (number > 1e9) return number * 1000;
		return now + number * 1000;
	}
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : date;
}

/**
 * This process's share of a limit others use too, from its part of Soku's count. Counts seen at slightly
 * different moments drift, so the share is the proportion less one request, or the equal split among the
 * consumers this proportion implies, whichever is larger: similar consumers settle on the equal split and
 * stay there, a busy one beside a light one keeps (almost) what it uses, and the sum stays within the limit.
 */
export function shareOf(limit: number, ownCount: number, sokuCount: number): number {
	const equal = Math.floor(limit / Math.ceil(sokuCount / ownCount));
	const proportional = Math.floor((limit * ownCount) / sokuCount) - 1;
	return Math.max(1, equal, proportional);
}

/**
 * A count header (Remaining, Limit) as a number, or undefined when it is absent, empty, whitespace,
 * negative or not a number: Number('') is 0, which would read as "nothing left".
 */
export function countHeader(value: string | undefined): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const number = Number(value);
	return Number.isFinite(number) && number >= 0 ? number : undefined;
}

/**
 * How far Soku's clock is ahead of this one (ms), from the answer's Date header. Date has whole seconds,
 * so within 2 s the clocks agree as far as it can tell: 0.
 */
export function serverClockOffset(headers: ResponseHeaders, now: number): number {
	const date = Date.parse(headerValue(headers, 'date') ?? '');
	if (Number.isNaN(date)) return 0;
	const offset = date - now;
	return Math.abs(offset) > 2000 ? offset : 0;
}

/**
 * When the window frees up, on this process's clock: an absolute Reset is on Soku's clock (moved by the
 * Date header's offset), a relative one counts from now. A sliding window frees a slot within one window,
 * so a later Reset (a wrong clock, a wider window) is cut to one window: a hold that only a fresh answer
 * could correct must not outlast it. After a 429, Retry-After is what Soku asked: the hold ends there.
 */
export function resetOnLocalClock(
	headers: ResponseHeaders,
	now: number,
	windowMs: number,
	retryAfterMs?: number,
	sentAt = now,
): number | undefined {
	// Soku counted Retry-After from its answer, which came after the send.
	if (retryAfterMs !== undefined) return sentAt + Math.min(retryAfterMs, windowMs);
	const offset = serverClockOffset(headers, now);
	const serverResetAt = parseResetHeader(headerValue(headers, 'x-ratelimit-reset'), now + offset);
	if (serverResetAt === undefined) return undefined;
	return Math.min(serverResetAt - offset, now + windowMs);
}

/** Requests per minute per tier (REFERENCE §6.1, help-centre table), by X-RateLimit-Tier value. */
export const TIER_LIMITS: Readonly<Record<string, number>> = { default: 25, authenticated: 60, premium: 100, admin: 200 };

/**
 * Which of an endpoint's windows ([endpoint, tier] or [tier]) the headers describe. Soku may send the
 * tighter of its endpoint and tier counts: a Limit equal to the endpoint's documented limit is the
 * endpoint's; a Limit equal to the documented limit of the X-RateLimit-Tier named (or, without that
 * header, of the tier window) is the tier's, which counts every endpoint on the key (a media import
 * before a post is this process's own use, not someone else's) and never raises the endpoint's limit.
 * Anything else: the endpoint's (the headers win).
 */
export function headerScope(headers: ResponseHeaders, limits: readonly WindowLimit[]): number {
	if (limits.length < 2) return 0;
	const raw = countHeader(headerValue(headers, 'x-ratelimit-limit'));
	if (raw === undefined) return 0;
	const limit = Math.floor(raw);
	if (limit === limits[0].limit) return 0;
	const last = limits.length - 1;
	const tier = (headerValue(headers, 'x-ratelimit-tier') ?? '').trim().toLowerCase();
	const tierLimit = tier ? TIER_LIMITS[tier] : limits[last].limit;
	return limit === tierLimit ? last : 0;
}

export function observeHeaders(
	state: WindowState,
	headers: ResponseHeaders,
	now: number,
	windowMs: number,
	sentAt = now,
	retryAfterMs?: number,
): void {
	const remaining = retryAfterMs !== undefined ? 0 : countHeader(headerValue(headers, 'x-ratelimit-remaining'));
	const resetAt = resetOnLocalClock(headers, now, windowMs, retryAfterMs, sentAt);
	if (remaining === undefined || resetAt === undefined) return;
	state.serverRemaining = remaining;
	state.serverResetAt = resetAt;
	state.sentSinceObserved = 0;
	const limit = countHeader(headerValue(headers, 'x-ratelimit-limit'));
	if (limit === undefined || limit < 1) {
		state.serverExplainedLocally = false;
		return;
	}
	state.serverLimit = Math.floor(limit);
	// Soku's window ends where it counted this request, no earlier than when it was sent. Every send kept
	// is in that window: recordSend dropped the older ones when this request was sent, later ones are later.
	const ownCount = state.sent.length;
	const sokuCount = limit - remaining;
	state.serverExplainedLocally = sokuCount <= ownCount;
	if (sokuCount > ownCount) {
		// Ours that Soku counts in the same window as this request: answered ones (requests in flight may not
		// be counted yet), each dated halfway between send and answer, as is this request.
		const countedAt = (sentAt + now) / 2;
		const ownCounted = Math.max(1, state.countedAt.filter((t) => t > countedAt - windowMs && t <= countedAt).length);
		state.share = shareOf(limit, ownCounted, sokuCount);
		state.shareUntil = now + windowMs;
	} else {
		// Soku's count is all ours again: the others stopped, the whole limit is this process's.
		state.share = undefined;
		state.shareUntil = undefined;
	}
}

/**
 * Once the answer is in: Soku counted the request when it arrived, no later than now, so the slot is
 * kept until now + window (a send time would free it a little early); a 429 was not counted at all.
 */
export function settleSend(state: WindowState, sentAt: number, answeredAt: number, counted: boolean): void {
	const index = state.sent.lastIndexOf(sentAt);
	if (index === -1) return;
	state.sent.splice(index, 1);
	if (!counted) return;
	state.countedAt.push((sentAt + answeredAt) / 2);
	// Keep the newest (sends in the window + 64); a negative count removes nothing.
	state.countedAt.splice(0, state.countedAt.length - state.sent.length - 64);
	let at = state.sent.length;
	// Stryker disable next-line ConditionalExpression,EqualityOperator: at 0, sent[-1] is undefined and compares false; equal times may go in either order
	while (at > 0 && state.sent[at - 1] > answeredAt) at--;
	state.sent.splice(at, 0, answeredAt);
}

/**
 * Windows shared by every execution in this n8n process, keyed by credential and endpoint, so two
 * executions using one key pace together. Bounded: past maxWindows, the least recently used windows
 * are dropped one by one (a window in use is touched on every send, so it stays).
 */
export class PacingRegistry {
	private readonly windows = new Map<string, WindowState>();

	constructor(private readonly maxWindows = 1000) {}

	get size(): number {
		return this.windows.size;
	}

	has(key: string): boolean {
		return this.windows.has(key);
	}

	get(key: string): WindowState {
		let state = this.windows.get(key);
		if (state) {
			// Map keeps insertion order: re-inserting makes this the most recently used.
			this.windows.delete(key);
		} else {
			state = newWindowState();
			while (this.windows.size >= this.maxWindows) {
				const oldest = this.windows.keys().next().value as string;
				this.windows.delete(oldest);
			}
		}
		this.windows.set(key, state);
		return state;
	}

	/** Longest wait any of the windows needs. */
	delayFor(limits: readonly WindowLimit[], now: number): number {
		return Math.max(0, ...limits.map((l) => pacingDelay(this.get(l.key), l.limit, l.windowMs, now)));
	}

	recordSend(limits: readonly WindowLimit[], now: number): void {
		for (const l of limits) recordSend(this.get(l.key), l.windowMs, now);
	}

	/**
	 * Takes a send slot if every window has room now (check and record in one synchronous step, so two
	 * executions can never both take the last slot); otherwise returns how long to wait and records nothing.
	 */
	reserve(limits: readonly WindowLimit[], now: number): number {
		const delay = this.delayFor(limits, now);
		if (delay === 0) this.recordSend(limits, now);
		return delay;
	}

	/**
	 * After the answer: re-time (or, for a 429, drop) the send, then read the X-RateLimit headers into the
	 * window they describe. retryAfterMs: a 429's Retry-After, which replaces its Reset.
	 */
	settle(
		limits: readonly WindowLimit[],
		sentAt: number,
		answeredAt: number,
		counted: boolean,
		headers?: ResponseHeaders,
		retryAfterMs?: number,
	): void {
		for (const l of limits) settleSend(this.get(l.key), sentAt, answeredAt, counted);
		if (!headers || !limits.length) return;
		const scope = limits[headerScope(headers, limits)];
		observeHeaders(this.get(scope.key), headers, answeredAt, scope.windowMs, sentAt, retryAfterMs);
	}

	clear(): void {
		this.windows.clear();
	}
}
