/**
 * The fuzz suite (issue 18): 10,000 generated input items per run, in batches of 100, through n8n-core's
 * real engine and the Soku stand-in, over Post › Create, Media › Import From URL and Template › Render.
 * Every field is an expression reading the item, and items carry anything JSON can: good values, near
 * misses, objects with odd own properties ({"toString": "x"}), lists, 500-level nesting, 70,000-character
 * text, lone surrogates, numbers and booleans where text is expected, non-Latin and over-long keys.
 *
 * Oracle, per batch: the execution never fails; every input item is on exactly one output with
 * pairedItem; no item gets a 400 validation_error from the stand-in (that would be a gap in the node's
 * own validation); items refused by the node sent nothing; the API key is in no output; every
 * Idempotency-Key received is the one computed (decoding gives the key typed) and distinct computed keys
 * stay distinct on the wire.
 *
 * Seeded: the seed is printed; re-run a failure with FUZZ_SEED=<seed> npx jest test/engine/fuzz.test.ts.
 * FUZZ_BATCHES=<n> scales the number of batches per operation (default: Post 60, Media 20, Template 20).
 */
import fc from 'fast-check';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { engineOutputNames, runSoku, type RunSokuResult } from '../helpers/engine';
import { DEMO_KEY, allItems, demoCredentials, pairedIndexes } from '../helpers/items';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

const BATCH = 100;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2_147_483_647;
const scale = process.env.FUZZ_BATCHES ? Number(process.env.FUZZ_BATCHES) / 100 : 1;
const batches = (n: number) => Math.max(1, Math.round(n * scale));
const MAX_KEY = 255;

// ---- values an expression can hand the node -------------------------------------------------------

function nested(depth: number): unknown {
	let value: unknown = 'bottom';
	for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { level: value };
	return value;
}

const HUGE_TEXT = 'Долгий текст 😀 '.repeat(4_700); // ≈ 70,500 UTF-16 units
const ODD_VALUES: unknown[] = [
	{ toString: 'x' },
	{ toString: 'x', valueOf: 'y' },
	{ valueOf: 1 },
	{ toString: { toString: 'x' } },
	{},
	[],
	['a', 'b'],
	[{ toString: 'x' }],
	null,
	true,
	false,
	0,
	-1,
	1.5,
	1e308,
	'',
	'   ',
	'\n\t',
	'\uD83D',
	'a\uDE00b',
	nested(500),
	HUGE_TEXT,
];

/** One character of test text: any code point, and the ones that have broken things before. */
const character = fc.oneof(
	{ weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
	{ weight: 2, arbitrary: fc.constantFrom('к', '鍵', '😀', '🎉', '%', '\n', '\u0000', 'é', ' ', '#', '"') },
	{ weight: 1, arbitrary: fc.constantFrom('\uD83D', '\uDE00') },
);
const anyText = fc.string({ unit: character, maxLength: 30 });
const oddValue = fc.oneof(fc.constantFrom(...ODD_VALUES), fc.jsonValue({ maxDepth: 3 }), anyText);
/** A field's good values most of the time, anything otherwise. */
const field = <T>(good: fc.Arbitrary<T>, goodWeight = 12) =>
	fc.oneof({ weight: goodWeight, arbitrary: good as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: oddValue });
const absentOr = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined, freq: 2 });

const IMAGE = fc.constantFrom('https://cdn.example.com/a.jpg', 'http://cdn.example.com/b.png', 'https://cdn.example.com/c.webp?w=400,h=400', 'https://cdn.example.com/noext');
const VIDEO = fc.constantFrom('https://cdn.example.com/a.mp4', 'https://cdn.example.com/b.mov', 'https://cdn.example.com/clip');
const BAD_URL = fc.constantFrom('ftp://cdn.example.com/a.mp4', 'not a url', 'javascript:alert(1)', 'https://unreachable.test/a.mp4', 'https://cdn.example.com/a.exe');
const url = (kind: fc.Arbitrary<string>) => fc.oneof({ weight: 6, arbitrary: kind }, { weight: 1, arbitrary: BAD_URL }, { weight: 1, arbitrary: fc.webUrl() });
const urlList = (kind: fc.Arbitrary<string>, max: number) =>
	fc.tuple(fc.array(url(kind), { minLength: 0, maxLength: max }), fc.constantFrom('array', ', ', '\n')).map(([urls, form]) => (form === 'array' ? urls : urls.join(form)));

