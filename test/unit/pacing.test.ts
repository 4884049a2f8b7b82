import { PacingRegistry, newWindowState, observeHeaders, pacingDelay, parseResetHeader, recordSend, settleSend, shareOf } from '../../nodes/Soku/policy/pacing';

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
	// No X-RateLimit-Limit: nothing tells how much of the count is others', only Remaining and Reset.
	observeHeaders(state, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String((T + 20_000) / 1000) }, T, 60_000);
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

const headers = (limit: number, remaining: number, resetAt: number) => ({
	'x-ratelimit-limit': String(limit),
	'x-ratelimit-remaining': String(remaining),
	'x-ratelimit-reset': String(Math.ceil(resetAt / 1000)),
});

test('X-RateLimit-Limit above the documented limit: the account is not held to the table (30)', () => {
	const state = newWindowState();
	for (let i = 0; i < 30; i++) recordSend(state, 60_000, T + i);
	observeHeaders(state, headers(60, 30, T + 60_000), T + 30, 60_000, T + 29);
	expect(pacingDelay(state, 30, 60_000, T + 30)).toBe(0);
	for (let i = 30; i < 60; i++) recordSend(state, 60_000, T + i);
	expect(pacingDelay(state, 30, 60_000, T + 60)).toBe(60_000 - 60);
});

test('X-RateLimit-Limit below the documented limit: the lower one holds', () => {
	const state = newWindowState();
	for (let i = 0; i < 10; i++) recordSend(state, 60_000, T + i);
	observeHeaders(state, headers(10, 0, T + 60_000), T + 10, 60_000, T + 9);
	expect(pacingDelay(state, 30, 60_000, T + 10)).toBe(60_000 - 10);
});

/** A send answered 1 ms later and counted by Soku. */
function sendAnswered(state: ReturnType<typeof newWindowState>, at: number): void {
	recordSend(state, 60_000, at);
	settleSend(state, at, at + 1, true);
}

test('another consumer on the key: this process keeps to its share, and takes all again once it is gone', () => {
	const state = newWindowState();
	for (let i = 0; i < 10; i++) sendAnswered(state, T + i);
	// Soku counted 20: 10 of them are someone else's, so this process may use half of 30.
	observeHeaders(state, headers(30, 10, T + 60_000), T + 10, 60_000, T + 9);
	expect(state.share).toBe(15);
	for (let i = 10; i < 15; i++) sendAnswered(state, T + i);
	expect(pacingDelay(state, 30, 60_000, T + 16)).toBeGreaterThan(59_000);
	// A window later Soku's count is only ours: the whole limit again.
	const later = T + 61_000;
	sendAnswered(state, later);
	observeHeaders(state, headers(30, 29, later + 60_000), later + 1, 60_000, later);
	expect(state.share).toBeUndefined();
	expect(pacingDelay(state, 30, 60_000, later + 1)).toBe(0);
});

test('shares: similar consumers split equally, a busy one beside a light one keeps what it uses, the sum stays within the limit', () => {
	expect(shareOf(30, 15, 30)).toBe(15);
	expect(shareOf(30, 10, 30)).toBe(10);
	expect(shareOf(30, 16, 30)).toBe(15);
	expect(shareOf(30, 29, 30)).toBe(28);
	expect(shareOf(30, 1, 30)).toBe(1);
	expect(shareOf(30, 7, 28)).toBe(7);
	// Every split of Soku's count (2 to 30) among 2 to 6 consumers, each computing its share from that count.
	const splits = (n: number, k: number, min = 1): number[][] =>
		k === 1 ? (n >= min ? [[n]] : []) : Array.from({ length: Math.max(0, Math.floor(n / k) - min + 1) }, (_, i) => min + i).flatMap((a) => splits(n - a, k - 1, a).map((rest) => [a, ...rest]));
	let checked = 0;
	for (let total = 2; total <= 30; total++) {
		for (let k = 2; k <= 6; k++) {
			for (const counts of splits(total, k)) {
				expect(counts.reduce((sum, own) => sum + shareOf(30, own, total), 0)).toBeLessThanOrEqual(30);
				checked++;
			}
		}
	}
	expect(checked).toBeGreaterThan(1000);
});

