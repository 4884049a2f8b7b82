/**
 * Bad parameter values, through n8n's engine against the Soku stand-in: each becomes one
 * validation_error item on the validation_error output (sokuError.source "client", details.field naming
 * the field) and nothing is sent to Soku. Mixed batches keep every input item on exactly one output with
 * the right pairedItem, and the API key never shows up anywhere in what the execution produced.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { engineOutputNames, runSoku, type RunSokuOptions, type RunSokuResult } from '../helpers/engine';
import { allItems, pairedIndexes, demoCredentials } from '../helpers/items';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

const API_KEY = 'sk_live_demo_active_0000000000000000';
const FAST_RETRY = { initialDelaySeconds: 0.01, maxDelaySeconds: 0.02 };

let s: SokuStandIn;

beforeEach(async () => {
	pacingRegistry.clear();
	s = await startStandIn({});
});
afterEach(async () => {
	await s.close();
});

async function run(parameters: INodeParameters, items: IDataObject[], extra: Partial<RunSokuOptions> = {}): Promise<RunSokuResult> {
	return await runSoku({
		parameters,
		items,
		credentials: demoCredentials(s.url),
		...extra,
	});
}

/** Base parameters per operation, valid for the default stand-in seed; each case spoils one value. */
const POST_TEXT: INodeParameters = {
	resource: 'post',
	operation: 'create',
	mediaType: 'text',
	text: 'Hello',
	targets: { target: [{ platform: 'x', accountId: '' }] },
};
const POST_VIDEO: INodeParameters = { ...POST_TEXT, mediaType: 'video', videoUrl: 'https://cdn.example.com/clip.mp4' };
const POST_IMAGE: INodeParameters = { ...POST_TEXT, mediaType: 'image', imageUrls: 'https://cdn.example.com/a.jpg' };
const MEDIA_IMPORT: INodeParameters = { resource: 'media', operation: 'import', url: 'https://cdn.example.com/clip.mp4' };
const TEMPLATE: INodeParameters = { resource: 'template', operation: 'render', templateSlug: 'tweetImage' };
const RENDER_OG: INodeParameters = { resource: 'media', operation: 'renderOgImage', templateSlug: 'og-blog-post' };
const TRANSCRIBE: INodeParameters = { resource: 'transcription', operation: 'create', mediaId: 'med_demo_video' };
const LINK_CREATE: INodeParameters = { resource: 'repurposeLink', operation: 'create', platform: 'instagram', accountId: 'ig_brand', type: 'post' };
const LINK_DELETE: INodeParameters = { resource: 'repurposeLink', operation: 'delete', linkId: { __rl: true, mode: 'id', value: 'rl_demo0001' } };
const KEY_CREATE: INodeParameters = { resource: 'apiKey', operation: 'create', name: 'CI key' };
const KEY_REVOKE: INodeParameters = { resource: 'apiKey', operation: 'revoke', keyId: 'key_demo_revoked' };

const future = (ms: number) => new Date(Date.now() + ms).toISOString();

interface BadCase {
	name: string;
	parameters: INodeParameters;
	item?: IDataObject;
	field: string;
	reason: string;
}