const KEY = fc.oneof(
	{ weight: 3, arbitrary: fc.constantFrom('ключ', '鍵', 'order-😀', 'order-🎉', 'line1\nline2', 'line1line2', '%D0%BA', 'к', '100%', ' padded ') },
	{ weight: 6, arbitrary: fc.string({ unit: character, minLength: 1, maxLength: 24 }) },
	{ weight: 2, arbitrary: fc.integer() },
	{ weight: 1, arbitrary: fc.boolean() },
	{ weight: 1, arbitrary: fc.integer({ min: 230, max: 260 }).map((n) => 'k'.repeat(n)) },
	{ weight: 1, arbitrary: fc.integer({ min: 60, max: 130 }).map((n) => 'я'.repeat(n)) },
	{ weight: 1, arbitrary: fc.constant('z'.repeat(20_000)) },
	{ weight: 1, arbitrary: oddValue },
);

const PLATFORM = fc.constantFrom('x', 'threads', 'facebook', 'linkedin', 'instagram', 'tiktok', 'youtube', 'snapchat', 'Twitter', ' X ', 'myspace', '');
const inFuture = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

const postItem = fc.record({
	mediaType: field(fc.constantFrom('text', 'image', 'video', 'Video', ' image ', 'gif')),
	text: field(
		fc.oneof(
			{ weight: 6, arbitrary: fc.constantFrom('Launch day', 'ünïcödé ✓ post 😀', '', 'line\nbreak') },
			{ weight: 3, arbitrary: anyText },
			{ weight: 1, arbitrary: fc.integer({ min: 95, max: 5_100 }).map((n) => 'é'.repeat(n)) },
		),
	),
	videoUrl: field(url(VIDEO)),
	imageUrls: field(urlList(IMAGE, 12)),
	extra: absentOr(field(urlList(fc.oneof(IMAGE, VIDEO), 3), 3)),
	p1: field(PLATFORM, 6),
	p2: field(PLATFORM, 6),
	a1: absentOr(field(fc.oneof(fc.constantFrom('x_primary', 'ig_brand', 'fb_page_42', 'nobody', ''), fc.integer()))),
	a2: absentOr(field(fc.constantFrom('ig_creator_main', 'threads_main', 'x_alt', ''))),
	when: absentOr(field(fc.constantFrom('', inFuture(2), inFuture(48), '2020-01-01T00:00:00Z', 'tomorrow', '2030-02-31T10:00:00Z', '2030-01-01 12:00'))),
	repurpose: absentOr(field(fc.constantFrom(true, false, 'true', 'false', 'yes'))),
	trial: absentOr(field(fc.constantFrom(true, false))),
	key: KEY,
});
const mediaItem = fc.record({ url: field(url(fc.oneof(IMAGE, VIDEO, fc.constant('https://cdn.example.com/song.mp3')))), key: KEY });
const templateItem = fc.record({
	slug: field(fc.constantFrom('tweetImage', 'og-blog-post', 'missing-template', ' tweetImage ')),
	config: absentOr(field(fc.oneof(fc.constant('{"title":"Hi"}'), fc.constant('{not json'), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), fc.constant({ deep: nested(500) })))),
	ratio: absentOr(field(fc.constantFrom('', '1:1', '4:5', '9:16', '16:9', ' 1:1 '))),
});

// ---- parameters: every field an expression reading the item ---------------------------------------

