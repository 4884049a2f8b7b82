// Type declarations for soku-stand-in.js (CommonJS). Import from TypeScript tests with
//   import { startStandIn, createManualClock } from '../stand-in/soku-stand-in';
// (esModuleInterop is on) or `import standIn = require('../stand-in/soku-stand-in')`.

import type { Server } from 'http';

export type PlatformId = 'x' | 'threads' | 'instagram' | 'facebook' | 'tiktok' | 'youtube' | 'linkedin' | 'snapchat';

export type SubscriptionStatus = 'trialing' | 'active' | 'canceled' | 'past_due' | 'unpaid';

/** Tier names as reported in `X-RateLimit-Tier` and `details.tier`. */
export type TierName = 'default' | 'authenticated' | 'premium' | 'admin';

export type ErrorCode =
	| 'validation_error'
	| 'upload_failed'
	| 'missing_integrations'
	| 'missing_account'
	| 'unauthorized'
	| 'insufficient_credits'
	| 'forbidden'
	| 'not_found'
	| 'idempotency_conflict'
	| 'rate_limit_exceeded'
	| 'dispatch_failed'
	| 'post_creation_failed'
	| 'internal_error';

export type ErrorType = 'invalid_request_error' | 'authentication_error' | 'api_error';

/** REFERENCE §5.1 error envelope. */
export interface SokuErrorEnvelope {
	error: {
		type: ErrorType;
		code: ErrorCode | string;
		message: string;
		/** ISO 8601, from the stand-in clock. */
		timestamp: string;
		/** `req_` + 12 hex characters; also sent as the `X-Request-Id` header. */
		requestId: string;
		details?: Record<string, unknown>;
	};
}

export interface Clock {
	/** Milliseconds since the Unix epoch. */
	now(): number;
}

export interface ManualClock extends Clock {
	/** Moves the clock forward by `ms`; returns the new time. */
	advance(ms: number): number;
	/** Sets the clock (ms or an ISO string); returns the new time. */
	set(ms: number | string): number;
}

export interface MediaSeed {
	id: string;
	filename?: string;
	kind?: 'video' | 'image' | 'audio' | 'unknown';
	/** Used for the transcription cost when the request has no `durationSeconds`. */
	durationSeconds?: number | null;
	/** Transcriptions of this item report `likelyLyrics: true`. */
	lyrics?: boolean;
	url?: string;
	sourceUrl?: string | null;
}

export interface RepurposeLinkSeed {
	id?: string;
	platform: string;
	accountId: string;
	type: string;
	templateId?: string | null;
	settings?: Record<string, unknown>;
	createdAt?: string;
}

/**
 * One account entry. Entries sharing a `userId` describe several API keys of the same user;
 * the user-level fields (subscription, tier, credits, integrations, failDispatch) are taken
 * from the first entry of that user.
 */
export interface StandInAccount {
	/** Full secret (`sk_live_...`). Optional: a user may exist with no key (e.g. only a Firebase token). */
	apiKey?: string;
	/** Key id shown by GET /v1/api-keys (default `key_` + random hex). */
	keyId?: string;
	keyName?: string;
	/** Default `user_` + random hex. */
	userId?: string;
	/** Default 'active'. `null` = no subscription at all (403 "Subscription required"). */
	subscription?: SubscriptionStatus | null;
	/** Ms epoch or ISO; when in the past (by the clock) an active subscription counts as expired. */
	currentPeriodEnd?: number | string | null;
	/** Tier while the subscription is trialing/active (default 'premium'). */
	tier?: 'premium' | 'admin';
	/** AI credit balance (default 100). */
	credits?: number;
	/** platform -> connected account IDs. */
	integrations?: Partial<Record<PlatformId | 'twitter', string[] | string>>;
	/** platform -> number of delivery attempts that fail before deliveries succeed (`Infinity` = always fail). */
	failDispatch?: Partial<Record<PlatformId, number>>;
	/** accountId -> failing deliveries to that one account (Soku still reports the whole platform as failed). */
	failDispatchAccounts?: Record<string, number>;
	/** The key is revoked (401 "API key revoked"). */
	revoked?: boolean;
	/** Media-library items (ids usable as `mediaId` for /v1/ai/transcribe). */
	media?: Array<MediaSeed | string>;
	repurposeLinks?: RepurposeLinkSeed[];
	/** Also register this Firebase ID token for the user. */
	firebaseToken?: string;
}