const CASES: BadCase[] = [
	// -- targets
	{ name: 'empty targets list', parameters: { ...POST_TEXT, targets: { target: [] } }, field: 'post.content.platform', reason: 'empty' },
	{ name: 'no targets collection at all', parameters: { ...POST_TEXT, targets: {} }, field: 'post.content.platform', reason: 'empty' },
	{
		name: 'unknown platform via expression',
		parameters: { ...POST_TEXT, targets: { target: [{ platform: '={{ $json.p }}', accountId: '' }] } },
		item: { p: 'myspace' },
		field: 'post.content.platform[0].platform',
		reason: 'unknown_platform',
	},
	{
		name: 'unknown platform in the second target',
		parameters: { ...POST_TEXT, targets: { target: [{ platform: 'x', accountId: '' }, { platform: '={{ $json.p }}', accountId: '' }] } },
		item: { p: 'friendster' },
		field: 'post.content.platform[1].platform',
		reason: 'unknown_platform',
	},
	{
		name: 'empty platform via expression',
		parameters: { ...POST_TEXT, targets: { target: [{ platform: '={{ $json.p }}', accountId: '' }] } },
		item: { p: '' },
		field: 'post.content.platform[0].platform',
		reason: 'required',
	},
	// -- media type and text
	{
		name: 'unknown media type via expression',
		parameters: { ...POST_TEXT, mediaType: '={{ $json.kind }}', videoUrl: '={{ $json.video }}', imageUrls: '={{ $json.images }}' },
		item: { kind: 'audio' },
		field: 'post.content.mediaType',
		reason: 'invalid_value',
	},
	{ name: 'text missing for a text post', parameters: { ...POST_TEXT, text: '' }, field: 'post.content.text', reason: 'required' },
	{
		name: 'whitespace-only text via expression for a text post',
		parameters: { ...POST_TEXT, text: '={{ $json.text }}' },
		item: { text: '  \n ' },
		field: 'post.content.text',
		reason: 'required',
	},
	{ name: 'text missing for a video post to X', parameters: { ...POST_VIDEO, text: '' }, field: 'post.content.text', reason: 'required' },
	{
		name: 'text-only post to Instagram',
		parameters: { ...POST_TEXT, targets: { target: [{ platform: 'instagram', accountId: 'ig_brand' }] } },
		field: 'post.content.mediaType',
		reason: 'unsupported_for_platform',
	},
	// -- URLs
	{ name: 'video URL ftp://', parameters: { ...POST_VIDEO, videoUrl: 'ftp://cdn.example.com/clip.mp4' }, field: 'post.content.videoUrl', reason: 'invalid_url' },
	{ name: 'video URL "not a url"', parameters: { ...POST_VIDEO, videoUrl: 'not a url' }, field: 'post.content.videoUrl', reason: 'invalid_url' },
	{
		name: 'video URL expression resolving to empty',
		parameters: { ...POST_VIDEO, videoUrl: '={{ $json.video }}' },
		item: { video: '' },
		field: 'post.content.videoUrl',
		reason: 'required',
	},
	{ name: 'image URL ftp://', parameters: { ...POST_IMAGE, imageUrls: 'ftp://cdn.example.com/a.jpg' }, field: 'post.content.imageUrls[0]', reason: 'invalid_url' },
	{
		name: 'second image URL "not a url" (array via expression)',
		parameters: { ...POST_IMAGE, imageUrls: '={{ $json.images }}' },
		item: { images: ['https://cdn.example.com/a.jpg', 'not a url'] },
		field: 'post.content.imageUrls[1]',
		reason: 'invalid_url',
	},
	{
		name: 'image post whose image list expression is empty',
		parameters: { ...POST_IMAGE, imageUrls: '={{ $json.images }}' },
		item: { images: [] },
		field: 'post.content.imageUrls',
		reason: 'required',
	},
	{
		name: 'extra media URL javascript:',
		parameters: { ...POST_TEXT, additionalFields: { mediaUrls: 'javascript:alert(1)' } },
		field: 'post.content.mediaUrls[0]',
		reason: 'invalid_url',
	},
	{ name: 'media import ftp://', parameters: { ...MEDIA_IMPORT, url: 'ftp://cdn.example.com/clip.mp4' }, field: 'url', reason: 'invalid_url' },
	{ name: 'media import "not a url"', parameters: { ...MEDIA_IMPORT, url: 'not a url' }, field: 'url', reason: 'invalid_url' },
	{
		name: 'media import URL via expression without scheme',
		parameters: { ...MEDIA_IMPORT, url: '={{ $json.src }}' },
		item: { src: 'cdn.example.com/clip.mp4' },
		field: 'url',
		reason: 'invalid_url',
	},
	{ name: 'media import URL expression resolving to nothing', parameters: { ...MEDIA_IMPORT, url: '={{ $json.nothing }}' }, field: 'url', reason: 'required' },
	// -- scheduledTime
	{
		name: 'past scheduledTime',
		parameters: { ...POST_TEXT, additionalFields: { scheduledTime: '2020-01-01T00:00:00Z' } },
		field: 'scheduledTime',
		reason: 'must_be_future',
	},
	{
		name: 'scheduledTime less than a minute ahead (via expression)',
		parameters: { ...POST_TEXT, additionalFields: { scheduledTime: '={{ $json.when }}' } },
		item: { when: future(20_000) },
		field: 'scheduledTime',
		reason: 'must_be_future',
	},
	{
		name: 'garbage scheduledTime',
		parameters: { ...POST_TEXT, additionalFields: { scheduledTime: 'next tuesday at noon' } },
		field: 'scheduledTime',
		reason: 'invalid_format',
	},
	{
		name: 'scheduledTime with month 13',
		parameters: { ...POST_TEXT, additionalFields: { scheduledTime: '2030-13-01T10:00:00Z' } },
		field: 'scheduledTime',
		reason: 'invalid_format',
	},
	// -- transcription
	{ name: 'empty media ID (expression)', parameters: { ...TRANSCRIBE, mediaId: '={{ $json.media }}' }, item: { media: '' }, field: 'mediaId', reason: 'required' },
	{
		name: 'whitespace media ID via expression',
		parameters: { ...TRANSCRIBE, mediaId: '={{ $json.media }}' },
		item: { media: '   ' },
		field: 'mediaId',
		reason: 'required',
	},
	{ name: 'bad language code "english"', parameters: { ...TRANSCRIBE, additionalFields: { language: 'english' } }, field: 'language', reason: 'invalid_value' },
	{
		name: 'bad language code via expression',
		parameters: { ...TRANSCRIBE, additionalFields: { language: '={{ $json.lang }}' } },
		item: { lang: 'e1' },
		field: 'language',
		reason: 'invalid_value',
	},
	{ name: 'negative duration', parameters: { ...TRANSCRIBE, additionalFields: { durationSeconds: -5 } }, field: 'durationSeconds', reason: 'invalid_value' },
	{ name: 'unknown model via expression', parameters: { ...TRANSCRIBE, additionalFields: { model: '={{ "whisper-2" }}' } }, field: 'model', reason: 'invalid_value' },
	// -- templates
	{ name: 'bad aspect ratio via expression (template)', parameters: { ...TEMPLATE, aspectRatio: '={{ $json.ratio }}' }, item: { ratio: '16:9' }, field: 'aspectRatio', reason: 'invalid_value' },
	{ name: 'bad aspect ratio via expression (render OG)', parameters: { ...RENDER_OG, aspectRatio: '={{ "2:3" }}' }, field: 'aspectRatio', reason: 'invalid_value' },
	{ name: 'invalid template JSON', parameters: { ...TEMPLATE, config: '{"title": "Hi",' }, field: 'config', reason: 'invalid_json' },
	{ name: 'template JSON that is an array', parameters: { ...RENDER_OG, config: '["title"]' }, field: 'config', reason: 'invalid_type' },
	{ name: 'empty template slug', parameters: { ...TEMPLATE, templateSlug: ' ' }, field: 'templateSlug', reason: 'required' },
	// -- repurpose links
	{
		name: 'empty link ID (By ID, expression)',
		parameters: { ...LINK_DELETE, linkId: { __rl: true, mode: 'id', value: '={{ $json.id }}' } },
		item: { id: '' },
		field: 'id',
		reason: 'required',
	},
	{
		name: 'empty link ID (From List, expression)',
		parameters: { ...LINK_DELETE, linkId: { __rl: true, mode: 'list', value: '={{ $json.id }}' } },
		item: { id: ' ' },
		field: 'id',
		reason: 'required',
	},
	{
		name: 'link ID expression resolving to nothing',
		parameters: { ...LINK_DELETE, linkId: { __rl: true, mode: 'id', value: '={{ $json.missing }}' } },
		field: 'id',
		reason: 'required',
	},
	{
		name: 'repurpose link with an empty account ID (expression)',
		parameters: { ...LINK_CREATE, accountId: '={{ $json.account }}' },
		item: { account: '' },
		field: 'accountId',
		reason: 'required',
	},
	{
		name: 'repurpose link with invalid settings JSON',
		parameters: { ...LINK_CREATE, additionalFields: { settingsJson: '{delayHours: 2}' } },
		field: 'settings',
		reason: 'invalid_json',
	},
	// -- API keys
	{ name: 'API key name of 101 characters', parameters: { ...KEY_CREATE, name: 'n'.repeat(101) }, field: 'name', reason: 'too_long' },
	{
		name: 'API key name > 100 characters via expression',
		parameters: { ...KEY_CREATE, name: '={{ $json.label }}' },
		item: { label: 'Production server for the marketing team '.repeat(4) },
		field: 'name',
		reason: 'too_long',
	},
	{ name: 'empty key ID for revoke (expression)', parameters: { ...KEY_REVOKE, keyId: '={{ $json.keyId }}' }, item: { keyId: '' }, field: 'keyId', reason: 'required' },
];

