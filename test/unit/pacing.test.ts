import { PacingRegistry, newWindowState, observeHeaders, pacingDelay, parseResetHeader, recordSend } from '../../nodes/Soku/policy/pacing';

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
	observeHeaders(state, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String((T + 20_000) / 1000) }, T);
	expect(pacingDelay(state, 30, 60_000, T + 1)).toBe(19_999);
	expect(pacingDelay(state, 30, 60_000, T + 20_000)).toBe(0);
});

test('server headers: sends after the last answer count against its Remaining', () => {
	const state = newWindowState();
	observeHeaders(state, { 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': new Date(T + 30_000).toISOString() }, T);
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