export interface RateLimitOptions {
	/** false: never answer 429 (headers are still sent). Default true. */
	enabled?: boolean;
	/** Sliding window length, default 60000. Scale down for benchmarks. */
	windowMs?: number;
	/** Path -> limit per window per user. Default posts 30, media 30, transcribe 10, templates 20, render-og 20. */
	endpoints?: Record<string, number | null>;
	/** Tier -> limit per window. Default { default: 25, authenticated: 60, premium: 100, admin: 200 }. */
	tiers?: Partial<Record<TierName, number>>;
	/** true: `Retry-After` / `details.retryAfter` in fractional seconds (ms precision, e.g. "0.35"). Default whole seconds (ceil). */
	fractionalRetryAfter?: boolean;
	/** `X-RateLimit-Reset` as Unix seconds (default) or ISO 8601. */
	resetFormat?: 'unix' | 'iso';
	/** Which window the X-RateLimit-* headers of a 2xx describe: the tighter one (default) or always the tier's. */
	headerScope?: 'tightest' | 'tier';
	/** Soku's clock minus the client's (ms): shifts `X-RateLimit-Reset` and the `Date` header. Default 0. */
	clockSkewMs?: number;
}

export type FaultKind = '500' | '429' | 'drop-after' | 'drop-before' | 'timeout';

export interface StepMatch {
	method?: string;
	/** Exact path (no query string) or a RegExp tested against the path. */
	path?: string | RegExp;
}

export interface FaultOptions {
	/** Probability (0..1) that a request gets a fault. 0 or a falsy config disables faults. */
	rate: number;
	/** Kinds to choose from (uniformly). Default ['500']. */
	kinds?: FaultKind[];
	/** Client timeout the 'timeout' fault must exceed (default 1000). */
	timeoutMs?: number;
	/** How long a 'timeout' fault holds the response (default timeoutMs + max(50, timeoutMs/2)). */
	holdMs?: number;
	/** After holding: 'answer' (default, answer late) or 'drop' (reset the socket). */
	timeoutThen?: 'answer' | 'drop';
	/** PRNG seed (number or string). Same seed + same request order = same faults. Default 1. */
	seed?: number | string;
	/** Only requests matching this are eligible. */
	match?: StepMatch | ((req: RecordedRequest) => boolean);
	/** Retry-After (seconds) of injected 429s, default 1. */
	retryAfterSeconds?: number;
}

/** A scripted response step (consumed by the first matching request, in queue order). */
export interface ScriptStep {
	match?: StepMatch | ((req: RecordedRequest) => boolean);
	/** How many matching requests this step handles (default 1; Infinity allowed). */
	times?: number;
	/**
	 * Answer with this status without touching state. Without `body`, a status >= 400 gets a standard
	 * envelope (code from `code` or from the status: 400 validation_error, 401 unauthorized, 402
	 * insufficient_credits, 403 forbidden, 404 not_found, 409 idempotency_conflict,
	 * 429 rate_limit_exceeded (+ Retry-After), 500 internal_error).
	 */
	status?: number;
	/** Object -> JSON; string -> sent raw (text/html when it starts with '<', else text/plain). */
	body?: unknown;
	headers?: Record<string, string | number>;
	/** Envelope code/message/details when `body` is omitted. */
	code?: ErrorCode | string;
	message?: string;
	details?: Record<string, unknown>;
	/** Retry-After for a scripted 429 without body (default 1). */
	retryAfter?: number;
	/** Real-timer delay of the answer (or, for a step with only delayMs, of normal processing). */
	delayMs?: number;
	/** 'before': reset the socket without processing. 'after': process normally (state changes), then reset instead of answering. */
	drop?: 'before' | 'after';
}

export type RecordedResponse =
	| {
			status: number;
			/** Parsed JSON object, raw string, or null (204 / empty). */
			body: unknown;
			/** Lower-case header names. */
			headers: Record<string, string>;
			/** The client had already gone when the (late) answer was ready. */
			clientGone?: true;
	  }
	| {
			dropped: 'reset-before' | 'reset-after' | 'client-aborted';
			/** For 'reset-after': the response the client never saw. */
			wouldHaveBeen?: { status: number; body: unknown };
	  };

export interface RecordedRequest {
	seq: number;
	method: string;
	/** Path without query string. */
	path: string;
	query: Record<string, string>;
	/** Lower-case header names, as received (keys are NOT masked here: keep them out of logs). */
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON, the raw string when it is not JSON, or null when empty. */
	body: unknown;
	rawBody: string;
	/** Clock time (ms) at arrival. */
	receivedAt: number;
	/** null while the request is still in flight. */
	response: RecordedResponse | null;
	ip: string;
	requestId?: string;
	userId?: string | null;
	scripted?: true;
	fault?: FaultKind;
	idempotentReplay?: true;
}

