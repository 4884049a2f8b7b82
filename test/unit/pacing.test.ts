import { PacingRegistry, newWindowState, observeHeaders, pacingDelay, parseResetHeader, recordSend, settleSend } from '../../nodes/Soku/policy/pacing';

const T = Date.parse('2026-11-25T08:00:00Z');

test('sliding window: the (limit+1)th request waits until the oldest leaves the window', () => {
	const state = newWindowState();
	for (let i = 0; i < 3; i++) recordSend(state, 60_000, T + i * 1000);
	expect(pacingDelay(state, 3, 60_000, T + 2000)).toBe(58_000);
	expect(pacingDelay(state, 3, 60_000, T + 59_000)).toBe(1000);
	expect(pacingDelay(state, 3, 60_000, T + 60_001)).toBe(0);
	expect(pacingDelay(state, 4, 60_000, T + 2000)).toBe(0);
});

test('server headers: Remaining 0 holds until Reset even when this process sent little', () => {
	const state = newWindowState();
	recordSend(state, 60_000, T);
	observeHeaders(state, { 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String((T + 20_000) / 1000) }, T, 60_000);
	expect(pacingDelay(state, 30, 60_000, T + 1)).toBe(19_999);
	expect(pacingDelay(state, 30, 60_000, T + 20_000)).toBe(0);
});

test('server headers: sends after the last answer count against its Remaining', () => {
	const state = newWindowState();
	observeHeaders(state, { 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': new Date(T + 30_000).toISOString() }, T, 60_000);
	expect(pacingDelay(state, 30, 60_000, T)).toBe(0);
	recordSend(state, 60_000, T);
	expect(pacingDelay(state, 30, 60_000, T)).toBe(30_000);
});

test('X-RateLimit-Reset: Unix seconds, Unix ms, ISO, seconds-from-now', () => {
	expect(parseResetHeader(String(T / 1000 + 5), T)).toBe(T + 5000);
	expect(parseResetHeader(String(T + 5000), T)).toBe(T + 5000);
	expect(parseResetHeader(new Date(T + 5000).toISOString(), T)).toBe(T + 5000);
	expect(parseResetHeader('5', T)).toBe(T + 5000);
	expect(parseResetHeader('never', T)).toBeUndefined();
});

test('registry: the longest wait of endpoint and tier windows applies', () => {
	const registry = new PacingRegistry();
	const limits = [
		{ key: 'k|posts', limit: 2, windowMs: 60_000 },
		{ key: 'k|tier', limit: 100, windowMs: 60_000 },
	];
	registry.recordSend(limits, T);
	registry.recordSend(limits, T + 10);
	expect(registry.delayFor(limits, T + 10)).toBe(59_990);
	expect(registry.delayFor([limits[1]], T + 10)).toBe(0);
});

test('when the server counted only what this process sent, its rounded-up Reset is not waited for', () => {
	const state = newWindowState();
	for (let i = 0; i < 3; i++) recordSend(state, 1000, T + i);
	// Reset in whole seconds: up to 1 s later than the window really frees.
	observeHeaders(state, { 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil((T + 1500) / 1000)) }, T + 2, 1000);
	expect(pacingDelay(state, 3, 1000, T + 2)).toBe(998);
});

test('settling a send: re-timed to the answer, or dropped for a 429 Soku did not count', () => {
	const state = newWindowState();
	recordSend(state, 60_000, T);
	recordSend(state, 60_000, T + 5);
	settleSend(state, T + 5, T + 40, true);
	expect(state.sent).toEqual([T, T + 40]);
	settleSend(state, T, T + 50, false);
	expect(state.sent).toEqual([T + 40]);
});
