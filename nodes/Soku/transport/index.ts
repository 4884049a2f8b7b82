/**
 * The one way the node talks to Soku. Every request goes through n8n's
 * httpRequestWithAuthentication (the credential injects the key), asks for the full response and
 * never throws on an HTTP status: the caller gets a TransportResult and classifies it.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
} from 'n8n-workflow';

import type { ResponseHeaders, TransportResult } from '../errors/classify';
import type { OperationId } from '../errors/errorTable';
import { ExecutionCancelledError } from '../policy/runtime';
import { baseUrlProblem, normaliseBaseUrl } from './baseUrl';
import { ENDPOINTS, type CredentialName } from './endpoints';

export { DEFAULT_BASE_URL, baseUrlProblem, normaliseBaseUrl } from './baseUrl';

export interface SokuRequest {
	operation: OperationId;
	/**
	 * A condition checked right before each send (after any pacing wait): past `at` (ms), the request
	 * is not sent and the item gets a client-side validation_error naming `field`.
	 */
	sendBefore?: { at: number; field: string; reason: string; message: string };
	/** Path with its parameters filled in and encoded. */
	path: string;
	body?: IDataObject;
	qs?: IDataObject;
	idempotencyKey?: string;
	/**
	 * The key's identity leaves out time-relative values ($now/$today expressions): a 409
	 * idempotency_conflict under it means this post, computed at an earlier time, was already accepted.
	 */
	conflictMeansReplay?: boolean;
}

type RequestContext = IExecuteFunctions | ILoadOptionsFunctions;

/** The credential's base URL without a trailing slash (and without a pasted /v1); check it with baseUrlProblem. */
export async function getBaseUrl(context: RequestContext, credential: CredentialName): Promise<string> {
	const credentials = await context.getCredentials(credential);
	return normaliseBaseUrl(credentials.baseUrl);
}

// Module-level constants, built once when the module loads: Stryker cannot switch a mutant in them per test
// (transport.test.ts asserts every code).
// Stryker disable next-line StringLiteral: see above
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// Stryker disable next-line StringLiteral: see above
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT']);

/** Walks an error and its causes (n8n wraps axios errors in NodeApiError) for a system error code. */
function findErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	// Reading .code of a string or number gives undefined: only null and undefined end the walk early.
	for (let depth = 0; depth < 5 && current != null; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

function errorMessage(error: unknown): string {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const cause = (current as { cause?: unknown }).cause;
		if (!cause || typeof cause !== 'object') break;
		current = cause;
	}
	const message = current instanceof Error ? current.message : String(current);
	return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

/** Only the message and code survive: axios errors carry the request config, headers (the key) included. */
export function networkFailure(error: unknown): TransportResult {
	const code = findErrorCode(error) ?? 'ENETWORK';
	const message = errorMessage(error);
	const timedOut = TIMEOUT_CODES.has(code) || /timeout/i.test(message);
	return { kind: 'network', code, message: `${code}: ${message}`, timedOut, notSent: NOT_SENT_CODES.has(code) };
}

/** The HTTP request n8n is asked to send for `request` (before the credential adds the key). */
export function requestOptions(baseUrl: string, request: SokuRequest, timeoutMs: number): IHttpRequestOptions {
	const endpoint = ENDPOINTS[request.operation];
	const headers: IDataObject = { Accept: 'application/json' };
	// n8n drops an empty body, so an empty object is sent as no body and without a Content-Type.
	const body = request.body && Object.keys(request.body).length ? request.body : undefined;
	if (body) headers['Content-Type'] = 'application/json';
	if (request.idempotencyKey) headers['Idempotency-Key'] = request.idempotencyKey;
	return {
		method: endpoint.method,
		url: `${baseUrl}${request.path}`,
		headers,
		qs: request.qs,
		body,
		json: true,
		timeout: timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// Soku documents no redirects, and n8n strips only Authorization and Cookie when following one:
		// the soku-api-key header would go to the new origin. A 3xx comes back as the answer instead.
		disableFollowRedirect: true,
	};
}

/** What a dry run reports instead of sending: the request as requestOptions builds it (the key is never in it). */
export function describeRequest(baseUrl: string, request: SokuRequest): IDataObject {
	const options = requestOptions(baseUrl, request, 0);
	const described: IDataObject = {
		method: options.method as string,
		url: options.url,
		idempotencyKey: (options.headers as IDataObject)['Idempotency-Key'] ?? null,
		body: (options.body as IDataObject | undefined) ?? null,
	};
	if (options.qs && Object.keys(options.qs).length) described.qs = options.qs;
	return described;
}

export async function sendSokuRequest(
	context: RequestContext,
	baseUrl: string,
	request: SokuRequest,
	timeoutMs: number,
	signal?: AbortSignal,
): Promise<TransportResult> {
	// The router and list search refuse such a Base URL before getting here; this is the last line.
	const problem = baseUrlProblem(baseUrl);
	if (problem) throw new Error(problem);
	const endpoint = ENDPOINTS[request.operation];
	// Stop (the execution's cancel signal) aborts the request in flight: n8n 2.x's helper sets it too, older ones do not.
	const options: IHttpRequestOptions = { ...requestOptions(baseUrl, request, timeoutMs), abortSignal: signal };
	let failure: unknown;
	try {
		const response = (await context.helpers.httpRequestWithAuthentication.call(
			context,
			endpoint.credential,
			options,
		)) as IN8nHttpFullResponse;
		return {
			kind: 'response',
			status: response.statusCode,
			headers: (response.headers ?? {}) as ResponseHeaders,
			body: response.body,
		};
	} catch (error) {
		failure = error;
	}
	// A request aborted by the execution's cancel signal is a cancellation, not a network failure.
	if (signal?.aborted) throw new ExecutionCancelledError();
	return networkFailure(failure);
}