export interface StoredUser {
	userId: string;
	subscription: SubscriptionStatus | null;
	currentPeriodEnd: number | string | null;
	tier: 'premium' | 'admin';
	integrations: Partial<Record<PlatformId, string[]>>;
	/** Remaining forced delivery failures per platform (decremented on each failure). */
	failDispatch: Partial<Record<PlatformId, number>>;
	/** Remaining forced delivery failures per account ID. */
	failDispatchAccounts: Record<string, number>;
}

export interface StoredApiKey {
	id: string;
	userId: string;
	name: string;
	/** SHA-256 hex of the secret (the secret itself is never stored). */
	hash: string;
	/** e.g. `sk_live_abc...xyz`. */
	preview: string;
	createdAt: string;
	status: 'active' | 'revoked';
	revokedAt: string | null;
}

export interface Target {
	platform: PlatformId;
	accountId: string;
}

export interface StoredPost {
	postSubmissionId: string;
	userId: string;
	apiKeyId: string | null;
	/** The request body as received. */
	body: unknown;
	idempotencyKey: string | null;
	/** Resolved targets (accountId filled in for single-account platforms), de-duplicated. */
	platforms: Target[];
	text: string | null;
	mediaUrls: string[];
	status: 'queued' | 'scheduled' | 'dispatched' | 'dispatch_failed';
	/** ISO, or null for immediate posts. */
	scheduledTime: string | null;
	enableRepurposing: boolean;
	trialReel: boolean;
	/** platform -> true for each platform whose every target was delivered. */
	delivered: Partial<Record<PlatformId, true>>;
	failedPlatforms: PlatformId[];
	createdAt: string;
	dispatchedAt?: string;
}

export interface Delivery {
	postSubmissionId: string;
	userId: string;
	platform: PlatformId;
	accountId: string;
	text: string | null;
	mediaUrls: string[];
	deliveredAt: string;
}

export interface StoredMedia {
	id: string;
	userId: string;
	sourceUrl: string | null;
	url: string;
	filename: string;
	kind: 'video' | 'image' | 'audio' | 'unknown';
	durationSeconds: number | null;
	lyrics: boolean;
	createdAt: string;
}

export interface StoredTranscription {
	jobId: string;
	transcript: string;
	creditsDebited: number;
	likelyLyrics: boolean;
	userId: string;
	mediaId: string;
	language: string | null;
	model: 'whisper-1';
	idempotencyKey: string | null;
	createdAt: string;
}

export interface StoredRender {
	id: string;
	userId: string;
	/** '/v1/templates' or '/v1/media/render-og'. */
	path: string;
	templateSlug: string;
	config: Record<string, unknown> | null;
	aspectRatio: '1:1' | '4:5' | '9:16' | null;
	url: string;
	createdAt: string;
}

export interface RepurposeLink {
	id: string;
	platform: string;
	accountId: string;
	type: string;
	templateId: string | null;
	settings: Record<string, unknown>;
	createdAt: string;
}

export interface StoredRepurposeLink extends RepurposeLink {
	userId: string;
}

export interface IdempotencyRecord {
	userId: string;
	path: string;
	/** The Idempotency-Key header, or null for a key derived from the payload (/v1/media). */
	key: string | null;
	derived: boolean;
	/** SHA-256 of the canonical JSON body. */
	bodyHash: string;
	status: number;
	body: unknown;
	/** Clock ms. */
	createdAt: number;
}

export interface StandInState {
	users: Record<string, StoredUser>;
	apiKeys: StoredApiKey[];
	/** userId -> AI credit balance (mutable). */
	credits: Record<string, number>;
	posts: StoredPost[];
	deliveries: Delivery[];
	media: StoredMedia[];
	transcriptions: StoredTranscription[];
	renders: StoredRender[];
	repurposeLinks: StoredRepurposeLink[];
	/** Firebase ID token -> userId. */
	firebaseTokens: Record<string, string>;
	/** Known template slugs. */
	templates: string[];
	/** `${userId}|${path}|key:${key}` or `${userId}|${path}|derived:${hash}` -> record. */
	idempotency: Record<string, IdempotencyRecord>;
}