test('reserve: the check and the slot are one step, so two waiters for the last slot cannot both take it', () => {
	const registry = new PacingRegistry();
	const limits = [{ key: 'k|posts', limit: 2, windowMs: 1000 }];
	expect(registry.reserve(limits, T)).toBe(0);
	expect(registry.reserve(limits, T + 1)).toBe(0);
	// Two executions woke up for the slot freeing at T + 1000: only the first gets it, the second waits on.
	expect(registry.reserve(limits, T + 1000)).toBe(0);
	expect(registry.reserve(limits, T + 1000)).toBe(1);
	expect(registry.get('k|posts').sent).toEqual([T + 1, T + 1000]);
});

test('registry memory is bounded with 10,000 credentials, evicting the least recently used, never the active windows', () => {
	const registry = new PacingRegistry(1000);
	const active = [{ key: 'active|posts', limit: 30, windowMs: 60_000 }];
	registry.recordSend(active, T);
	for (let i = 0; i < 10_000; i++) {
		registry.recordSend([{ key: `cred-${i}|posts`, limit: 30, windowMs: 60_000 }], T + i);
		// The active credential keeps sending (every 100th request), so it is never the least recently used.
		if (i % 100 === 0) registry.recordSend(active, T + i);
		expect(registry.size).toBeLessThanOrEqual(1000);
	}
	expect(registry.has('active|posts')).toBe(true);
	expect(registry.get('active|posts').sent.length).toBe(101);
	// Evicted one by one, oldest first: the 999 most recent credentials are all still there.
	for (let i = 10_000 - 998; i < 10_000; i++) expect(registry.has(`cred-${i}|posts`)).toBe(true);
	expect(registry.has('cred-0|posts')).toBe(false);
});