function validationOutputIndex(parameters: INodeParameters): number {
	const names = engineOutputNames(parameters);
	const index = names.indexOf('validation_error');
	expect(index).toBeGreaterThan(0);
	return index;
}

describe('one bad item: validation_error item on its own output, nothing sent', () => {
	test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
		const item = { input: 'kept', ...(c.item ?? {}) };
		const result = await run(c.parameters, [item]);

		expect(s.requests).toEqual([]);
		expect(result.error).toBeUndefined();
		const index = validationOutputIndex(c.parameters);
		const placed = allItems(result.outputs);
		expect(placed).toHaveLength(1);
		expect(placed[0].output).toBe(index);

		const out = placed[0].item;
		expect(out.pairedItem).toEqual({ item: 0 });
		expect(out.json).toMatchObject(item);
		expect(out.json.sokuError).toEqual({
			code: 'validation_error',
			type: 'invalid_request_error',
			message: expect.any(String),
			httpStatus: null,
			requestId: null,
			timestamp: null,
			details: { field: c.field, reason: c.reason },
			operation: expect.any(String),
			attempts: 0,
			waitedMs: 0,
			source: 'client',
			hint: expect.any(String),
		});
		const error = out.json.sokuError as IDataObject;
		expect((error.message as string).length).toBeGreaterThan(0);
		expect(error.hint).toContain(c.field);
		expect(JSON.stringify(result)).not.toContain(API_KEY);
	});

	test('a literally empty required parameter is refused by n8n itself before the node runs', async () => {
		await expect(run({ ...TRANSCRIBE, mediaId: '' }, [{}])).rejects.toThrow(/Media ID" is required/);
		await expect(run({ ...LINK_DELETE, linkId: { __rl: true, mode: 'id', value: '' } }, [{}])).rejects.toThrow(/Repurpose Link" is required/);
		expect(s.requests).toEqual([]);
	});

	test('a 100-character API key name is accepted (boundary of the 1-100 rule)', async () => {
		const result = await run({ ...KEY_CREATE, name: 'n'.repeat(100) }, [{}]);
		expect(s.requests).toHaveLength(1);
		expect(s.requests[0].body).toEqual({ name: 'n'.repeat(100) });
		expect(result.outputs?.[0]).toHaveLength(1);
	});

	test('scheduledTime just over a minute ahead is accepted', async () => {
		const result = await run({ ...POST_TEXT, additionalFields: { scheduledTime: future(5 * 60_000) } }, [{}]);
		expect(s.requests).toHaveLength(1);
		expect(result.outputs?.[0]).toHaveLength(1);
	});

	// KNOWN BUG (see report): futureIsoTime() relies on Date.parse, which rolls 2030-02-31 over to
	// 2030-03-03, so the post is silently scheduled on another day instead of being rejected.
	// Remove `.failing` once the node rejects impossible calendar dates.
	test('impossible calendar date (Feb 31) is a client validation_error, not a different day', async () => {
		const parameters = { ...POST_TEXT, additionalFields: { scheduledTime: '2030-02-31T10:00:00Z' } };
		const result = await run(parameters, [{}]);
		expect(s.requests).toEqual([]);
		const placed = allItems(result.outputs);
		expect(placed).toHaveLength(1);
		expect(placed[0].output).toBe(validationOutputIndex(parameters));
		expect(placed[0].item.json.sokuError).toMatchObject({ source: 'client', details: { field: 'scheduledTime' } });
	});
});

