'use strict';
/**
 * Soku stand-in: a fake Soku public API (v1) server for tests, demos and benchmarks.
 *
 * Plain Node.js `http`, no dependencies. Behaviour follows /work/shared/soku-api/REFERENCE.md;
 * every choice made where the reference is open is listed in README.md ("Choices").
 *
 *   const { startStandIn } = require('./soku-stand-in');
 *   const s = await startStandIn({ clock });
 *   ... fetch(`${s.url}/v1/posts`, ...) ...
 *   await s.close();
 */

const http = require('http');
const crypto = require('crypto');
// Real timers, captured at load time: a jest test that installs fake timers must not freeze the server.
const { setTimeout: realSetTimeout, clearTimeout: realClearTimeout } = require('timers');

// ---------------------------------------------------------------------------------------------
// Static data
// ---------------------------------------------------------------------------------------------

/** Error code -> HTTP status and envelope `type` (REFERENCE §5.2). */
const ERROR_CODES = Object.freeze({
	validation_error: { status: 400, type: 'invalid_request_error' },
	upload_failed: { status: 400, type: 'invalid_request_error' },
	missing_integrations: { status: 400, type: 'invalid_request_error' },
	missing_account: { status: 400, type: 'invalid_request_error' },
	unauthorized: { status: 401, type: 'authentication_error' },
	insufficient_credits: { status: 402, type: 'invalid_request_error' },
	forbidden: { status: 403, type: 'authentication_error' },
	not_found: { status: 404, type: 'invalid_request_error' },
	idempotency_conflict: { status: 409, type: 'invalid_request_error' },
	rate_limit_exceeded: { status: 429, type: 'invalid_request_error' },
	dispatch_failed: { status: 500, type: 'api_error' },
	post_creation_failed: { status: 500, type: 'api_error' },
	internal_error: { status: 500, type: 'api_error' },
});

/** The longest Idempotency-Key accepted (Soku documents none; the node checks the same number before sending). */
const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/** Default code used when a scripted step gives only a status. */
const CODE_FOR_STATUS = {
	400: 'validation_error',
	401: 'unauthorized',
	402: 'insufficient_credits',
	403: 'forbidden',
	404: 'not_found',
	409: 'idempotency_conflict',
	429: 'rate_limit_exceeded',
	500: 'internal_error',
};

/** Platform capabilities (REFERENCE §8.2). maxImages null = no documented limit. */
const PLATFORMS = Object.freeze({
	x: { textOnly: true, images: true, video: true, maxImages: 4, captionLimit: 280, needsText: true },
	threads: { textOnly: true, images: true, video: true, maxImages: 20, captionLimit: 500, needsText: true },
	facebook: { textOnly: true, images: true, video: true, maxImages: 10, captionLimit: 5000, needsText: false },
	linkedin: { textOnly: true, images: true, video: true, maxImages: 9, captionLimit: 3000, needsText: false },
	instagram: { textOnly: false, images: true, video: true, maxImages: 10, captionLimit: 2200, needsText: false },
	tiktok: { textOnly: false, images: true, video: true, maxImages: 35, captionLimit: 2200, needsText: false },
	youtube: { textOnly: false, images: false, video: true, maxImages: 0, captionLimit: 100, needsText: false },
	snapchat: { textOnly: false, images: true, video: true, maxImages: null, captionLimit: 160, needsText: false },
});
const PLATFORM_IDS = Object.keys(PLATFORMS);

const IMAGE_EXT = ['jpg', 'jpeg', 'png', 'webp', 'gif'];
const VIDEO_EXT = ['mp4', 'mov', 'webm', 'mkv', 'm4v'];
const AUDIO_EXT = ['mp3', 'wav', 'm4a', 'aac', 'ogg', 'flac'];
const MEDIA_TYPES = ['video', 'image', 'text'];
const ASPECT_RATIOS = ['1:1', '4:5', '9:16'];
const REPURPOSE_TYPES = ['post', 'video', 'story', 'text', 'image'];
const ALLOWED_SUBSCRIPTIONS = ['trialing', 'active'];

const DEFAULT_TEMPLATES = Object.freeze(['tweetImage', 'og-blog-post']);

const DEFAULT_RATE_LIMITS = Object.freeze({
	enabled: true,
	windowMs: 60_000,
	endpoints: Object.freeze({
		'/v1/posts': 30,
		'/v1/media': 30,
		'/v1/ai/transcribe': 10,
		'/v1/templates': 20,
		'/v1/media/render-og': 20,
	}),
	tiers: Object.freeze({ default: 25, authenticated: 60, premium: 100, admin: 200 }),
	fractionalRetryAfter: false,
	resetFormat: 'unix',
	headerScope: 'tightest',
	clockSkewMs: 0,
});

const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** Default seed. Deep-cloned on every start, so tests may mutate `s.state` freely. */
const DEFAULT_ACCOUNTS = Object.freeze([
	{
		// Active premium account: the main demo key.
		apiKey: 'sk_live_demo_active_0000000000000000',
		keyId: 'key_demo_active',
		keyName: 'Demo key',
		userId: 'user_demo',
		subscription: 'active',
		tier: 'premium',
		credits: 3,
		integrations: {
			x: ['x_primary'],
			threads: ['threads_main'],
			facebook: ['fb_page_42'],
			linkedin: ['li_member_7'],
			instagram: ['ig_creator_main', 'ig_brand'], // two accounts: omitting accountId -> missing_account
			tiktok: ['tt_open_id_main'], // first delivery fails (failDispatch) -> dispatch_failed
			// no youtube, no snapchat -> missing_integrations
		},
		failDispatch: { tiktok: 1 },
		media: [
			{ id: 'med_demo_video', filename: 'demo.mp4', kind: 'video', durationSeconds: 60 },
			{ id: 'med_demo_song', filename: 'song.mp3', kind: 'audio', durationSeconds: 180, lyrics: true },
		],
		repurposeLinks: [
			{
				id: 'rl_demo0001',
				platform: 'instagram',
				accountId: 'ig_creator_main',
				type: 'post',
				templateId: null,
				settings: { includeCaption: true, addHashtags: false },
			},
		],
	},
	{
		// A second, revoked key of the same demo user -> 401 "API key revoked".
		apiKey: 'sk_live_demo_revoked_000000000000000',
		keyId: 'key_demo_revoked',
		keyName: 'Old server key',
		userId: 'user_demo',
		revoked: true,
	},
	{
		// Trialing subscription: allowed (REFERENCE §2.3).
		apiKey: 'sk_live_demo_trialing_00000000000000',
		keyId: 'key_demo_trialing',
		keyName: 'Trial key',
		userId: 'user_trialing',
		subscription: 'trialing',
		tier: 'premium',
		credits: 10,
		integrations: { x: ['x_trial'], threads: ['threads_trial'] },
		media: [{ id: 'med_demo_video', filename: 'demo.mp4', kind: 'video', durationSeconds: 60 }],
	},
	{
		// Canceled subscription -> 403 forbidden "Subscription inactive or expired".
		apiKey: 'sk_live_demo_canceled_00000000000000',
		keyId: 'key_demo_canceled',
		keyName: 'Canceled key',
		userId: 'user_canceled',
		subscription: 'canceled',
		tier: 'premium',
		credits: 100,
		integrations: { x: ['x_canceled'] },
	},
	{
		// past_due subscription -> 403 forbidden.
		apiKey: 'sk_live_demo_pastdue_000000000000000',
		keyId: 'key_demo_pastdue',
		keyName: 'Past-due key',
		userId: 'user_pastdue',
		subscription: 'past_due',
		tier: 'premium',
		credits: 100,
		integrations: { x: ['x_pastdue'] },
	},
	{
		// Active, but no credits -> 402 insufficient_credits on transcription.
		apiKey: 'sk_live_demo_nocredits_0000000000000',
		keyId: 'key_demo_nocredits',
		keyName: 'No-credits key',
		userId: 'user_nocredits',
		subscription: 'active',
		tier: 'premium',
		credits: 0,
		integrations: { x: ['x_nocredits'] },
		media: [{ id: 'med_demo_video', filename: 'demo.mp4', kind: 'video', durationSeconds: 60 }],
	},
]);

const DEFAULT_FIREBASE_TOKENS = Object.freeze({ 'firebase-demo-id-token': 'user_demo' });

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

class ApiError extends Error {
	constructor(code, message, details, headers) {
		super(message);
		this.code = code;
		this.details = details;
		this.headers = headers;
	}
}

