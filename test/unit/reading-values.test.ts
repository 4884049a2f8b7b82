/**
 * The one way parameter values are read (helpers/validation.ts), the header-safe custom key
 * (idempotency.ts) and the §8.2 matrix in Post › Create's build, platform by platform, at and just past
 * each limit. Engine-level proof that these keep batches alive is in test/engine/no-input-breaks-batch.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { customIdempotencyKey, headerSafeKey } from '../../nodes/Soku/actions/common/idempotency';
import { PLATFORM_RULES } from '../../nodes/Soku/actions/common/platforms';
import { createPost } from '../../nodes/Soku/actions/post/create.operation';
import {
	ClientValidationError,
	describeValue,
	optionalBoolean,
	optionalNumber,
	readText,
	requireText,
	splitList,
} from '../../nodes/Soku/helpers/validation';

const refusal = (read: () => unknown): { field: string; reason: string; message: string } | undefined => {
	try {
		read();
		return undefined;
	} catch (error) {
		if (!(error instanceof ClientValidationError)) throw error;
		return { field: error.field, reason: error.reason, message: error.message };
	}
};

describe('readText', () => {
	test('text as given, a finite number as its decimal text, nothing as undefined', () => {
		expect(readText('  Hi\n', 'f', 'F')).toBe('  Hi\n');
		expect(readText(17841400000, 'f', 'F')).toBe('17841400000');
		expect(readText(-0.5, 'f', 'F')).toBe('-0.5');
		expect(readText(undefined, 'f', 'F')).toBeUndefined();
		expect(readText(null, 'f', 'F')).toBeUndefined();
	});

	test.each([
		['an object with a non-function toString', { toString: 'x' }, /got an object/],
		['a null-prototype object', Object.create(null) as unknown, /got an object/],
		['a list', ['a', 'b'], /got a list of 2 entries/],
		['500-level nesting', JSON.parse(`${'['.repeat(500)}1${']'.repeat(500)}`) as unknown, /got a list of 1 entry/],
		['a boolean', true, /got the boolean true/],
		['a non-finite number', Infinity, /text or a finite number, but got the number Infinity/],
		['a date', new Date(0), /got a date/],
	])('%s is refused with the field named', (_name, value, message) => {
		expect(refusal(() => readText(value, 'post.content.text', 'Text'))).toEqual({ field: 'post.content.text', reason: 'invalid_type', message: expect.stringMatching(message) });
	});

	test('a lone surrogate is refused; a whole emoji is fine', () => {
		expect(refusal(() => readText('half \uD83D', 'f', 'Text'))?.reason).toBe('invalid_text');
		expect(refusal(() => readText('\uDE00 half', 'f', 'Text'))?.reason).toBe('invalid_text');
		expect(readText('whole 😀', 'f', 'Text')).toBe('whole 😀');
	});

	test('requireText trims and refuses blank', () => {
		expect(requireText(' a ', 'f', 'F')).toBe('a');
		expect(refusal(() => requireText('   ', 'f', 'F'))?.reason).toBe('required');
	});
});

test('describeValue never converts what it describes and cuts long text at 40 characters', () => {
	expect(describeValue({ toString: 'x', valueOf: 'y' })).toBe('an object');
	expect(describeValue('x'.repeat(70_000))).toBe(`"${'x'.repeat(40)}…"`);
	expect(describeValue('😀'.repeat(50))).toBe(`"${'😀'.repeat(40)}…"`);
	expect(describeValue(undefined)).toBe('nothing');
	expect(describeValue(42)).toBe('the number 42');
});

test('switches take true/false or that text; numbers a number or numeric text', () => {
	expect(optionalBoolean('true', 'f', 'F')).toBe(true);
	expect(optionalBoolean(false, 'f', 'F')).toBe(false);
	expect(optionalBoolean('', 'f', 'F')).toBeUndefined();
	expect(refusal(() => optionalBoolean('yes', 'f', 'F'))?.reason).toBe('invalid_type');
	expect(refusal(() => optionalBoolean({ valueOf: 'x' }, 'f', 'F'))?.message).toMatch(/got an object/);
	expect(optionalNumber(' 12.5 ', 'f', 'F')).toBe(12.5);
	expect(optionalNumber(3, 'f', 'F')).toBe(3);
	expect(optionalNumber(' ', 'f', 'F')).toBeUndefined();
	expect(refusal(() => optionalNumber('ten', 'f', 'F'))?.reason).toBe('invalid_type');
	expect(refusal(() => optionalNumber({ valueOf: 'x' }, 'f', 'F'))?.reason).toBe('invalid_type');
});

test('splitList: a list as given, text split at new lines or before the next URL, anything else refused', () => {
	expect(splitList(['https://a/1,2', ' https://b '], 'f', 'F')).toEqual(['https://a/1,2', 'https://b']);
	expect(splitList('https://a/w_1,h_2, https://b\nhttps://c', 'f', 'F')).toEqual(['https://a/w_1,h_2', 'https://b', 'https://c']);
	expect(refusal(() => splitList({ toString: 'x' }, 'post.content.imageUrls', 'Image URLs'))?.field).toBe('post.content.imageUrls');
});

describe('custom Idempotency Key values', () => {
	const key = (value: unknown, isExpression = true) => customIdempotencyKey(value, isExpression, 'createPost');

	test('spaces around a key are not part of it: " order-7 " is the same key as "order-7"', () => {
		expect(key('  order-7 \n')).toBe(key('order-7'));
		expect(key('order-7')).toBe('createPost:order-7');
	});

	test('nothing typed (not an expression) is "option unused"; an expression that gives nothing is refused as empty', () => {
		for (const nothing of [undefined, null, '', '   ']) expect(key(nothing, false)).toBeUndefined();
		for (const nothing of [undefined, null, '']) expect(refusal(() => key(nothing))).toMatchObject({ field: 'Idempotency-Key', reason: 'empty' });
	});

	test('an object, an array or a non-finite number is refused as the wrong type, naming what it was', () => {
		expect(refusal(() => key({ id: 7 }))).toMatchObject({ reason: 'invalid_type', message: expect.stringContaining('gave an object') });
		expect(refusal(() => key({ id: 7 }, false))?.reason).toBe('invalid_type');
		expect(refusal(() => key(['a']))?.message).toContain('gave an array');
		expect(refusal(() => key(Number.NaN))?.message).toContain('a number that is not finite');
		expect(key(7)).toBe('createPost:7');
	});

	test('half of an emoji (a lone surrogate) is refused with a message that says what is wrong', () => {
		const cut = '😀'.slice(0, 1);
		expect(refusal(() => key(`order-${cut}`))).toMatchObject({
			field: 'Idempotency-Key',
			reason: 'invalid_text',
			message: expect.stringMatching(/broken character.*fix or remove it/),
		});
	});
});

describe('custom keys on the wire', () => {
	test.each([
		['createPost:42', 'createPost:42'],
		['createPost:order 42 #a/b?c=d', 'createPost:order 42 #a/b?c=d'],
		['createPost:ключ-53', 'createPost:%D0%BA%D0%BB%D1%8E%D1%87-53'],
		['createPost:鍵', 'createPost:%E9%8D%B5'],
		['createPost:order-😀', 'createPost:order-%F0%9F%98%80'],
		['createPost:line1\nline2', 'createPost:line1%0Aline2'],
		['createPost:100%', 'createPost:100%25'],
		['createPost:%D0%BA', 'createPost:%25D0%25BA'],
		['createPost:café', 'createPost:caf%C3%A9'],
	])('%j is sent as %j, which decodes back to it', (typed, sent) => {
		expect(headerSafeKey(typed)).toBe(sent);
		expect(decodeURIComponent(sent)).toBe(typed);
	});

	test('the limit counts what is sent', () => {
		expect(customIdempotencyKey('k'.repeat(244), true, 'createPost')).toHaveLength(255);
		expect(refusal(() => customIdempotencyKey('k'.repeat(245), true, 'createPost'))).toMatchObject({ field: 'Idempotency-Key', reason: 'too_long' });
		// 40 Cyrillic letters: 51 characters typed, 251 sent.
		expect(customIdempotencyKey('я'.repeat(40), true, 'createPost')).toHaveLength(251);
		expect(refusal(() => customIdempotencyKey('я'.repeat(41), true, 'createPost'))?.reason).toBe('too_long');
		expect(refusal(() => customIdempotencyKey('z'.repeat(20_000), true, 'createPost'))?.message).not.toContain('zzzz');
	});
});

describe('Post › Create applies REFERENCE §8.2 per platform', () => {
	const build = (values: IDataObject) => {
		const context = { getNodeParameter: (name: string, _i: number, fallback?: unknown) => (name in values ? values[name] : fallback) } as unknown as IExecuteFunctions;
		return () => createPost.build.call(context, 0, { now: Date.parse('2030-01-01T00:00:00Z'), timeZone: 'UTC' });
	};
	const to = (platform: string) => ({ targets: { target: [{ platform }] } });
	const video = { mediaType: 'video', videoUrl: 'https://cdn.example.com/a.mp4' };
	const images = (n: number) => ({ mediaType: 'image', imageUrls: Array.from({ length: n }, (_, i) => `https://cdn.example.com/${i}.jpg`) });

	test.each(Object.entries(PLATFORM_RULES))('%s', (platform, rule) => {
		// Caption: the limit in characters (an emoji is one) is sent, one more is refused.
		expect(refusal(build({ ...to(platform), ...video, text: '😀'.repeat(rule.captionLimit) }))).toBeUndefined();
		expect(refusal(build({ ...to(platform), ...video, text: '😀'.repeat(rule.captionLimit + 1) }))).toMatchObject({ field: 'post.content.text', reason: 'too_long' });
		// Text-only posts.
		const textOnly = refusal(build({ ...to(platform), mediaType: 'text', text: 'Hi' }));
		expect(textOnly === undefined).toBe(rule.textOnly);
		// Images: none at all on YouTube; elsewhere up to the platform's number.
		const withText = { text: 'Hi' };
		if (!rule.images) {
			expect(refusal(build({ ...to(platform), ...images(1), ...withText }))).toMatchObject({ reason: 'unsupported_for_platform' });
		} else if (rule.maxImages !== null) {
			expect(refusal(build({ ...to(platform), ...images(rule.maxImages), ...withText }))).toBeUndefined();
			expect(refusal(build({ ...to(platform), ...images(rule.maxImages + 1), ...withText }))).toMatchObject({ field: 'post.content.imageUrls', reason: 'too_many' });
		}
		// A video post carries one video: images may be added, a second video may not.
		expect(refusal(build({ ...to(platform), ...video, ...withText, additionalFields: { mediaUrls: 'https://cdn.example.com/cover.png' } }))).toBeUndefined();
		expect(refusal(build({ ...to(platform), ...video, ...withText, additionalFields: { mediaUrls: 'https://cdn.example.com/second' } }))).toMatchObject({
			field: 'post.content.mediaUrls',
			reason: 'too_many',
		});
	});
});
