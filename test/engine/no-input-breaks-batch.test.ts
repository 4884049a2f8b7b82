/**
 * Issue 18's findings, through n8n's engine against the stand-in: one odd value in a batch is that
 * item's validation_error (source "client", details.field) while the other items post and are
 * reported; custom keys arrive exactly as computed and stay distinct; keys over the stated limit never
 * reach Soku. Each case failed on the code before the fix (caf3064): the whole execution failed with
 * "Cannot convert object to primitive value", keys met on the wire, or long keys were sent.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { IDEMPOTENCY_KEY_MAX_LENGTH } from '../../nodes/Soku/actions/common/idempotency';
import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { engineOutputNames, runSoku, type RunSokuResult } from '../helpers/engine';
import { DEMO_KEY, allItems, demoCredentials, pairedIndexes } from '../helpers/items';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

let s: SokuStandIn;
beforeEach(async () => {
	pacingRegistry.clear();
	s = await startStandIn({});
});
afterEach(async () => {
	await s.close();
});

/** An input value any JSON source can deliver: String() on it throws "Cannot convert object to primitive value". */
const ODD = { toString: 'x', valueOf: 'y' };
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

async function run(parameters: INodeParameters, items: IDataObject[]): Promise<RunSokuResult> {
	return await runSoku({ parameters: { ...parameters, options: { pacing: false, ...(parameters.options as IDataObject) } }, items, credentials: demoCredentials(s.url) });
}

/** Items by output name, as [pairedItem index, json]. */
function byOutput(result: RunSokuResult, parameters: INodeParameters): Record<string, Array<[number, IDataObject]>> {
	const names = engineOutputNames({ resource: parameters.resource, operation: parameters.operation });
	const out: Record<string, Array<[number, IDataObject]>> = {};
	for (const { output, item } of allItems(result.outputs)) {
		(out[names[output]] ??= []).push([(item.pairedItem as { item: number }).item, item.json]);
	}
	return out;
}

const POST: INodeParameters = {
	resource: 'post',
	operation: 'create',
	mediaType: '={{ $json.mediaType }}',
	text: '={{ $json.text }}',
	targets: { target: [{ platform: 'x', accountId: '={{ $json.account }}' }] },
	additionalFields: { scheduledTime: '={{ $json.when }}' },
};
const postItem = (i: number): IDataObject => ({ mediaType: 'text', text: `Post ${i}`, account: 'x_primary', when: inAnHour() });
const RENDER: INodeParameters = { resource: 'template', operation: 'render', templateSlug: 'tweetImage', aspectRatio: '={{ $json.ratio }}' };

const CASES: Array<{ field: string; parameters: INodeParameters; item: (i: number) => IDataObject; spoil: IDataObject; path: string }> = [
	{ field: 'Text', parameters: POST, item: postItem, spoil: { text: ODD }, path: 'post.content.text' },
	{ field: 'Text ({})', parameters: POST, item: postItem, spoil: { text: {} }, path: 'post.content.text' },
	{ field: 'Media Type', parameters: POST, item: postItem, spoil: { mediaType: ODD }, path: 'post.content.mediaType' },
	{ field: 'Scheduled Time', parameters: POST, item: postItem, spoil: { when: ODD }, path: 'scheduledTime' },
	{ field: 'Account ID', parameters: POST, item: postItem, spoil: { account: ODD }, path: 'post.content.platform[0].accountId' },
	{ field: 'Account ID ({})', parameters: POST, item: postItem, spoil: { account: {} }, path: 'post.content.platform[0].accountId' },
	{ field: 'Aspect Ratio', parameters: RENDER, item: () => ({ ratio: '1:1' }), spoil: { ratio: ODD }, path: 'aspectRatio' },
];