const hex = (bytes) => crypto.randomBytes(bytes).toString('hex');
const sha256 = (s) => crypto.createHash('sha256').update(s).digest('hex');
const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const unique = (arr) => [...new Set(arr)];
const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** Masks an API key for logs: `sk_live_…1234`. Never returns the full key. */
function maskKey(key) {
	if (typeof key !== 'string' || key.length === 0) return String(key);
	const prefix = key.startsWith('sk_live_') ? 'sk_live_' : '';
	const rest = key.slice(prefix.length);
	if (rest.length <= 8) return `${prefix}…`;
	return `${prefix}…${rest.slice(-4)}`;
}

/** Replaces every `sk_live_...` substring of a text by its masked form. */
function maskSecrets(text) {
	return String(text).replace(/sk_live_[A-Za-z0-9_-]+/g, (k) => maskKey(k));
}

/** Canonical JSON: object keys sorted recursively (array order kept). */
function canonicalJson(value) {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (isPlainObject(value)) {
		return `{${Object.keys(value)
			.sort()
			.filter((k) => value[k] !== undefined)
			.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
			.join(',')}}`;
	}
	return JSON.stringify(value === undefined ? null : value);
}

function keyPreview(key) {
	const body = key.startsWith('sk_live_') ? key.slice(8) : key;
	return `sk_live_${body.slice(0, 3)}...${body.slice(-3)}`;
}

function normalisePlatform(name) {
	let p = String(name).trim().toLowerCase();
	if (p === 'twitter') p = 'x';
	return p;
}

/** Parses an ISO 8601 date-time. A value without zone designator is read as UTC. NaN if invalid. */
function parseIsoDate(value) {
	const m =
		/^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i.exec(
			value,
		);
	if (!m) return NaN;
	const [, date, hm, sec = '00', frac = '', zoneRaw] = m;
	let zone = zoneRaw ? zoneRaw.toUpperCase() : 'Z';
	if (zone !== 'Z') {
		const z = /^([+-]\d{2}):?(\d{2})?$/.exec(zone);
		zone = `${z[1]}:${z[2] || '00'}`;
	}
	const ms = frac ? `.${frac.padEnd(3, '0').slice(0, 3)}` : '';
	const iso = hm ? `${date}T${hm}:${sec}${ms}${zone}` : `${date}T00:00:00Z`;
	const t = Date.parse(iso);
	// Reject roll-over dates such as 2030-02-31.
	if (Number.isNaN(t)) return NaN;
	const check = new Date(Date.parse(`${date}T00:00:00Z`)).toISOString().slice(0, 10);
	return check === date ? t : NaN;
}

function fileExtension(pathname) {
	const last = pathname.split('/').pop() || '';
	const dot = last.lastIndexOf('.');
	return dot > 0 ? last.slice(dot + 1).toLowerCase() : '';
}

