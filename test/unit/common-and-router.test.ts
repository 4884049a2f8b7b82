/**
 * The shared helpers of actions/common and the router's pure parts: idempotency keys, list limits, the
 * output of deletes, platform names, render bodies, retry settings as typed in the node, and the error
 * object with its hint. Found missing by mutation testing (docs/mutation.md).
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { IDEMPOTENCY_KEY_MAX_LENGTH, deriveIdempotencyKey } from '../../nodes/Soku/actions/common/idempotency';
import { deletedJson, listLimit, listToJson } from '../../nodes/Soku/actions/common/list';
import { PLATFORM_IDS, PLATFORM_RULES, mediaKindOf, normalisePlatform } from '../../nodes/Soku/actions/common/platforms';
import { buildRenderBody } from '../../nodes/Soku/actions/common/render';
import { hintFor, readRetrySettings, sokuErrorJson } from '../../nodes/Soku/actions/router';
import { clientValidationError, type SokuErrorInfo } from '../../nodes/Soku/errors/classify';
import { ClientValidationError } from '../../nodes/Soku/helpers/validation';
import { DEFAULT_RETRY_SETTINGS } from '../../nodes/Soku/policy/retry';
import { IDEMPOTENCY_KEY_MAX_LENGTH as STAND_IN_KEY_MAX_LENGTH, PLATFORMS as STAND_IN_PLATFORMS } from '../stand-in/soku-stand-in';

/** What n8n hands an operation: the item's parameter values. */
const withParameters = (values: Record<string, unknown>) =>
	({ getNodeParameter: (name: string, _i: number, fallback?: unknown) => (name in values ? values[name] : fallback) }) as unknown as IExecuteFunctions;

describe('idempotency keys', () => {
	test('derived: "n8n-" and 40 hex characters, the same for the same parts, different when any part differs', () => {
		const key = deriveIdempotencyKey(['instance', 'wf', 'exec-1', 'node', 0, 3]);
		expect(key).toMatch(/^n8n-[0-9a-f]{40}$/);
		expect(deriveIdempotencyKey(['instance', 'wf', 'exec-1', 'node', 0, 3])).toBe(key);
		expect(deriveIdempotencyKey(['instance', 'wf', 'exec-1', 'node', 0, 4])).not.toBe(key);
		// Parts are separated, so moving a character from one part to the next gives another key.
		expect(deriveIdempotencyKey(['ab', 'c'])).not.toBe(deriveIdempotencyKey(['a', 'bc']));
	});
	// Custom keys (numbers kept, empty/object refused, scoped per operation): test/engine/never-twice.test.ts.
});

describe('lists and deletes', () => {
	test('Return All gives every row; otherwise Limit rows; scalars become {value}', () => {
		const rows = [{ id: 'a' }, 'b', { id: 'c' }];
		expect(listToJson.call(withParameters({ returnAll: true }), rows, 0)).toEqual([{ id: 'a' }, { value: 'b' }, { id: 'c' }]);
		expect(listToJson.call(withParameters({ returnAll: false, limit: 2 }), rows, 0)).toEqual([{ id: 'a' }, { value: 'b' }]);
		expect(listToJson.call(withParameters({ returnAll: false }), Array.from({ length: 60 }, (_, i) => ({ i })), 0)).toHaveLength(50);
		const sixty = Array.from({ length: 60 }, (_, i) => ({ i }));
		expect(listToJson.call(withParameters({ returnAll: true }), sixty, 0)).toHaveLength(60);
		expect(listToJson.call(withParameters({}), sixty, 0)).toHaveLength(60); // Return All is on by default
		expect(listToJson.call(withParameters({ returnAll: true }), { not: 'a list' }, 0)).toEqual([]);
		expect(listToJson.call(withParameters({ returnAll: true }), [null], 0)).toEqual([{ value: null }]);
	});

	test("a delete says what happened, plus the fields of Soku's answer when it has an object", () => {
		expect(deletedJson('rl_1', '')).toEqual([{ deleted: true, id: 'rl_1' }]);
		expect(deletedJson('rl_1', null)).toEqual([{ deleted: true, id: 'rl_1' }]);
		expect(deletedJson('rl_1', ['x'])).toEqual([{ deleted: true, id: 'rl_1' }]);
		expect(deletedJson('rl_1', 'OK')).toEqual([{ deleted: true, id: 'rl_1' }]);
		expect(deletedJson('rl_1', { deletedAt: '2026-11-25T08:00:00Z' })).toEqual([{ deleted: true, id: 'rl_1', deletedAt: '2026-11-25T08:00:00Z' }]);
	});
});