const FAST_RETRY = { initialDelaySeconds: 0.01, maxDelaySeconds: 0.02 };
const postParameters = (targets: number, customKey: boolean): INodeParameters => ({
	resource: 'post',
	operation: 'create',
	mediaType: '={{ $json.mediaType }}',
	text: '={{ $json.text }}',
	videoUrl: '={{ $json.videoUrl }}',
	imageUrls: '={{ $json.imageUrls }}',
	targets: {
		target: [
			{ platform: '={{ $json.p1 }}', accountId: '={{ $json.a1 }}' },
			{ platform: '={{ $json.p2 }}', accountId: '={{ $json.a2 }}' },
		].slice(0, targets),
	},
	additionalFields: { scheduledTime: '={{ $json.when }}', mediaUrls: '={{ $json.extra }}', enableRepurposing: '={{ $json.repurpose }}', trialReel: '={{ $json.trial }}' },
	options: { pacing: false, ...(customKey ? { idempotencyKey: '={{ $json.key }}' } : {}) },
	retry: FAST_RETRY,
});
const mediaParameters = (customKey: boolean): INodeParameters => ({
	resource: 'media',
	operation: 'import',
	url: '={{ $json.url }}',
	options: { pacing: false, ...(customKey ? { idempotencyKey: '={{ $json.key }}' } : {}) },
	retry: FAST_RETRY,
});
const templateParameters: INodeParameters = {
	resource: 'template',
	operation: 'render',
	templateSlug: '={{ $json.slug }}',
	config: '={{ $json.config }}',
	aspectRatio: '={{ $json.ratio }}',
	options: { pacing: false },
	retry: FAST_RETRY,
};

// ---- the oracle ----------------------------------------------------------------------------------

/** The key the node must send for an item, computed here without the node's code: "operation:" + the value typed. */
function typedKey(operation: string, value: unknown): string | undefined {
	if (typeof value === 'string') return value.trim() ? `${operation}:${value.trim()}` : undefined;
	if (typeof value === 'number' || typeof value === 'boolean') return `${operation}:${String(value)}`;
	return undefined;
}

/** The README's rule, written here independently: printable ASCII except "%" as is, anything else %XX per UTF-8 byte. */
const readmeEncoding = (key: string) => Array.from(key, (c) => (c >= ' ' && c <= '~' && c !== '%' ? c : encodeURIComponent(c))).join('');

const totals = { inputs: 0, batches: 0, client: 0, success: 0, otherApi: 0, requests: 0 };

let standIn: SokuStandIn;
beforeAll(async () => {
	standIn = await startStandIn({ rateLimits: { enabled: false } });
	console.log(`fuzz: seed ${SEED} (re-run: FUZZ_SEED=${SEED} npx jest test/engine/fuzz.test.ts)`);
});
afterAll(async () => {
	await standIn.close();
});

async function checkBatch(parameters: INodeParameters, items: IDataObject[], operation: string, customKey: boolean | undefined): Promise<void> {
	standIn.reset();
	pacingRegistry.clear();
	const result: RunSokuResult = await runSoku({ parameters, items, credentials: demoCredentials(standIn.url) });
	totals.inputs += items.length;
	totals.batches++;

	// The execution never fails, and every item is on exactly one output with pairedItem.
	expect(result.error).toBeUndefined();
	expect(result.run.status).toBe('success');
	expect(pairedIndexes(result.outputs)).toEqual(items.map((_, i) => i));

	const names = engineOutputNames({ resource: parameters.resource, operation: parameters.operation });
	const apiValidationErrors: IDataObject[] = [];
	const sentIndexes: number[] = [];
	for (const { output, item } of allItems(result.outputs)) {
		const index = (item.pairedItem as { item: number }).item;
		const error = item.json.sokuError as IDataObject | undefined;
		if (error?.source === 'client') {
			totals.client++;
			expect(names[output]).toBe('validation_error');
			expect(typeof (error.details as IDataObject).field).toBe('string');
			expect(error.message).not.toMatch(/\[object Object\]/);
			continue;
		}
		sentIndexes.push(index);
		if (!error) totals.success++;
		else totals.otherApi++;
		if (error?.code === 'validation_error') apiValidationErrors.push({ index, message: error.message, details: error.details, input: items[index] });
	}
	// A 400 validation_error from Soku is a gap in the node's own validation.
	expect(apiValidationErrors).toEqual([]);
	// The API key is nowhere in what the execution produced.
	expect(JSON.stringify(result.outputs)).not.toContain(DEMO_KEY);
	expect(JSON.stringify(result.hints)).not.toContain(DEMO_KEY);

	// Items the node refused sent nothing: one first request per sent item (a dispatch_failed retry for the
	// failed platforms is a new request under the item's key plus -platforms-rN).
	const first = standIn.requests.filter((r) => !/-platforms-r\d+$/.test(String(r.headers['idempotency-key'] ?? '')));
	totals.requests += standIn.requests.length;
	expect(first.length).toBe(sentIndexes.length);
	expect(JSON.stringify(standIn.requests.map((r) => r.body))).not.toMatch(/\[object Object\]/);
	if (customKey === undefined) return;

	const received = first.map((r) => r.headers['idempotency-key'] as string);
	for (const key of received) {
		expect(key).toMatch(/^[\x20-\x7e]+$/);
		expect(key.length).toBeLessThanOrEqual(MAX_KEY);
	}
	if (!customKey) {
		for (const key of received) expect(key).toMatch(/^n8n-[0-9a-f]{40}$/);
		expect(new Set(received).size).toBe(received.length);
		return;
	}
	// Custom keys: what arrived is the README's encoding of what the item typed (and decodes back to it),
	// and distinct typed keys stay distinct.
	const typed = new Set(sentIndexes.map((i) => typedKey(operation, items[i].key)));
	expect(typed.has(undefined)).toBe(false);
	const expected = new Set([...typed].map((key) => readmeEncoding(key as string)));
	for (const key of received) {
		expect(expected.has(key)).toBe(true);
		expect(typed.has(decodeURIComponent(key))).toBe(true);
	}
	expect(new Set(received).size).toBe(typed.size);
}