/** Seeded PRNG (mulberry32). */
function makePrng(seed) {
	let a = typeof seed === 'number' ? seed >>> 0 : parseInt(sha256(String(seed ?? 1)).slice(0, 8), 16);
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** A manual clock for tests: `now()`, `advance(ms)`, `set(ms)`. */
function createManualClock(startMs = Date.parse('2026-03-02T09:00:00.000Z')) {
	let t = startMs;
	return {
		now: () => t,
		advance(ms) {
			t += ms;
			return t;
		},
		set(ms) {
			t = typeof ms === 'string' ? Date.parse(ms) : ms;
			return t;
		},
	};
}

function validationError(field, reason, message, extra) {
	return new ApiError('validation_error', message || `Invalid ${field} (${reason})`, { field, reason, ...extra });
}

/** Checks an http(s) URL; returns the parsed URL. */
function requireHttpUrl(value, field) {
	if (value === undefined || value === null || value === '') {
		throw validationError(field, 'required', `${field} is required`);
	}
	if (typeof value !== 'string') throw validationError(field, 'invalid_type', `${field} must be a string`);
	let u;
	try {
		u = new URL(value.trim());
	} catch {
		throw validationError(field, 'invalid_url', `${field} must be a public http:// or https:// URL`);
	}
	if (u.protocol !== 'http:' && u.protocol !== 'https:') {
		throw validationError(field, 'invalid_url', `${field} must be a public http:// or https:// URL`);
	}
	return u;
}

/** Simulates Soku downloading a media URL: throws upload_failed for the documented failure causes. */
function simulateDownload(u, allowedExt) {
	const host = u.hostname.toLowerCase();
	if (host === 'unreachable.test' || host.endsWith('.unreachable.test')) {
		throw new ApiError('upload_failed', `Could not download media from ${u.host}: host unreachable`);
	}
	if (host === 'toolarge.test' || host.endsWith('.toolarge.test')) {
		throw new ApiError('upload_failed', 'Media file exceeds the size limit (images 50 MB, videos 500 MB)');
	}
	const ext = fileExtension(u.pathname);
	if (ext && !allowedExt.includes(ext)) {
		throw new ApiError('upload_failed', `Unsupported media format ".${ext}" (use MP4, JPEG, PNG or WebP)`);
	}
	return ext;
}

function mediaKindFromExt(ext) {
	if (IMAGE_EXT.includes(ext)) return 'image';
	if (VIDEO_EXT.includes(ext)) return 'video';
	if (AUDIO_EXT.includes(ext)) return 'audio';
	return 'unknown';
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

function emptyState() {
	return {
		users: {},
		apiKeys: [],
		credits: {},
		posts: [],
		deliveries: [],
		media: [],
		transcriptions: [],
		renders: [],
		repurposeLinks: [],
		firebaseTokens: {},
		templates: [],
		idempotency: {},
	};
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/**
 * Starts a stand-in. See soku-stand-in.d.ts for the option and return types.
 * @param {object} [options]
 */
async function startStandIn(options = {}) {
	const host = options.host || '127.0.0.1';
	const port = options.port ?? 0;
	const clock = options.clock || { now: () => Date.now() };
	const idempotencyTtlMs = options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
	const logger = typeof options.logger === 'function' ? options.logger : null;
	const trustProxy = Boolean(options.trustProxy);

	let rateCfg = mergeRateLimits(DEFAULT_RATE_LIMITS, options.rateLimits);
	// Answers the docs leave open (REFERENCE §5, §7), opt-in; reset() restores the start options.
	const answerDefaults = { replayHeader: options.replayHeader ?? 'onReplay', dispatchLists: options.dispatchLists ?? 'exclusive' };
	let answerCfg = { ...answerDefaults };
	const windows = new Map(); // key -> sorted array of timestamps (ms)

	const state = emptyState();
	let seq = 0;
	const requests = [];
	const maxRecorded = options.maxRecordedRequests ?? Infinity;
	let scheduledQueue = []; // posts with status 'scheduled' (kept apart so the per-request check stays cheap)
	let steps = [];
	let faultCfg = null;
	let faultRng = null;
	const faultCounts = {};
	const timers = new Set();
	const sockets = new Set();
	let closed = false;
	let closing = null;

	const nowMs = () => clock.now();
	const nowIso = () => new Date(nowMs()).toISOString();

	// ---- seeding -------------------------------------------------------------------------

	function addAccount(acc) {
		if (!isPlainObject(acc)) throw new TypeError('account must be an object');
		const userId = acc.userId || `user_${hex(6)}`;
		let user = state.users[userId];
		if (!user) {
			user = {
				userId,
				subscription: acc.subscription === undefined ? 'active' : acc.subscription,
				currentPeriodEnd: acc.currentPeriodEnd ?? null,
				tier: acc.tier || 'premium',
				integrations: {},
				failDispatch: {},
				// Per connected account (accountId -> deliveries to fail); Soku still reports per platform.
				failDispatchAccounts: {},
			};
			for (const [p, ids] of Object.entries(acc.integrations || {})) {
				const list = Array.isArray(ids) ? ids : [ids];
				user.integrations[normalisePlatform(p)] = list.map(String);
			}
			for (const [p, n] of Object.entries(acc.failDispatch || {})) user.failDispatch[normalisePlatform(p)] = n;
			for (const [a, n] of Object.entries(acc.failDispatchAccounts || {})) user.failDispatchAccounts[a] = n;
			state.users[userId] = user;
			state.credits[userId] = acc.credits ?? 100;
		}
		for (const m of acc.media || []) {
			const item = typeof m === 'string' ? { id: m } : m;
			state.media.push({
				id: item.id,
				userId,
				sourceUrl: item.sourceUrl ?? null,
				url: item.url ?? `https://storage.mysoku.io/media/${item.id}/${item.filename || 'file'}`,
				filename: item.filename || 'file',
				kind: item.kind || 'video',
				durationSeconds: item.durationSeconds ?? null,
				lyrics: Boolean(item.lyrics),
				createdAt: nowIso(),
			});
		}
		for (const l of acc.repurposeLinks || []) {
			state.repurposeLinks.push({
				id: l.id || `rl_${hex(4)}`,
				userId,
				platform: normalisePlatform(l.platform),
				accountId: l.accountId,
				type: l.type,
				templateId: l.templateId ?? null,
				settings: clone(l.settings) || {},
				createdAt: l.createdAt || nowIso(),
			});
		}
		if (acc.firebaseToken) state.firebaseTokens[acc.firebaseToken] = userId;
		let keyId = null;
		if (acc.apiKey) {
			keyId = acc.keyId || `key_${hex(6)}`;
			state.apiKeys.push({
				id: keyId,
				userId,
				name: acc.keyName || 'API key',
				hash: sha256(acc.apiKey),
				preview: keyPreview(acc.apiKey),
				createdAt: nowIso(),
				status: acc.revoked ? 'revoked' : 'active',
				revokedAt: acc.revoked ? nowIso() : null,
			});
		}
		return { userId, keyId };
	}

	function addFirebaseToken(token, userId) {
		state.firebaseTokens[token] = userId;
		if (!state.users[userId]) {
			// A Firebase user without any subscription: content endpoints answer 403 "Subscription required".
			addAccount({ userId, subscription: null, credits: 0 });
		}
	}

	function seed() {
		Object.assign(state, emptyState());
		scheduledQueue = [];
		state.templates = [...DEFAULT_TEMPLATES, ...(options.templates || [])];
		for (const acc of clone(options.accounts || DEFAULT_ACCOUNTS)) addAccount(acc);
		const tokens = options.firebaseTokens || DEFAULT_FIREBASE_TOKENS;
		for (const [token, userId] of Object.entries(tokens)) addFirebaseToken(token, userId);
	}
	seed();

	// ---- rate limiting ---------------------------------------------------------------------

	function windowArr(key, now) {
		let arr = windows.get(key);
		if (!arr) {
			arr = [];
			windows.set(key, arr);
		}
		const cutoff = now - rateCfg.windowMs;
		let i = 0;
		while (i < arr.length && arr[i] <= cutoff) i++;
		if (i) arr.splice(0, i);
		return arr;
	}

	function formatReset(localMs) {
		// Reset (and Date) are on Soku's clock, which may differ from the client's (clockSkewMs).
		const ms = localMs + rateCfg.clockSkewMs;
		return rateCfg.resetFormat === 'iso' ? new Date(ms).toISOString() : String(Math.ceil(ms / 1000));
	}

	function formatRetryAfter(ms) {
		if (rateCfg.fractionalRetryAfter) return Math.max(0.001, Math.ceil(ms) / 1000);
		return Math.max(1, Math.ceil(ms / 1000));
	}

	/** Checks and (when allowed) records one request. Returns { limited, headers, retryAfter, limit, tier }. */
	function rateLimit(identity, endpointPath) {
		const now = nowMs();
		const list = [];
		const tierLimit = rateCfg.tiers[identity.tier] ?? rateCfg.tiers.default;
		list.push({ key: `tier:${identity.key}`, limit: tierLimit });
		const epLimit = rateCfg.endpoints[endpointPath];
		if (identity.authorized && endpointPath && epLimit) {
			list.push({ key: `ep:${identity.userId}:${endpointPath}`, limit: epLimit });
		}
		for (const w of list) w.arr = windowArr(w.key, now);

		if (rateCfg.enabled) {
			let worst = null;
			for (const w of list) {
				if (w.arr.length >= w.limit) {
					const freeAt = w.arr[w.arr.length - w.limit] + rateCfg.windowMs;
					if (!worst || freeAt > worst.freeAt) worst = { ...w, freeAt };
				}
			}
			if (worst) {
				const retryAfter = formatRetryAfter(worst.freeAt - now);
				return {
					limited: true,
					retryAfter,
					limit: worst.limit,
					tier: identity.tier,
					headers: {
						'retry-after': String(retryAfter),
						'x-ratelimit-limit': String(worst.limit),
						'x-ratelimit-remaining': '0',
						'x-ratelimit-reset': formatReset(worst.freeAt),
						'x-ratelimit-tier': identity.tier,
					},
				};
			}
		}
		for (const w of list) w.arr.push(now);
		// Report the tighter window (lowest remaining; on a tie the smaller limit), or always the tier's.
		let tight = null;
		for (const w of list) {
			w.remaining = Math.max(0, w.limit - w.arr.length);
			if (!tight || w.remaining < tight.remaining || (w.remaining === tight.remaining && w.limit < tight.limit)) {
				tight = w;
			}
		}
		if (rateCfg.headerScope === 'tier') tight = list[0];
		return {
			limited: false,
			headers: {
				'x-ratelimit-limit': String(tight.limit),
				'x-ratelimit-remaining': String(tight.remaining),
				'x-ratelimit-reset': formatReset(tight.arr[0] + rateCfg.windowMs),
				'x-ratelimit-tier': identity.tier,
			},
		};
	}

	// ---- identity ----------------------------------------------------------------------------

	function clientIp(rec, req) {
		if (trustProxy && typeof rec.headers['x-forwarded-for'] === 'string') {
			return rec.headers['x-forwarded-for'].split(',')[0].trim();
		}
		return req.socket.remoteAddress || 'unknown';
	}

	function subscriptionProblem(user) {
		if (!user.subscription) return 'Subscription required';
		if (!ALLOWED_SUBSCRIPTIONS.includes(user.subscription)) return 'Subscription inactive or expired';
		if (user.currentPeriodEnd != null) {
			const end = typeof user.currentPeriodEnd === 'number' ? user.currentPeriodEnd : Date.parse(user.currentPeriodEnd);
			if (!Number.isNaN(end) && end <= nowMs()) return 'Subscription inactive or expired';
		}
		return null;
	}

	function userTier(user) {
		return subscriptionProblem(user) ? 'authenticated' : user.tier || 'premium';
	}

	/** Side-effect free: who is calling, which tier applies, and the auth error (if any). */
	function resolveIdentity(route, rec, ip) {
		const h = rec.headers;
		const anon = (status, code, message) => ({
			key: `ip:${ip}`,
			tier: 'default',
			authorized: false,
			authError: { code, message },
		});
		if (route.auth === 'apiKey') {
			const key = typeof h['soku-api-key'] === 'string' ? h['soku-api-key'].trim() : '';
			if (!key || !key.startsWith('sk_live_')) return anon(401, 'unauthorized', 'Missing or invalid soku-api-key');
			const hash = sha256(key);
			const rec2 = state.apiKeys.find((k) => k.hash === hash);
			if (!rec2) return anon(401, 'unauthorized', 'Invalid API key');
			if (rec2.status !== 'active') return anon(401, 'unauthorized', 'API key revoked');
			const user = state.users[rec2.userId];
			if (!user) return anon(401, 'unauthorized', 'Invalid API key');
			const problem = subscriptionProblem(user);
			return {
				key: `user:${user.userId}`,
				userId: user.userId,
				user,
				apiKey: rec2,
				tier: userTier(user),
				authorized: !problem,
				authError: problem ? { code: 'forbidden', message: problem } : null,
			};
		}
		// Firebase ID token routes (/v1/api-keys).
		const auth = typeof h.authorization === 'string' ? h.authorization.trim() : '';
		const m = /^Bearer\s+(.+)$/i.exec(auth);
		if (!m) {
			return anon(
				401,
				'unauthorized',
				h['soku-api-key']
					? 'This endpoint requires a Firebase ID token (Authorization: Bearer); soku-api-key is not accepted'
					: 'Missing or invalid Authorization header (expected Bearer <Firebase ID token>)',
			);
		}
		const token = m[1].trim();
		if (token.startsWith('sk_live_')) {
			return anon(401, 'unauthorized', 'API keys are not accepted here; send a Firebase ID token');
		}
		const userId = state.firebaseTokens[token];
		const user = userId && state.users[userId];
		if (!user) return anon(401, 'unauthorized', 'Invalid or expired Firebase ID token');
		return { key: `user:${user.userId}`, userId: user.userId, user, tier: userTier(user), authorized: true, authError: null };
	}

	// ---- routing -----------------------------------------------------------------------------

	const routes = [
		{ path: '/v1/posts', methods: { POST: createPost }, auth: 'apiKey', limitPath: '/v1/posts', idempotent: 'header' },
		{ path: '/v1/media', methods: { POST: importMedia }, auth: 'apiKey', limitPath: '/v1/media', idempotent: 'derived' },
		{ path: '/v1/templates', methods: { POST: renderTemplate }, auth: 'apiKey', limitPath: '/v1/templates' },
		{ path: '/v1/media/render-og', methods: { POST: renderTemplate }, auth: 'apiKey', limitPath: '/v1/media/render-og' },
		{
			path: '/v1/ai/transcribe',
			methods: { POST: transcribe },
			auth: 'apiKey',
			limitPath: '/v1/ai/transcribe',
			idempotent: 'header',
		},
		{ path: '/v1/repurposeLinks', methods: { GET: listLinks, POST: createLink }, auth: 'apiKey' },
		{ pattern: /^\/v1\/repurposeLinks\/([^/]+)$/, methods: { DELETE: deleteLink }, auth: 'apiKey' },
		{ path: '/v1/api-keys', methods: { GET: listKeys, POST: createKey }, auth: 'firebase' },
		{ pattern: /^\/v1\/api-keys\/([^/]+)$/, methods: { DELETE: revokeKey }, auth: 'firebase' },
	];

	/** Percent-decoding that never throws: a malformed sequence (`%E0%A4`) stays as written. */
	function safeDecode(text) {
		try {
			return decodeURIComponent(text);
		} catch {
			return text;
		}
	}

	function matchRoute(method, path) {
		const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
		for (const r of routes) {
			let params = null;
			if (r.path && r.path === p) params = [];
			else if (r.pattern) {
				const m = r.pattern.exec(p);
				if (m) params = m.slice(1).map(safeDecode);
			}
			if (!params) continue;
			const handler = r.methods[method];
			if (!handler) return { route: r, methodNotAllowed: true, allow: Object.keys(r.methods).join(', ') };
			return { route: r, handler, params };
		}
		return null;
	}

	// ---- response building -------------------------------------------------------------------

	function errorResult(ctx, code, message, details, headers) {
		const meta = ERROR_CODES[code] || { status: 500, type: 'api_error' };
		const error = { type: meta.type, code, message, timestamp: nowIso(), requestId: ctx.requestId };
		if (details !== undefined) error.details = details;
		return { status: meta.status, body: { error }, headers: { ...(headers || {}) } };
	}

	// ---- endpoint handlers ---------------------------------------------------------------------
	// Each gets ctx = { rec, body, user, identity, params, requestId, idempotencyKey } and returns
	// { status, body, headers? } or throws ApiError.

	function requireObjectBody(body) {
		if (body === null || body === undefined) return {};
		if (!isPlainObject(body)) throw validationError('body', 'invalid_type', 'Request body must be a JSON object');
		return body;
	}

	function createPost(ctx) {
		const body = requireObjectBody(ctx.body);
		const user = ctx.user;
		const now = nowMs();

		// -- structure
		if (body.post === undefined || body.post === null) throw validationError('post', 'required', 'post is required');
		if (!isPlainObject(body.post)) throw validationError('post', 'invalid_type', 'post must be an object');
		const content = body.post.content;
		if (content === undefined || content === null) {
			throw validationError('post.content', 'required', 'post.content is required');
		}
		if (!isPlainObject(content)) throw validationError('post.content', 'invalid_type', 'post.content must be an object');

		// -- targets
		let rawTargets = content.platform;
		if (rawTargets === undefined || rawTargets === null || rawTargets === '') {
			throw validationError('post.content.platform', 'required', 'post.content.platform is required');
		}
		if (typeof rawTargets === 'string') rawTargets = [rawTargets];
		if (!Array.isArray(rawTargets)) {
			throw validationError('post.content.platform', 'invalid_type', 'post.content.platform must be an array');
		}
		if (rawTargets.length === 0) {
			throw validationError('post.content.platform', 'empty', 'post.content.platform must list at least one platform');
		}
		const targets = rawTargets.map((item, i) => {
			let name;
			let accountId = null;
			let field = `post.content.platform[${i}]`;
			if (typeof item === 'string') name = item;
			else if (isPlainObject(item)) {
				name = item.platform;
				field += '.platform';
				if (item.accountId !== undefined && item.accountId !== null) {
					if (typeof item.accountId !== 'string' || !item.accountId.trim()) {
						throw validationError(
							`post.content.platform[${i}].accountId`,
							'invalid_type',
							'accountId must be a non-empty string',
						);
					}
					accountId = item.accountId.trim();
				}
			} else {
				throw validationError(field, 'invalid_type', `${field} must be a platform string or {platform, accountId}`);
			}
			if (name === undefined || name === null || name === '') {
				throw validationError(field, 'required', `${field} is required`);
			}
			if (typeof name !== 'string') throw validationError(field, 'invalid_type', `${field} must be a string`);
			const platform = normalisePlatform(name);
			if (!PLATFORMS[platform]) {
				throw validationError(field, 'unsupported_platform', `Unknown platform "${name}"`, {
					allowed: PLATFORM_IDS,
				});
			}
			return { platform, accountId };
		});

		// -- content fields
		const mediaType = content.mediaType;
		if (mediaType !== undefined && mediaType !== null && !MEDIA_TYPES.includes(mediaType)) {
			throw validationError('post.content.mediaType', 'invalid_value', 'mediaType must be one of video, image, text', {
				allowed: MEDIA_TYPES,
			});
		}
		const text = content.text;
		if (text !== undefined && text !== null && typeof text !== 'string') {
			throw validationError('post.content.text', 'invalid_type', 'post.content.text must be a string');
		}
		const hasText = typeof text === 'string' && text.trim().length > 0;
		if (mediaType === 'text' && !hasText) {
			throw validationError('post.content.text', 'required', 'post.content.text is required when mediaType is "text"');
		}

		const urls = []; // { field, url: URL, list: 'mediaUrls'|'imageUrls'|'videoUrl' }
		for (const listName of ['mediaUrls', 'imageUrls']) {
			const v = content[listName];
			if (v === undefined || v === null) continue;
			if (!Array.isArray(v)) {
				throw validationError(`post.content.${listName}`, 'invalid_type', `post.content.${listName} must be an array`);
			}
			v.forEach((u, i) => {
				const field = `post.content.${listName}[${i}]`;
				urls.push({ field, list: listName, url: requireHttpUrl(u, field) });
			});
		}
		if (content.videoUrl !== undefined && content.videoUrl !== null && content.videoUrl !== '') {
			urls.push({ field: 'post.content.videoUrl', list: 'videoUrl', url: requireHttpUrl(content.videoUrl, 'post.content.videoUrl') });
		}
		for (const u of urls) {
			const ext = fileExtension(u.url.pathname);
			if (u.list === 'videoUrl') u.kind = 'video';
			else if (u.list === 'imageUrls') u.kind = 'image';
			else if (IMAGE_EXT.includes(ext)) u.kind = 'image';
			else if (VIDEO_EXT.includes(ext)) u.kind = 'video';
			else u.kind = mediaType === 'video' ? 'video' : 'image';
		}
		const images = urls.filter((u) => u.kind === 'image');
		const videos = urls.filter((u) => u.kind === 'video');
		const hasMedia = urls.length > 0;
		if ((mediaType === 'image' || mediaType === 'video') && !hasMedia) {
			throw validationError('post.content.mediaUrls', 'required', `A ${mediaType} post needs at least one media URL`);
		}
		if (mediaType === 'video' && videos.length > 1) {
			throw validationError('post.content.mediaUrls', 'too_many', 'A video post carries a single video', { limit: 1 });
		}
		if (!hasText && !hasMedia) {
			throw validationError('post.content.text', 'required', 'A post needs text or media');
		}

		// -- scheduledTime
		let scheduledAt = null;
		if (body.scheduledTime !== undefined && body.scheduledTime !== null) {
			if (typeof body.scheduledTime !== 'string') {
				throw validationError('scheduledTime', 'invalid_type', 'scheduledTime must be an ISO 8601 string');
			}
			scheduledAt = parseIsoDate(body.scheduledTime.trim());
			if (Number.isNaN(scheduledAt)) {
				throw validationError('scheduledTime', 'invalid_format', 'scheduledTime must be an ISO 8601 date-time');
			}
			if (scheduledAt <= now) {
				throw validationError('scheduledTime', 'in_past', 'scheduledTime must be in the future');
			}
			if (scheduledAt - now < 60_000) {
				throw validationError('scheduledTime', 'too_soon', 'scheduledTime must be at least 1 minute in the future');
			}
		}
		for (const flag of ['enableRepurposing', 'trial_reel']) {
			if (body[flag] !== undefined && body[flag] !== null && typeof body[flag] !== 'boolean') {
				throw validationError(flag, 'invalid_type', `${flag} must be a boolean`);
			}
		}

		// -- per-platform rules (REFERENCE §8.2)
		const textLen = typeof text === 'string' ? [...text].length : 0;
		for (const { platform } of targets) {
			const caps = PLATFORMS[platform];
			if (!caps.textOnly && !hasMedia) {
				throw validationError('post.content.mediaUrls', 'required', `${platform} does not support text-only posts`, {
					platform,
				});
			}
			if (caps.needsText && !hasText) {
				throw validationError('post.content.text', 'required', `${platform} posts need text`, { platform });
			}
			if (!caps.images && videos.length === 0) {
				throw validationError('post.content.videoUrl', 'required', `${platform} accepts video posts only`, { platform });
			}
			if (caps.maxImages !== null && caps.images && images.length > caps.maxImages) {
				const field = images.some((u) => u.list === 'imageUrls') ? 'post.content.imageUrls' : 'post.content.mediaUrls';
				throw validationError(field, 'too_many', `${platform} allows at most ${caps.maxImages} images per post`, {
					platform,
					limit: caps.maxImages,
				});
			}
			if (textLen > caps.captionLimit) {
				throw validationError(
					'post.content.text',
					'too_long',
					`Caption is ${textLen} characters; ${platform} allows ${caps.captionLimit}`,
					{ platform, limit: caps.captionLimit },
				);
			}
		}

		// -- integrations / accounts
		const missing = unique(targets.filter((t) => !(user.integrations[t.platform] || []).length).map((t) => t.platform));
		if (missing.length) {
			throw new ApiError('missing_integrations', `No connected account for: ${missing.join(', ')}`, {
				missingPlatforms: missing,
			});
		}
		for (const t of targets) {
			const accounts = user.integrations[t.platform];
			if (t.accountId) {
				if (!accounts.includes(t.accountId)) {
					throw new ApiError('missing_account', `Account "${t.accountId}" is not connected for ${t.platform}`, {
						platform: t.platform,
						accountId: t.accountId,
					});
				}
			} else if (accounts.length > 1) {
				throw new ApiError(
					'missing_account',
					`Several ${t.platform} accounts are connected; specify accountId`,
					{ platform: t.platform, accountId: null },
				);
			} else {
				t.accountId = accounts[0];
			}
		}
		const seen = new Set();
		const resolved = targets.filter((t) => {
			const k = `${t.platform}\u0000${t.accountId}`;
			if (seen.has(k)) return false;
			seen.add(k);
			return true;
		});

		// -- media download / rehosting
		for (const u of urls) simulateDownload(u.url, [...IMAGE_EXT, ...VIDEO_EXT]);

		// -- store and dispatch
		const post = {
			postSubmissionId: crypto.randomUUID(),
			userId: user.userId,
			apiKeyId: ctx.identity.apiKey ? ctx.identity.apiKey.id : null,
			body: clone(body),
			idempotencyKey: ctx.idempotencyKey || null,
			platforms: resolved.map((t) => ({ platform: t.platform, accountId: t.accountId })),
			text: typeof text === 'string' ? text : null,
			mediaUrls: urls.map((u) => u.url.href),
			status: scheduledAt !== null ? 'scheduled' : 'queued',
			scheduledTime: scheduledAt !== null ? new Date(scheduledAt).toISOString() : null,
			enableRepurposing: body.enableRepurposing === true,
			trialReel: body.trial_reel === true,
			delivered: {},
			failedPlatforms: [],
			createdAt: nowIso(),
		};
		state.posts.push(post);
		if (scheduledAt !== null) scheduledQueue.push(post);
		if (scheduledAt !== null) return { status: 201, body: { postSubmissionId: post.postSubmissionId } };

		const outcome = dispatchPost(post);
		if (outcome.failedPlatforms.length) {
			return errorResult(
				ctx,
				'dispatch_failed',
				`Post created, but delivery failed for: ${outcome.failedPlatforms.join(', ')}`,
				outcome.details,
			);
		}
		return { status: 201, body: { postSubmissionId: post.postSubmissionId } };
	}

	function dispatchPost(post) {
		const user = state.users[post.userId];
		const failedTargets = [];
		const okTargets = [];
		const byAccount = user.failDispatchAccounts || {};
		for (const t of post.platforms) {
			if ((byAccount[t.accountId] || 0) > 0) {
				byAccount[t.accountId] -= 1;
				failedTargets.push(t);
				continue;
			}
			const left = user.failDispatch[t.platform] || 0;
			if (left > 0) {
				user.failDispatch[t.platform] = left - 1;
				failedTargets.push(t);
				continue;
			}
			state.deliveries.push({
				postSubmissionId: post.postSubmissionId,
				userId: post.userId,
				platform: t.platform,
				accountId: t.accountId,
				text: post.text,
				mediaUrls: post.mediaUrls,
				deliveredAt: nowIso(),
			});
			okTargets.push(t);
		}
		const failedPlatforms = unique(failedTargets.map((t) => t.platform));
		const okPlatforms = unique(okTargets.map((t) => t.platform));
		const succeededPlatforms = okPlatforms.filter((p) => !failedPlatforms.includes(p));
		for (const p of succeededPlatforms) post.delivered[p] = true;
		post.failedPlatforms = failedPlatforms;
		post.status = failedPlatforms.length ? 'dispatch_failed' : 'dispatched';
		post.dispatchedAt = nowIso();
		// How the two lists are reported is not documented: exclusive (a platform with a failed target is
		// only failed), overlap (a platform with a delivered target is also succeeded), or one list omitted.
		const mode = answerCfg.dispatchLists;
		const details =
			mode === 'overlap'
				? { failedPlatforms, succeededPlatforms: okPlatforms }
				: mode === 'failedOnly'
					? { failedPlatforms }
					: mode === 'succeededOnly'
						? { succeededPlatforms }
						: { failedPlatforms, succeededPlatforms };
		return { failedPlatforms, details };
	}

	/** Delivers scheduled posts whose time has come (by the clock). Runs before every request too. */
	function runDueScheduled() {
		if (scheduledQueue.length === 0) return 0;
		const now = nowMs();
		let n = 0;
		scheduledQueue = scheduledQueue.filter((post) => {
			if (post.status !== 'scheduled') return false;
			if (Date.parse(post.scheduledTime) > now) return true;
			dispatchPost(post);
			n++;
			return false;
		});
		return n;
	}

	function importMedia(ctx) {
		const body = requireObjectBody(ctx.body);
		const u = requireHttpUrl(body.url, 'url');
		const ext = simulateDownload(u, [...IMAGE_EXT, ...VIDEO_EXT, ...AUDIO_EXT]);
		const id = `med_${hex(6)}`;
		const rawName = safeDecode(u.pathname.split('/').pop() || '') || 'file';
		const filename = rawName.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120) || 'file';
		const item = {
			id,
			userId: ctx.user.userId,
			sourceUrl: u.href,
			url: `https://storage.mysoku.io/media/${id}/${filename}`,
			filename,
			kind: mediaKindFromExt(ext),
			durationSeconds: null,
			lyrics: /lyric|song/i.test(filename),
			createdAt: nowIso(),
		};
		state.media.push(item);
		return { status: 201, body: { url: item.url } };
	}

	function renderTemplate(ctx) {
		const body = requireObjectBody(ctx.body);
		const { templateSlug, config, aspectRatio } = body;
		if (templateSlug === undefined || templateSlug === null || templateSlug === '') {
			throw validationError('templateSlug', 'required', 'templateSlug is required');
		}
		if (typeof templateSlug !== 'string') throw validationError('templateSlug', 'invalid_type', 'templateSlug must be a string');
		if (config !== undefined && config !== null && !isPlainObject(config)) {
			throw validationError('config', 'invalid_type', 'config must be an object');
		}
		if (aspectRatio !== undefined && aspectRatio !== null && !ASPECT_RATIOS.includes(aspectRatio)) {
			throw validationError('aspectRatio', 'invalid_value', 'aspectRatio must be one of 1:1, 4:5, 9:16', {
				allowed: ASPECT_RATIOS,
			});
		}
		if (!state.templates.includes(templateSlug)) {
			throw new ApiError('not_found', `Template "${templateSlug}" not found`);
		}
		const id = `og_${hex(6)}`;
		const url = `https://storage.mysoku.io/rendered/${id}.png`;
		state.renders.push({
			id,
			userId: ctx.user.userId,
			path: ctx.rec.path,
			templateSlug,
			config: clone(config) ?? null,
			aspectRatio: aspectRatio ?? null,
			url,
			createdAt: nowIso(),
		});
		return { status: 200, body: { url, id } };
	}

	function transcribe(ctx) {
		const body = requireObjectBody(ctx.body);
		const { mediaId, language, model, durationSeconds } = body;
		if (mediaId === undefined || mediaId === null || mediaId === '') {
			throw validationError('mediaId', 'required', 'mediaId is required');
		}
		if (typeof mediaId !== 'string') throw validationError('mediaId', 'invalid_type', 'mediaId must be a string');
		if (language !== undefined && language !== null) {
			if (typeof language !== 'string' || !/^[A-Za-z]{2}$/.test(language)) {
				throw validationError('language', 'invalid_value', 'language must be an ISO 639-1 code such as "en"');
			}
		}
		if (model !== undefined && model !== null && model !== 'whisper-1') {
			throw validationError('model', 'invalid_value', 'model must be "whisper-1"', { allowed: ['whisper-1'] });
		}
		if (durationSeconds !== undefined && durationSeconds !== null) {
			if (typeof durationSeconds !== 'number' || !Number.isFinite(durationSeconds) || durationSeconds < 0) {
				throw validationError('durationSeconds', 'invalid_type', 'durationSeconds must be a non-negative number');
			}
		}
		const media = state.media.find((m) => m.id === mediaId && m.userId === ctx.user.userId);
		if (!media) throw new ApiError('not_found', `Media "${mediaId}" not found in your media library`);

		const seconds = durationSeconds ?? media.durationSeconds ?? 60;
		const cost = Math.max(1, Math.ceil(seconds / 60));
		const balance = state.credits[ctx.user.userId] ?? 0;
		if (balance < cost) {
			throw new ApiError('insufficient_credits', 'Not enough AI credits for this transcription', {
				estimatedCost: cost,
				currentBalance: balance,
			});
		}
		state.credits[ctx.user.userId] = balance - cost;
		const jobId = `tj_${crypto.randomUUID()}`;
		const transcript =
			media.id === 'med_demo_video'
				? 'Welcome to Soku. This is the demo video transcript.'
				: `Stand-in transcript of ${media.filename}${language ? ` (${language.toLowerCase()})` : ''}.`;
		const result = { jobId, transcript, creditsDebited: cost, likelyLyrics: Boolean(media.lyrics) };
		state.transcriptions.push({
			...result,
			userId: ctx.user.userId,
			mediaId,
			language: language ? language.toLowerCase() : null,
			model: 'whisper-1',
			idempotencyKey: ctx.idempotencyKey || null,
			createdAt: nowIso(),
		});
		return { status: 200, body: result };
	}

	function publicLink(l) {
		const { userId, ...rest } = l;
		return clone(rest);
	}

	function listLinks(ctx) {
		const q = ctx.rec.query;
		const platform = q.platform ? normalisePlatform(q.platform) : null;
		const list = state.repurposeLinks.filter(
			(l) =>
				l.userId === ctx.user.userId &&
				(!platform || l.platform === platform) &&
				(!q.accountId || l.accountId === q.accountId) &&
				(!q.type || l.type === q.type),
		);
		return { status: 200, body: list.map(publicLink) };
	}

	function createLink(ctx) {
		const body = requireObjectBody(ctx.body);
		for (const f of ['platform', 'accountId', 'type']) {
			if (body[f] === undefined || body[f] === null || body[f] === '') throw validationError(f, 'required', `${f} is required`);
			if (typeof body[f] !== 'string') throw validationError(f, 'invalid_type', `${f} must be a string`);
		}
		const platform = normalisePlatform(body.platform);
		if (!PLATFORMS[platform]) {
			throw validationError('platform', 'unsupported_platform', `Unknown platform "${body.platform}"`, { allowed: PLATFORM_IDS });
		}
		if (!REPURPOSE_TYPES.includes(body.type)) {
			throw validationError('type', 'invalid_value', `type must be one of ${REPURPOSE_TYPES.join(', ')}`, {
				allowed: REPURPOSE_TYPES,
			});
		}
		if (body.templateId !== undefined && body.templateId !== null && typeof body.templateId !== 'string') {
			throw validationError('templateId', 'invalid_type', 'templateId must be a string or null');
		}
		if (body.settings !== undefined && body.settings !== null) {
			if (!isPlainObject(body.settings)) throw validationError('settings', 'invalid_type', 'settings must be an object');
			for (const b of ['includeCaption', 'addHashtags']) {
				if (body.settings[b] !== undefined && typeof body.settings[b] !== 'boolean') {
					throw validationError(`settings.${b}`, 'invalid_type', `settings.${b} must be a boolean`);
				}
			}
			if (body.settings.delayHours !== undefined && (typeof body.settings.delayHours !== 'number' || body.settings.delayHours < 0)) {
				throw validationError('settings.delayHours', 'invalid_type', 'settings.delayHours must be a non-negative number');
			}
		}
		const accounts = ctx.user.integrations[platform] || [];
		if (!accounts.includes(body.accountId)) {
			throw new ApiError('not_found', `Account "${body.accountId}" is not connected for ${platform}`);
		}
		const link = {
			id: `rl_${hex(4)}`,
			userId: ctx.user.userId,
			platform,
			accountId: body.accountId,
			type: body.type,
			templateId: body.templateId ?? null,
			settings: clone(body.settings) || {},
			createdAt: nowIso(),
		};
		state.repurposeLinks.push(link);
		return { status: 201, body: publicLink(link) };
	}

	function deleteLink(ctx) {
		const id = ctx.params[0];
		const i = state.repurposeLinks.findIndex((l) => l.id === id && l.userId === ctx.user.userId);
		if (i < 0) throw new ApiError('not_found', `Repurpose link "${id}" not found`);
		state.repurposeLinks.splice(i, 1);
		return { status: 204, body: null };
	}

	function createKey(ctx) {
		const body = requireObjectBody(ctx.body);
		let name = 'Unnamed key';
		if (body.name !== undefined && body.name !== null) {
			if (typeof body.name !== 'string') throw validationError('name', 'invalid_type', 'name must be a string');
			if (body.name.trim().length < 1) throw validationError('name', 'too_short', 'name must be 1-100 characters');
			if (body.name.length > 100) throw validationError('name', 'too_long', 'name must be 1-100 characters');
			name = body.name;
		}
		const apiKey = `sk_live_${crypto.randomBytes(24).toString('base64url')}`;
		state.apiKeys.push({
			id: `key_${hex(6)}`,
			userId: ctx.user.userId,
			name,
			hash: sha256(apiKey),
			preview: keyPreview(apiKey),
			createdAt: nowIso(),
			status: 'active',
			revokedAt: null,
		});
		return { status: 201, body: { apiKey } };
	}

	function listKeys(ctx) {
		return {
			status: 200,
			body: state.apiKeys
				.filter((k) => k.userId === ctx.user.userId)
				.map((k) => ({ id: k.id, name: k.name, preview: k.preview, createdAt: k.createdAt, status: k.status })),
		};
	}

	function revokeKey(ctx) {
		const id = ctx.params[0];
		const k = state.apiKeys.find((x) => x.id === id && x.userId === ctx.user.userId);
		if (!k) throw new ApiError('not_found', `API key "${id}" not found`);
		if (k.status !== 'revoked') {
			k.status = 'revoked';
			k.revokedAt = nowIso();
		}
		return { status: 204, body: null };
	}

	// ---- normal processing pipeline ------------------------------------------------------------

	/**
	 * Processes a request against the stand-in state. Returns { status, body, headers } (never throws).
	 */
	function processRequest(rec, req) {
		const ctx = { rec, requestId: `req_${hex(6)}` };
		rec.requestId = ctx.requestId;
		try {
			runDueScheduled();
			if (rec.path === '/v1/metrics/refresh' || rec.path === '/v1/metrics/refresh/') {
				return errorResult(ctx, 'not_found', '/v1/metrics/refresh is not available');
			}
			const match = matchRoute(rec.method, rec.path);
			if (!match) return errorResult(ctx, 'not_found', `No route for ${rec.method} ${rec.path}`);
			if (match.methodNotAllowed) {
				return errorResult(ctx, 'not_found', `Cannot ${rec.method} ${rec.path}`, undefined, { allow: match.allow });
			}
			const { route, handler, params } = match;
			const identity = resolveIdentity(route, rec, rec.ip);
			rec.userId = identity.userId || null;
			const rl = rateLimit(identity, route.limitPath);
			const rlHeaders = rl.headers;
			if (rl.limited) {
				return errorResult(
					ctx,
					'rate_limit_exceeded',
					`Rate limit exceeded; retry after ${rl.retryAfter} s`,
					{ retryAfter: rl.retryAfter, limit: rl.limit, tier: rl.tier },
					rlHeaders,
				);
			}
			if (identity.authError) {
				return errorResult(ctx, identity.authError.code, identity.authError.message, undefined, rlHeaders);
			}

			// Body: Content-Type and JSON.
			let body = null;
			if (rec.rawBody.length > 0) {
				const ct = String(rec.headers['content-type'] || '').toLowerCase();
				if (!/^application\/json\s*(;|$)/.test(ct)) {
					return errorResult(
						ctx,
						'validation_error',
						'Content-Type must be application/json',
						{ field: 'Content-Type', reason: 'must be application/json' },
						rlHeaders,
					);
				}
				try {
					body = JSON.parse(rec.rawBody);
				} catch {
					return errorResult(
						ctx,
						'validation_error',
						'Request body is not valid JSON',
						{ field: 'body', reason: 'invalid_json' },
						rlHeaders,
					);
				}
			}
			Object.assign(ctx, { body, params, identity, user: identity.user });

			// Idempotency (§7).
			let idemKey = null;
			if (route.idempotent) {
				const given = rec.headers['idempotency-key'];
				if (typeof given === 'string' && given.length > 0) {
					if (given.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
						return errorResult(
							ctx,
							'validation_error',
							`Idempotency-Key must be at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters`,
							{ field: 'Idempotency-Key', reason: 'too_long' },
							rlHeaders,
						);
					}
					ctx.idempotencyKey = given;
					idemKey = `${identity.userId}|${rec.path}|key:${given}`;
				} else if (route.idempotent === 'derived') {
					idemKey = `${identity.userId}|${rec.path}|derived:${sha256(canonicalJson(body))}`;
				}
			}
			const bodyHash = sha256(canonicalJson(body));
			if (idemKey) {
				const stored = state.idempotency[idemKey];
				if (stored && stored.createdAt + idempotencyTtlMs <= nowMs()) delete state.idempotency[idemKey];
				else if (stored) {
					if (stored.bodyHash !== bodyHash) {
						return errorResult(
							ctx,
							'idempotency_conflict',
							'Idempotency-Key was already used with a different request body',
							undefined,
							rlHeaders,
						);
					}
					rec.idempotentReplay = true;
					const replayed = answerCfg.replayHeader === 'never' ? {} : { 'idempotent-replayed': 'true' };
					return {
						status: stored.status,
						body: clone(stored.body),
						headers: { ...rlHeaders, ...replayed },
					};
				}
			}

			let result;
			try {
				result = handler(ctx);
			} catch (e) {
				if (e instanceof ApiError) result = errorResult(ctx, e.code, e.message, e.details, e.headers);
				else throw e;
			}
			result.headers = { ...rlHeaders, ...(result.headers || {}) };
			// 'always': a fresh answer under a key says so too (Soku documents no such header either way).
			if (idemKey && answerCfg.replayHeader === 'always') result.headers['idempotent-replayed'] = 'false';

			const processed =
				(result.status >= 200 && result.status < 300) ||
				(result.body && result.body.error && result.body.error.code === 'dispatch_failed');
			if (idemKey && processed) {
				state.idempotency[idemKey] = {
					userId: identity.userId,
					path: rec.path,
					key: ctx.idempotencyKey || null,
					derived: !ctx.idempotencyKey,
					bodyHash,
					status: result.status,
					body: clone(result.body),
					createdAt: nowMs(),
				};
			}
			return result;
		} catch (e) {
			if (logger) logger(maskSecrets(`soku-stand-in internal error: ${e && e.stack ? e.stack : e}`));
			return errorResult(ctx, 'internal_error', 'Internal server error');
		}
	}

	// ---- scripting and faults ------------------------------------------------------------------

	function normaliseStep(step) {
		if (!isPlainObject(step)) throw new TypeError('a script step must be an object');
		if (step.drop !== undefined && step.drop !== 'before' && step.drop !== 'after') {
			throw new TypeError("step.drop must be 'before' or 'after'");
		}
		return { ...step, times: step.times ?? 1 };
	}

	function stepMatches(step, rec) {
		const m = step.match;
		if (!m) return true;
		if (typeof m === 'function') return Boolean(m(rec));
		if (m.method && String(m.method).toUpperCase() !== rec.method) return false;
		if (m.path !== undefined) {
			if (m.path instanceof RegExp) {
				m.path.lastIndex = 0;
				if (!m.path.test(rec.path)) return false;
			} else if (m.path !== rec.path) return false;
		}
		return true;
	}

	function takeStep(rec) {
		const i = steps.findIndex((s) => stepMatches(s, rec));
		if (i < 0) return null;
		const step = steps[i];
		step.times -= 1;
		if (step.times <= 0) steps.splice(i, 1);
		return step;
	}

	function scriptedResult(rec, step) {
		const requestId = `req_${hex(6)}`;
		rec.requestId = requestId;
		let body = step.body;
		const headers = {};
		for (const [k, v] of Object.entries(step.headers || {})) headers[k.toLowerCase()] = String(v);
		if (body === undefined && step.status !== 204 && step.status >= 400) {
			const code = step.code || CODE_FOR_STATUS[step.status] || (step.status >= 500 ? 'internal_error' : 'validation_error');
			const type = (ERROR_CODES[code] || { type: step.status >= 500 ? 'api_error' : 'invalid_request_error' }).type;
			body = {
				error: {
					type,
					code,
					message: step.message || `Scripted ${step.status} ${code}`,
					timestamp: nowIso(),
					requestId,
				},
			};
			if (step.details !== undefined) body.error.details = step.details;
			if (step.status === 429 && !headers['retry-after']) {
				headers['retry-after'] = String(step.retryAfter ?? 1);
				if (body.error.details === undefined) body.error.details = { retryAfter: step.retryAfter ?? 1, limit: 100, tier: 'premium' };
			}
		}
		return { status: step.status, body: body === undefined ? null : body, headers };
	}

	function pickFault(rec) {
		if (!faultCfg || !faultCfg.rate) return null;
		if (faultCfg.match && !stepMatches({ match: faultCfg.match }, rec)) return null;
		const hit = faultRng() < faultCfg.rate;
		const which = faultRng();
		if (!hit) return null;
		const kinds = faultCfg.kinds && faultCfg.kinds.length ? faultCfg.kinds : ['500'];
		return kinds[Math.floor(which * kinds.length)];
	}

	function faultResult(rec, req, kind) {
		const ctx = { requestId: `req_${hex(6)}` };
		rec.requestId = ctx.requestId;
		if (kind === '429') {
			const identity = (() => {
				const m = matchRoute(rec.method, rec.path);
				return m && m.route ? resolveIdentity(m.route, rec, rec.ip) : { tier: 'default' };
			})();
			const retryAfter = faultCfg.retryAfterSeconds ?? 1;
			const limit = rateCfg.tiers[identity.tier] ?? rateCfg.tiers.default;
			return errorResult(ctx, 'rate_limit_exceeded', `Rate limit exceeded; retry after ${retryAfter} s`, {
				retryAfter,
				limit,
				tier: identity.tier,
			}, {
				'retry-after': String(retryAfter),
				'x-ratelimit-limit': String(limit),
				'x-ratelimit-remaining': '0',
				'x-ratelimit-reset': formatReset(nowMs() + retryAfter * 1000),
				'x-ratelimit-tier': identity.tier,
			});
		}
		return errorResult(ctx, 'internal_error', 'Injected fault: internal server error');
	}

	// ---- transport -----------------------------------------------------------------------------

	function delay(ms) {
		if (!ms || ms <= 0) return Promise.resolve(!closed);
		return new Promise((resolve) => {
			const entry = { resolve };
			entry.timer = realSetTimeout(() => {
				timers.delete(entry);
				resolve(!closed);
			}, ms);
			timers.add(entry);
		});
	}

	function resetSocket(socket) {
		if (!socket || socket.destroyed) return;
		if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
		else socket.destroy();
	}

	function logLine(rec, startedAt) {
		if (!logger) return;
		const r = rec.response || {};
		const outcome = r.dropped ? `dropped (${r.dropped})` : String(r.status);
		const rawKey = rec.headers['soku-api-key'];
		const key = typeof rawKey === 'string' && rawKey ? ` key=${maskKey(rawKey)}` : '';
		const extra = rec.fault ? ` fault=${rec.fault}` : rec.scripted ? ' scripted' : '';
		const qs = Object.keys(rec.query).length ? `?${new URLSearchParams(rec.query)}` : '';
		logger(maskSecrets(`${rec.method} ${rec.path}${qs} → ${outcome} (${Date.now() - startedAt} ms)${key}${extra}`));
	}

	function send(rec, res, result) {
		const headers = { 'x-request-id': rec.requestId || `req_${hex(6)}`, ...(result.headers || {}) };
		let payload = '';
		const hasBody = result.status !== 204 && result.status !== 304 && result.body !== null && result.body !== undefined;
		if (hasBody) {
			if (typeof result.body === 'string' || Buffer.isBuffer(result.body)) {
				payload = result.body;
				if (!headers['content-type']) {
					headers['content-type'] = /^\s*</.test(String(result.body)) ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8';
				}
			} else {
				payload = JSON.stringify(result.body);
				if (!headers['content-type']) headers['content-type'] = 'application/json; charset=utf-8';
			}
		}
		headers['content-length'] = String(Buffer.byteLength(payload));
		const recorded = { status: result.status, body: hasBody ? clone(result.body) : null, headers: { ...headers } };
		if (res.destroyed || res.socket == null || res.socket.destroyed) {
			rec.response = { ...recorded, clientGone: true };
			return;
		}
		rec.response = recorded;
		// HTTP's Date, from the stand-in's clock (a manual clock in tests; shifted by clockSkewMs).
		if (!headers.date) res.setHeader('date', new Date(nowMs() + rateCfg.clockSkewMs).toUTCString());
		res.writeHead(result.status, headers);
		res.end(payload);
	}

	async function handle(req, res) {
		const startedAt = Date.now();
		const url = new URL(req.url, 'http://stand-in.local');
		const rec = {
			seq: ++seq,
			method: req.method,
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			headers: { ...req.headers },
			body: null,
			rawBody: '',
			receivedAt: nowMs(),
			response: null,
		};
		rec.ip = clientIp(rec, req);
		requests.push(rec);
		if (requests.length > maxRecorded) requests.splice(0, requests.length - maxRecorded);

		const chunks = [];
		try {
			for await (const c of req) chunks.push(c);
		} catch {
			rec.response = { dropped: 'client-aborted' };
			return;
		}
		if (closed) return;
		rec.rawBody = Buffer.concat(chunks).toString('utf8');
		if (rec.rawBody.length) {
			try {
				rec.body = JSON.parse(rec.rawBody);
			} catch {
				rec.body = rec.rawBody;
			}
		}

		const step = takeStep(rec);
		if (step) {
			rec.scripted = true;
			if (step.drop === 'before') {
				if (!(await delay(step.delayMs))) return;
				rec.response = { dropped: 'reset-before' };
				resetSocket(req.socket);
			} else if (step.drop === 'after') {
				const result = processRequest(rec, req);
				if (!(await delay(step.delayMs))) return;
				rec.response = { dropped: 'reset-after', wouldHaveBeen: { status: result.status, body: clone(result.body) } };
				resetSocket(req.socket);
			} else if (step.status !== undefined) {
				const result = scriptedResult(rec, step);
				if (!(await delay(step.delayMs))) return;
				send(rec, res, result);
			} else {
				if (!(await delay(step.delayMs))) return;
				send(rec, res, processRequest(rec, req));
			}
			logLine(rec, startedAt);
			return;
		}

		const fault = pickFault(rec);
		if (fault) {
			rec.fault = fault;
			faultCounts[fault] = (faultCounts[fault] || 0) + 1;
			if (fault === 'drop-before') {
				rec.response = { dropped: 'reset-before' };
				resetSocket(req.socket);
			} else if (fault === 'drop-after') {
				const result = processRequest(rec, req);
				rec.response = { dropped: 'reset-after', wouldHaveBeen: { status: result.status, body: clone(result.body) } };
				resetSocket(req.socket);
			} else if (fault === 'timeout') {
				const result = processRequest(rec, req);
				const timeoutMs = faultCfg.timeoutMs ?? 1000;
				const holdMs = faultCfg.holdMs ?? timeoutMs + Math.max(50, Math.round(timeoutMs / 2));
				if (!(await delay(holdMs))) return;
				if (faultCfg.timeoutThen === 'drop') {
					rec.response = { dropped: 'reset-after', wouldHaveBeen: { status: result.status, body: clone(result.body) } };
					resetSocket(req.socket);
				} else {
					send(rec, res, result);
				}
			} else {
				send(rec, res, faultResult(rec, req, fault));
			}
			logLine(rec, startedAt);
			return;
		}

		send(rec, res, processRequest(rec, req));
		logLine(rec, startedAt);
	}

	const server = http.createServer((req, res) => {
		handle(req, res).catch((e) => {
			if (logger) logger(maskSecrets(`soku-stand-in handler crash: ${e && e.stack ? e.stack : e}`));
			if (!res.headersSent && !res.destroyed) {
				res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
				res.end(JSON.stringify({ error: { type: 'api_error', code: 'internal_error', message: 'Internal server error', timestamp: nowIso(), requestId: `req_${hex(6)}` } }));
			}
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	server.on('clientError', (err, socket) => {
		if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
		else socket.destroy();
	});

	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.removeListener('error', reject);
			resolve();
		});
	});
	const address = server.address();

	function close() {
		if (closing) return closing;
		closed = true;
		for (const t of timers) {
			realClearTimeout(t.timer);
			t.resolve(false);
		}
		timers.clear();
		closing = new Promise((resolve) => {
			server.close(() => resolve());
			for (const s of sockets) s.destroy();
			if (typeof server.closeAllConnections === 'function') server.closeAllConnections();
		});
		return closing;
	}

	const standIn = {
		url: `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`,
		host: address.address,
		port: address.port,
		state,
		requests,
		server,
		clearRequests() {
			requests.length = 0;
		},
		script(...newSteps) {
			for (const st of newSteps.flat()) steps.push(normaliseStep(st));
			return standIn;
		},
		enqueue(step) {
			steps.push(normaliseStep(step));
			return standIn;
		},
		pendingSteps() {
			return steps.map((s) => ({ ...s }));
		},
		clearScript() {
			steps = [];
		},
		faults(cfg) {
			if (!cfg || !cfg.rate) {
				faultCfg = null;
				faultRng = null;
				return;
			}
			if (cfg.rate < 0 || cfg.rate > 1) throw new RangeError('faults.rate must be between 0 and 1');
			for (const k of cfg.kinds || []) {
				if (!['500', '429', 'drop-after', 'drop-before', 'timeout'].includes(k)) throw new TypeError(`unknown fault kind ${k}`);
			}
			faultCfg = { ...cfg };
			faultRng = makePrng(cfg.seed ?? 1);
		},
		faultCounts() {
			return { ...faultCounts };
		},
		addAccount(acc) {
			return addAccount(clone(acc));
		},
		addFirebaseToken,
		runDueScheduled,
		configureRateLimits(partial) {
			rateCfg = mergeRateLimits(rateCfg, partial);
		},
		resetRateLimits() {
			windows.clear();
		},
		configureAnswers(partial) {
			answerCfg = { ...answerCfg, ...partial };
		},
		reset() {
			seed();
			requests.length = 0;
			steps = [];
			faultCfg = null;
			faultRng = null;
			answerCfg = { ...answerDefaults };
			windows.clear();
			for (const k of Object.keys(faultCounts)) delete faultCounts[k];
		},
		close,
	};
	if (options.faults) standIn.faults(options.faults);
	return standIn;
}

function mergeRateLimits(base, over) {
	const o = over || {};
	return {
		enabled: o.enabled ?? base.enabled,
		windowMs: o.windowMs ?? base.windowMs,
		endpoints: { ...base.endpoints, ...(o.endpoints || {}) },
		tiers: { ...base.tiers, ...(o.tiers || {}) },
		fractionalRetryAfter: o.fractionalRetryAfter ?? base.fractionalRetryAfter,
		resetFormat: o.resetFormat ?? base.resetFormat,
		headerScope: o.headerScope ?? base.headerScope,
		clockSkewMs: o.clockSkewMs ?? base.clockSkewMs,
	};
}

module.exports = {
	startStandIn,
	createManualClock,
	maskKey,
	maskSecrets,
	canonicalJson,
	DEFAULT_ACCOUNTS,
	DEFAULT_FIREBASE_TOKENS,
	DEFAULT_TEMPLATES,
	DEFAULT_RATE_LIMITS,
	ERROR_CODES,
	PLATFORMS,
	IDEMPOTENCY_KEY_MAX_LENGTH,
};