test('media kind: the file extension decides (any case), else the post\'s media type; a dot-file has no extension', () => {
	expect(mediaKindOf('https://cdn.example.com/a/b.png', 'video')).toBe('image');
	expect(mediaKindOf('https://cdn.example.com/clip.MP4?x=1', 'image')).toBe('video');
	expect(mediaKindOf('https://cdn.example.com/clip', 'video')).toBe('video');
	expect(mediaKindOf('https://cdn.example.com/clip', 'image')).toBe('image');
	expect(mediaKindOf('https://cdn.example.com/.mp4', 'image')).toBe('image');
	expect(mediaKindOf('https://cdn.example.com/.png', 'video')).toBe('video');
	expect(mediaKindOf('not a url.mp4', 'image')).toBe('image');
});

test('platform names: trimmed, lower-cased, twitter is x; snapchat is known', () => {
	expect(normalisePlatform('  TikTok ')).toBe('tiktok');
	expect(normalisePlatform('Twitter')).toBe('x');
	expect(normalisePlatform('twitterx')).toBe('twitterx');
	expect(PLATFORM_IDS).toEqual(['x', 'threads', 'instagram', 'facebook', 'tiktok', 'youtube', 'linkedin', 'snapchat']);
});

describe('render body', () => {
	test('slug always; config only when it has values; aspect ratio only when chosen', () => {
		// Strict: "not chosen" means no aspectRatio key at all, not one holding undefined.
		expect(buildRenderBody.call(withParameters({ templateSlug: ' og-post ', config: '{}', aspectRatio: '' }), 0)).toStrictEqual({ templateSlug: 'og-post' });
		expect(buildRenderBody.call(withParameters({ templateSlug: 'og', config: { title: 'Hi' }, aspectRatio: '9:16' }), 0)).toEqual({
			templateSlug: 'og',
			config: { title: 'Hi' },
			aspectRatio: '9:16',
		});
		expect(buildRenderBody.call(withParameters({ templateSlug: 'og' }), 0)).toStrictEqual({ templateSlug: 'og' });
		expect(buildRenderBody.call(withParameters({ templateSlug: 'og', aspectRatio: null, config: null }), 0)).toStrictEqual({ templateSlug: 'og' });
	});

	test('bad values name their field', () => {
		const fieldOf = (values: Record<string, unknown>) => {
			try {
				buildRenderBody.call(withParameters(values), 0);
			} catch (e) {
				return e instanceof ClientValidationError ? e.field : 'not a validation error';
			}
			return 'no error';
		};
		expect(fieldOf({ templateSlug: '' })).toBe('templateSlug');
		expect(fieldOf({ templateSlug: 'og', config: '[1]' })).toBe('config');
		expect(fieldOf({ templateSlug: 'og', aspectRatio: '16:9' })).toBe('aspectRatio');
	});
});

describe('retry settings as typed in the node', () => {
	test('empty, negative or non-numbers fall back to the defaults; counts are whole numbers; seconds become ms', () => {
		expect(readRetrySettings({})).toEqual(DEFAULT_RETRY_SETTINGS);
		expect(readRetrySettings({ maxServerRetries: '', maxRateLimitRetries: -1, maxRateLimitWaitSeconds: 'soon', initialDelaySeconds: Infinity })).toEqual(DEFAULT_RETRY_SETTINGS);
		expect(
			readRetrySettings({
				maxServerRetries: 2.7,
				maxRateLimitRetries: '4',
				maxRateLimitWaitSeconds: 0,
				initialDelaySeconds: 0.25,
				maxDelaySeconds: 5,
				retryFailedPlatformsOnly: false,
			}),
		).toEqual({ maxServerRetries: 2, maxRateLimitRetries: 4, maxRateLimitWaitMs: 0, initialDelayMs: 250, maxDelayMs: 5000, retryFailedPlatformsOnly: false });
		expect(readRetrySettings({ retryFailedPlatformsOnly: true }).retryFailedPlatformsOnly).toBe(true);
		// Only a real true turns it on once the user touched it (an expression giving "yes" does not).
		expect(readRetrySettings({ retryFailedPlatformsOnly: 'yes' }).retryFailedPlatformsOnly).toBe(false);
	});
});

