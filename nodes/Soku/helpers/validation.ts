/**
 * Client-side checks of what the Soku docs say the API rejects. A failed check becomes a
 * validation_error item with source "client": no request is sent.
 */
import type { IDataObject } from 'n8n-workflow';

export class ClientValidationError extends Error {
	constructor(
		/** The API field, as Soku would name it in details.field (e.g. post.content.text). */
		readonly field: string,
		/** Short machine reason, as in Soku's details.reason (required, invalid_url, …). */
		readonly reason: string,
		message: string,
	) {
		super(message);
		this.name = 'ClientValidationError';
	}
}

/** Runs a parser that throws on bad input; returns the outcome instead, so the caller raises its own ClientValidationError. */
function attempt<T>(parse: () => T): { ok: true; value: T } | { ok: false } {
	try {
		return { ok: true, value: parse() };
	} catch {
		return { ok: false };
	}
}

export function requireText(value: unknown, field: string, label: string): string {
	const text = typeof value === 'number' ? String(value) : value;
	if (typeof text !== 'string' || text.trim() === '') {
		throw new ClientValidationError(field, 'required', `${label} is required`);
	}
	return text.trim();
}

export function optionalText(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	const text = String(value).trim();
	return text === '' ? undefined : text;
}

export function requireHttpUrl(value: unknown, field: string, label: string): string {
	const text = requireText(value, field, label);
	const parsedUrl = attempt(() => new URL(text));
	if (!parsedUrl.ok) {
		throw new ClientValidationError(field, 'invalid_url', `${label} must be a full http(s) URL, got "${text.slice(0, 100)}"`);
	}
	const url = parsedUrl.value;
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new ClientValidationError(field, 'invalid_url', `${label} must start with http:// or https://, got "${text.slice(0, 100)}"`);
	}
	return text;
}

/**
 * Accepts an array (from an expression) or a string of URLs separated by newlines or commas. A comma
 * splits only where the next URL starts, since commas are legal inside URLs (e.g. w_400,h_400).
 */
export function splitList(value: unknown): string[] {
	if (value === undefined || value === null || value === '') return [];
	const parts = Array.isArray(value) ? value : String(value).split(/\n|,(?=\s*[a-z][a-z0-9+.-]*:)/i);
	return parts.map((part) => (typeof part === 'string' ? part.trim() : part)).filter((p) => p !== '') as string[];
}

export function httpUrlList(value: unknown, field: string, label: string): string[] {
	return splitList(value).map((url, i) => requireHttpUrl(url, `${field}[${i}]`, `${label} #${i + 1}`));
}

export function jsonObject(value: unknown, field: string, label: string): IDataObject | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	let parsed: unknown = value;
	if (typeof value === 'string') {
		const parsedJson = attempt((): unknown => JSON.parse(value));
		if (!parsedJson.ok) {
			throw new ClientValidationError(field, 'invalid_json', `${label} must be a JSON object, e.g. {"title": "Hello"}`);
		}
		parsed = parsedJson.value;
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new ClientValidationError(field, 'invalid_type', `${label} must be a JSON object, e.g. {"title": "Hello"}`);
	}
	return parsed as IDataObject;
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string, label: string): T {
	const text = typeof value === 'string' ? value.trim() : value;
	if (typeof text !== 'string' || !(allowed as readonly string[]).includes(text)) {
		throw new ClientValidationError(
			field,
			'invalid_value',
			`${label} must be one of ${allowed.join(', ')}, got "${String(value).slice(0, 50)}"`,
		);
	}
	return text as T;
}

/** Offset (ms) of an IANA time zone at an instant, from Intl (no date library needed). */
function zoneOffsetMs(timeZone: string, instant: number): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	}).formatToParts(new Date(instant));
	const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
	const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
	return asUtc - Math.floor(instant / 1000) * 1000;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An ISO 8601 time at least minLeadMs in the future, returned in UTC. A time without an offset (what
 * n8n's date picker gives) is read in the workflow's time zone.
 */
export function futureIsoTime(value: unknown, field: string, label: string, now: number, timeZone: string, minLeadMs: number): string {
	const raw = value instanceof Date ? value.toISOString() : String(value ?? '').trim();
	if (!ISO_8601.test(raw)) {
		throw new ClientValidationError(field, 'invalid_format', `${label} must be an ISO 8601 date-time such as 2030-01-01T12:00:00Z, got "${raw.slice(0, 40)}"`);
	}
	const normalised = raw.replace(' ', 'T');
	const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(normalised);
	let instant = Date.parse(hasOffset ? normalised : `${normalised}Z`);
	if (Number.isNaN(instant)) {
		throw new ClientValidationError(field, 'invalid_format', `${label} is not a valid date-time: "${raw.slice(0, 40)}"`);
	}
	const [, y, mo, d, h, mi] = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(normalised) ?? [];
	const calendar = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)));
	// Date.parse rolls 2030-02-31 over to March: reject dates that do not exist instead of moving them.
	if (calendar.getUTCMonth() !== Number(mo) - 1 || calendar.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59) {
		throw new ClientValidationError(field, 'invalid_date', `${label} is not a real date-time: "${raw.slice(0, 40)}"`);
	}
	if (!hasOffset) {
		try {
			instant -= zoneOffsetMs(timeZone, instant);
		} catch {
			// Unknown zone name: keep UTC.
		}
	}
	if (instant < now + minLeadMs) {
		throw new ClientValidationError(
			field,
			'must_be_future',
			`${label} must be at least ${Math.round(minLeadMs / 1000)} seconds in the future (got ${new Date(instant).toISOString()})`,
		);
	}
	return new Date(instant).toISOString();
}
