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

/** A lone UTF-16 surrogate: half of an emoji, which has no UTF-8 form and cannot be sent as meant. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasLoneSurrogate(text: string): boolean {
	return LONE_SURROGATE.test(text);
}

/**
 * What a value is, for an error message, without converting it: String() on an object from JSON (e.g.
 * {"toString": "x"}) throws, and "[object Object]" tells the user nothing. Text is quoted and cut at
 * 40 characters (whole code points).
 */
export function describeValue(value: unknown): string {
	if (typeof value === 'string') {
		const points = Array.from(value.length > 160 ? value.slice(0, 160) : value);
		const shown = points.slice(0, 40).join('');
		return `"${hasLoneSurrogate(shown) ? shown.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD') : shown}${points.length > 40 ? '…' : ''}"`;
	}
	if (typeof value === 'number' || typeof value === 'bigint') return `the number ${value.toString()}`;
	if (typeof value === 'boolean') return `the boolean ${value ? 'true' : 'false'}`;
	if (value === undefined || value === null) return 'nothing';
	if (Array.isArray(value)) return `a list of ${value.length} entr${value.length === 1 ? 'y' : 'ies'}`;
	if (value instanceof Date) return 'a date';
	if (typeof value === 'object') return 'an object';
	return `a ${typeof value}`;
}

/**
 * The one way a parameter value becomes text. Text is returned as given (the caller decides about
 * trimming); a finite number becomes its decimal text (an account ID such as 17841400000 often arrives
 * as a number); nothing (undefined, null) gives undefined. Everything else (objects, lists, booleans,
 * dates, non-finite numbers, text with a lone surrogate) is refused with a ClientValidationError naming
 * the field: never String(), which throws on {"toString": "x"} and sends "[object Object]" otherwise.
 */
export function readText(value: unknown, field: string, label: string): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'string') {
		if (hasLoneSurrogate(value)) {
			throw new ClientValidationError(
				field,
				'invalid_text',
				`${label} contains a broken character (half of a UTF-16 surrogate pair, e.g. an emoji cut in two), which cannot be sent: fix or remove it`,
			);
		}
		return value;
	}
	if (typeof value === 'number' && Number.isFinite(value)) return value.toString();
	throw new ClientValidationError(
		field,
		'invalid_type',
		`${label} must be text${typeof value === 'number' ? ' or a finite number' : ''}, but got ${describeValue(value)}: use an expression that gives a single text value, e.g. {{ $json.name }}`,
	);
}

export function requireText(value: unknown, field: string, label: string): string {
	const text = readText(value, field, label)?.trim();
	if (!text) throw new ClientValidationError(field, 'required', `${label} is required`);
	return text;
}

/** Trimmed text, or undefined when nothing or only spaces were given. */
export function optionalText(value: unknown, field: string, label: string): string | undefined {
	const text = readText(value, field, label)?.trim();
	return text === '' ? undefined : text;
}

/** A switch: true/false, or the texts "true"/"false" an expression may give; undefined when not set. */
export function optionalBoolean(value: unknown, field: string, label: string): boolean | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'boolean') return value;
	if (value === 'true' || value === 'false') return value === 'true';
	throw new ClientValidationError(field, 'invalid_type', `${label} must be true or false, but got ${describeValue(value)}`);
}

/** A number, or numeric text; undefined when not set (nothing or blank text). */
export function optionalNumber(value: unknown, field: string, label: string): number | undefined {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
	const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
	if (!Number.isFinite(n)) throw new ClientValidationError(field, 'invalid_type', `${label} must be a number, but got ${describeValue(value)}`);
	return n;
}

export function requireHttpUrl(value: unknown, field: string, label: string): string {
	const text = requireText(value, field, label);
	const parsedUrl = attempt(() => new URL(text));
	if (!parsedUrl.ok) {
		throw new ClientValidationError(field, 'invalid_url', `${label} must be a full http(s) URL, got ${describeValue(text)}`);
	}
	const url = parsedUrl.value;
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new ClientValidationError(field, 'invalid_url', `${label} must start with http:// or https://, got ${describeValue(text)}`);
	}
	return text;
}