describe('the error object on error items', () => {
	const network = (code: string): SokuErrorInfo => ({
		code,
		known: false,
		type: null,
		message: code,
		httpStatus: null,
		requestId: null,
		timestamp: null,
		details: {},
		source: 'network',
	});

	test('hints for timeouts, unreachable hosts and codes the node does not know', () => {
		expect(hintFor(network('timeout'), 'createPost')).toBe("Soku did not answer in time: check Soku's status, or raise Options > Request Timeout.");
		expect(hintFor(network('network_error'), 'createPost')).toBe(
			'Soku could not be reached: check the Base URL in the credential and the network, then run again.',
		);
		const unknown: SokuErrorInfo = { ...network('bad_request'), source: 'api', httpStatus: 400 };
		expect(hintFor(unknown, 'createPost')).toBe(
			'Soku answered with "bad_request", which this node does not know: check the message, and quote the requestId to Soku support if it persists.',
		);
		// A known code's row is used only when the code really is known (not a look-alike).
		expect(hintFor({ ...unknown, code: 'not_found', known: false }, 'renderTemplate')).toContain('which this node does not know');
		expect(hintFor({ ...unknown, code: 'not_found', known: true }, 'renderTemplate')).toContain('template slug');
	});

	test('every field, with attempts and waits from the outcome (0 before anything was sent)', () => {
		const error = clientValidationError('scheduledTime', 'too_soon', 'Scheduled Time must be at least a minute ahead');
		expect(sokuErrorJson(error, 'createPost')).toEqual({
			code: 'validation_error',
			type: 'invalid_request_error',
			message: 'Scheduled Time must be at least a minute ahead',
			httpStatus: null,
			requestId: null,
			timestamp: null,
			details: { field: 'scheduledTime', reason: 'too_soon' },
			operation: 'createPost',
			attempts: 0,
			waitedMs: 0,
			source: 'client',
			hint: 'Fix "scheduledTime" (too_soon) and run the item again.',
		});
		expect(sokuErrorJson(error, 'createPost', { attempts: 3, waitedMs: 1500 })).toMatchObject({ attempts: 3, waitedMs: 1500 });
	});
});

test('the node checks the same platform matrix and key limit as the stand-in (REFERENCE §8.2; the stand-in’s 255)', () => {
	expect(PLATFORM_RULES).toEqual(STAND_IN_PLATFORMS);
	expect(IDEMPOTENCY_KEY_MAX_LENGTH).toBe(STAND_IN_KEY_MAX_LENGTH);
});

describe('listLimit (Get Many › Limit)', () => {
	const limitFor = (values: Record<string, unknown>) =>
		listLimit.call({ getNodeParameter: (name: string, _i: number, fallback?: unknown) => (name in values ? values[name] : fallback) } as unknown as IExecuteFunctions, 0);

	test('Return All (the default) keeps every row; otherwise Limit, 50 when left empty', () => {
		expect(limitFor({})).toBeUndefined();
		expect(limitFor({ returnAll: false, limit: 3 })).toBe(3);
		expect(limitFor({ returnAll: false })).toBe(50);
	});

	test('a Return All or Limit that is not a boolean or number is refused naming the field and its label', () => {
		const refusal = (values: Record<string, unknown>) => {
			try {
				limitFor(values);
			} catch (error) {
				return error;
			}
			return undefined;
		};
		expect(refusal({ returnAll: 'yes' })).toMatchObject({ field: 'returnAll', reason: 'invalid_type', message: 'Return All must be true or false, but got "yes"' });
		expect(refusal({ returnAll: false, limit: 'ten' })).toMatchObject({ field: 'limit', reason: 'invalid_type', message: 'Limit must be a number, but got "ten"' });
		expect(refusal({ returnAll: 'false', limit: '7' })).toBeUndefined();
		expect(limitFor({ returnAll: 'false', limit: '7' })).toBe(7);
	});

	test('a Limit below 1 is refused before sending, naming the field and the value given', () => {
		for (const limit of [0, -2]) {
			let caught: unknown;
			try {
				limitFor({ returnAll: false, limit });
			} catch (error) {
				caught = error;
			}
			expect(caught).toBeInstanceOf(ClientValidationError);
			expect(caught).toMatchObject({ field: 'limit', reason: 'invalid_value', message: `Limit must be 1 or more, got ${limit}` });
		}
	});
});
