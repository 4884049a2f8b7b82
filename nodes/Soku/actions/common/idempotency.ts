import { createHash } from 'crypto';

import type { OperationId } from '../../errors/errorTable';
import { ClientValidationError, hasLoneSurrogate } from '../../helpers/validation';

const hash = (parts: ReadonlyArray<string | number>): string =>
	createHash('sha256').update(parts.join('\u0000')).digest('hex');

/** JSON with object keys sorted at every level: the same request always gives the same text. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, v]) => v !== undefined)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/**
 * The per-execution key (Duplicate Window 0): instance, workflow, execution, node, run and item. Every
 * new execution gets new keys, so a re-run posts again.
 */
export function deriveIdempotencyKey(parts: ReadonlyArray<string | number>): string {
	return `n8n-${hash(parts).slice(0, 40)}`;
}

/**
 * Parameters whose value is computed from the clock ($now, $today): the expression as written (the
 * source, not its value) and the input item stand for them in the request's identity.
 */
export interface TimeRelative {
	/** Parameter path → expression source, e.g. { 'additionalFields.scheduledTime': '={{ $now.plus({hours: 2}) }}' }. */
	sources: Record<string, string>;
	/** Where their values land in the body (left out of the identity). */
	bodyPaths: ReadonlyArray<readonly string[]>;
	/** The item the expressions were evaluated for: a different input is a different post. */
	input: unknown;
}

/** What a request is, independent of the execution that sends it. */
export interface RequestIdentity {
	instanceId: string;
	workflowId: string;
	nodeId: string;
	operation: OperationId;
	body: unknown;
	timeRelative?: TimeRelative;
}

const CLOCK_EXPRESSION = /\$(now|today)\b/;