describe('mixed batches', () => {
	const PARAMETERS: INodeParameters = {
		resource: 'post',
		operation: 'create',
		mediaType: '={{ $json.kind }}',
		text: '={{ $json.text }}',
		videoUrl: '={{ $json.video }}',
		// With Media Type as an expression n8n cannot resolve displayOptions, so it treats both URL
		// parameters as shown and required: both must be filled (see report).
		imageUrls: '={{ $json.images }}',
		targets: { target: [{ platform: '={{ $json.p }}', accountId: '={{ $json.acct }}' }] },
		additionalFields: { scheduledTime: '={{ $json.when }}' },
	};
	const ITEMS: IDataObject[] = [
		{ n: 0, kind: 'text', text: 'good one', p: 'x' }, // Success
		{ n: 1, kind: 'text', text: 'bad platform', p: 'myspace' }, // validation_error (client)
		{ n: 2, kind: 'text', text: 'good two', p: 'threads' }, // Success
		{ n: 3, kind: 'text', text: '', p: 'x' }, // validation_error (client): text required
		{ n: 4, kind: 'text', text: 'past', p: 'x', when: '2020-05-05T10:00:00Z' }, // validation_error (client)
		{ n: 5, kind: 'text', text: 'unknown account', p: 'linkedin', acct: 'li_nobody' }, // missing_account (API)
		{ n: 6, kind: 'video', text: 'bad video', p: 'x', video: 'ftp://cdn.example.com/a.mp4' }, // validation_error (client)
		{ n: 7, kind: 'text', text: 'scheduled', p: 'facebook', when: future(3_600_000) }, // Success
		{ n: 8, kind: 'gif', text: 'bad kind', p: 'x' }, // validation_error (client)
	];

	function expectEveryItemOnce(result: RunSokuResult): void {
		const placed = allItems(result.outputs);
		expect(placed).toHaveLength(ITEMS.length);
		expect(pairedIndexes(result.outputs)).toEqual(ITEMS.map((_, i) => i));
		// pairedItem points at the input item the output came from.
		for (const { item } of placed) {
			const paired = (item.pairedItem as { item: number }).item;
			expect(item.json.n ?? (ITEMS[paired].n as number)).toBe(paired);
		}
	}

	test('per code: good items on Success, bad on validation_error, the API error on missing_account; only good ones sent', async () => {
		const result = await run(PARAMETERS, ITEMS);
		expect(result.error).toBeUndefined();
		expectEveryItemOnce(result);

		const names = engineOutputNames(PARAMETERS);
		const outputs = result.outputs as INodeExecutionData[][];
		expect(outputs).toHaveLength(names.length);
		const paired = (index: number) => outputs[index].map((item) => (item.pairedItem as { item: number }).item);
		expect(paired(0)).toEqual([0, 2, 7]);
		expect(paired(names.indexOf('validation_error'))).toEqual([1, 3, 4, 6, 8]);
		expect(paired(names.indexOf('missing_account'))).toEqual([5]);
		outputs.forEach((items, index) => {
			if (![0, names.indexOf('validation_error'), names.indexOf('missing_account')].includes(index)) expect(items).toEqual([]);
		});

		for (const item of outputs[names.indexOf('validation_error')]) {
			expect(item.json.sokuError).toMatchObject({ code: 'validation_error', source: 'client', attempts: 0 });
		}
		const fields = outputs[names.indexOf('validation_error')].map((item) => (item.json.sokuError as IDataObject).details);
		expect(fields).toEqual([
			{ field: 'post.content.platform[0].platform', reason: 'unknown_platform' },
			{ field: 'post.content.text', reason: 'required' },
			{ field: 'scheduledTime', reason: 'must_be_future' },
			{ field: 'post.content.videoUrl', reason: 'invalid_url' },
			{ field: 'post.content.mediaType', reason: 'invalid_value' },
		]);
		expect(outputs[names.indexOf('missing_account')][0].json.sokuError).toMatchObject({
			code: 'missing_account',
			source: 'api',
			httpStatus: 400,
			details: { platform: 'linkedin', accountId: 'li_nobody' },
		});

		// Only items 0, 2, 5 and 7 reached Soku, in item order.
		expect(s.requests.map((r) => ((r.body as IDataObject).post as { content: { text: string } }).content.text)).toEqual([
			'good one',
			'good two',
			'unknown account',
			'scheduled',
		]);
		expect(outputs[0].map((item) => item.json.postSubmissionId)).toEqual(s.state.posts.map((p) => p.postSubmissionId));
		expect(JSON.stringify(result)).not.toContain(API_KEY);
	});

	test('single error output: every failure on output 1, every success on output 0', async () => {
		const parameters = { ...PARAMETERS, errorRouting: 'single' };
		const result = await run(parameters, ITEMS);
		expect(engineOutputNames(parameters)).toEqual(['Success', 'Error']);
		expectEveryItemOnce(result);
		const outputs = result.outputs as INodeExecutionData[][];
		expect(outputs[0].map((i) => (i.pairedItem as { item: number }).item)).toEqual([0, 2, 7]);
		expect(outputs[1].map((i) => (i.pairedItem as { item: number }).item)).toEqual([1, 3, 4, 5, 6, 8]);
		expect(s.requests).toHaveLength(4);
	});

	test('per category: client validation errors land on invalid_request_error', async () => {
		const parameters = { ...PARAMETERS, errorRouting: 'perCategory' };
		const result = await run(parameters, ITEMS);
		expectEveryItemOnce(result);
		const names = engineOutputNames(parameters);
		const outputs = result.outputs as INodeExecutionData[][];
		expect(outputs[names.indexOf('invalid_request_error')].map((i) => (i.pairedItem as { item: number }).item)).toEqual([1, 3, 4, 5, 6, 8]);
	});

	test('keepInputData off: error items carry only sokuError', async () => {
		const result = await run({ ...PARAMETERS, options: { keepInputData: false } }, ITEMS.slice(0, 2));
		expectEveryItemOnceOf(result, 2);
		const bad = allItems(result.outputs).find(({ output }) => output > 0);
		expect(Object.keys(bad?.item.json ?? {})).toEqual(['sokuError']);
	});

	function expectEveryItemOnceOf(result: RunSokuResult, count: number): void {
		expect(pairedIndexes(result.outputs)).toEqual(Array.from({ length: count }, (_, i) => i));
	}
});

