import { countHeader, headerScope, resetOnLocalClock, serverClockOffset } from '../../nodes/Soku/policy/pacing';

const T = Date.parse('2026-12-01T10:00:00.000Z');
const limits = [
	{ key: 'k|/v1/posts', limit: 30, windowMs: 60_000 },
	{ key: 'k|tier', limit: 100, windowMs: 60_000 },
];

test('count headers: absent, empty, whitespace, negative and non-numeric are no value', () => {
	for (const v of [undefined, '', '  ', '-1', 'many', 'NaN', 'Infinity']) expect(countHeader(v)).toBeUndefined();
	expect(countHeader(' 7 ')).toBe(7);
	expect(countHeader('0')).toBe(0);
});

test('Soku\'s clock offset comes from the Date header, and counts only beyond its whole-second precision', () => {
	expect(serverClockOffset({}, T)).toBe(0);
	expect(serverClockOffset({ date: 'garbage' }, T)).toBe(0);
	expect(serverClockOffset({ date: new Date(T - 900).toUTCString() }, T)).toBe(0);
	expect(serverClockOffset({ date: new Date(T + 2000).toUTCString() }, T)).toBe(0);
	expect(serverClockOffset({ date: new Date(T + 300_000).toUTCString() }, T)).toBe(300_000);
	expect(serverClockOffset({ date: new Date(T - 600_000).toUTCString() }, T)).toBe(-600_000);
});

test('Reset on the local clock: moved by the offset, relative values from now, never more than one window, Retry-After wins', () => {
	const ahead = { date: new Date(T + 300_000).toUTCString(), 'x-ratelimit-reset': String((T + 310_000) / 1000) };
	expect(resetOnLocalClock(ahead, T, 60_000)).toBe(T + 10_000);
	const iso = { date: new Date(T - 600_000).toUTCString(), 'x-ratelimit-reset': new Date(T - 590_000).toISOString() };
	expect(resetOnLocalClock(iso, T, 60_000)).toBe(T + 10_000);
	expect(resetOnLocalClock({ 'x-ratelimit-reset': '5' }, T, 60_000)).toBe(T + 5000);
	expect(resetOnLocalClock({ 'x-ratelimit-reset': String((T + 310_000) / 1000) }, T, 60_000)).toBe(T + 60_000);
	expect(resetOnLocalClock({ 'x-ratelimit-reset': '-5' }, T, 60_000)).toBeUndefined();
	expect(resetOnLocalClock({ 'x-ratelimit-reset': String((T + 9000) / 1000) }, T, 60_000, 1000, T - 20)).toBe(T - 20 + 1000);
	expect(resetOnLocalClock({}, T, 60_000, 500_000)).toBe(T + 60_000);
});

test('header scope: the endpoint\'s documented limit is the endpoint\'s; the named tier\'s documented limit is the tier\'s; else the endpoint\'s', () => {
	expect(headerScope({ 'x-ratelimit-limit': '30', 'x-ratelimit-tier': 'premium' }, limits)).toBe(0);
	expect(headerScope({ 'x-ratelimit-limit': '100', 'x-ratelimit-tier': 'premium' }, limits)).toBe(1);
	expect(headerScope({ 'x-ratelimit-limit': '60', 'x-ratelimit-tier': 'Authenticated' }, limits)).toBe(1);
	expect(headerScope({ 'x-ratelimit-limit': '100' }, limits)).toBe(1);
	expect(headerScope({ 'x-ratelimit-limit': '60', 'x-ratelimit-tier': 'premium' }, limits)).toBe(0);
	expect(headerScope({ 'x-ratelimit-limit': '', 'x-ratelimit-tier': 'premium' }, limits)).toBe(0);
	expect(headerScope({ 'x-ratelimit-limit': '100' }, [limits[1]])).toBe(0);
});
