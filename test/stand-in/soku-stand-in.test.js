'use strict';
/* Tests of the Soku stand-in against REFERENCE.md, over real HTTP. Run: npx jest test/stand-in */

const http = require('http');
const path = require('path');
const { spawn } = require('child_process');
const {
	startStandIn,
	createManualClock,
	maskKey,
	maskSecrets,
	DEFAULT_ACCOUNTS,
	ERROR_CODES,
} = require('./soku-stand-in');

const KEY = 'sk_live_demo_active_0000000000000000';
const REVOKED = 'sk_live_demo_revoked_000000000000000';
const TRIALING = 'sk_live_demo_trialing_00000000000000';
const CANCELED = 'sk_live_demo_canceled_00000000000000';
const PASTDUE = 'sk_live_demo_pastdue_000000000000000';
const NOCREDITS = 'sk_live_demo_nocredits_0000000000000';
const FIREBASE = 'firebase-demo-id-token';
const T0 = Date.parse('2026-03-02T09:00:00.000Z');

/**
 * Minimal HTTP client (no keep-alive, so nothing lingers). Resolves { status, headers, text, json };
 * rejects on socket errors (e.g. ECONNRESET from a dropped response) or after `timeoutMs`.
 */
function call(base, method, p, { headers = {}, body, raw, key = KEY, timeoutMs = 3000 } = {}) {
	return new Promise((resolve, reject) => {
		const h = { ...headers };
		if (key && h['soku-api-key'] === undefined) h['soku-api-key'] = key;
		let payload;
		if (raw !== undefined) payload = raw;
		else if (body !== undefined) {
			payload = JSON.stringify(body);
			if (h['content-type'] === undefined) h['content-type'] = 'application/json';
		}
		for (const k of Object.keys(h)) if (h[k] === null) delete h[k];
		if (payload !== undefined) h['content-length'] = Buffer.byteLength(payload);
		const req = http.request(`${base}${p}`, { method, headers: h, agent: false }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('error', reject);
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json;
				try {
					json = text ? JSON.parse(text) : undefined;
				} catch {
					json = undefined;
				}
				resolve({ status: res.statusCode, headers: res.headers, text, json });
			});
		});
		req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('client timeout'), { code: 'ETIMEDOUT' })));
		req.on('error', reject);
		req.end(payload);
	});
}

const textPost = (text, platform, extra = {}) => ({ post: { content: { text, mediaType: 'text', platform } }, ...extra });
const videoPost = (platform, extra = {}) => ({
	post: { content: { text: 'clip', mediaType: 'video', videoUrl: 'https://cdn.example.com/clip.mp4', platform } },
	...extra,
});

function expectEnvelope(res, status, code, details) {
	expect(res.status).toBe(status);
	expect(res.headers['content-type']).toMatch(/^application\/json/);
	expect(res.json).toBeDefined();
	const e = res.json.error;
	expect(Object.keys(res.json)).toEqual(['error']);
	expect(e.code).toBe(code);
	expect(e.type).toBe(ERROR_CODES[code].type);
	expect(ERROR_CODES[code].status).toBe(status);
	expect(typeof e.message).toBe('string');
	expect(e.message.length).toBeGreaterThan(0);
	expect(e.requestId).toMatch(/^req_[0-9a-f]{12}$/);
	expect(res.headers['x-request-id']).toBe(e.requestId);
	expect(new Date(e.timestamp).toISOString()).toBe(e.timestamp);
	if (details === null) expect(e.details).toBeUndefined();
	else if (details !== undefined) expect(e.details).toEqual(details);
	return e;
}

let s;
let clock;
let url;
beforeEach(async () => {
	clock = createManualClock(T0);
	s = await startStandIn({ clock });
	url = s.url;
});
afterEach(async () => {
	await s.close();
});

describe('basics', () => {
	test('listens on 127.0.0.1 with a random port and records requests', async () => {
		expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(s.port).toBeGreaterThan(0);
		const res = await call(url, 'POST', '/v1/posts?x=1', { body: textPost('hello', ['x']) });
		expect(res.status).toBe(201);
		expect(s.requests).toHaveLength(1);
		const r = s.requests[0];
		expect(r).toMatchObject({
			seq: 1,
			method: 'POST',
			path: '/v1/posts',
			query: { x: '1' },
			body: textPost('hello', ['x']),
			receivedAt: T0,
			response: { status: 201, body: { postSubmissionId: res.json.postSubmissionId } },
		});
		expect(r.headers['soku-api-key']).toBe(KEY);
		expect(r.rawBody).toBe(JSON.stringify(textPost('hello', ['x'])));
		expect(r.response.headers['x-ratelimit-tier']).toBe('premium');
		s.clearRequests();
		expect(s.requests).toHaveLength(0);
	});

	test('unknown path, wrong method and /v1/metrics/refresh answer 404 not_found envelopes', async () => {
		expectEnvelope(await call(url, 'GET', '/v1/nope'), 404, 'not_found', null);
		const wrong = await call(url, 'PUT', '/v1/posts', { body: {} });
		expectEnvelope(wrong, 404, 'not_found');
		expect(wrong.headers.allow).toBe('POST');
		for (const m of ['GET', 'POST']) {
			expectEnvelope(
				await call(url, m, '/v1/metrics/refresh', { key: null, headers: { authorization: `Bearer ${FIREBASE}` } }),
				404,
				'not_found',
			);
		}
	});

	test('error timestamps come from the clock', async () => {
		clock.set('2027-01-05T10:20:30.000Z');
		const e = expectEnvelope(await call(url, 'POST', '/v1/posts', { body: {} }), 400, 'validation_error');
		expect(e.timestamp).toBe('2027-01-05T10:20:30.000Z');
	});
});