/**
 * Accepts an array (from an expression) or a text of URLs separated by newlines or commas. A comma
 * splits only where the next URL starts, since commas are legal inside URLs (e.g. w_400,h_400).
 * Entries are left as given (checked by the caller); anything else than text or a list is refused.
 */
export function splitList(value: unknown, field: string, label: string): unknown[] {
	if (Array.isArray(value)) return value.map((part) => (typeof part === 'string' ? part.trim() : part)).filter((p) => p !== '');
	const text = readText(value, field, label);
	if (!text) return [];
	return text
		.split(/\n|,(?=\s*[a-z][a-z0-9+.-]*:)/i)
		.map((part) => part.trim())
		.filter((p) => p !== '');
}

export function httpUrlList(value: unknown, field: string, label: string): string[] {
	return splitList(value, field, `${label}s`).map((url, i) => requireHttpUrl(url, `${field}[${i}]`, `${label} #${i + 1}`));
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
		throw new ClientValidationError(field, 'invalid_type', `${label} must be a JSON object, e.g. {"title": "Hello"}, but got ${describeValue(parsed)}`);
	}
	return parsed as IDataObject;
}

/** One of the allowed values (trimmed; `normalise` e.g. lower-cases first). */
export function oneOf<T extends string>(
	value: unknown,
	allowed: readonly T[],
	field: string,
	label: string,
	normalise: (text: string) => string = (text) => text,
): T {
	const text = typeof value === 'string' ? normalise(value.trim()) : undefined;
	if (text === undefined || !(allowed as readonly string[]).includes(text)) {
		throw new ClientValidationError(field, 'invalid_value', `${label} must be one of ${allowed.join(', ')}, got ${describeValue(value)}`);
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

/**
 * A date-time value as ISO text: text as given, a JavaScript Date, or a Luxon DateTime (what n8n's
 * {{ $now }} gives; recognised by its own marker, as this package cannot depend on Luxon).
 */
function dateText(value: unknown, field: string, label: string): string {
	if (value instanceof Date) {
		if (Number.isNaN(value.getTime())) throw new ClientValidationError(field, 'invalid_date', `${label} is an invalid date`);
		return value.toISOString();
	}
	const luxon = value as { isLuxonDateTime?: unknown; isValid?: unknown; toISO?: unknown } | null;
	if (luxon !== null && typeof luxon === 'object' && luxon.isLuxonDateTime === true && typeof luxon.toISO === 'function') {
		const iso = luxon.isValid === true ? (luxon.toISO as () => unknown).call(luxon) : undefined;
		if (typeof iso !== 'string') throw new ClientValidationError(field, 'invalid_date', `${label} is an invalid date`);
		return iso;
	}
	return (readText(value, field, label) ?? '').trim();
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An ISO 8601 time at least minLeadMs in the future, returned in UTC. A time without an offset (what
 * n8n's date picker gives) is read in the workflow's time zone.
 */
export function futureIsoTime(value: unknown, field: string, label: string, now: number, timeZone: string, minLeadMs: number): string {
	const raw = dateText(value, field, label);
	if (!ISO_8601.test(raw)) {
		throw new ClientValidationError(field, 'invalid_format', `${label} must be an ISO 8601 date-time such as 2030-01-01T12:00:00Z, got ${describeValue(raw)}`);
	}
	const normalised = raw.replace(' ', 'T');
	const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(normalised);
	let instant = Date.parse(hasOffset ? normalised : `${normalised}Z`);
	if (Number.isNaN(instant)) {
		throw new ClientValidationError(field, 'invalid_format', `${label} is not a valid date-time: ${describeValue(raw)}`);
	}
	const [, y, mo, d, h, mi] = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(normalised) ?? [];
	const calendar = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)));
	// Date.parse rolls 2030-02-31 over to March: reject dates that do not exist instead of moving them.
	if (calendar.getUTCMonth() !== Number(mo) - 1 || calendar.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59) {
		throw new ClientValidationError(field, 'invalid_date', `${label} is not a real date-time: ${describeValue(raw)}`);
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
