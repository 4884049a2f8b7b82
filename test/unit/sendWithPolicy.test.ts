/**
 * The send loop on its own: scripted Soku answers, a virtual clock, no HTTP. Each test pins one thing an
 * item's outcome must say (attempts, waits, dispatch rounds, replays, pacing), exactly, so a change in the
 * loop that the engine tests would only see as "still routed somewhere" fails here.
 */
import type { IDataObject } from 'n8n-workflow';

import type { TransportResult } from '../../nodes/Soku/errors/classify';
import { PacingRegistry, type WindowLimit } from '../../nodes/Soku/policy/pacing';
import { sendWithPolicy } from '../../nodes/Soku/policy/sendWithPolicy';
import type { SokuRequest } from '../../nodes/Soku/transport';
import { T0, deps, fail, fakeRuntime, lost, ok, post, script, settings } from '../helpers/scriptedSoku';

describe('retries and waits', () => {
	test('5xx twice then 200: three attempts, the two backoff waits summed, codes listed once per retry', async () => {
		const rt = fakeRuntime();
		const soku = script(fail(500, 'internal_error'), fail(500, 'internal_error'), ok({ id: 'p1' }));
		const outcome = await sendWithPolicy(post(['x']), settings(), 'always', deps(soku.send, rt));
		expect(outcome).toMatchObject({ ok: true, body: { id: 'p1' }, attempts: 3, waitedMs: 750 + 1500, rateLimitWaits: 0, rateLimitWaitedMs: 0 });
		expect(outcome.retriedCodes).toEqual(['internal_error', 'internal_error']);
		expect(rt.sleeps).toEqual([750, 1500]);
		expect(outcome.error).toBeUndefined();
		expect(outcome.dispatch).toBeUndefined();
	});

	test('429 with Retry-After: waited exactly, counted as a rate-limit wait, not a server retry', async () => {
		const rt = fakeRuntime();
		const soku = script(fail(429, 'rate_limit_exceeded', {}, { 'retry-after': '7' }), ok());
		const outcome = await sendWithPolicy(post(['x']), settings({ maxServerRetries: 0 }), 'ifNotProcessed', deps(soku.send, rt));
		expect(outcome).toMatchObject({ ok: true, attempts: 2, waitedMs: 7000, rateLimitWaits: 1, rateLimitWaitedMs: 7000, retriedCodes: ['rate_limit_exceeded'] });
	});

	test('rate limit routed after the retries: details.retryAfter from the header and routedBecause retriesExhausted', async () => {
		const rt = fakeRuntime();
		const soku = script(fail(429, 'rate_limit_exceeded', {}, { 'retry-after': '3' }));
		const outcome = await sendWithPolicy(post(['x']), settings({ maxRateLimitRetries: 1 }), 'always', deps(soku.send, rt));
		expect(outcome.ok).toBe(false);
		expect(outcome.attempts).toBe(2);
		expect(outcome.error).toMatchObject({ code: 'rate_limit_exceeded', details: { retryAfter: 3, routedBecause: 'retriesExhausted' } });
	});

	test('a Retry-After past Max Rate-Limit Wait routes at once with routedBecause waitTooLong; a body retryAfter is kept', async () => {
		const rt = fakeRuntime();
		const soku = script(fail(429, 'rate_limit_exceeded', {}, { 'retry-after': '300' }));
		const outcome = await sendWithPolicy(post(['x']), settings(), 'always', deps(soku.send, rt));
		expect(outcome).toMatchObject({ ok: false, attempts: 1, waitedMs: 0 });
		expect(outcome.error?.details).toEqual({ retryAfter: 300, routedBecause: 'waitTooLong' });

		const withBody = script(fail(429, 'rate_limit_exceeded', { retryAfter: 200 }));
		const routed = await sendWithPolicy(post(['x']), settings(), 'always', deps(withBody.send, fakeRuntime()));
		expect(routed.error?.details).toEqual({ retryAfter: 200, routedBecause: 'waitTooLong' });
	});

	test('a 429 without any Retry-After, routed: retryAfter is the backoff the next retry would have waited, rounded up to seconds', async () => {
		const soku = script(fail(429, 'rate_limit_exceeded'));
		const outcome = await sendWithPolicy(post(['x']), settings({ maxRateLimitRetries: 0, initialDelayMs: 2400 }), 'always', deps(soku.send, fakeRuntime(1)));
		expect(outcome.error?.details).toEqual({ retryAfter: 3, routedBecause: 'retriesExhausted' });
	});

	test('a non-idempotent create is not resent after a lost answer, and is after a refused connection', async () => {
		const noKey = post(['x'], null);
		const soku = script(lost, ok());
		const routed = await sendWithPolicy(noKey, settings(), 'ifNotProcessed', deps(soku.send, fakeRuntime()));
		expect(routed).toMatchObject({ ok: false, attempts: 1, error: { code: 'network_error' } });

		const refused: TransportResult = { ...lost, code: 'ECONNREFUSED', notSent: true } as TransportResult;
		const again = script(refused, ok());
		expect(await sendWithPolicy(noKey, settings(), 'ifNotProcessed', deps(again.send, fakeRuntime()))).toMatchObject({ ok: true, attempts: 2 });
	});
});