describe('authentication and subscription (§2)', () => {
	test('401 unauthorized for missing, Bearer-only, malformed, unknown and revoked keys', async () => {
		let e = expectEnvelope(await call(url, 'POST', '/v1/posts', { key: null, body: {} }), 401, 'unauthorized');
		expect(e.message).toBe('Missing or invalid soku-api-key');
		e = expectEnvelope(
			await call(url, 'POST', '/v1/posts', { key: null, headers: { authorization: `Bearer ${KEY}` }, body: {} }),
			401,
			'unauthorized',
		);
		expect(e.message).toBe('Missing or invalid soku-api-key');
		e = expectEnvelope(await call(url, 'GET', '/v1/repurposeLinks', { key: 'not-a-key' }), 401, 'unauthorized');
		e = expectEnvelope(await call(url, 'POST', '/v1/media', { key: 'sk_live_unknown_key_000000000', body: {} }), 401, 'unauthorized');
		expect(e.message).toBe('Invalid API key');
		e = expectEnvelope(await call(url, 'POST', '/v1/posts', { key: REVOKED, body: {} }), 401, 'unauthorized');
		expect(e.message).toBe('API key revoked');
		expect(e.type).toBe('authentication_error');
	});

	test('403 forbidden for canceled / past_due on every API-key endpoint; trialing allowed', async () => {
		const calls = [
			['POST', '/v1/posts', textPost('x', ['x'])],
			['POST', '/v1/media', { url: 'https://cdn.example.com/a.png' }],
			['POST', '/v1/templates', { templateSlug: 'tweetImage' }],
			['POST', '/v1/media/render-og', { templateSlug: 'tweetImage' }],
			['POST', '/v1/ai/transcribe', { mediaId: 'med_demo_video' }],
			['GET', '/v1/repurposeLinks'],
			['POST', '/v1/repurposeLinks', { platform: 'x', accountId: 'x_canceled', type: 'post' }],
			['DELETE', '/v1/repurposeLinks/rl_demo0001'],
		];
		for (const [m, p, b] of calls) {
			const e = expectEnvelope(await call(url, m, p, { key: CANCELED, body: b }), 403, 'forbidden', null);
			expect(e.message).toBe('Subscription inactive or expired');
			expect(e.type).toBe('authentication_error');
		}
		expectEnvelope(await call(url, 'POST', '/v1/posts', { key: PASTDUE, body: textPost('x', ['x']) }), 403, 'forbidden');
		const ok = await call(url, 'POST', '/v1/posts', { key: TRIALING, body: textPost('trial', ['x']) });
		expect(ok.status).toBe(201);
	});

	test('subscription status can be changed at runtime through state', async () => {
		s.state.users.user_demo.subscription = 'unpaid';
		expectEnvelope(await call(url, 'GET', '/v1/repurposeLinks'), 403, 'forbidden');
		s.state.users.user_demo.subscription = 'active';
		expect((await call(url, 'GET', '/v1/repurposeLinks')).status).toBe(200);
	});

	test('/v1/api-keys takes only a Firebase Bearer token', async () => {
		let e = expectEnvelope(await call(url, 'GET', '/v1/api-keys'), 401, 'unauthorized');
		expect(e.message).toMatch(/soku-api-key is not accepted/);
		expectEnvelope(await call(url, 'GET', '/v1/api-keys', { key: null, headers: { authorization: 'Bearer nope' } }), 401, 'unauthorized');
		expectEnvelope(await call(url, 'GET', '/v1/api-keys', { key: null, headers: { authorization: `Bearer ${KEY}` } }), 401, 'unauthorized');
		const ok = await call(url, 'GET', '/v1/api-keys', { key: null, headers: { authorization: `Bearer ${FIREBASE}` } });
		expect(ok.status).toBe(200);
	});
});

describe('request bodies (§3)', () => {
	test('a body needs Content-Type application/json; invalid JSON is a validation_error', async () => {
		expectEnvelope(
			await call(url, 'POST', '/v1/posts', { raw: JSON.stringify(textPost('a', ['x'])), headers: { 'content-type': 'text/plain' } }),
			400,
			'validation_error',
			{ field: 'Content-Type', reason: 'must be application/json' },
		);
		expectEnvelope(
			await call(url, 'POST', '/v1/posts', { raw: '{"post":', headers: { 'content-type': 'application/json' } }),
			400,
			'validation_error',
			{ field: 'body', reason: 'invalid_json' },
		);
		const ok = await call(url, 'POST', '/v1/posts', {
			raw: JSON.stringify(textPost('a', ['x'])),
			headers: { 'content-type': 'application/json; charset=utf-8' },
		});
		expect(ok.status).toBe(201);
	});
});