/**
 * A failing batch is shrunk (each shrink step is a whole execution, ≈ 0.3 s) until the test's time limit
 * (FUZZ_TIME_LIMIT_S, default 240 s): the counterexample printed is the smallest found by then. Reaching
 * the limit before all batches ran is a failure too, so a slow machine cannot pass with fewer inputs.
 */
const TIME_LIMIT_MS = (process.env.FUZZ_TIME_LIMIT_S ? Number(process.env.FUZZ_TIME_LIMIT_S) : 240) * 1000;
const runs = (numRuns: number, offset: number) => ({
	numRuns,
	seed: SEED + offset,
	plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS, { failOnInterrupt: true })],
});

test(`Post › Create: ${batches(60)} batches of ${BATCH} generated items`, async () => {
	await fc.assert(
		fc.asyncProperty(fc.array(postItem, { minLength: BATCH, maxLength: BATCH }), fc.integer({ min: 1, max: 2 }), fc.boolean(), async (items, targets, customKey) => {
			await checkBatch(postParameters(targets, customKey), items as IDataObject[], 'createPost', customKey);
		}),
		runs(batches(60), 0),
	);
}, TIME_LIMIT_MS + 60_000);

test(`Media › Import From URL: ${batches(20)} batches of ${BATCH} generated items`, async () => {
	await fc.assert(
		fc.asyncProperty(fc.array(mediaItem, { minLength: BATCH, maxLength: BATCH }), fc.boolean(), async (items, customKey) => {
			await checkBatch(mediaParameters(customKey), items as IDataObject[], 'uploadMedia', customKey);
		}),
		runs(batches(20), 1),
	);
}, TIME_LIMIT_MS + 60_000);

test(`Template › Render: ${batches(20)} batches of ${BATCH} generated items`, async () => {
	await fc.assert(
		fc.asyncProperty(fc.array(templateItem, { minLength: BATCH, maxLength: BATCH }), async (items) => {
			await checkBatch(templateParameters, items as IDataObject[], 'renderTemplate', undefined);
		}),
		runs(batches(20), 2),
	);
}, TIME_LIMIT_MS + 60_000);

const started = Date.now();
afterAll(() => {
	console.log(
		`fuzz: seed ${SEED}: ${totals.inputs} inputs in ${totals.batches} executions, ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
			`${totals.success} on Success, ${totals.client} refused by the node (nothing sent), ${totals.otherApi} other Soku answers, ${totals.requests} requests`,
	);
	if (scale === 1) expect(totals.inputs).toBeGreaterThanOrEqual(10_000);
});