describe('replays (Idempotent-Replayed)', () => {
	test('a replay of the first request was done by an earlier run', async () => {
		const soku = script(ok({ id: 'p' }, { 'idempotent-replayed': 'TRUE' }));
		const outcome = await sendWithPolicy(post(['x']), settings(), 'always', deps(soku.send, fakeRuntime()));
		expect(outcome).toMatchObject({ ok: true, replayed: true, replayedByEarlierRun: true });
	});

	test('a replay after a lost answer was done by this run; the header may come as an array', async () => {
		const soku = script(lost, ok({ id: 'p' }, { 'idempotent-replayed': ['true'] }));
		const outcome = await sendWithPolicy(post(['x']), settings(), 'always', deps(soku.send, fakeRuntime()));
		expect(outcome).toMatchObject({ ok: true, attempts: 2, replayed: true, replayedByEarlierRun: false });
	});

	test('no header: unknown (null), not false; only the first accepted answer decides', async () => {
		const soku = script(fail(500, 'dispatch_failed', { failedPlatforms: ['tiktok'], succeededPlatforms: ['x'] }), ok({ id: 'r2' }, { 'idempotent-replayed': 'true' }));
		const outcome = await sendWithPolicy(post(['x', 'tiktok']), settings(), 'always', deps(soku.send, fakeRuntime()));
		expect(outcome).toMatchObject({ ok: true, replayed: null, replayedByEarlierRun: false });
	});

	test('Idempotent-Replayed: false is known false; any other value is unknown', async () => {
		const no = await sendWithPolicy(post(['x']), settings(), 'always', deps(script(ok({ id: 'p' }, { 'idempotent-replayed': ' False ' })).send, fakeRuntime()));
		expect(no).toMatchObject({ ok: true, replayed: false, replayedByEarlierRun: false });
		const odd = await sendWithPolicy(post(['x']), settings(), 'always', deps(script(ok({ id: 'p' }, { 'idempotent-replayed': 'yes' })).send, fakeRuntime()));
		expect(odd.replayed).toBeNull();
	});

	test('a 409 under a time-relative key is a replay by an earlier run; under any other key it stays idempotency_conflict', async () => {
		const conflict = fail(409, 'idempotency_conflict');
		const timeRelative = { ...post(['x']), conflictMeansReplay: true };
		const replay = await sendWithPolicy(timeRelative, settings(), 'always', deps(script(conflict).send, fakeRuntime()));
		expect(replay).toMatchObject({ ok: true, attempts: 1, replayed: true, replayedByEarlierRun: true, replayedByConflict: true });
		expect(replay.body).toBeUndefined();
		const plain = await sendWithPolicy(post(['x']), settings(), 'always', deps(script(conflict).send, fakeRuntime()));
		expect(plain).toMatchObject({ ok: false, error: { code: 'idempotency_conflict' } });
	});
});