export interface StandInOptions {
	/** Default '127.0.0.1'. */
	host?: string;
	/** Default 0 (random free port). */
	port?: number;
	/** Default DEFAULT_ACCOUNTS. */
	accounts?: StandInAccount[];
	/** Firebase ID token -> userId. Default DEFAULT_FIREBASE_TOKENS. */
	firebaseTokens?: Record<string, string>;
	/** Extra template slugs besides tweetImage and og-blog-post. */
	templates?: string[];
	/** Default `{ now: () => Date.now() }`. */
	clock?: Clock;
	rateLimits?: RateLimitOptions;
	/** Idempotency record lifetime, default 24 h. */
	idempotencyTtlMs?: number;
	/**
	 * `Idempotent-Replayed` (not in Soku's docs): 'onReplay' (default) sends `true` on replays only,
	 * 'always' also sends `false` on fresh answers to keyed requests, 'never' sends no such header.
	 */
	replayHeader?: 'onReplay' | 'always' | 'never';
	/**
	 * dispatch_failed lists (their overlap is not documented): 'exclusive' (default: a platform with a failed
	 * target is only in failedPlatforms), 'overlap' (a platform with a delivered target is also in
	 * succeededPlatforms), 'failedOnly' / 'succeededOnly' (the other list omitted).
	 */
	dispatchLists?: 'exclusive' | 'overlap' | 'failedOnly' | 'succeededOnly';
	/** Called with one masked line per request (`POST /v1/posts → 201 (2 ms) key=sk_live_…0000`). */
	logger?: (line: string) => void;
	/** Key the Default tier by the first X-Forwarded-For address instead of the socket address. */
	trustProxy?: boolean;
	/** Keep only the newest N entries in `requests` (default: all). For long benchmarks. */
	maxRecordedRequests?: number;
	/** Initial fault configuration (see `faults()`). */
	faults?: FaultOptions;
}

export interface AddAccountResult {
	userId: string;
	keyId: string | null;
}

export interface SokuStandIn {
	/** e.g. `http://127.0.0.1:43567` (no trailing slash). */
	readonly url: string;
	readonly host: string;
	readonly port: number;
	readonly server: Server;
	/** Live, mutable state. */
	readonly state: StandInState;
	/** Every request received, in arrival order. */
	readonly requests: RecordedRequest[];
	clearRequests(): void;
	/** Appends steps (arrays are flattened). Returns the stand-in. */
	script(...steps: Array<ScriptStep | ScriptStep[]>): SokuStandIn;
	enqueue(step: ScriptStep): SokuStandIn;
	/** Copies of the steps not yet consumed. */
	pendingSteps(): ScriptStep[];
	clearScript(): void;
	/** Random fault injection; `faults(null)` or rate 0 turns it off. */
	faults(options: FaultOptions | null | undefined): void;
	/** How many faults of each kind were injected so far. */
	faultCounts(): Partial<Record<FaultKind, number>>;
	addAccount(account: StandInAccount): AddAccountResult;
	/** Registers a Firebase ID token (creates a user without subscription if `userId` is unknown). */
	addFirebaseToken(token: string, userId: string): void;
	/** Delivers scheduled posts whose time has come by the clock (also runs before every request). Returns how many. */
	runDueScheduled(): number;
	/** Changes rate-limit settings at runtime (merged into the current ones). */
	configureRateLimits(options: RateLimitOptions): void;
	/** Changes replayHeader / dispatchLists until reset(). */
	configureAnswers(options: Pick<StandInOptions, 'replayHeader' | 'dispatchLists'>): void;
	/** Forgets all rate-limit windows. */
	resetRateLimits(): void;
	/** Back to the initial seed: state, requests, script, faults and rate-limit windows. */
	reset(): void;
	/** Closes the server and every open socket; cancels pending delays. Idempotent. */
	close(): Promise<void>;
}

export function startStandIn(options?: StandInOptions): Promise<SokuStandIn>;

/** A manual clock; default start 2026-03-02T09:00:00.000Z. */
export function createManualClock(startMs?: number): ManualClock;

/** `sk_live_…1234` (never the full key). */
export function maskKey(key: string): string;
/** Masks every `sk_live_...` substring. */
export function maskSecrets(text: string): string;
/** JSON with object keys sorted recursively (used to compare idempotent request bodies). */
export function canonicalJson(value: unknown): string;

export const DEFAULT_ACCOUNTS: ReadonlyArray<Readonly<StandInAccount>>;
export const DEFAULT_FIREBASE_TOKENS: Readonly<Record<string, string>>;
export const DEFAULT_TEMPLATES: ReadonlyArray<string>;
export const DEFAULT_RATE_LIMITS: Readonly<Required<RateLimitOptions>>;
export const ERROR_CODES: Readonly<Record<ErrorCode, { status: number; type: ErrorType }>>;
export const PLATFORMS: Readonly<
	Record<
		PlatformId,
		{
			textOnly: boolean;
			images: boolean;
			video: boolean;
			maxImages: number | null;
			captionLimit: number;
			needsText: boolean;
		}
	>
>;
/** The longest Idempotency-Key the stand-in accepts (longer → 400 validation_error). */
export const IDEMPOTENCY_KEY_MAX_LENGTH: number;
