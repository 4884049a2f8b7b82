/**
 * Turns what the transport saw into either success or one SokuErrorInfo. This is the only place that
 * reads Soku's error envelope (REFERENCE §5.1); it tolerates omitted fields, non-JSON bodies and codes
 * that are not in the table.
 */
import type { IDataObject } from 'n8n-workflow';

import { ERROR_ROWS_BY_CODE, type ErrorType } from './errorTable';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export type TransportResult =
	| { kind: 'response'; status: number; headers: ResponseHeaders; body: unknown }
	| {
			kind: 'network';
			/** e.g. ECONNRESET, ECONNREFUSED, ETIMEDOUT */
			code: string;
			message: string;
			timedOut: boolean;
			/** True when the request certainly never reached Soku (connection refused, DNS). */
			notSent: boolean;
	  };

export type ErrorSource = 'api' | 'client' | 'network';

export interface SokuErrorInfo {
	/** A table code, an unknown code Soku sent, or a synthetic one (network_error, timeout, http_502). */
	code: string;
	/** True when `code` is a row of the error table. */
	known: boolean;
	type: ErrorType | string | null;
	message: string;
	httpStatus: number | null;
	requestId: string | null;
	timestamp: string | null;
	details: IDataObject;
	source: ErrorSource;
	/** From the Retry-After header, else details.retryAfter (seconds), in ms. */
	retryAfterMs?: number;
}

export type Classified = { ok: true; body: unknown } | { ok: false; error: SokuErrorInfo };

const asObject = (value: unknown): IDataObject | undefined =>
	value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : undefined;

const asString = (value: unknown): string | null =>
	typeof value === 'string' && value.length > 0 ? value : null;

export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
	const value = headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

/** Parses a JSON body that arrived as a string; anything else is returned as is. */
export function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	const text = body.trim();
	if (!text.startsWith('{') && !text.startsWith('[')) return body;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return body;
	}
}

/** Retry-After is seconds (possibly fractional) or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const SYNTHETIC_TYPE_BY_STATUS: Record<number, ErrorType> = {
	401: 'authentication_error',
	403: 'authentication_error',
};

function describeBody(body: unknown): string {
	if (typeof body === 'string') {
		const text = body.replace(/\s+/g, ' ').trim();
		return text.length > 200 ? `${text.slice(0, 200)}…` : text;
	}
	return '';
}

/** Only the host of a Location header: its path and query may carry tokens. */
function redirectHost(location: string | undefined): string {
	if (!location) return 'nowhere (no Location header)';
	try {
		return new URL(location).host || 'an unknown host';
	} catch {
		return 'a path on the same host';
	}
}

export function classify(result: TransportResult, now: number): Classified {
	if (result.kind === 'network') {
		return {
			ok: false,
			error: {
				code: result.timedOut ? 'timeout' : 'network_error',
				known: false,
				type: null,
				message: result.timedOut
					? `No response from Soku before the timeout (${result.message})`
					: `Could not reach Soku: ${result.message}`,
				httpStatus: null,
				requestId: null,
				timestamp: null,
				details: { errorCode: result.code, requestMaybeProcessed: !result.notSent },
				source: 'network',
			},
		};
	}

	const body = parseBody(result.body);
	if (result.status >= 200 && result.status < 300) return { ok: true, body };

	const envelope = asObject(asObject(body)?.error);
	const rawCode = asString(envelope?.code);
	const details = asObject(envelope?.details) ?? {};
	const retryAfterHeader = parseRetryAfter(headerValue(result.headers, 'retry-after'), now);
	const retryAfterDetails =
		typeof details.retryAfter === 'number' || typeof details.retryAfter === 'string'
			? parseRetryAfter(String(details.retryAfter), now)
			: undefined;
	const code = rawCode ?? `http_${result.status}`;
	// A 3xx (1xx and 2xx never get here).
	if (Math.floor(result.status / 100) === 3) {
		const location = headerValue(result.headers, 'location');
		const host = redirectHost(location);
		return {
			ok: false,
			error: {
				code,
				known: false,
				type: null,
				message: `Soku answered HTTP ${result.status}, a redirect to ${host}, which the node does not follow (the API key would go along): check the Base URL in the credential`,
				httpStatus: result.status,
				requestId: null,
				timestamp: null,
				details: { redirectHost: host },
				source: 'api',
			},
		};
	}
	const row = rawCode ? ERROR_ROWS_BY_CODE.get(rawCode) : undefined;
	const bodyText = describeBody(body);
	return {
		ok: false,
		error: {
			code,
			known: row !== undefined,
			type: asString(envelope?.type) ?? row?.type ?? SYNTHETIC_TYPE_BY_STATUS[result.status] ?? null,
			message:
				asString(envelope?.message) ??
				(envelope
					? `Soku answered HTTP ${result.status}`
					: `Soku answered HTTP ${result.status} without an error envelope${bodyText ? `: ${bodyText}` : ''}`),
			httpStatus: result.status,
			requestId: asString(envelope?.requestId),
			timestamp: asString(envelope?.timestamp),
			details,
			source: 'api',
			retryAfterMs: retryAfterHeader ?? retryAfterDetails,
		},
	};
}

/** An error found before sending: no request is made. */
export function clientValidationError(field: string, reason: string, message: string): SokuErrorInfo {
	return {
		code: 'validation_error',
		known: true,
		type: 'invalid_request_error',
		message,
		httpStatus: null,
		requestId: null,
		timestamp: null,
		details: { field, reason },
		source: 'client',
	};
}
