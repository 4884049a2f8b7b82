/**
 * Edges of the default Idempotency-Key's inputs that the mutation run found unguarded: the canonical body
 * text (the same request must give the same key whatever order its fields were built in, and different
 * requests different texts) and the Duplicate Window option's fallbacks. Generated cases use fast-check,
 * seeded: the seed is printed, FC_SEED=<n> re-runs one.
 */
import * as fc from 'fast-check';

import { canonicalJson, duplicateWindowMs } from '../../nodes/Soku/actions/common/idempotency';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() % 2 ** 31;
// eslint-disable-next-line no-console -- the seed is how a failing case is re-run
console.log(`key-derivation.test.ts: fast-check seed ${seed} (re-run with FC_SEED=${seed})`);
const params = { seed, numRuns: 200 };

/** The same value with every object's keys in another order (reversed, then rotated by `shift`). */
function reordered(value: unknown, shift: number): unknown {
	if (Array.isArray(value)) return value.map((v) => reordered(v, shift));
	if (value === null || typeof value !== 'object') return value;
	const entries = Object.entries(value as Record<string, unknown>).reverse();
	const k = entries.length ? shift % entries.length : 0;
	return Object.fromEntries([...entries.slice(k), ...entries.slice(0, k)].map(([key, v]) => [key, reordered(v, shift)]));
}

describe('canonicalJson: the body text a default key is derived from', () => {
	test('field order never changes the text (any JSON body, any order)', () => {
		fc.assert(
			fc.property(fc.jsonValue({ maxDepth: 4 }), fc.nat(7), (value, shift) => canonicalJson(reordered(value, shift)) === canonicalJson(value)),
			params,
		);
	});

	test('the text is JSON for the same value: nothing is lost, so different bodies give different texts', () => {
		fc.assert(
			fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
				// JSON.parse gives -0 back as 0, as JSON itself does.
				expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
			}),
			params,
		);
	});

	test('keys are sorted by code unit at every level; undefined fields are left out, undefined in arrays is null', () => {
		expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] }, B: 0, _: undefined })).toBe('{"B":0,"a":{"c":[3,{"e":2,"f":1}],"d":2},"b":1}');
		expect(canonicalJson({ z: undefined })).toBe('{}');
		expect(canonicalJson([undefined, 1])).toBe('[null,1]');
		expect(canonicalJson(undefined)).toBe('null');
	});
});

describe('Duplicate Window (hours) → ms', () => {
	test.each([
		['not set', undefined, 24],
		['empty', '', 24],
		['not a number', 'a day', 24],
		['negative', -1, 24],
		['infinite', Infinity, 24],
		['0 (a key per execution)', 0, 0],
		['a fraction', 1.5, 1.5],
		['a number as text (from an expression)', '12', 12],
	])('%s (%p) → %p h', (_label, hours, expectedHours) => {
		expect(duplicateWindowMs(hours)).toBe(expectedHours * 3_600_000);
	});
});