describe('deletes', () => {
	const del = (): SokuRequest => ({ operation: 'deleteRepurposeLink', path: '/v1/repurpose-links/a' });

	test('not_found after a lost answer: that attempt deleted it', async () => {
		const soku = script(lost, fail(404, 'not_found'));
		const outcome = await sendWithPolicy(del(), settings(), 'always', deps(soku.send, fakeRuntime()));
		expect(outcome).toMatchObject({ ok: true, attempts: 2, deletedByEarlierAttempt: true });
		expect(outcome.body).toBeUndefined();
	});

	test('not_found on the first attempt, or after a refused connection, is a real not_found', async () => {
		const first = await sendWithPolicy(del(), settings(), 'always', deps(script(fail(404, 'not_found')).send, fakeRuntime()));
		expect(first).toMatchObject({ ok: false, error: { code: 'not_found' } });
		expect(first.deletedByEarlierAttempt).toBeUndefined();
		const refused: TransportResult = { ...lost, code: 'ECONNREFUSED', notSent: true } as TransportResult;
		const after = await sendWithPolicy(del(), settings(), 'always', deps(script(refused, fail(404, 'not_found')).send, fakeRuntime()));
		expect(after).toMatchObject({ ok: false, attempts: 2, error: { code: 'not_found' } });
		// A 4xx answer did not act either.
		const after4xx = await sendWithPolicy(del(), settings(), 'always', deps(script(fail(409, 'conflict_x'), fail(404, 'not_found')).send, fakeRuntime()));
		expect(after4xx).toMatchObject({ ok: false, attempts: 1 });
	});

	test('a 5xx answer may have acted too', async () => {
		const outcome = await sendWithPolicy(del(), settings(), 'always', deps(script(fail(502, 'http_502'), fail(404, 'not_found')).send, fakeRuntime()));
		expect(outcome).toMatchObject({ ok: true, deletedByEarlierAttempt: true });
	});

	test('a not_found on a create after a lost answer stays not_found', async () => {
		const outcome = await sendWithPolicy(post(['x']), settings(), 'always', deps(script(lost, fail(404, 'not_found')).send, fakeRuntime()));
		expect(outcome).toMatchObject({ ok: false, error: { code: 'not_found' } });
	});
});

