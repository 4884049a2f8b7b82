/**
 * The one error table. Every documented Soku error code (REFERENCE §5.2) is one row; the node's
 * outputs, the router, the retry loop, the README's branch table and the tests all derive from it.
 * Adding a code is adding a row here.
 *
 * Row order is the order of the node's outputs and is saved in users' workflows (connections are
 * stored by output index): never reorder rows within a node version, only append. Node version 2 gives
 * every code an operation can return its own output, before Other Error: a row (or an operation added to
 * a row's list) that changes an operation's codes moves Other Error, so it needs a new node version
 * (test/unit/outputLayout.test.ts pins the version 2 layouts).
 */
import type { IDataObject } from 'n8n-workflow';

/** Operation ids, one per Soku endpoint (ids as in the spec's endpoints.json). */
export const OPERATION_IDS = [
	'createPost',
	'uploadMedia',
	'renderTemplate',
	'renderOgAlias',
	'transcribe',
	'listRepurposeLinks',
	'createRepurposeLink',
	'deleteRepurposeLink',
	'createApiKey',
	'listApiKeys',
	'revokeApiKey',
] as const;
export type OperationId = (typeof OPERATION_IDS)[number];

export type ErrorType = 'invalid_request_error' | 'authentication_error' | 'api_error';

/**
 * never: route at once. rateLimit: wait Retry-After, then backoff. backoff: exponential backoff
 * with jitter. retryFailedPlatforms: backoff, resending only details.failedPlatforms.
 */
export type RetryPolicy = 'never' | 'rateLimit' | 'backoff' | 'retryFailedPlatforms';

export interface ErrorCodeRow {
	code: string;
	httpStatus: number;
	type: ErrorType;
	/** Human meaning, for the README and the output's description. */
	meaning: string;
	retry: RetryPolicy;
	/** What a low-code user typically wires this branch to (README). */
	wireTo: string;
	/** Operations whose documented (or, where REFERENCE says so, inferred) responses include the code. */
	operations: readonly OperationId[];
	/** One actionable sentence built from the error's details. */
	hint: (details: IDataObject, operation: OperationId) => string;
}

const ALL: readonly OperationId[] = OPERATION_IDS;
/** Operations authenticated by an API key (the subscription gate applies to them, not to key management). */
const API_KEY_OPERATIONS: readonly OperationId[] = OPERATION_IDS.filter(
	(op) => op !== 'createApiKey' && op !== 'listApiKeys' && op !== 'revokeApiKey',
);

const list = (value: unknown): string => {
	const names = Array.isArray(value) ? value.map(String).filter(Boolean) : [];
	return names.length ? names.join(', ') : 'the listed platforms';
};

const NOT_FOUND_WHAT: Partial<Record<OperationId, string>> = {
	renderTemplate: 'template slug (copy it from the template editor in Soku)',
	renderOgAlias: 'template slug (copy it from the template editor in Soku)',
	transcribe: 'media ID (it must already be in your Soku media library)',
	deleteRepurposeLink: 'repurpose link ID (list them with Repurpose Link > Get Many)',
	revokeApiKey: 'API key ID (list them with API Key > Get Many)',
	createRepurposeLink: 'template or account (check Template ID and Account ID)',
};