describe('POST /v1/posts (§4.1)', () => {
	test('creates a submission, delivers to each target and answers 201 { postSubmissionId }', async () => {
		const res = await call(url, 'POST', '/v1/posts', {
			body: textPost('Launch day', ['threads', { platform: 'x', accountId: 'x_primary' }]),
		});
		expect(res.status).toBe(201);
		expect(res.json).toEqual({ postSubmissionId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
		expect(s.state.posts).toHaveLength(1);
		const post = s.state.posts[0];
		expect(post).toMatchObject({
			postSubmissionId: res.json.postSubmissionId,
			userId: 'user_demo',
			idempotencyKey: null,
			platforms: [
				{ platform: 'threads', accountId: 'threads_main' },
				{ platform: 'x', accountId: 'x_primary' },
			],
			delivered: { threads: true, x: true },
			status: 'dispatched',
			createdAt: new Date(T0).toISOString(),
		});
		expect(s.state.deliveries.map((d) => [d.platform, d.accountId, d.text])).toEqual([
			['threads', 'threads_main', 'Launch day'],
			['x', 'x_primary', 'Launch day'],
		]);
	});

	test('accepts a bare platform string, upper case and twitter -> x', async () => {
		expect((await call(url, 'POST', '/v1/posts', { body: textPost('one', 'x') })).status).toBe(201);
		expect((await call(url, 'POST', '/v1/posts', { body: textPost('two', ['Twitter']) })).status).toBe(201);
		expect((await call(url, 'POST', '/v1/posts', { body: textPost('three', [{ platform: 'THREADS' }]) })).status).toBe(201);
		expect(s.state.deliveries.map((d) => d.platform)).toEqual(['x', 'x', 'threads']);
	});

	test.each([
		['missing post', {}, { field: 'post', reason: 'required' }],
		['missing content', { post: {} }, { field: 'post.content', reason: 'required' }],
		['missing platform', { post: { content: { text: 'a' } } }, { field: 'post.content.platform', reason: 'required' }],
		['empty platform', textPost('a', []), { field: 'post.content.platform', reason: 'empty' }],
		['bad platform item', textPost('a', [42]), { field: 'post.content.platform[0]', reason: 'invalid_type' }],
		['unknown platform', textPost('a', ['myspace']), expect.objectContaining({ field: 'post.content.platform[0]', reason: 'unsupported_platform' })],
		['text required for text posts', { post: { content: { mediaType: 'text', platform: ['x'] } } }, { field: 'post.content.text', reason: 'required' }],
		['bad mediaType', { post: { content: { text: 'a', mediaType: 'gif', platform: ['x'] } } }, expect.objectContaining({ field: 'post.content.mediaType', reason: 'invalid_value' })],
		[
			'non-http media URL',
			{ post: { content: { text: 'a', mediaType: 'image', mediaUrls: ['ftp://cdn.example.com/a.png'], platform: ['x'] } } },
			{ field: 'post.content.mediaUrls[0]', reason: 'invalid_url' },
		],
		['image post without media', { post: { content: { text: 'a', mediaType: 'image', platform: ['x'] } } }, { field: 'post.content.mediaUrls', reason: 'required' }],
		['instagram text-only', textPost('a', [{ platform: 'instagram', accountId: 'ig_brand' }]), { field: 'post.content.mediaUrls', reason: 'required', platform: 'instagram' }],
		['tiktok text-only', textPost('a', ['tiktok']), { field: 'post.content.mediaUrls', reason: 'required', platform: 'tiktok' }],
		['x caption > 280', textPost('a'.repeat(281), ['x']), { field: 'post.content.text', reason: 'too_long', platform: 'x', limit: 280 }],
		['threads caption > 500', textPost('a'.repeat(501), ['threads']), { field: 'post.content.text', reason: 'too_long', platform: 'threads', limit: 500 }],
		[
			'x with 5 images',
			{ post: { content: { text: 'a', mediaType: 'image', imageUrls: [1, 2, 3, 4, 5].map((i) => `https://cdn.example.com/${i}.jpg`), platform: ['x'] } } },
			{ field: 'post.content.imageUrls', reason: 'too_many', platform: 'x', limit: 4 },
		],
		['youtube needs video', { post: { content: { text: 'a', mediaType: 'image', mediaUrls: ['https://cdn.example.com/a.jpg'], platform: ['youtube'] } } }, { field: 'post.content.videoUrl', reason: 'required', platform: 'youtube' }],
		['scheduledTime not ISO', textPost('a', ['x'], { scheduledTime: 'tomorrow at noon' }), { field: 'scheduledTime', reason: 'invalid_format' }],
		['scheduledTime in the past', textPost('a', ['x'], { scheduledTime: '2026-03-02T08:59:00Z' }), { field: 'scheduledTime', reason: 'in_past' }],
		['scheduledTime < 60 s ahead', textPost('a', ['x'], { scheduledTime: '2026-03-02T09:00:59.999Z' }), { field: 'scheduledTime', reason: 'too_soon' }],
		['enableRepurposing not boolean', textPost('a', ['x'], { enableRepurposing: 'yes' }), { field: 'enableRepurposing', reason: 'invalid_type' }],
	])('validation_error: %s', async (_name, body, details) => {
		expectEnvelope(await call(url, 'POST', '/v1/posts', { body }), 400, 'validation_error', details);
		expect(s.state.posts).toHaveLength(0);
		expect(s.state.deliveries).toHaveLength(0);
	});

	test('caption length counts characters (code points), not UTF-16 units', async () => {
		expect((await call(url, 'POST', '/v1/posts', { body: textPost('😀'.repeat(280), ['x']) })).status).toBe(201);
	});

	test('upload_failed (no details) for unreachable hosts and unsupported formats', async () => {
		for (const mediaUrl of ['https://cdn.unreachable.test/a.mp4', 'https://cdn.example.com/setup.exe', 'https://cdn.example.com/clip.avi']) {
			const body = { post: { content: { text: 'a', mediaType: 'video', mediaUrls: [mediaUrl], platform: ['x'] } } };
			expectEnvelope(await call(url, 'POST', '/v1/posts', { body }), 400, 'upload_failed', null);
		}
		expect(s.state.posts).toHaveLength(0);
	});

	test('missing_integrations lists every platform without a connected account', async () => {
		expectEnvelope(
			await call(url, 'POST', '/v1/posts', { body: videoPost(['youtube', 'x', 'snapchat']) }),
			400,
			'missing_integrations',
			{ missingPlatforms: ['youtube', 'snapchat'] },
		);
	});

	test('missing_account when accountId is unknown, or omitted with several accounts', async () => {
		expectEnvelope(
			await call(url, 'POST', '/v1/posts', { body: videoPost([{ platform: 'instagram', accountId: 'ig_nonexistent' }]) }),
			400,
			'missing_account',
			{ platform: 'instagram', accountId: 'ig_nonexistent' },
		);
		expectEnvelope(await call(url, 'POST', '/v1/posts', { body: videoPost(['instagram']) }), 400, 'missing_account', {
			platform: 'instagram',
			accountId: null,
		});
		const ok = await call(url, 'POST', '/v1/posts', { body: videoPost([{ platform: 'instagram', accountId: 'ig_brand' }]) });
		expect(ok.status).toBe(201);
	});

	test('failDispatchAccounts: one of two X accounts fails; Soku reports the whole platform, the other account has the post', async () => {
		const user = s.state.users.user_demo;
		user.integrations.x = ['x_primary', 'x_alt'];
		user.failDispatchAccounts = { x_alt: 1 };
		const body = textPost('two X accounts', [{ platform: 'x', accountId: 'x_primary' }, { platform: 'x', accountId: 'x_alt' }, 'threads']);
		const res = await call(url, 'POST', '/v1/posts', { body });
		expectEnvelope(res, 500, 'dispatch_failed', { failedPlatforms: ['x'], succeededPlatforms: ['threads'] });
		expect(s.state.deliveries.map((d) => d.accountId)).toEqual(['x_primary', 'threads_main']);
		expect(user.failDispatchAccounts.x_alt).toBe(0);
	});

	test('dispatch_failed: post created, tiktok fails once, retrying only tiktok succeeds', async () => {
		const body = videoPost(['tiktok', { platform: 'instagram', accountId: 'ig_creator_main' }, 'threads']);
		const res = await call(url, 'POST', '/v1/posts', { body, headers: { 'idempotency-key': 'k-dispatch' } });
		expectEnvelope(res, 500, 'dispatch_failed', { failedPlatforms: ['tiktok'], succeededPlatforms: ['instagram', 'threads'] });
		expect(s.state.posts).toHaveLength(1);
		expect(s.state.posts[0]).toMatchObject({ status: 'dispatch_failed', delivered: { instagram: true, threads: true }, failedPlatforms: ['tiktok'] });
		expect(s.state.deliveries.map((d) => d.platform)).toEqual(['instagram', 'threads']);

		// Same key + same body: the stored dispatch_failed response is replayed, nothing is redelivered.
		const replay = await call(url, 'POST', '/v1/posts', { body, headers: { 'idempotency-key': 'k-dispatch' } });
		expect(replay.status).toBe(500);
		expect(replay.json).toEqual(res.json);
		expect(replay.headers['idempotent-replayed']).toBe('true');
		expect(s.state.deliveries).toHaveLength(2);

		const retry = await call(url, 'POST', '/v1/posts', { body: videoPost(['tiktok']), headers: { 'idempotency-key': 'k-retry-tiktok' } });
		expect(retry.status).toBe(201);
		const seen = s.state.deliveries.map((d) => `${d.platform}|${d.accountId}|${d.text}`);
		expect(new Set(seen).size).toBe(seen.length);
		expect(seen).toHaveLength(3);
	});

	test('scheduled posts are stored without deliveries and delivered once the clock passes scheduledTime', async () => {
		const res = await call(url, 'POST', '/v1/posts', { body: textPost('later', ['x'], { scheduledTime: '2026-03-02T09:01:00Z' }) });
		expect(res.status).toBe(201);
		expect(s.state.posts[0]).toMatchObject({ status: 'scheduled', scheduledTime: '2026-03-02T09:01:00.000Z', delivered: {} });
		expect(s.state.deliveries).toHaveLength(0);
		expect(s.runDueScheduled()).toBe(0);
		clock.advance(60_000);
		expect(s.runDueScheduled()).toBe(1);
		expect(s.state.posts[0].status).toBe('dispatched');
		expect(s.state.deliveries).toHaveLength(1);
	});
});

describe('idempotency (§7)', () => {
	test('same key + same body replays the original response; one stored post', async () => {
		const body = textPost('once', ['x']);
		const a = await call(url, 'POST', '/v1/posts', { body, headers: { 'idempotency-key': 'op-1' } });
		// Same JSON with a different key order is the same body.
		const reordered = { post: { content: { platform: ['x'], mediaType: 'text', text: 'once' } } };
		const b = await call(url, 'POST', '/v1/posts', { body: reordered, headers: { 'idempotency-key': 'op-1' } });
		expect(a.status).toBe(201);
		expect(b.status).toBe(201);
		expect(b.json.postSubmissionId).toBe(a.json.postSubmissionId);
		expect(a.headers['idempotent-replayed']).toBeUndefined();
		expect(b.headers['idempotent-replayed']).toBe('true');
		expect(s.state.posts).toHaveLength(1);
		expect(s.state.posts[0].idempotencyKey).toBe('op-1');
		expect(s.state.deliveries).toHaveLength(1);
	});

	test('same key + different body -> 409 idempotency_conflict', async () => {
		await call(url, 'POST', '/v1/posts', { body: textPost('first', ['x']), headers: { 'idempotency-key': 'op-2' } });
		expectEnvelope(
			await call(url, 'POST', '/v1/posts', { body: textPost('second', ['x']), headers: { 'idempotency-key': 'op-2' } }),
			409,
			'idempotency_conflict',
			null,
		);
		expect(s.state.posts).toHaveLength(1);
	});

	test('keys are per user and per path; validation errors are not stored; records expire', async () => {
		expectEnvelope(await call(url, 'POST', '/v1/posts', { body: textPost('', ['x']), headers: { 'idempotency-key': 'op-3' } }), 400, 'validation_error');
		const first = await call(url, 'POST', '/v1/posts', { body: textPost('ok', ['x']), headers: { 'idempotency-key': 'op-3' } });
		expect(first.status).toBe(201);
		const otherUser = await call(url, 'POST', '/v1/posts', { key: TRIALING, body: textPost('ok', ['x']), headers: { 'idempotency-key': 'op-3' } });
		expect(otherUser.status).toBe(201);
		expect(otherUser.json.postSubmissionId).not.toBe(first.json.postSubmissionId);
		clock.advance(24 * 3600 * 1000);
		const afterTtl = await call(url, 'POST', '/v1/posts', { body: textPost('ok', ['x']), headers: { 'idempotency-key': 'op-3' } });
		expect(afterTtl.status).toBe(201);
		expect(afterTtl.json.postSubmissionId).not.toBe(first.json.postSubmissionId);
		expect(s.state.posts).toHaveLength(3);
	});
});

describe('answers the docs leave open (opt-in)', () => {
	test('replayHeader: always sends false on fresh keyed answers and true on replays; never sends none', async () => {
		s.configureAnswers({ replayHeader: 'always' });
		const body = textPost('marked', ['x']);
		const fresh = await call(url, 'POST', '/v1/posts', { body, headers: { 'idempotency-key': 'r-1' } });
		const replay = await call(url, 'POST', '/v1/posts', { body, headers: { 'idempotency-key': 'r-1' } });
		expect([fresh.headers['idempotent-replayed'], replay.headers['idempotent-replayed']]).toEqual(['false', 'true']);
		s.configureAnswers({ replayHeader: 'never' });
		const silent = await call(url, 'POST', '/v1/posts', { body, headers: { 'idempotency-key': 'r-1' } });
		expect(silent.json.postSubmissionId).toBe(fresh.json.postSubmissionId);
		expect(silent.headers['idempotent-replayed']).toBeUndefined();
		s.reset();
		const back = await call(url, 'POST', '/v1/posts', { body, headers: { 'idempotency-key': 'r-2' } });
		expect(back.headers['idempotent-replayed']).toBeUndefined();
	});

	test.each([
		['exclusive', { failedPlatforms: ['x'], succeededPlatforms: ['threads'] }],
		['overlap', { failedPlatforms: ['x'], succeededPlatforms: ['x', 'threads'] }],
		['failedOnly', { failedPlatforms: ['x'] }],
		['succeededOnly', { succeededPlatforms: ['threads'] }],
	])('dispatchLists %s: one of two X accounts fails', async (mode, details) => {
		s.configureAnswers({ dispatchLists: mode });
		s.state.users.user_demo.integrations.x = ['x_primary', 'x_alt'];
		s.state.users.user_demo.failDispatchAccounts = { x_alt: 1 };
		const res = await call(url, 'POST', '/v1/posts', {
			body: textPost('two X', [{ platform: 'x', accountId: 'x_primary' }, { platform: 'x', accountId: 'x_alt' }, 'threads']),
		});
		expectEnvelope(res, 500, 'dispatch_failed', details);
		expect(s.state.deliveries.map((d) => d.accountId).sort()).toEqual(['threads_main', 'x_primary']);
	});

	test('Date comes from the stand-in\'s clock; clockSkewMs shifts Date and X-RateLimit-Reset alike; headerScope tier reports the tier', async () => {
		const plain = await call(url, 'POST', '/v1/posts', { body: {} });
		expect(Date.parse(plain.headers.date)).toBe(T0);
		s.configureRateLimits({ clockSkewMs: 300_000, headerScope: 'tier' });
		const skewed = await call(url, 'POST', '/v1/posts', { body: {} });
		expect(Date.parse(skewed.headers.date)).toBe(T0 + 300_000);
		expect(Number(skewed.headers['x-ratelimit-reset']) * 1000).toBe(T0 + 300_000 + 60_000);
		expect(skewed.headers['x-ratelimit-limit']).toBe('100');
		expect(skewed.headers['x-ratelimit-remaining']).toBe('98');
	});
});

describe('POST /v1/media (§4.2)', () => {
	test('201 with a storage URL; identical repeat is de-duplicated without a key', async () => {
		const a = await call(url, 'POST', '/v1/media', { body: { url: 'https://cdn.example.com/path/clip.mp4' } });
		expect(a.status).toBe(201);
		expect(a.json).toEqual({ url: expect.stringMatching(/^https:\/\/storage\.mysoku\.io\/media\/med_[0-9a-f]+\/clip\.mp4$/) });
		const b = await call(url, 'POST', '/v1/media', { body: { url: 'https://cdn.example.com/path/clip.mp4' } });
		expect(b.json).toEqual(a.json);
		expect(b.headers['idempotent-replayed']).toBe('true');
		expect(s.state.media.filter((m) => m.userId === 'user_demo' && m.sourceUrl)).toHaveLength(1);
		// Explicit key reused with another URL -> 409.
		await call(url, 'POST', '/v1/media', { body: { url: 'https://cdn.example.com/a.png' }, headers: { 'idempotency-key': 'm1' } });
		expectEnvelope(
			await call(url, 'POST', '/v1/media', { body: { url: 'https://cdn.example.com/b.png' }, headers: { 'idempotency-key': 'm1' } }),
			409,
			'idempotency_conflict',
		);
	});

	test('validation_error and upload_failed', async () => {
		expectEnvelope(await call(url, 'POST', '/v1/media', { body: {} }), 400, 'validation_error', { field: 'url', reason: 'required' });
		expectEnvelope(await call(url, 'POST', '/v1/media', { body: { url: 'file:///etc/passwd' } }), 400, 'validation_error', { field: 'url', reason: 'invalid_url' });
		expectEnvelope(await call(url, 'POST', '/v1/media', { body: { url: 'https://x.unreachable.test/a.mp4' } }), 400, 'upload_failed', null);
		expectEnvelope(await call(url, 'POST', '/v1/media', { body: { url: 'https://cdn.example.com/a.avi' } }), 400, 'upload_failed', null);
	});

	test('a URL whose file name is not valid percent-encoding is imported under a safe name, not a 500', async () => {
		const a = await call(url, 'POST', '/v1/media', { body: { url: 'https://cdn.example.com/50%25%off%E0%A4.jpg' } });
		expect(a.status).toBe(201);
		expect(a.json.url).toMatch(/^https:\/\/storage\.mysoku\.io\/media\/med_[0-9a-f]+\/[A-Za-z0-9._-]+\.jpg$/);
	});

	test('imported media can be transcribed by its med_ id', async () => {
		const a = await call(url, 'POST', '/v1/media', { body: { url: 'https://cdn.example.com/talk.mp3' } });
		const mediaId = a.json.url.split('/')[4];
		const t = await call(url, 'POST', '/v1/ai/transcribe', { body: { mediaId } });
		expect(t.status).toBe(200);
		expect(t.json.creditsDebited).toBe(1);
	});
});

describe('POST /v1/templates and /v1/media/render-og (§4.3, §4.4)', () => {
	test.each(['/v1/templates', '/v1/media/render-og'])('%s renders known slugs and validates', async (p) => {
		const ok = await call(url, 'POST', p, { body: { templateSlug: 'tweetImage', config: { title: 'Hi', theme: 'dark' }, aspectRatio: '4:5' } });
		expect(ok.status).toBe(200);
		expect(ok.json).toEqual({ url: expect.stringMatching(/^https:\/\/storage\.mysoku\.io\/rendered\/og_[0-9a-f]+\.png$/), id: expect.stringMatching(/^og_/) });
		expect(ok.json.url).toContain(ok.json.id);
		expect((await call(url, 'POST', p, { body: { templateSlug: 'og-blog-post' } })).status).toBe(200);
		expectEnvelope(await call(url, 'POST', p, { body: { templateSlug: 'nope' } }), 404, 'not_found', null);
		expectEnvelope(await call(url, 'POST', p, { body: { templateSlug: 'tweetImage', aspectRatio: '16:9' } }), 400, 'validation_error', expect.objectContaining({ field: 'aspectRatio' }));
		expectEnvelope(await call(url, 'POST', p, { body: { templateSlug: 'tweetImage', config: 'x' } }), 400, 'validation_error', { field: 'config', reason: 'invalid_type' });
		expectEnvelope(await call(url, 'POST', p, { body: {} }), 400, 'validation_error', { field: 'templateSlug', reason: 'required' });
	});
});

describe('POST /v1/ai/transcribe (§4.5)', () => {
	test('debits max(1, ceil(duration/60)) credits; 402 when the balance is too low', async () => {
		expectEnvelope(
			await call(url, 'POST', '/v1/ai/transcribe', { body: { mediaId: 'med_demo_video', durationSeconds: 900 } }),
			402,
			'insufficient_credits',
			{ estimatedCost: 15, currentBalance: 3 },
		);
		const ok = await call(url, 'POST', '/v1/ai/transcribe', { body: { mediaId: 'med_demo_video', language: 'en', durationSeconds: 61 }, headers: { 'idempotency-key': 't1' } });
		expect(ok.status).toBe(200);
		expect(ok.json).toEqual({ jobId: expect.stringMatching(/^tj_/), transcript: expect.any(String), creditsDebited: 2, likelyLyrics: false });
		expect(s.state.credits.user_demo).toBe(1);
		const replay = await call(url, 'POST', '/v1/ai/transcribe', { body: { mediaId: 'med_demo_video', language: 'en', durationSeconds: 61 }, headers: { 'idempotency-key': 't1' } });
		expect(replay.json).toEqual(ok.json);
		expect(s.state.credits.user_demo).toBe(1);
		expect(s.state.transcriptions).toHaveLength(1);
		expectEnvelope(await call(url, 'POST', '/v1/ai/transcribe', { key: NOCREDITS, body: { mediaId: 'med_demo_video' } }), 402, 'insufficient_credits', {
			estimatedCost: 1,
			currentBalance: 0,
		});
	});

	test('validation and not_found', async () => {
		expectEnvelope(await call(url, 'POST', '/v1/ai/transcribe', { body: {} }), 400, 'validation_error', { field: 'mediaId', reason: 'required' });
		expectEnvelope(await call(url, 'POST', '/v1/ai/transcribe', { body: { mediaId: 'med_demo_video', language: 'english' } }), 400, 'validation_error', expect.objectContaining({ field: 'language' }));
		expectEnvelope(await call(url, 'POST', '/v1/ai/transcribe', { body: { mediaId: 'med_demo_video', model: 'whisper-2' } }), 400, 'validation_error', expect.objectContaining({ field: 'model' }));
		expectEnvelope(await call(url, 'POST', '/v1/ai/transcribe', { body: { mediaId: 'med_missing' } }), 404, 'not_found', null);
		const lyrics = await call(url, 'POST', '/v1/ai/transcribe', { body: { mediaId: 'med_demo_song', durationSeconds: 10 } });
		expect(lyrics.json.likelyLyrics).toBe(true);
	});
});

describe('repurpose links (§4.6-4.8)', () => {
	test('an id that is not valid percent-encoding is an unknown link (404), not a 500', async () => {
		expectEnvelope(await call(url, 'DELETE', '/v1/repurposeLinks/rl_%E0%A4'), 404, 'not_found');
	});

	test('list (bare array, filters), create 201, delete 204, unknown 404', async () => {
		const list = await call(url, 'GET', '/v1/repurposeLinks');
		expect(list.status).toBe(200);
		expect(list.json).toEqual([
			{ id: 'rl_demo0001', platform: 'instagram', accountId: 'ig_creator_main', type: 'post', templateId: null, settings: { includeCaption: true, addHashtags: false }, createdAt: expect.any(String) },
		]);
		const created = await call(url, 'POST', '/v1/repurposeLinks', {
			body: { platform: 'tiktok', accountId: 'tt_open_id_main', type: 'video', templateId: 'tweetImage', settings: { addHashtags: true } },
		});
		expect(created.status).toBe(201);
		expect(created.json).toEqual({
			id: expect.stringMatching(/^rl_/),
			platform: 'tiktok',
			accountId: 'tt_open_id_main',
			type: 'video',
			templateId: 'tweetImage',
			settings: { addHashtags: true },
			createdAt: new Date(T0).toISOString(),
		});
		expect((await call(url, 'GET', '/v1/repurposeLinks?platform=tiktok')).json.map((l) => l.id)).toEqual([created.json.id]);
		expect((await call(url, 'GET', '/v1/repurposeLinks?type=post&accountId=ig_creator_main')).json).toHaveLength(1);
		expect((await call(url, 'GET', '/v1/repurposeLinks?type=story')).json).toEqual([]);
		const del = await call(url, 'DELETE', `/v1/repurposeLinks/${created.json.id}`);
		expect(del.status).toBe(204);
		expect(del.text).toBe('');
		expectEnvelope(await call(url, 'DELETE', `/v1/repurposeLinks/${created.json.id}`), 404, 'not_found');
	});

	test('create validation', async () => {
		expectEnvelope(await call(url, 'POST', '/v1/repurposeLinks', { body: { accountId: 'a', type: 'post' } }), 400, 'validation_error', { field: 'platform', reason: 'required' });
		expectEnvelope(await call(url, 'POST', '/v1/repurposeLinks', { body: { platform: 'x', accountId: 7, type: 'post' } }), 400, 'validation_error', { field: 'accountId', reason: 'invalid_type' });
		expectEnvelope(await call(url, 'POST', '/v1/repurposeLinks', { body: { platform: 'x', accountId: 'x_primary', type: 'blog' } }), 400, 'validation_error', expect.objectContaining({ field: 'type' }));
		expectEnvelope(await call(url, 'POST', '/v1/repurposeLinks', { body: { platform: 'x', accountId: 'x_primary', type: 'post', settings: [] } }), 400, 'validation_error', { field: 'settings', reason: 'invalid_type' });
		expectEnvelope(await call(url, 'POST', '/v1/repurposeLinks', { body: { platform: 'x', accountId: 'x_primary', type: 'post', settings: { includeCaption: 'yes' } } }), 400, 'validation_error', { field: 'settings.includeCaption', reason: 'invalid_type' });
		expectEnvelope(await call(url, 'POST', '/v1/repurposeLinks', { body: { platform: 'x', accountId: 'x_other', type: 'post' } }), 404, 'not_found');
	});
});

describe('API keys (§4.9-4.11)', () => {
	const fb = { key: null, headers: { authorization: `Bearer ${FIREBASE}` } };

	test('create -> works on content endpoints; list never shows secrets; revoke -> 401', async () => {
		const created = await call(url, 'POST', '/v1/api-keys', { ...fb, body: { name: 'Production Server' } });
		expect(created.status).toBe(201);
		expect(Object.keys(created.json)).toEqual(['apiKey']);
		const newKey = created.json.apiKey;
		expect(newKey).toMatch(/^sk_live_[A-Za-z0-9_-]{32}$/);
		expect((await call(url, 'POST', '/v1/posts', { key: newKey, body: textPost('from new key', ['x']) })).status).toBe(201);

		const list = await call(url, 'GET', '/v1/api-keys', fb);
		expect(list.status).toBe(200);
		expect(list.text).not.toContain(newKey);
		expect(list.text).not.toContain(KEY);
		const entry = list.json.find((k) => k.name === 'Production Server');
		expect(entry).toEqual({
			id: expect.stringMatching(/^key_/),
			name: 'Production Server',
			preview: `sk_live_${newKey.slice(8, 11)}...${newKey.slice(-3)}`,
			createdAt: new Date(T0).toISOString(),
			status: 'active',
		});
		expect(list.json.find((k) => k.id === 'key_demo_revoked').status).toBe('revoked');

		const del = await call(url, 'DELETE', `/v1/api-keys/${entry.id}`, fb);
		expect(del.status).toBe(204);
		const e = expectEnvelope(await call(url, 'POST', '/v1/posts', { key: newKey, body: textPost('again', ['x']) }), 401, 'unauthorized');
		expect(e.message).toBe('API key revoked');
		expect((await call(url, 'GET', '/v1/api-keys', fb)).json.find((k) => k.id === entry.id).status).toBe('revoked');
		expectEnvelope(await call(url, 'DELETE', '/v1/api-keys/key_nope', fb), 404, 'not_found');
		expect(JSON.stringify(s.state)).not.toContain(newKey);
	});

	test('a Firebase user without subscription gets keys that answer 403 "Subscription required"', async () => {
		s.addFirebaseToken('token-new-user', 'user_new');
		const created = await call(url, 'POST', '/v1/api-keys', { key: null, headers: { authorization: 'Bearer token-new-user' }, body: { name: 'k' } });
		expect(created.status).toBe(201);
		const e = expectEnvelope(await call(url, 'GET', '/v1/repurposeLinks', { key: created.json.apiKey }), 403, 'forbidden');
		expect(e.message).toBe('Subscription required');
		expect((await call(url, 'GET', '/v1/api-keys', { key: null, headers: { authorization: 'Bearer token-new-user' } })).json).toHaveLength(1);
	});

	test('name must be 1-100 characters; no body is fine', async () => {
		expectEnvelope(await call(url, 'POST', '/v1/api-keys', { ...fb, body: { name: 'n'.repeat(101) } }), 400, 'validation_error', { field: 'name', reason: 'too_long' });
		expectEnvelope(await call(url, 'POST', '/v1/api-keys', { ...fb, body: { name: '' } }), 400, 'validation_error', { field: 'name', reason: 'too_short' });
		expect((await call(url, 'POST', '/v1/api-keys', fb)).status).toBe(201);
	});
});

describe('rate limits (§6) under a fake clock', () => {
	test('per-endpoint sliding window: 429 with Retry-After and headers; refused requests do not count', async () => {
		const post = () => call(url, 'POST', '/v1/posts', { body: {} }); // 400s count too
		for (let i = 0; i < 15; i++) await post();
		clock.advance(30_000);
		let last;
		for (let i = 0; i < 15; i++) last = await post();
		expect(last.status).toBe(400);
		expect(last.headers['x-ratelimit-limit']).toBe('30');
		expect(last.headers['x-ratelimit-remaining']).toBe('0');
		expect(last.headers['x-ratelimit-tier']).toBe('premium');
		expect(last.headers['x-ratelimit-reset']).toBe(String((T0 + 60_000) / 1000));

		const limited = await post();
		expectEnvelope(limited, 429, 'rate_limit_exceeded', { retryAfter: 30, limit: 30, tier: 'premium' });
		expect(limited.headers['retry-after']).toBe('30');
		expect(limited.headers['x-ratelimit-remaining']).toBe('0');

		clock.advance(29_500);
		const stillLimited = await post();
		expect(stillLimited.status).toBe(429);
		expect(stillLimited.headers['retry-after']).toBe('1'); // 0.5 s rounded up

		// Another endpoint has its own counter.
		expect((await call(url, 'POST', '/v1/media', { body: {} })).status).toBe(400);

		clock.advance(500); // the first 15 leave the window
		for (let i = 0; i < 15; i++) expect((await post()).status).toBe(400);
		// Sliding, not fixed: the second batch (t0+30 s) is still inside the window.
		const again = await post();
		expect(again.status).toBe(429);
		expect(again.json.error.details.retryAfter).toBe(30);
	});

	test('tier limits: Default 25/min by IP for requests without a valid key; Premium 100/min', async () => {
		for (let i = 0; i < 25; i++) {
			const r = await call(url, 'GET', '/v1/repurposeLinks', { key: null });
			expect(r.status).toBe(401);
			expect(r.headers['x-ratelimit-tier']).toBe('default');
		}
		const d = await call(url, 'GET', '/v1/repurposeLinks', { key: 'sk_live_wrong' });
		expectEnvelope(d, 429, 'rate_limit_exceeded', { retryAfter: 60, limit: 25, tier: 'default' });
		// A valid key is counted separately (per user).
		for (let i = 0; i < 100; i++) expect((await call(url, 'GET', '/v1/repurposeLinks')).status).toBe(200);
		const p = await call(url, 'GET', '/v1/repurposeLinks');
		expectEnvelope(p, 429, 'rate_limit_exceeded', { retryAfter: 60, limit: 100, tier: 'premium' });
		// Tier window is tighter than the endpoint window now -> headers report the tier.
		clock.advance(60_000);
		const ok = await call(url, 'GET', '/v1/repurposeLinks');
		expect(ok.status).toBe(200);
		expect(ok.headers['x-ratelimit-limit']).toBe('100');
		expect(ok.headers['x-ratelimit-remaining']).toBe('99');
	});

	test('canceled subscription counts against the Authenticated tier (60)', async () => {
		for (let i = 0; i < 60; i++) expect((await call(url, 'GET', '/v1/repurposeLinks', { key: CANCELED })).status).toBe(403);
		expectEnvelope(await call(url, 'GET', '/v1/repurposeLinks', { key: CANCELED }), 429, 'rate_limit_exceeded', { retryAfter: 60, limit: 60, tier: 'authenticated' });
	});

	test('time-scaled window, fractional Retry-After and ISO reset', async () => {
		const c = createManualClock(T0);
		const fast = await startStandIn({ clock: c, rateLimits: { windowMs: 1000, endpoints: { '/v1/ai/transcribe': 2 }, fractionalRetryAfter: true, resetFormat: 'iso' } });
		try {
			const tr = () => call(fast.url, 'POST', '/v1/ai/transcribe', { body: { mediaId: 'med_missing' } });
			const first = await tr();
			expect(first.headers['x-ratelimit-reset']).toBe(new Date(T0 + 1000).toISOString());
			c.advance(650);
			await tr();
			const r = await tr();
			expectEnvelope(r, 429, 'rate_limit_exceeded', { retryAfter: 0.35, limit: 2, tier: 'premium' });
			expect(r.headers['retry-after']).toBe('0.35');
			c.advance(350);
			expect((await tr()).status).toBe(404);
		} finally {
			await fast.close();
		}
	});

	test('/v1/templates and /v1/media/render-og have separate counters', async () => {
		s.configureRateLimits({ endpoints: { '/v1/templates': 1, '/v1/media/render-og': 1 } });
		const body = { templateSlug: 'tweetImage' };
		expect((await call(url, 'POST', '/v1/templates', { body })).status).toBe(200);
		expectEnvelope(await call(url, 'POST', '/v1/templates', { body }), 429, 'rate_limit_exceeded', { retryAfter: 60, limit: 1, tier: 'premium' });
		expect((await call(url, 'POST', '/v1/media/render-og', { body })).status).toBe(200);
	});

	test('rateLimits.enabled=false never answers 429', async () => {
		s.configureRateLimits({ enabled: false, endpoints: { '/v1/templates': 1 } });
		for (let i = 0; i < 3; i++) expect((await call(url, 'POST', '/v1/templates', { body: { templateSlug: 'tweetImage' } })).status).toBe(200);
	});
});

describe('scripted steps', () => {
	test('status/body/headers, raw strings, auto envelopes, match and times; state untouched', async () => {
		s.script(
			{ match: { path: '/v1/media' }, status: 502, body: '<html>502 Bad Gateway</html>' },
			{ match: { method: 'POST', path: /^\/v1\/posts$/ }, times: 2, status: 429, retryAfter: 7 },
			{ status: 200, body: { hello: 'world' }, headers: { 'X-Custom': 'yes' } },
		);
		const p1 = await call(url, 'POST', '/v1/posts', { body: textPost('a', ['x']) });
		expectEnvelope(p1, 429, 'rate_limit_exceeded');
		expect(p1.headers['retry-after']).toBe('7');
		const m = await call(url, 'POST', '/v1/media', { body: { url: 'https://cdn.example.com/a.png' } });
		expect(m.status).toBe(502);
		expect(m.text).toBe('<html>502 Bad Gateway</html>');
		expect(m.headers['content-type']).toMatch(/^text\/html/);
		expect((await call(url, 'POST', '/v1/posts', { body: textPost('a', ['x']) })).status).toBe(429);
		const any = await call(url, 'GET', '/v1/repurposeLinks');
		expect(any.json).toEqual({ hello: 'world' });
		expect(any.headers['x-custom']).toBe('yes');
		expect(s.pendingSteps()).toHaveLength(0);
		expect(s.state.posts).toHaveLength(0);
		expect(s.state.media.filter((x) => x.sourceUrl)).toHaveLength(0);
		expect((await call(url, 'POST', '/v1/posts', { body: textPost('a', ['x']) })).status).toBe(201);
		s.enqueue({ status: 500, code: 'dispatch_failed', details: { failedPlatforms: ['x'], succeededPlatforms: [] } });
		expectEnvelope(await call(url, 'POST', '/v1/posts', { body: textPost('b', ['x']) }), 500, 'dispatch_failed', { failedPlatforms: ['x'], succeededPlatforms: [] });
	});

	test("drop 'before' resets the socket without processing", async () => {
		s.enqueue({ drop: 'before' });
		await expect(call(url, 'POST', '/v1/posts', { body: textPost('a', ['x']) })).rejects.toMatchObject({ code: 'ECONNRESET' });
		expect(s.state.posts).toHaveLength(0);
		expect(s.requests[0].response).toEqual({ dropped: 'reset-before' });
	});

	test("drop 'after' stores the post and the idempotency record; the retry replays it", async () => {
		s.enqueue({ match: { path: '/v1/posts' }, drop: 'after' });
		const body = textPost('lost response', ['x', 'threads']);
		await expect(call(url, 'POST', '/v1/posts', { body, headers: { 'idempotency-key': 'lost-1' } })).rejects.toMatchObject({ code: 'ECONNRESET' });
		expect(s.state.posts).toHaveLength(1);
		expect(s.state.deliveries).toHaveLength(2);
		expect(s.requests[0].response).toMatchObject({ dropped: 'reset-after', wouldHaveBeen: { status: 201 } });
		const retry = await call(url, 'POST', '/v1/posts', { body, headers: { 'idempotency-key': 'lost-1' } });
		expect(retry.status).toBe(201);
		expect(retry.json.postSubmissionId).toBe(s.state.posts[0].postSubmissionId);
		expect(retry.headers['idempotent-replayed']).toBe('true');
		expect(s.state.posts).toHaveLength(1);
		expect(s.state.deliveries).toHaveLength(2);
	});

	test('delayMs delays the answer past a client timeout; a delay-only step delays normal processing', async () => {
		s.enqueue({ status: 200, body: {}, delayMs: 300 });
		await expect(call(url, 'GET', '/v1/repurposeLinks', { timeoutMs: 50 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
		s.enqueue({ delayMs: 30 });
		const t = Date.now();
		const r = await call(url, 'POST', '/v1/posts', { body: textPost('slow', ['x']) });
		expect(r.status).toBe(201);
		expect(Date.now() - t).toBeGreaterThanOrEqual(25);
	});
});

describe('fault injection', () => {
	async function runFaults(seed) {
		const st = await startStandIn({ clock: createManualClock(T0), rateLimits: { enabled: false } });
		st.faults({ rate: 0.5, kinds: ['500', '429', 'drop-after', 'drop-before', 'timeout'], timeoutMs: 20, holdMs: 30, seed });
		const outcomes = [];
		try {
			for (let i = 0; i < 30; i++) {
				try {
					const r = await call(st.url, 'POST', '/v1/posts', { body: textPost(`n${i}`, ['x']), headers: { 'idempotency-key': `f${i}` }, timeoutMs: 200 });
					outcomes.push(r.status);
				} catch (e) {
					outcomes.push(e.code);
				}
			}
			return { outcomes, faults: st.requests.map((r) => r.fault || '-'), counts: st.faultCounts(), posts: st.state.posts.length };
		} finally {
			await st.close();
		}
	}

	test('seeded and deterministic; drop-after and timeout still store the post', async () => {
		const a = await runFaults(42);
		const b = await runFaults(42);
		const c = await runFaults(7);
		expect(a.faults).toEqual(b.faults);
		expect(a.outcomes).toEqual(b.outcomes);
		expect(c.faults).not.toEqual(a.faults);
		const injected = Object.values(a.counts).reduce((x, y) => x + y, 0);
		expect(injected).toBeGreaterThan(5);
		expect(injected).toBeLessThan(25);
		const notProcessed = (a.counts['500'] || 0) + (a.counts['429'] || 0) + (a.counts['drop-before'] || 0);
		expect(a.posts).toBe(30 - notProcessed);
		expect(a.outcomes).toContain('ECONNRESET');
	});
});

describe('logging and shutdown', () => {
	test('logger lines mask API keys', async () => {
		const lines = [];
		const st = await startStandIn({ logger: (l) => lines.push(l) });
		try {
			await call(st.url, 'GET', `/v1/repurposeLinks?leak=${KEY}`);
			await call(st.url, 'GET', '/v1/repurposeLinks', { key: 'sk_live_unknown_key_abcd1234' });
		} finally {
			await st.close();
		}
		expect(lines).toHaveLength(2);
		expect(lines[0]).toMatch(/^GET \/v1\/repurposeLinks\?leak=sk_live_…0000 → 200 .*key=sk_live_…0000/);
		expect(lines[1]).toContain('→ 401');
		expect(lines.join('\n')).not.toContain(KEY);
		expect(lines.join('\n')).not.toContain('unknown_key_abcd1234');
		expect(maskKey(KEY)).toBe('sk_live_…0000');
		expect(maskSecrets(`a ${KEY} b`)).toBe('a sk_live_…0000 b');
	});

	test('close() closes the server and open sockets, cancels delays and leaves no handles', async () => {
		const count = () => process.getActiveResourcesInfo().filter((r) => /^TCP/.test(r)).length;
		await new Promise((r) => setTimeout(r, 20)); // let sockets of earlier tests finish closing
		const before = count();
		const st = await startStandIn();
		st.enqueue({ status: 200, body: {}, delayMs: 10_000 });
		const pending = call(st.url, 'GET', '/v1/repurposeLinks').catch((e) => e);
		// A keep-alive socket left idle by another client.
		const agent = new http.Agent({ keepAlive: true });
		await new Promise((resolve) => http.get(`${st.url}/v1/nope`, { agent }, (res) => res.resume().on('end', resolve)));
		await new Promise((r) => setTimeout(r, 20));
		expect(count()).toBeGreaterThan(before);
		const t = Date.now();
		await st.close();
		expect(Date.now() - t).toBeLessThan(1000);
		expect((await pending).code).toBe('ECONNRESET');
		agent.destroy();
		await new Promise((r) => setTimeout(r, 20));
		expect(count()).toBe(before);
		expect(st.server.listening).toBe(false);
		await st.close(); // idempotent
	});

	test('cli prints the listening line, serves requests, logs masked lines and exits on SIGTERM', async () => {
		const child = spawn(process.execPath, [path.join(__dirname, 'cli.js'), '--verbose', '--window-ms', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stderr.on('data', (d) => (stderr += d));
		const base = await new Promise((resolve, reject) => {
			child.stdout.on('data', (d) => {
				stdout += d;
				const m = /^soku-stand-in listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
				if (m) resolve(m[1]);
			});
			child.on('exit', () => reject(new Error(`cli exited early: ${stderr}`)));
		});
		const r = await call(base, 'POST', '/v1/posts', { body: textPost('cli', ['x']) });
		expect(r.status).toBe(201);
		const code = await new Promise((resolve) => {
			child.on('exit', (c) => resolve(c));
			child.kill('SIGTERM');
		});
		expect(code).toBe(0);
		expect(stdout.trim().split('\n')).toHaveLength(1);
		expect(stderr).toMatch(/POST \/v1\/posts → 201/);
		expect(stderr).not.toContain(KEY);
	});
});

describe('default seed', () => {
	test('DEFAULT_ACCOUNTS is usable as documented and not mutated by a run', async () => {
		const snapshot = JSON.stringify(DEFAULT_ACCOUNTS);
		await call(url, 'POST', '/v1/posts', { body: videoPost(['tiktok']) }); // consumes failDispatch
		expect(s.state.users.user_demo.failDispatch.tiktok).toBe(0);
		expect(JSON.stringify(DEFAULT_ACCOUNTS)).toBe(snapshot);
		s.reset();
		expect(s.state.users.user_demo.failDispatch.tiktok).toBe(1);
		expect(s.state.posts).toHaveLength(0);
		expect(s.requests).toHaveLength(0);
	});

	test('custom accounts and addAccount', async () => {
		const { userId } = s.addAccount({ apiKey: 'sk_live_custom_1234567890abcdef', userId: 'u_custom', integrations: { youtube: ['yt_channel'] }, credits: 5 });
		expect(userId).toBe('u_custom');
		const r = await call(url, 'POST', '/v1/posts', { key: 'sk_live_custom_1234567890abcdef', body: videoPost(['youtube']) });
		expect(r.status).toBe(201);
		expect(s.state.deliveries.at(-1)).toMatchObject({ platform: 'youtube', accountId: 'yt_channel', userId: 'u_custom' });
	});
});