describe('dispatch_failed: only the failed platforms, each round with its own key', () => {
	test('X published by the first request, TikTok by the retry: who did what, ids unknown for the first', async () => {
		const rt = fakeRuntime();
		const soku = script(fail(500, 'dispatch_failed', { failedPlatforms: ['TikTok'], succeededPlatforms: ['x'] }), ok({ postSubmissionId: 'ps-2' }));
		const outcome = await sendWithPolicy(post(['x', { platform: 'tiktok', accountId: 'acc-t' }]), settings(), 'always', deps(soku.send, rt));
		expect(soku.requests.map((r) => (r.body as IDataObject).post)).toEqual([
			{ content: { text: 'hi', platform: ['x', { platform: 'tiktok', accountId: 'acc-t' }] } },
			{ content: { text: 'hi', platform: [{ platform: 'tiktok', accountId: 'acc-t' }] } },
		]);
		expect(soku.requests.map((r) => r.idempotencyKey)).toEqual(['k1', 'k1-platforms-r2']);
		expect(outcome).toMatchObject({ ok: true, attempts: 2, retriedCodes: ['dispatch_failed'], waitedMs: 750 });
		expect(outcome.dispatch).toEqual({
			delivered: [
				{ platform: 'x', attempt: 1, postSubmissionId: null },
				{ platform: 'tiktok', accountId: 'acc-t', attempt: 2, postSubmissionId: 'ps-2' },
			],
			failed: [],
			postSubmissionIds: ['ps-2'],
		});
	});

	test('the first answer names its postSubmissionId: it is recorded for the platforms it published', async () => {
		const soku = script(
			fail(500, 'dispatch_failed', { failedPlatforms: ['tiktok'], succeededPlatforms: ['x', 'x'], postSubmissionId: 'ps-1' }),
			ok({ postSubmissionId: 7 }),
		);
		const outcome = await sendWithPolicy(post(['x', 'tiktok']), settings(), 'always', deps(soku.send, fakeRuntime()));
		expect(outcome.dispatch).toEqual({
			delivered: [
				{ platform: 'x', attempt: 1, postSubmissionId: 'ps-1' },
				{ platform: 'tiktok', attempt: 2, postSubmissionId: null },
			],
			failed: [],
			postSubmissionIds: ['ps-1'],
		});
	});

	test('no Idempotency-Key: the retry round has none either', async () => {
		const soku = script(fail(500, 'dispatch_failed', { failedPlatforms: ['tiktok'], succeededPlatforms: ['x'] }), ok());
		await sendWithPolicy(post(['x', 'tiktok'], null), settings(), 'always', deps(soku.send, fakeRuntime()));
		expect(soku.requests.map((r) => r.idempotencyKey)).toEqual([undefined, undefined]);
	});

	test('the retry fails again: the item stays on dispatch_failed, with every round reported', async () => {
		const soku = script(
			fail(500, 'dispatch_failed', { failedPlatforms: ['tiktok', 'youtube'], succeededPlatforms: ['x'] }),
			fail(500, 'dispatch_failed', { failedPlatforms: ['youtube'], succeededPlatforms: ['tiktok'] }),
		);
		const outcome = await sendWithPolicy(post(['x', 'tiktok', 'youtube']), settings({ maxServerRetries: 2 }), 'always', deps(soku.send, fakeRuntime()));
		expect(soku.requests.map((r) => r.idempotencyKey)).toEqual(['k1', 'k1-platforms-r2', 'k1-platforms-r3']);
		expect(outcome.ok).toBe(false);
		expect(outcome.attempts).toBe(3);
		expect(outcome.error).toMatchObject({
			code: 'dispatch_failed',
			details: {
				failedPlatforms: ['youtube'],
				succeededPlatforms: ['x', 'tiktok'],
				deliveries: [
					{ platform: 'x', attempt: 1, postSubmissionId: null },
					{ platform: 'tiktok', attempt: 2, postSubmissionId: null },
				],
			},
		});
		expect(outcome.error?.details.ambiguousAccounts).toBeUndefined();
		expect(outcome.dispatch).toEqual({ delivered: outcome.error?.details.deliveries, failed: ['youtube'], postSubmissionIds: [] });
	});

	test('the retry ends with another error: still dispatch_failed, naming the last code', async () => {
		const soku = script(fail(500, 'dispatch_failed', { failedPlatforms: ['tiktok'], succeededPlatforms: ['x'] }), fail(400, 'validation_error', { field: 'x' }));
		const outcome = await sendWithPolicy(post(['x', 'tiktok']), settings(), 'always', deps(soku.send, fakeRuntime()));
		expect(outcome.error).toMatchObject({
			code: 'dispatch_failed',
			known: true,
			type: 'api_error',
			message: 'Delivery to tiktok failed; the retry for them ended with validation_error: validation_error',
			details: { failedPlatforms: ['tiktok'], succeededPlatforms: ['x'], lastErrorCode: 'validation_error', field: 'x' },
		});
		expect(outcome.dispatch).toMatchObject({ failed: ['tiktok'] });
	});

	test('a failed platform with two accounts is never resent; the others are, and the item says which accounts are unknown', async () => {
		const soku = script(fail(500, 'dispatch_failed', { failedPlatforms: ['instagram', 'tiktok'], succeededPlatforms: ['x'] }), ok({ postSubmissionId: 'r2' }));
		const targets = ['x', { platform: 'instagram', accountId: 'a' }, { platform: 'instagram', accountId: 'b' }, { platform: 'tiktok', accountId: '' }];
		const outcome = await sendWithPolicy(post(targets), settings(), 'always', deps(soku.send, fakeRuntime()));
		expect((soku.requests[1].body as IDataObject).post).toEqual({ content: { text: 'hi', platform: [{ platform: 'tiktok', accountId: '' }] } });
		expect(outcome.ok).toBe(false);
		expect(outcome.body).toBeUndefined();
		expect(outcome.error).toMatchObject({
			code: 'dispatch_failed',
			details: {
				failedPlatforms: ['instagram'],
				succeededPlatforms: ['x', 'tiktok'],
				ambiguousAccounts: [
					{ platform: 'instagram', accountId: 'a' },
					{ platform: 'instagram', accountId: 'b' },
				],
			},
		});
		expect(outcome.dispatch).toEqual({
			delivered: [
				{ platform: 'x', attempt: 1, postSubmissionId: null },
				{ platform: 'tiktok', attempt: 2, postSubmissionId: 'r2' },
			],
			failed: ['instagram'],
			postSubmissionIds: ['r2'],
		});
	});

	test('a retry round whose answer was lost and then refused with a 429: its target may have the post, so it is unknown, not failed', async () => {
		const soku = script(fail(500, 'dispatch_failed', { failedPlatforms: ['tiktok'], succeededPlatforms: ['x'] }), lost, fail(429, 'rate_limit_exceeded', { retryAfter: 1 }));
		const outcome = await sendWithPolicy(post(['x', 'tiktok']), settings({ maxRateLimitRetries: 0 }), 'always', deps(soku.send, fakeRuntime()));
		expect(soku.requests.map((r) => r.idempotencyKey)).toEqual(['k1', 'k1-platforms-r2', 'k1-platforms-r2']);
		expect(outcome.error?.details).toMatchObject({ failedPlatforms: ['tiktok'], ambiguousAccounts: [{ platform: 'tiktok', accountId: null }], lastErrorCode: 'rate_limit_exceeded' });
	});

	test('only ambiguous platforms failed: routed at once, nothing resent', async () => {
		const soku = script(fail(500, 'dispatch_failed', { failedPlatforms: ['instagram'], succeededPlatforms: ['x'] }));
		const outcome = await sendWithPolicy(post(['x', 'instagram', 'instagram']), settings(), 'always', deps(soku.send, fakeRuntime()));
		expect(soku.requests).toHaveLength(1);
		expect(outcome.error?.details).toMatchObject({ failedPlatforms: ['instagram'], succeededPlatforms: ['x'], ambiguousAccounts: [{ platform: 'instagram', accountId: null }, { platform: 'instagram', accountId: null }] });
		expect(outcome.retriedCodes).toEqual([]);
	});

	test('Retry Only Failed Platforms off: routed at once, the first round reported', async () => {
		const soku = script(fail(500, 'dispatch_failed', { failedPlatforms: ['tiktok'], succeededPlatforms: ['x'] }));
		const outcome = await sendWithPolicy(post(['x', 'tiktok']), settings({ retryFailedPlatformsOnly: false }), 'always', deps(soku.send, fakeRuntime()));
		expect(soku.requests).toHaveLength(1);
		expect(outcome.dispatch).toEqual({ delivered: [{ platform: 'x', attempt: 1, postSubmissionId: null }], failed: ['tiktok'], postSubmissionIds: [] });
	});

	test('dispatch_failed on an operation that is not createPost is an ordinary error (no rounds)', async () => {
		const req: SokuRequest = { operation: 'uploadMedia', path: '/v1/media', body: { post: { content: { platform: ['x'] } } }, idempotencyKey: 'k' };
		const outcome = await sendWithPolicy(req, settings({ maxServerRetries: 0 }), 'always', deps(script(fail(500, 'dispatch_failed', { failedPlatforms: ['x'] })).send, fakeRuntime()));
		expect(outcome.dispatch).toBeUndefined();
		expect(outcome.error?.details).toEqual({ failedPlatforms: ['x'] });
	});
});

