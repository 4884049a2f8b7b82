/**
 * Key derivation at its limits, found unguarded by the mutation run of idempotency.ts (docs/mutation.md):
 * keys that must not change between releases, the bounded memory of window anchors, parameters and bodies
 * with a missing or null part, custom keys that are numbers, pure non-ASCII or edge characters, and which
 * 409s may be read as "already accepted". Only idempotency.ts is imported: these tests cannot reach the
 * router's mutants, so its mutation report stays valid.
 */
import {
	ItemKeys,
	WindowAnchors,
	customIdempotencyKey,
	deriveContentKey,
	duplicateWindowMs,
	headerSafeKey,
	requestFingerprint,
	timeRelativeParameters,
} from '../../nodes/Soku/actions/common/idempotency';

describe('the default key does not change between releases', () => {
	// A key that changed with an upgrade would let a re-run right after the upgrade post again inside the
	// Duplicate Window. Changing the derivation on purpose means changing these values, and the README/
	// CHANGELOG must then say that keys of the previous release are not recognised.
	const identity = {
		instanceId: 'instance-1',
		workflowId: 'wf-1',
		nodeId: 'node-1',
		operation: 'createPost' as const,
		body: { post: { content: { text: 'Hello', platform: ['threads'] } } },
	};

	test('a plain request', () => {
		expect(requestFingerprint(identity)).toBe('24146caf4ae24266c2065cc0b132bf661ddac32190279342e33ba10be1ebbf51');
		expect(deriveContentKey(requestFingerprint(identity), 20_000, 0)).toBe('n8n-323da8f0543269eeab3513f77e345f20a9630a41');
	});

	test('a request with a time-relative Scheduled Time', () => {
		const timeRelative = { sources: { 'additionalFields.scheduledTime': '={{ $now.plus({ hours: 2 }) }}' }, bodyPaths: [['scheduledTime']], input: { id: 7 } };
		const fingerprint = requestFingerprint({ ...identity, body: { ...identity.body, scheduledTime: '2026-12-03T10:00:00.000Z' }, timeRelative });
		expect(fingerprint).toBe('30a5f1efafd05b463b2f741b5758da69b62bd5d0b6de35d8a458036d1d0e2183');
	});
});

describe('window anchors are bounded and forget the least recently used execution', () => {
	test('past the limit the oldest execution is forgotten: it gets a new anchor', () => {
		const anchors = new WindowAnchors(2);
		anchors.anchorFor('a', 100);
		anchors.anchorFor('b', 200);
		anchors.anchorFor('c', 300);
		expect(anchors.anchorFor('a', 400)).toBe(400);
	});

	test('exactly at the limit nothing is forgotten', () => {
		const anchors = new WindowAnchors(2);
		anchors.anchorFor('a', 100);
		anchors.anchorFor('b', 200);
		expect(anchors.anchorFor('a', 300)).toBe(100);
		expect(anchors.anchorFor('b', 400)).toBe(200);
	});

	test('deriving a key makes an execution the most recently used, also while the map is not full', () => {
		const anchors = new WindowAnchors(3);
		anchors.anchorFor('a', 100);
		anchors.anchorFor('b', 200);
		expect(anchors.anchorFor('a', 300)).toBe(100); // a is now newer than b
		anchors.anchorFor('c', 400);
		anchors.anchorFor('d', 500); // full: b, the least recently used, goes
		expect(anchors.anchorFor('a', 600)).toBe(100);
		expect(anchors.anchorFor('b', 700)).toBe(700);
	});
});

describe('a missing or null part is "not there", never a crash', () => {
	const candidates = { 'additionalFields.scheduledTime': ['scheduledTime'] } as const;

	test('parameters whose collection is null or not an object have no time-relative value', () => {
		expect(timeRelativeParameters({ additionalFields: null }, candidates)).toBeUndefined();
		expect(timeRelativeParameters({ additionalFields: '={{ $now }}' }, candidates)).toBeUndefined();
		expect(timeRelativeParameters(null, candidates)).toBeUndefined();
	});

	test('a body without the object a time-relative value would sit in: the fingerprint is still computed', () => {
		const base = { instanceId: 'i', workflowId: 'w', nodeId: 'n', operation: 'createPost' as const };
		const timeRelative = { sources: { s: '={{ $now }}' }, bodyPaths: [['post', 'content', 'text']], input: null };
		const withNull = requestFingerprint({ ...base, body: { post: null }, timeRelative });
		const withoutPost = requestFingerprint({ ...base, body: {}, timeRelative });
		expect(withNull).toMatch(/^[0-9a-f]{64}$/);
		expect(withNull).not.toBe(withoutPost);
	});
});

describe('custom keys', () => {
	test('numbers, big integers and switches from an expression become text', () => {
		expect(customIdempotencyKey(42, true, 'createPost')).toBe('createPost:42');
		expect(customIdempotencyKey(1.5, true, 'createPost')).toBe('createPost:1.5');
		expect(customIdempotencyKey(BigInt('9007199254740993'), true, 'createPost')).toBe('createPost:9007199254740993');
		expect(customIdempotencyKey(false, true, 'createPost')).toBe('createPost:false');
	});

	test('a key of only non-ASCII characters is encoded too', () => {
		expect(headerSafeKey('鍵')).toBe('%E9%8D%B5');
		expect(decodeURIComponent(headerSafeKey('ключ'))).toBe('ключ');
	});

	test('space and "~", the ends of printable ASCII, stay as they are next to an encoded character', () => {
		expect(headerSafeKey(' a~é')).toBe(' a~%C3%A9');
		expect(headerSafeKey('\u001f\u007f')).toBe('%1F%7F');
	});

	test('a key that is too long is refused with its length as sent and the limit', () => {
		const refusal = (() => {
			try {
				customIdempotencyKey('é'.repeat(100), false, 'createPost');
			} catch (error) {
				return error as Error;
			}
			return undefined;
		})();
		// "createPost:" is 11 characters, each "é" 6 as sent (%C3%A9).
		expect(refusal?.message).toMatch(/Idempotency Key is 611 characters as sent .*at most 255 are sent/);
	});
});

test('Duplicate Window: only numbers and numeric text are hours; a switch or an object falls back to 24 h', () => {
	expect(duplicateWindowMs(true)).toBe(24 * 3_600_000);
	expect(duplicateWindowMs({ valueOf: () => 2 })).toBe(24 * 3_600_000);
	expect(duplicateWindowMs([3])).toBe(24 * 3_600_000);
});

describe('which 409s mean "already accepted"', () => {
	const scope = {
		instanceId: 'i',
		workflowId: 'w',
		executionId: 'e',
		nodeId: 'n',
		runIndex: 0,
		operation: 'createPost' as const,
		customKeyIsExpression: false,
		anchors: new WindowAnchors(),
		now: () => Date.parse('2026-12-03T00:00:00.000Z'),
		timeRelative: { sources: { s: '={{ $now }}' }, bodyPaths: [['scheduledTime']] },
	};

	test('a derived key for a time-relative post: a 409 can only be this post computed earlier', () => {
		expect(new ItemKeys(scope).requestKey(0, {}, { scheduledTime: 'x' }, { id: 1 }).conflictMeansReplay).toBe(true);
	});

	test('a custom key: a 409 means the key was reused for another post, never a replay', () => {
		expect(new ItemKeys(scope).requestKey(0, { idempotencyKey: 'order-1' }, { scheduledTime: 'x' }, { id: 1 })).toEqual({
			idempotencyKey: 'createPost:order-1',
			conflictMeansReplay: false,
		});
	});
});