/** The raw value at a dot path of the node's parameters. */
function rawAt(parameters: unknown, path: string): unknown {
	let value = parameters;
	for (const part of path.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
	return value;
}

/**
 * The time-relative parameters among an operation's candidates (parameter path → body path): those whose
 * raw value (this.getNode().parameters) is an expression using $now or $today. Undefined when none is.
 */
export function timeRelativeParameters(
	parameters: unknown,
	candidates: Readonly<Record<string, readonly string[]>> | undefined,
): Omit<TimeRelative, 'input'> | undefined {
	const sources: Record<string, string> = {};
	const bodyPaths: Array<readonly string[]> = [];
	for (const [path, bodyPath] of Object.entries(candidates ?? {})) {
		const raw = rawAt(parameters, path);
		if (typeof raw === 'string' && raw.startsWith('=') && CLOCK_EXPRESSION.test(raw)) {
			sources[path] = raw;
			bodyPaths.push(bodyPath);
		}
	}
	return bodyPaths.length ? { sources, bodyPaths } : undefined;
}

/** A copy of body without the values at the given paths. */
function without(body: unknown, paths: ReadonlyArray<readonly string[]>): unknown {
	const copy = JSON.parse(JSON.stringify(body ?? null)) as unknown;
	for (const path of paths) {
		let at = copy;
		for (let i = 0; i < path.length - 1 && at !== null && typeof at === 'object'; i++) at = (at as Record<string, unknown>)[path[i]];
		if (at !== null && typeof at === 'object') delete (at as Record<string, unknown>)[path[path.length - 1]];
	}
	return copy;
}

/** Hash of the request's identity; equal for identical requests of the same node. */
export function requestFingerprint(identity: RequestIdentity): string {
	const parts = [
		'soku-request-v1',
		identity.instanceId,
		identity.workflowId,
		identity.nodeId,
		identity.operation,
	];
	const relative = identity.timeRelative;
	if (!relative) return hash([...parts, canonicalJson(identity.body ?? null)]);
	return hash([
		...parts,
		canonicalJson(without(identity.body, relative.bodyPaths)),
		'time-relative',
		canonicalJson(relative.sources),
		canonicalJson(relative.input ?? null),
	]);
}

const DAY = 86_400_000;

/**
 * Duplicate-window slots are fixed, in UTC. A window of 24 h or less starts a slot at every UTC midnight
 * and every window length after it (1 h: whole hours; 7 h: 00:00, 07:00, 14:00, 21:00, then 00:00 again,
 * the last slot of a day being shorter). A longer window counts whole windows from 1970-01-01 00:00 UTC
 * (48 h: every other UTC midnight; 36 h: alternately at midnight and at noon).
 * The slot is taken from the execution's start (anchorMs), not from "now", so the node's retries and
 * n8n's Retry On Fail stay in the slot the execution started in.
 */
export function windowSlot(anchorMs: number, windowMs: number): number {
	if (windowMs > DAY) return Math.floor(anchorMs / windowMs);
	const day = Math.floor(anchorMs / DAY);
	const perDay = Math.ceil(DAY / windowMs);
	return day * perDay + Math.floor((anchorMs - day * DAY) / windowMs);
}

/**
 * The default key for Duplicate Window > 0: the request's fingerprint, the window slot, and the
 * occurrence of this exact request among the items of this node run (0 for the first), so two identical
 * items in one batch stay two posts while a later run of the same batch replays both.
 */
export function deriveContentKey(fingerprint: string, slot: number, occurrence: number): string {
	return `n8n-${hash([fingerprint, slot, occurrence]).slice(0, 40)}`;
}

/**
 * Each execution's window anchor in this process: its start as n8n recorded it (see executionStart in the
 * router), else when it first derived a key here, so all its keys (and any Retry On Fail re-run of the
 * node) use one window slot. Bounded: the least recently used execution is forgotten first; an execution
 * that is running touches its anchor with every key it derives, so it keeps it.
 */
export class WindowAnchors {
	private readonly anchors = new Map<string, number>();

	constructor(private readonly max = 1000) {}

	/** @param start the execution's start, or (not known) now. */
	anchorFor(executionId: string, start: number): number {
		const known = this.anchors.get(executionId);
		// Map keeps insertion order: re-inserting makes this the most recently used.
		if (known !== undefined) this.anchors.delete(executionId);
		else if (this.anchors.size >= this.max) this.anchors.delete(this.anchors.keys().next().value as string);
		const anchor = known === undefined ? start : Math.min(known, start);
		this.anchors.set(executionId, anchor);
		return anchor;
	}
}

/**
 * The longest Idempotency-Key the node sends, counted as sent (after encoding). Soku documents no limit;
 * 255 is what the project's stand-in accepts (test/unit asserts they agree), and a key that long is far
 * beyond any id a workflow uses.
 */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/**
 * A custom key as a header can carry it: n8n's HTTP client silently drops every character above U+00FF
 * and control characters, so "ключ" and "鍵" would both arrive as nothing. Every character outside
 * printable ASCII (space to ~), and "%" itself, is sent as the percent-encoded bytes of its UTF-8 form
 * (ключ → %D0%BA%D0%BB%D1%8E%D1%87). Because "%" is always encoded, a typed "%D0%BA" (→ %25D0%25BA) and
 * "к" never meet: two different keys are never one header value. Keys without such characters are sent
 * unchanged.
 */
export function headerSafeKey(text: string): string {
	// Only printable ASCII except "%": the common case costs one test.
	if (/^[\x20-\x24\x26-\x7e]*$/.test(text)) return text;
	let sent = '';
	for (const character of text) {
		const code = character.codePointAt(0) as number;
		if (code >= 0x20 && code <= 0x7e && code !== 0x25) sent += character;
		else for (const byte of Buffer.from(character, 'utf8')) sent += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
	}
	return sent;
}

/**
 * Options > Idempotency Key as sent: the user's value, scoped by the operation so one `{{ $json.id }}` on
 * Media and on Post cannot collide, made header-safe (headerSafeKey). Numbers and booleans become text.
 * Undefined when the option is not used (absent, or added but left as the empty default), so the derived
 * key applies. An expression that gives nothing, an object or an array is refused: silently falling back
 * would drop the user's key. So is a key with a broken character (a lone surrogate has no UTF-8 form) and
 * one longer than IDEMPOTENCY_KEY_MAX_LENGTH as sent, which Soku may refuse or cut.
 */
export function customIdempotencyKey(value: unknown, isExpression: boolean, operation: OperationId): string | undefined {
	let text: string | undefined;
	if (typeof value === 'string') text = value.trim();
	else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean' || typeof value === 'bigint') {
		text = value.toString();
	} else if (value === undefined || value === null) text = '';
	if (text === undefined) {
		const kind = Array.isArray(value) ? 'an array' : typeof value === 'number' ? 'a number that is not finite' : 'an object';
		throw new ClientValidationError(
			'Idempotency-Key',
			'invalid_type',
			`Idempotency Key must be text or a number, but the expression gave ${kind}: use a single value such as {{ $json.id }}`,
		);
	}
	if (!text) {
		if (!isExpression) return undefined;
		throw new ClientValidationError(
			'Idempotency-Key',
			'empty',
			'Idempotency Key: the expression gave an empty value for this item; give every item its own key (e.g. {{ $json.id }}) or remove the option to use the derived key',
		);
	}
	if (hasLoneSurrogate(text)) {
		throw new ClientValidationError(
			'Idempotency-Key',
			'invalid_text',
			'Idempotency Key contains a broken character (half of a UTF-16 surrogate pair, e.g. an emoji cut in two), which has no UTF-8 form: fix or remove it',
		);
	}
	const sent = headerSafeKey(`${operation}:${text}`);
	if (sent.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
		throw new ClientValidationError(
			'Idempotency-Key',
			'too_long',
			`Idempotency Key is ${sent.length} characters as sent ("${operation}:" plus the key, characters outside printable ASCII as %XX per UTF-8 byte); at most ${IDEMPOTENCY_KEY_MAX_LENGTH} are sent: use a shorter id or a hash of it`,
		);
	}
	return sent;
}

