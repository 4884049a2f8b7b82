/**
 * Client-side pacing to Soku's sliding-window rate limits (REFERENCE §6), so a large batch finishes
 * without 429s. Local windows count what this process sent; the X-RateLimit-* headers tell what the
 * server counted for the same key (other n8n workers included), and the stricter of the two wins.
 * Pure functions over a small state object; the clock is passed in.
 */
import { headerValue, type ResponseHeaders } from '../errors/classify';

export interface WindowState {
	/** Send times (ms) inside the current window, oldest first. */
	sent: number[];
	/** From the last response's headers: requests left, and when the window frees up again. */
	serverRemaining?: number;
	serverResetAt?: number;
	/** Requests sent since those headers arrived: the server's Remaining does not count them yet. */
	sentSinceObserved: number;
	/**
	 * The server had counted no more than this process sent in the window: the local window (exact to
	 * the ms) already knows when a slot frees, so the Reset header (whole seconds, rounded up) is not needed.
	 */
	serverExplainedLocally?: boolean;
}

export interface WindowLimit {
	key: string;
	limit: number;
	windowMs: number;
}

export function newWindowState(): WindowState {
	return { sent: [], sentSinceObserved: 0 };
}

/** How long to wait before one more request fits in the window. */
export function pacingDelay(state: WindowState, limit: number, windowMs: number, now: number): number {
	const sent = state.sent.filter((t) => t > now - windowMs);
	let delay = 0;
	if (sent.length >= limit) delay = sent[sent.length - limit] + windowMs - now;
	if (!state.serverExplainedLocally && state.serverRemaining !== undefined && state.serverResetAt !== undefined && state.serverResetAt > now) {
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
	if (Number.isFinite(number)) {
		// Unix seconds (or ms); a small number would be "seconds from now".
		if (number > 1e12) return number;
		if (number > 1e9) return number * 1000;
		return now + number * 1000;
	}
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : date;
}

export function observeHeaders(state: WindowState, headers: ResponseHeaders, now: number, windowMs: number, sentAt = now): void {
	const remaining = Number(headerValue(headers, 'x-ratelimit-remaining'));
	const resetAt = parseResetHeader(headerValue(headers, 'x-ratelimit-reset'), now);
	if (!Number.isFinite(remaining) || resetAt === undefined) return;
	state.serverRemaining = remaining;
	state.serverResetAt = resetAt;
	state.sentSinceObserved = 0;
	const limit = Number(headerValue(headers, 'x-ratelimit-limit'));
	// Soku's window ends where it counted this request, no earlier than when it was sent.
	const localCount = state.sent.filter((t) => t > sentAt - windowMs).length;
	state.serverExplainedLocally = Number.isFinite(limit) && limit - remaining <= localCount;
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
	let at = state.sent.length;
	while (at > 0 && state.sent[at - 1] > answeredAt) at--;
	state.sent.splice(at, 0, answeredAt);
}

/**
 * Windows shared by every execution in this n8n process, keyed by credential and endpoint, so two
 * executions using one key pace together. Bounded: stale windows are dropped.
 */
export class PacingRegistry {
	private readonly windows = new Map<string, WindowState>();

	get(key: string): WindowState {
		let state = this.windows.get(key);
		if (!state) {
			if (this.windows.size > 1000) this.windows.clear();
			state = newWindowState();
			this.windows.set(key, state);
		}
		return state;
	}

	/** Longest wait any of the windows needs. */
	delayFor(limits: readonly WindowLimit[], now: number): number {
		return Math.max(0, ...limits.map((l) => pacingDelay(this.get(l.key), l.limit, l.windowMs, now)));
	}

	recordSend(limits: readonly WindowLimit[], now: number): void {
		for (const l of limits) recordSend(this.get(l.key), l.windowMs, now);
	}

	/** After the answer: re-time (or, for a 429, drop) the send, then read the X-RateLimit headers. */
	settle(limits: readonly WindowLimit[], sentAt: number, answeredAt: number, counted: boolean, headers?: ResponseHeaders): void {
		for (const l of limits) settleSend(this.get(l.key), sentAt, answeredAt, counted);
		// The headers describe the tighter of endpoint and tier windows; apply them to the first (endpoint).
		if (headers && limits.length) observeHeaders(this.get(limits[0].key), headers, answeredAt, limits[0].windowMs, sentAt);
	}

	clear(): void {
		this.windows.clear();
	}
}
