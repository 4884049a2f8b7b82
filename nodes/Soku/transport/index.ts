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
import { ENDPOINTS, type CredentialName } from './endpoints';

export const DEFAULT_BASE_URL = 'https://api.mysoku.io';

export interface SokuRequest {
	operation: OperationId;
	/** Path with its parameters filled in and encoded. */
	path: string;
	body?: IDataObject;
	qs?: IDataObject;
	idempotencyKey?: string;
}

type RequestContext = IExecuteFunctions | ILoadOptionsFunctions;

/** The credential's base URL without a trailing slash (and without a pasted /v1). */
export async function getBaseUrl(context: RequestContext, credential: CredentialName): Promise<string> {
	const credentials = await context.getCredentials(credential);
	return normaliseBaseUrl(credentials.baseUrl);
}

export function normaliseBaseUrl(value: unknown): string {
	const text = typeof value === 'string' && value.trim() ? value.trim() : DEFAULT_BASE_URL;
	return text.replace(/\/+$/, '').replace(/\/v1$/, '');
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT']);

/** Walks an error and its causes (n8n wraps axios errors in NodeApiError) for a system error code. */
function findErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
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

export async function sendSokuRequest(
	context: RequestContext,
	baseUrl: string,
	request: SokuRequest,
	timeoutMs: number,
	signal?: AbortSignal,
): Promise<TransportResult> {
	const endpoint = ENDPOINTS[request.operation];
	const headers: IDataObject = { Accept: 'application/json' };
	// n8n drops an empty body, so an empty object is sent as no body and without a Content-Type.
	const body = request.body && Object.keys(request.body).length ? request.body : undefined;
	if (body) headers['Content-Type'] = 'application/json';
	if (request.idempotencyKey) headers['Idempotency-Key'] = request.idempotencyKey;
	const options: IHttpRequestOptions = {
		method: endpoint.method,
		url: `${baseUrl}${request.path}`,
		headers,
		qs: request.qs,
		body,
		json: true,
		timeout: timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
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