/** Options > Duplicate Window (hours) in ms: default 24 h; 0 = keys per execution (a re-run posts again). */
export function duplicateWindowMs(hours: unknown): number {
	// Only numbers and text convert: Number() throws on an object such as {"valueOf": "x"}.
	const n = typeof hours === 'number' || typeof hours === 'string' ? Number(hours) : NaN;
	return (hours === undefined || hours === '' || !Number.isFinite(n) || n < 0 ? 24 : n) * 3_600_000;
}

export interface KeyScope {
	instanceId: string;
	workflowId: string;
	executionId: string;
	nodeId: string;
	/** n8n's run index of the node (loops): part of the per-execution key only. */
	runIndex: number;
	operation: OperationId;
	/** Options > Idempotency Key is an expression (so an empty result is an error, not "unset"). */
	customKeyIsExpression: boolean;
	anchors: WindowAnchors;
	now: () => number;
	/** When n8n started this execution (kept by n8n's Retry), if the node can read it. */
	executionStart?: number;
	/** Operation parameters whose value is computed from the clock; the item's input is added per item. */
	timeRelative?: Omit<TimeRelative, 'input'>;
}

/** The Idempotency-Keys of one node run, item by item. */
export class ItemKeys {
	/**
	 * How often each identical request occurred so far in this run: identical items stay separate posts.
	 * Keyed by 52 bits of the fingerprint as a number, not the 64-character text: one entry per item, and a
	 * 10,000-item run should not hold 10,000 long strings (two different bodies sharing 52 bits: about 1 in
	 * 10^8 at that size, and it would only give one of them another key).
	 */
	private readonly occurrences = new Map<number, number>();

	constructor(private readonly scope: KeyScope) {}

	/** The key for an item's built request body; throws ClientValidationError for a refused custom key. */
	keyFor(itemIndex: number, options: { idempotencyKey?: unknown; duplicateWindowHours?: unknown }, body: unknown, input?: unknown): string {
		return this.requestKey(itemIndex, options, body, input).idempotencyKey;
	}

	/**
	 * The key, and whether a 409 under it means "already accepted": a content key whose identity leaves
	 * out time-relative values can only meet a different body that is this post computed earlier.
	 */
	requestKey(
		itemIndex: number,
		options: { idempotencyKey?: unknown; duplicateWindowHours?: unknown },
		body: unknown,
		input?: unknown,
	): { idempotencyKey: string; conflictMeansReplay: boolean } {
		const { scope } = this;
		const custom = customIdempotencyKey(options.idempotencyKey, scope.customKeyIsExpression, scope.operation);
		if (custom !== undefined) return { idempotencyKey: custom, conflictMeansReplay: false };
		const window = duplicateWindowMs(options.duplicateWindowHours);
		if (window === 0) {
			const key = deriveIdempotencyKey([scope.instanceId, scope.workflowId, scope.executionId, scope.nodeId, scope.runIndex, itemIndex]);
			return { idempotencyKey: key, conflictMeansReplay: false };
		}
		const timeRelative = scope.timeRelative ? { ...scope.timeRelative, input } : undefined;
		const fingerprint = requestFingerprint({ ...scope, body, timeRelative });
		const seen = parseInt(fingerprint.slice(0, 13), 16);
		const occurrence = this.occurrences.get(seen) ?? 0;
		this.occurrences.set(seen, occurrence + 1);
		const anchor = scope.anchors.anchorFor(scope.executionId, scope.executionStart ?? scope.now());
		return { idempotencyKey: deriveContentKey(fingerprint, windowSlot(anchor, window), occurrence), conflictMeansReplay: timeRelative !== undefined };
	}
}