describe.each(CASES)('an odd value in $field', ({ parameters, item, spoil, path }) => {
	test('is that item’s validation_error; the other items are sent and reported', async () => {
		const items = [0, 1, 2, 3].map(item);
		Object.assign(items[2], spoil);
		const result = await run(parameters, items);

		expect(result.error).toBeUndefined();
		expect(result.run.status).toBe('success');
		expect(pairedIndexes(result.outputs)).toEqual([0, 1, 2, 3]);
		const out = byOutput(result, parameters);
		expect(out.Success.map(([i]) => i)).toEqual([0, 1, 3]);
		expect(out.validation_error.map(([i]) => i)).toEqual([2]);
		const error = out.validation_error[0][1].sokuError as IDataObject;
		expect(error).toMatchObject({ code: 'validation_error', source: 'client', details: { field: path } });
		// A sentence saying what was wrong (the kind of value) and what is expected, not a conversion of it.
		expect(error.message).toMatch(/got an object/);
		expect(error.message).not.toMatch(/\[object Object\]/);
		expect(s.requests.length).toBe(3);
		expect(JSON.stringify(s.requests.map((r) => r.body))).not.toMatch(/\[object Object\]/);
	});
});

describe('custom Idempotency-Keys on the wire', () => {
	const KEY_PARAMETERS: INodeParameters = {
		resource: 'post',
		operation: 'create',
		mediaType: 'text',
		text: '={{ $json.text }}',
		targets: { target: [{ platform: 'x', accountId: '' }] },
		options: { idempotencyKey: '={{ $json.key }}' },
	};

	test('non-Latin, emoji and newline keys arrive as computed, distinct, and each is its own post', async () => {
		// Same text for the emoji pair: under one wire key the second would be a replay, never posted.
		const keys = ['ключ-53', '鍵-53', '-53', 'order-😀', 'order-🎉', 'line1\nline2', 'line1line2', '%D0%BA', 'к', '100%'];
		const items = keys.map((key, i) => ({ key, text: key.startsWith('order-') ? 'Same body' : `Post ${i}` }));
		const result = await run(KEY_PARAMETERS, items);

		expect(result.run.status).toBe('success');
		const out = byOutput(result, KEY_PARAMETERS);
		expect(out.Success.map(([i]) => i)).toEqual(keys.map((_, i) => i));
		// None is a replay: the stand-in marks only replays, so a fresh post's replayed is null (unknown), never true.
		expect(out.Success.every(([, json]) => json.replayed === null)).toBe(true);
		const received = s.requests.map((r) => r.headers['idempotency-key'] as string);
		// Percent-encoded UTF-8 outside printable ASCII, '%' always encoded: decoding gives back the key typed.
		expect(received.map((k) => decodeURIComponent(k))).toEqual(keys.map((k) => `createPost:${k}`));
		expect(received.every((k) => /^[\x20-\x7e]+$/.test(k))).toBe(true);
		expect(new Set(received).size).toBe(keys.length);
		expect(received[0]).toBe('createPost:%D0%BA%D0%BB%D1%8E%D1%87-53');
		expect(received[2]).toBe('createPost:-53');
		expect(s.state.posts.length).toBe(keys.length);
	});

	test('a key over the limit as sent, or of 20 kB, never reaches Soku; the other items post', async () => {
		const prefix = 'createPost:';
		const fits = 'k'.repeat(IDEMPOTENCY_KEY_MAX_LENGTH - prefix.length);
		const items = [
			{ key: fits, text: 'Fits exactly' },
			{ key: `${fits}k`, text: 'One character over' },
			// 100 characters, but 600 as sent (each Cyrillic letter is two UTF-8 bytes, %XX each).
			{ key: 'я'.repeat(100), text: 'Over once encoded' },
			{ key: 'z'.repeat(20_000), text: 'Twenty kilobytes' },
			{ key: 'short', text: 'Short key' },
		];
		const result = await run(KEY_PARAMETERS, items);

		expect(result.run.status).toBe('success');
		const out = byOutput(result, KEY_PARAMETERS);
		expect(out.Success.map(([i]) => i)).toEqual([0, 4]);
		expect(out.validation_error.map(([i]) => i)).toEqual([1, 2, 3]);
		for (const [, json] of out.validation_error) {
			expect(json.sokuError).toMatchObject({ source: 'client', details: { field: 'Idempotency-Key', reason: 'too_long' } });
		}
		const received = s.requests.map((r) => r.headers['idempotency-key'] as string);
		expect(received).toEqual([`${prefix}${fits}`, `${prefix}short`]);
		expect(received[0].length).toBe(IDEMPOTENCY_KEY_MAX_LENGTH);
	});

	test('a key with a lone surrogate (half an emoji) is refused, not sent as a replacement character', async () => {
		const items = [
			{ key: 'order-\uD83D', text: 'Broken emoji A' },
			{ key: 'order-\uDE00', text: 'Broken emoji B' },
			{ key: 'order-ok', text: 'Fine' },
		];
		const result = await run(KEY_PARAMETERS, items);
		const out = byOutput(result, KEY_PARAMETERS);
		expect(out.validation_error.map(([i]) => i)).toEqual([0, 1]);
		expect(out.validation_error[0][1].sokuError).toMatchObject({ details: { field: 'Idempotency-Key', reason: 'invalid_text' } });
		expect(s.requests.map((r) => r.headers['idempotency-key'])).toEqual(['createPost:order-ok']);
	});
});