export const ERROR_TABLE: readonly ErrorCodeRow[] = [
	{
		code: 'validation_error',
		httpStatus: 400,
		type: 'invalid_request_error',
		meaning: 'A field is missing, malformed or invalid (also caught before sending, with source "client").',
		retry: 'never',
		wireTo: 'A message to whoever owns the input data, naming sokuError.details.field',
		operations: OPERATION_IDS.filter((op) => op !== 'listApiKeys'),
		hint: (d) =>
			d.field
				? `Fix "${String(d.field)}"${d.reason ? ` (${String(d.reason)})` : ''} and run the item again.`
				: 'Fix the invalid field named in the message and run the item again.',
	},
	{
		code: 'upload_failed',
		httpStatus: 400,
		type: 'invalid_request_error',
		meaning: 'A media URL could not be downloaded or stored (unreachable, too large, unsupported format).',
		retry: 'never',
		wireTo: 'A notification asking for a public MP4/JPEG/PNG/WebP URL',
		operations: ['createPost', 'uploadMedia'],
		hint: () =>
			'Make every media URL publicly reachable and use MP4 (H.264), JPEG, PNG or WebP within the size limits (images 50 MB, videos 500 MB).',
	},
	{
		code: 'missing_integrations',
		httpStatus: 400,
		type: 'invalid_request_error',
		meaning: 'A target platform is not connected to the Soku account.',
		retry: 'never',
		wireTo: 'An email saying which platforms to connect (sokuError.details.missingPlatforms)',
		operations: ['createPost'],
		hint: (d) =>
			`Connect ${list(d.missingPlatforms)} to your Soku account under Settings > Integrations, then run the item again.`,
	},
	{
		code: 'missing_account',
		httpStatus: 400,
		type: 'invalid_request_error',
		meaning: 'The accountId does not exist for the platform, or several accounts are connected and none was chosen.',
		retry: 'never',
		wireTo: 'A lookup that fills in Account ID for the platform',
		operations: ['createPost'],
		hint: (d) =>
			d.accountId
				? `Account "${String(d.accountId)}" is not connected for ${String(d.platform ?? 'that platform')}: use the ID of a connected account (Settings > Integrations in Soku).`
				: `Several accounts are connected for ${String(d.platform ?? 'that platform')}: set its Account ID in Targets.`,
	},
	{
		code: 'unauthorized',
		httpStatus: 401,
		type: 'authentication_error',
		meaning: 'The API key (or Firebase ID token) is missing, invalid, truncated or revoked.',
		retry: 'never',
		wireTo: 'An alert to the workflow owner to update the credential',
		operations: ALL,
		hint: (_d, op) =>
			op === 'createApiKey' || op === 'listApiKeys' || op === 'revokeApiKey'
				? 'Sign in to Soku again and paste a fresh Firebase ID token into the Soku Account credential (tokens expire after about an hour).'
				: 'Check the Soku credential: the API key must be current and start with sk_live_ (create one in Soku under Settings > API Keys).',
	},
	{
		code: 'insufficient_credits',
		httpStatus: 402,
		type: 'invalid_request_error',
		meaning: 'Not enough AI credits for the operation (transcription).',
		retry: 'never',
		wireTo: 'A Slack/email alert to top up credits',
		operations: ['transcribe'],
		hint: (d) => {
			const cost = Number(d.estimatedCost);
			const balance = Number(d.currentBalance);
			if (Number.isFinite(cost) && Number.isFinite(balance)) {
				return `This needs ${cost} credits and the balance is ${balance} (${Math.max(0, cost - balance)} short): buy credits in Soku under Account > Credits, then run the item again.`;
			}
			return 'The credit balance is too low: buy credits in Soku under Account > Credits, then run the item again.';
		},
	},
	{
		code: 'forbidden',
		httpStatus: 403,
		type: 'authentication_error',
		meaning: 'The subscription is not trialing or active (expired, canceled, trial ended, payment declined).',
		retry: 'never',
		wireTo: 'An alert to renew the Soku subscription',
		operations: API_KEY_OPERATIONS,
		hint: () =>
			'The Soku subscription behind this API key is not active: renew it in Soku (billing settings), then run again.',
	},
	{
		code: 'not_found',
		httpStatus: 404,
		type: 'invalid_request_error',
		meaning: 'The referenced resource does not exist (template slug, media ID, repurpose link ID, API key ID).',
		retry: 'never',
		wireTo: 'A cleanup step that drops the stale ID',
		operations: [
			'createPost',
			'renderTemplate',
			'renderOgAlias',
			'transcribe',
			'createRepurposeLink',
			'deleteRepurposeLink',
			'revokeApiKey',
		],
		hint: (_d, op) => `Check the ${NOT_FOUND_WHAT[op] ?? 'referenced ID'}.`,
	},
	{
		code: 'idempotency_conflict',
		httpStatus: 409,
		type: 'invalid_request_error',
		meaning: 'The same Idempotency-Key was already used with a different request body.',
		retry: 'never',
		wireTo: 'A review step: the key expression gives two different items the same key',
		operations: ['createPost', 'uploadMedia', 'transcribe'],
		hint: () =>
			'This Idempotency-Key was already used with a different body: make the key expression unique per post, or resend the identical body.',
	},
	{
		code: 'rate_limit_exceeded',
		httpStatus: 429,
		type: 'invalid_request_error',
		meaning: 'A tier or per-endpoint rate limit was reached (waited out and retried by the node).',
		retry: 'rateLimit',
		wireTo: 'A Wait node for sokuError.details.retryAfter seconds, then back into Soku',
		operations: ALL,
		// details.routedBecause is set by the node (policy/sendWithPolicy.ts); retryAfter is always in seconds.
		hint: (d) =>
			d.routedBecause === 'pacingWaitTooLong'
				? `Soku's rate limit frees a slot for this credential in ${String(d.retryAfter)} s, longer than Retry > Max Rate-Limit Wait allows, so nothing was sent: wire this branch to a Wait node, or raise that setting.`
				: d.routedBecause === 'waitTooLong'
					? `Soku asks to wait ${String(d.retryAfter)} s, longer than Retry > Max Rate-Limit Wait allows: wire this branch to a Wait node, or raise that setting.`
					: `Soku kept refusing with rate_limit_exceeded after the configured retries (next slot in about ${String(d.retryAfter ?? '?')} s): wire this branch to a Wait node, or lower the batch size.`,
	},
	{
		code: 'dispatch_failed',
		httpStatus: 500,
		type: 'api_error',
		meaning: 'The post was created but delivery to some platforms failed (retried for those platforms only).',
		retry: 'retryFailedPlatforms',
		wireTo: 'A notification listing sokuError.details.failedPlatforms; the others are already live',
		operations: ['createPost'],
		hint: (d) => {
			const published =
				Array.isArray(d.succeededPlatforms) && d.succeededPlatforms.length
					? ` (${list(d.succeededPlatforms)} already published)`
					: '';
			const ambiguous = Array.isArray(d.ambiguousAccounts) ? (d.ambiguousAccounts as IDataObject[]) : [];
			if (ambiguous.length) {
				const accounts = ambiguous.map((t) => `${String(t.platform)} ${t.accountId ? String(t.accountId) : '(default account)'}`).join(', ');
				return `Soku's answer does not say whether ${accounts} got the post (it reports per platform, and a failed platform had several accounts or was also listed as succeeded), so the node did not resend to them (that could post twice)${published}. Check those accounts and post to the one that is missing it with its own Target.`;
			}
			return `Delivery to ${list(d.failedPlatforms)} failed after retries${published}: retry later for the failed platforms only.`;
		},
	},
	{
		code: 'post_creation_failed',
		httpStatus: 500,
		type: 'api_error',
		meaning: 'The post submission could not be created (retried with backoff).',
		retry: 'backoff',
		wireTo: 'A retry later (Wait node) or a support ticket quoting sokuError.requestId',
		operations: ['createPost'],
		hint: () =>
			'Soku could not create the post after retries: try again later and quote the requestId to Soku support if it persists.',
	},
	{
		code: 'internal_error',
		httpStatus: 500,
		type: 'api_error',
		meaning: 'Unexpected server failure (retried with backoff).',
		retry: 'backoff',
		wireTo: 'A retry later (Wait node) or a support ticket quoting sokuError.requestId',
		operations: ALL,
		hint: () =>
			'Soku had an internal error that persisted after retries: try again later and quote the requestId to Soku support if it persists.',
	},
];

export const ERROR_CODES: readonly string[] = ERROR_TABLE.map((row) => row.code);

export const ERROR_ROWS_BY_CODE: ReadonlyMap<string, ErrorCodeRow> = new Map(
	ERROR_TABLE.map((row) => [row.code, row]),
);

/** Categories are Soku's error types, in output order (perCategory routing). */
export const ERROR_CATEGORIES: readonly ErrorType[] = [
	'invalid_request_error',
	'authentication_error',
	'api_error',
];

export const OTHER_ERROR_OUTPUT = 'Other Error';

/**
 * How answers the table does not list (they go to Other Error) are retried, by what they are: the
 * retry policy applies it and the README's Other Error row is written from it. A 429 is a rate limit
 * whatever its code says.
 */
export const OTHER_ERROR_RETRY = {
	network: 'backoff',
	status5xx: 'backoff',
	status429: 'rateLimit',
	otherwise: 'never',
} as const satisfies Record<string, RetryPolicy>;

/** Codes an operation can return, in table (= output) order. */
export function codesForOperation(operation: OperationId): string[] {
	return ERROR_TABLE.filter((row) => row.operations.includes(operation)).map((row) => row.code);
}