describe('pacing and deadlines', () => {
	const limits: WindowLimit[] = [{ key: 'k:/v1/posts', limit: 2, windowMs: 60_000 }];

	test('the third send in a window of two waits until the first slot frees; the wait is pacing, not retry', async () => {
		const rt = fakeRuntime();
		const registry = new PacingRegistry();
		const soku = script(ok());
		for (let i = 0; i < 3; i++) {
			const outcome = await sendWithPolicy(post(['x']), settings(), 'always', deps(soku.send, rt, { registry, limits }));
			expect(outcome).toMatchObject({ ok: true, attempts: 1, waitedMs: 0, pacedMs: i < 2 ? 0 : 60_001 });
		}
		// The first send's slot is held until its answer (+1 ms: clocks floor to whole ms).
		expect(rt.sleeps).toEqual([60_001]);
	});

	test('a pacing wait past Max Rate-Limit Wait: not sent, routed with the wait in seconds', async () => {
		const rt = fakeRuntime();
		const registry = new PacingRegistry();
		const soku = script(ok());
		const s = settings({ maxRateLimitWaitMs: 30_000 });
		await sendWithPolicy(post(['x']), s, 'always', deps(soku.send, rt, { registry, limits }));
		await sendWithPolicy(post(['x']), s, 'always', deps(soku.send, rt, { registry, limits }));
		rt.clock.t += 500;
		const outcome = await sendWithPolicy(post(['x']), s, 'always', deps(soku.send, rt, { registry, limits }));
		expect(soku.requests).toHaveLength(2);
		expect(outcome).toMatchObject({ ok: false, attempts: 0, pacedMs: 0 });
		expect(outcome.error).toMatchObject({
			code: 'rate_limit_exceeded',
			known: true,
			source: 'client',
			httpStatus: null,
			retryAfterMs: 59_501,
			details: { retryAfter: 60, routedBecause: 'pacingWaitTooLong' },
			message: "Soku's rate limit has no free slot for 60 s, longer than Retry > Max Rate-Limit Wait (30 s): not sent",
		});
		// Exactly the cap is still waited.
		const capped = await sendWithPolicy(post(['x']), settings({ maxRateLimitWaitMs: 59_501 }), 'always', deps(soku.send, rt, { registry, limits }));
		expect(capped).toMatchObject({ ok: true, pacedMs: 59_501 });
	});

	test('a 429 frees its slot (Soku did not count it); an answered request keeps it', async () => {
		const rt = fakeRuntime();
		const registry = new PacingRegistry();
		const soku = script(fail(429, 'rate_limit_exceeded', {}, { 'retry-after': '1' }), ok());
		const outcome = await sendWithPolicy(post(['x']), settings(), 'always', deps(soku.send, rt, { registry, limits }));
		expect(outcome).toMatchObject({ ok: true, attempts: 2, pacedMs: 0 });
		expect(registry.get(limits[0].key).sent).toHaveLength(1);
	});

	test('scheduledTime checked right before the send: past the deadline after a pacing wait, not sent and the slot given back', async () => {
		const rt = fakeRuntime();
		const registry = new PacingRegistry();
		const soku = script(ok());
		await sendWithPolicy(post(['x']), settings(), 'always', deps(soku.send, rt, { registry, limits }));
		await sendWithPolicy(post(['x']), settings(), 'always', deps(soku.send, rt, { registry, limits }));
		const deadline = { at: T0 + 30_000, field: 'post.scheduledTime', reason: 'too_soon', message: 'scheduledTime is less than a minute ahead' };
		const outcome = await sendWithPolicy({ ...post(['x']), sendBefore: deadline }, settings(), 'always', deps(soku.send, rt, { registry, limits }));
		expect(soku.requests).toHaveLength(2);
		expect(outcome).toMatchObject({ ok: false, attempts: 0, pacedMs: 60_001 });
		expect(outcome.error).toMatchObject({ code: 'validation_error', source: 'client', details: { field: 'post.scheduledTime', reason: 'too_soon' } });
		// Its slot was given back: two more sends fit in the window at once.
		for (let i = 0; i < 2; i++) {
			expect(await sendWithPolicy(post(['x']), settings(), 'always', deps(soku.send, rt, { registry, limits }))).toMatchObject({ ok: true, pacedMs: 0 });
		}

		// Before the deadline (one ms is enough) it is sent.
		const early = { ...deadline, at: rt.clock.t + 1 };
		expect(await sendWithPolicy({ ...post(['x']), sendBefore: early }, settings(), 'always', deps(soku.send, fakeRuntime()))).toMatchObject({ ok: true });
		const exactly = { ...deadline, at: T0 };
		expect(await sendWithPolicy({ ...post(['x']), sendBefore: exactly }, settings(), 'always', deps(soku.send, fakeRuntime()))).toMatchObject({ ok: false });
	});
});
