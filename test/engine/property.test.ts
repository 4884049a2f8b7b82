/**
 * Property-based: random post parameters and inputs through n8n's engine. Whatever comes in, the node
 * never crashes, every item leaves on exactly one output with pairedItem, and every value the docs say
 * Soku rejects is caught client-side (validation_error, source "client", nothing sent).
 */
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import { engineOutputNames, runSoku } from '../helpers/engine';
import { useFakeRuntime, type FakeRuntime } from '../helpers/fakeRuntime';
import { DEMO_KEY, allItems, pairedIndexes, demoCredentials } from '../helpers/items';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

const START = Date.parse('2026-11-25T08:00:00.000Z');

const platform = fc.constantFrom('x', 'threads', 'facebook', 'linkedin', 'Twitter', ' X ', 'instagram', 'youtube', 'myspace', '', 'tik tok');
const mediaType = fc.constantFrom('text', 'image', 'video', 'gif', '');
const text = fc.oneof(fc.constantFrom('', '   ', 'Launch day', 'ünïcödé ✓ post'), fc.string({ maxLength: 40 }));
const url = fc.constantFrom('https://cdn.example.com/a.mp4', 'http://cdn.example.com/b.jpg', 'ftp://cdn.example.com/a.mp4', 'not a url', '', 'https://cdn.example.com/a.jpg, https://cdn.example.com/b.jpg', 'https://ok.example.com/a.jpg,javascript:alert(1)');
const scheduledTime = fc.oneof(
	fc.constant(''),
	fc.constantFrom('tomorrow', '2030-13-45T99:99:99Z', '2020-01-01T00:00:00Z'),
	fc.integer({ min: -3_600_000, max: 86_400_000 }).map((offset) => new Date(START + offset).toISOString()),
);
const item = fc.record({ text, mediaType, url, scheduledTime, p1: platform, p2: platform });

const KNOWN = ['x', 'threads', 'instagram', 'facebook', 'tiktok', 'youtube', 'linkedin', 'snapchat'];
const isHttpUrl = (value: string) => {
	try {
		return ['http:', 'https:'].includes(new URL(value.trim()).protocol);
	} catch {
		return false;
	}
};

/** The documented client-side rules, written independently of the node's code. */
function expectedInvalid(input: IDataObject, targets: number): boolean {
	const platforms = [input.p1, input.p2].slice(0, targets).map((p) => String(p).trim().toLowerCase().replace(/^twitter$/, 'x'));
	if (platforms.length === 0 || platforms.some((p) => !KNOWN.includes(p))) return true;
	const type = String(input.mediaType);
	if (!['text', 'image', 'video'].includes(type)) return true;
	const hasText = String(input.text).trim() !== '';
	if (!hasText && (type === 'text' || platforms.some((p) => p === 'x' || p === 'threads'))) return true;
	const urls = String(input.url).split(',').map((u) => u.trim()).filter(Boolean);
	// A video URL is one URL (commas are legal in a URL); image URLs are a comma-separated list.
	if (type === 'video' && !isHttpUrl(String(input.url))) return true;
	if (type === 'image' && (urls.length === 0 || urls.some((u) => !isHttpUrl(u)))) return true;
	if (type === 'text' && platforms.some((p) => ['instagram', 'tiktok', 'youtube', 'snapchat'].includes(p))) return true;
	// REFERENCE §8.2: YouTube takes video posts only.
	if (type !== 'video' && platforms.includes('youtube')) return true;
	const when = String(input.scheduledTime);
	if (when !== '') {
		const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(when) ? Date.parse(when) : NaN;
		if (Number.isNaN(at) || at < START + 60_000) return true;
	}
	return false;
}

let fake: FakeRuntime;
let standIn: SokuStandIn;
beforeAll(async () => {
	fake = useFakeRuntime({ start: START });
	standIn = await startStandIn({ clock: fake.clock });
});
afterAll(async () => {
	fake.restore();
	await standIn.close();
});

test('random post inputs: no crash, one output per item, bad values caught before sending', async () => {
	const seen = { valid: 0, invalid: 0, succeeded: 0 };
	await fc.assert(
		fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 2 }), async (items, targetCount) => {
			standIn.reset();
			fake.clock.set(START);
			const parameters = {
				resource: 'post',
				operation: 'create',
				mediaType: '={{ $json.mediaType }}',
				text: '={{ $json.text }}',
				videoUrl: '={{ $json.url }}',
				imageUrls: '={{ $json.url }}',
				targets: { target: [{ platform: '={{ $json.p1 }}' }, { platform: '={{ $json.p2 }}' }].slice(0, targetCount) },
				additionalFields: { scheduledTime: '={{ $json.scheduledTime }}' },
				retry: { initialDelaySeconds: 0.01, maxDelaySeconds: 0.02 },
			};
			const result = await runSoku({ parameters, items, credentials: demoCredentials(standIn.url), executionId: `prop-${Math.random()}` });
			expect(result.error).toBeUndefined();
			expect(result.run.status).toBe('success');
			expect(pairedIndexes(result.outputs)).toEqual(items.map((_, i) => i));
			const names = engineOutputNames({ resource: 'post', operation: 'create' });
			const sentKeys = new Set(standIn.requests.map((r) => r.headers['idempotency-key']));
			for (const { output, item: out } of allItems(result.outputs)) {
				const index = (out.pairedItem as { item: number }).item;
				const error = out.json.sokuError as IDataObject | undefined;
				if (expectedInvalid(items[index], targetCount)) {
					expect(names[output]).toBe('validation_error');
					expect(error?.source).toBe('client');
					expect(typeof (error?.details as IDataObject).field).toBe('string');
				} else {
					expect(error?.source).not.toBe('client');
				}
			}
			const valid = items.filter((input) => !expectedInvalid(input, targetCount)).length;
			expect(sentKeys.size).toBe(valid);
			seen.valid += valid;
			seen.invalid += items.length - valid;
			seen.succeeded += result.outputs![0].length;
		}),
		{ numRuns: 150, seed: 424242 },
	);
	// The generators must exercise both sides of the property.
	expect(seen.valid).toBeGreaterThan(30);
	expect(seen.invalid).toBeGreaterThan(100);
	expect(seen.succeeded).toBeGreaterThan(20);
}, 120_000);