test('the API key appears in no item of these batches', async () => {
	const items = [0, 1, 2].map(postItem);
	items[1].text = ODD;
	const result = await run(POST, items);
	expect(JSON.stringify(result.outputs)).not.toContain(DEMO_KEY);
});

describe('what REFERENCE §8.2 says a platform refuses is refused before sending', () => {
	const base: INodeParameters = { resource: 'post', operation: 'create', text: 'Hello', targets: { target: [{ platform: 'x', accountId: '' }] } };
	const images = (n: number) => Array.from({ length: n }, (_, i) => `https://cdn.example.com/${i}.jpg`).join('\n');
	const cases: Array<{ name: string; parameters: INodeParameters; field: string; reason: string }> = [
		{ name: 'a caption over X’s 280 characters', parameters: { ...base, mediaType: 'text', text: 'é'.repeat(281) }, field: 'post.content.text', reason: 'too_long' },
		{
			name: 'an image post to YouTube',
			parameters: { ...base, mediaType: 'image', imageUrls: images(1), targets: { target: [{ platform: 'youtube', accountId: '' }] } },
			field: 'post.content.mediaType',
			reason: 'unsupported_for_platform',
		},
		{ name: 'five images to X (at most 4)', parameters: { ...base, mediaType: 'image', imageUrls: images(5) }, field: 'post.content.imageUrls', reason: 'too_many' },
		{
			name: 'a video post plus a video in Extra Media URLs',
			parameters: { ...base, mediaType: 'video', videoUrl: 'https://cdn.example.com/a.mp4', additionalFields: { mediaUrls: 'https://cdn.example.com/b.mov' } },
			field: 'post.content.mediaUrls',
			reason: 'too_many',
		},
	];
	test.each(cases)('$name', async ({ parameters, field, reason }) => {
		const result = await run(parameters, [{}]);
		const out = byOutput(result, parameters);
		expect(out.validation_error?.[0][1].sokuError).toMatchObject({ source: 'client', details: { field, reason } });
		expect(s.requests.length).toBe(0);
	});

	test('at the limits the same posts are sent and accepted', async () => {
		const cases: INodeParameters[] = [
			{ ...base, mediaType: 'text', text: '😀'.repeat(280) },
			{ ...base, mediaType: 'image', imageUrls: images(4) },
			{ ...base, mediaType: 'video', videoUrl: 'https://cdn.example.com/a.mp4', additionalFields: { mediaUrls: 'https://cdn.example.com/cover.png' } },
		];
		for (const parameters of cases) {
			const result = await run(parameters, [{}]);
			expect(byOutput(result, parameters).Success).toHaveLength(1);
		}
		expect(s.requests.length).toBe(3);
	});
});

test('a number where text is expected is sent as its decimal text (an Account ID of 17841400000)', async () => {
	const items = [{ mediaType: 'text', text: 'Numeric id', account: 17841400000, when: inAnHour() }];
	const result = await run(POST, items);
	expect(result.run.status).toBe('success');
	const body = s.requests[0].body as { post: { content: { platform: unknown[]; text: string } } };
	expect(body.post.content.platform).toEqual([{ platform: 'x', accountId: '17841400000' }]);
	// Not a connected account of the stand-in: Soku's own answer, not a client refusal.
	expect(byOutput(result, POST).missing_account).toHaveLength(1);
});