describe('the API key never appears in what an execution produces', () => {
	const BAD = { ...POST_TEXT, targets: { target: [{ platform: '={{ $json.p }}', accountId: '' }] } };

	test('stop mode: the engine error object of a client validation error', async () => {
		const result = await run({ ...BAD, errorRouting: 'stop' }, [{ p: 'x' }, { p: 'myspace' }]);
		expect(result.error).toBeDefined();
		expect(String(result.error?.message)).toContain('validation_error');
		expect(s.requests).toHaveLength(1);
		expect(JSON.stringify(result)).not.toContain(API_KEY);
		expect(JSON.stringify(result.run.data.resultData)).not.toContain(API_KEY);
	});

	test.each(['continueRegularOutput', 'continueErrorOutput'] as const)(
		'stop mode with On Error = %s: error items and their error objects',
		async (onError) => {
			const result = await run({ ...BAD, errorRouting: 'stop' }, [{ p: 'x' }, { p: 'myspace' }], { onError });
			expect(result.error).toBeUndefined();
			expect(pairedIndexes(result.outputs)).toEqual([0, 1]);
			const outputs = result.outputs as INodeExecutionData[][];
			const failed = outputs[onError === 'continueErrorOutput' ? 1 : 0].find((item) => item.json.error);
			expect(failed?.pairedItem).toEqual({ item: 1 });
			expect(String(failed?.json.error)).toMatch(/^Soku validation_error: /);
			expect(s.requests).toHaveLength(1);
			expect(JSON.stringify(result)).not.toContain(API_KEY);
		},
	);

	// n8n's error-item shape ({ error, details }) survives n8n's normalisation: the Soku error object is
	// in details, and n8n merges the input item's fields in.
	test('stop mode with On Error = continueErrorOutput keeps the Soku error object on the error item', async () => {
		const result = await run({ ...BAD, errorRouting: 'stop' }, [{ p: 'myspace' }], { onError: 'continueErrorOutput' });
		const failed = (result.outputs as INodeExecutionData[][])[1][0];
		expect(failed.json.details).toMatchObject({ code: 'validation_error', source: 'client' });
		expect(failed.json.p).toBe('myspace');
	});

	test('an API error answered by Soku (unknown template → not_found), per code and stop mode', async () => {
		const perCode = await run({ ...TEMPLATE, templateSlug: 'no-such-template' }, [{}]);
		const notFound = allItems(perCode.outputs).find(({ item }) => item.json.sokuError);
		expect(notFound?.item.json.sokuError).toMatchObject({ code: 'not_found', httpStatus: 404, source: 'api' });
		expect(JSON.stringify(perCode)).not.toContain(API_KEY);

		const stop = await run({ ...TEMPLATE, templateSlug: 'no-such-template', errorRouting: 'stop' }, [{}]);
		expect(stop.error).toBeDefined();
		expect(JSON.stringify(stop)).not.toContain(API_KEY);
	});

	test('a network failure (connection refused), per code and stop mode', async () => {
		const closed = await startStandIn({});
		const deadUrl = closed.url;
		await closed.close();
		const credentials = { sokuApi: { apiKey: API_KEY, baseUrl: deadUrl } };
		const parameters = { ...MEDIA_IMPORT, retry: { ...FAST_RETRY, maxServerRetries: 1 } };

		const perCode = await runSoku({ parameters, items: [{}], credentials });
		const failed = allItems(perCode.outputs);
		expect(failed).toHaveLength(1);
		expect(failed[0].item.json.sokuError).toMatchObject({ code: 'network_error', source: 'network', attempts: 2 });
		expect(JSON.stringify(perCode)).not.toContain(API_KEY);

		const stop = await runSoku({ parameters: { ...parameters, errorRouting: 'stop' }, items: [{}], credentials });
		expect(stop.error).toBeDefined();
		// The node's own words, not n8n's stock "The service refused the connection".
		expect(String(stop.error?.message)).toMatch(/^Soku network_error: /);
		expect(JSON.stringify(stop)).not.toContain(API_KEY);
	});

	test('a revoked key (401) does not echo that key either', async () => {
		const revoked = 'sk_live_demo_revoked_000000000000000';
		const result = await runSoku({
			parameters: { ...TRANSCRIBE, errorRouting: 'stop' },
			items: [{}],
			credentials: { sokuApi: { apiKey: revoked, baseUrl: s.url } },
			onError: 'continueErrorOutput',
		});
		const failed = (result.outputs as INodeExecutionData[][])[1];
		expect(failed).toHaveLength(1);
		expect(String(failed[0].json.error)).toMatch(/^Soku unauthorized: API key revoked/);
		expect(s.requests).toHaveLength(1);
		expect(s.requests[0].headers['soku-api-key']).toBe(revoked);
		expect(JSON.stringify(result)).not.toContain(revoked);
		expect(JSON.stringify(result)).not.toContain('sk_live_demo');
	});
});