describe('edges', () => {
	test('a send exactly one window ago no longer counts; one ms less and it does', () => {
		const state = newWindowState();
		recordSend(state, 1000, T);
		expect(pacingDelay(state, 1, 1000, T + 999)).toBe(1);
		expect(pacingDelay(state, 1, 1000, T + 1000)).toBe(0);
		// Recording drops the sends that left the window, so the list stays one window long.
		recordSend(state, 1000, T + 1000);
		expect(state.sent).toEqual([T + 1000]);
		expect(state.sentSinceObserved).toBe(2);
	});

	test('Remaining 0 holds only until Reset: at Reset itself the hold is over', () => {
		const state = newWindowState();
		observeHeaders(state, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': new Date(T + 5000).toISOString() }, T, 60_000);
		expect(pacingDelay(state, 30, 60_000, T + 4999)).toBe(1);
		expect(pacingDelay(state, 30, 60_000, T + 5000)).toBe(0);
	});

	test('headers without a usable Remaining or Reset change nothing', () => {
		for (const headers of [
			{ 'x-ratelimit-reset': String(T / 1000 + 30) },
			{ 'x-ratelimit-remaining': 'many', 'x-ratelimit-reset': String(T / 1000 + 30) },
			{ 'x-ratelimit-remaining': '0' },
			{ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '   ' },
			{ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': 'soon' },
		]) {
			const state = newWindowState();
			recordSend(state, 60_000, T);
			observeHeaders(state, headers, T, 60_000);
			expect(state).toEqual({ sent: [T], sentSinceObserved: 1, countedAt: [] });
			expect(pacingDelay(state, 30, 60_000, T)).toBe(0);
		}
		expect(parseResetHeader(undefined, T)).toBeUndefined();
		expect(parseResetHeader('', T)).toBeUndefined();
		expect(parseResetHeader('0', T)).toBe(T);
	});

	test('an unusable X-RateLimit-Limit keeps the documented limit and trusts Remaining and Reset', () => {
		for (const limit of ['0', 'lots']) {
			const state = newWindowState();
			recordSend(state, 60_000, T);
			observeHeaders(state, { 'x-ratelimit-limit': limit, 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(T / 1000 + 10) }, T, 60_000);
			expect(state.serverLimit).toBeUndefined();
			expect(state.serverExplainedLocally).toBe(false);
			expect(pacingDelay(state, 30, 60_000, T)).toBe(10_000);
		}
	});

	test('X-RateLimit-Limit 59.9 is a limit of 59', () => {
		const state = newWindowState();
		observeHeaders(state, headers(59.9, 59, T + 60_000), T, 60_000);
		expect(state.serverLimit).toBe(59);
	});

	test('settling keeps the window in time order, ignores unknown sends, and keeps few answer times', () => {
		const state = newWindowState();
		recordSend(state, 60_000, T);
		recordSend(state, 60_000, T + 10);
		recordSend(state, 60_000, T + 20);
		// The first request is answered after the later ones were sent: it moves behind them.
		settleSend(state, T, T + 15, true);
		expect(state.sent).toEqual([T + 10, T + 15, T + 20]);
		settleSend(state, T + 10, T + 30, true);
		expect(state.sent).toEqual([T + 15, T + 20, T + 30]);
		expect(state.countedAt).toEqual([T + 7.5, T + 20]);
		settleSend(state, T + 999, T + 1000, true);
		expect(state.sent).toEqual([T + 15, T + 20, T + 30]);
		expect(state.countedAt).toHaveLength(2);
		// Answer times are kept for the current window plus 64, not forever.
		for (let i = 1; i <= 200; i++) {
			recordSend(state, 60_000, T + i * 1000);
			settleSend(state, T + i * 1000, T + i * 1000 + 1, true);
		}
		// Answered at t + 1: the answer from exactly one window before the last send is still inside.
		expect(state.sent).toHaveLength(61);
		// Trimmed while the settled send is out of the list (60 others in the window), to 64 more than that.
		expect(state.countedAt).toHaveLength(60 + 64);
		expect(state.countedAt[state.countedAt.length - 1]).toBe(T + 200_000 + 0.5);
	});

	test('a share ends one window after it was seen, without new headers', () => {
		const state = newWindowState();
		for (let i = 0; i < 10; i++) sendAnswered(state, T + i);
		observeHeaders(state, headers(30, 10, T + 60_000), T + 10, 60_000, T + 9);
		expect(state.shareUntil).toBe(T + 10 + 60_000);
		for (let i = 10; i < 15; i++) sendAnswered(state, T + 70_000 + i);
		// Long after the share expired, only Soku's limit counts: 5 recent sends of 30 leave room.
		expect(pacingDelay(state, 30, 60_000, T + 70_100)).toBe(0);
	});

	test('registry: no windows means no wait; settle with a 429 frees the slot in every window', () => {
		const registry = new PacingRegistry();
		expect(registry.delayFor([], T)).toBe(0);
		registry.settle([], T, T, true, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '60' });
		const limits = [
			{ key: 'k|posts', limit: 1, windowMs: 60_000 },
			{ key: 'k|tier', limit: 1, windowMs: 60_000 },
		];
		expect(registry.reserve(limits, T)).toBe(0);
		registry.settle(limits, T, T + 5, false, { 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': '60' });
		expect(registry.get('k|posts').sent).toEqual([]);
		expect(registry.get('k|tier').sent).toEqual([]);
		// The headers go to the endpoint window only.
		expect(registry.get('k|posts').serverRemaining).toBe(5);
		expect(registry.get('k|tier').serverRemaining).toBeUndefined();
		registry.clear();
		expect(registry.size).toBe(0);
	});
});
