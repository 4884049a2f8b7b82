import { ItemKeys, WindowAnchors, requestFingerprint, timeRelativeParameters, windowSlot } from '../../nodes/Soku/actions/common/idempotency';
import { executionStart } from '../../nodes/Soku/actions/router';
import type { IExecuteFunctions } from 'n8n-workflow';

const HOUR = 3_600_000;
const MIDNIGHT = Date.parse('2026-11-26T00:00:00.000Z');

describe('Duplicate Window slots start at UTC midnight for any window up to 24 h', () => {
	test('7 h: 00:00, 07:00, 14:00, 21:00, and a new slot at midnight (the last one of a day is shorter)', () => {
		const slot = (h: number) => windowSlot(MIDNIGHT + h * HOUR, 7 * HOUR);
		expect(slot(0)).toBe(slot(6.99));
		expect(slot(7)).toBe(slot(0) + 1);
		expect(slot(21)).toBe(slot(23.99));
		expect(slot(24)).not.toBe(slot(23.99));
		expect(slot(24)).toBe(slot(24 + 6.99));
		// The next day too (epoch-aligned 7 h slots, the old rule, start at 04:00 UTC there, not at midnight).
		const next = MIDNIGHT + 24 * HOUR;
		expect(windowSlot(next - 1, 7 * HOUR)).not.toBe(windowSlot(next, 7 * HOUR));
		expect(windowSlot(next + 4 * HOUR - 1, 7 * HOUR)).toBe(windowSlot(next + 4 * HOUR, 7 * HOUR));
	});

	test('windows dividing 24 h keep their slot numbers (keys made before this change stay valid)', () => {
		for (const w of [HOUR, 6 * HOUR, 24 * HOUR, 0.5 * HOUR]) {
			for (const t of [MIDNIGHT - 1, MIDNIGHT, MIDNIGHT + 5 * HOUR + 17]) expect(windowSlot(t, w)).toBe(Math.floor(t / w));
		}
	});

	test('over 24 h: whole windows from 1970-01-01 00:00 UTC', () => {
		expect(windowSlot(MIDNIGHT, 48 * HOUR)).toBe(Math.floor(MIDNIGHT / (48 * HOUR)));
		expect(windowSlot(MIDNIGHT + 12 * HOUR, 36 * HOUR)).toBe(Math.floor((MIDNIGHT + 12 * HOUR) / (36 * HOUR)));
	});
});

describe('window anchors', () => {
	test('least recently used is forgotten first: an execution that keeps deriving keys keeps its anchor', () => {
		const anchors = new WindowAnchors(3);
		expect(anchors.anchorFor('running', 100)).toBe(100);
		for (let i = 0; i < 10; i++) {
			anchors.anchorFor(`other-${i}`, 200 + i);
			// The running execution derives a key between the others: it stays.
			expect(anchors.anchorFor('running', 999)).toBe(100);
		}
	});

	test('an execution\'s anchor is the earliest start it was given', () => {
		const anchors = new WindowAnchors();
		anchors.anchorFor('e', 500);
		expect(anchors.anchorFor('e', 400)).toBe(400);
		expect(anchors.anchorFor('e', 900)).toBe(400);
	});

	test('the execution start n8n recorded (establishedAt, earliest node startTime) wins over when the key is derived', () => {
		const context = (runExecutionData: unknown) => ({ runExecutionData }) as unknown as IExecuteFunctions;
		expect(executionStart(context(undefined))).toBeUndefined();
		expect(executionStart(context({ resultData: { runData: {} } }))).toBeUndefined();
		const data = {
			executionData: { runtimeData: { establishedAt: MIDNIGHT + 5000 } },
			resultData: { runData: { Trigger: [{ startTime: MIDNIGHT + 4000 }], Soku: [{ startTime: MIDNIGHT + 9000 }, { startTime: 0 }] } },
		};
		expect(executionStart(context(data))).toBe(MIDNIGHT + 4000);
		// n8n's crash recovery (a worker killed mid-execution) writes the recovered nodes' startTime in seconds:
		// still the same start, to the second, not 1970.
		const recovered = {
			executionData: { runtimeData: { establishedAt: MIDNIGHT + 5250 } },
			resultData: { runData: { Webhook: [{ startTime: (MIDNIGHT + 5000) / 1000 }], Soku: [{ startTime: MIDNIGHT + 9000 }] } },
		};
		expect(executionStart(context(recovered))).toBe(MIDNIGHT + 5000);
		const keys = (executionStart?: number) =>
			new ItemKeys({
				instanceId: 'i',
				workflowId: 'w',
				executionId: `e-${String(executionStart)}`,
				nodeId: 'n',
				runIndex: 0,
				operation: 'createPost',
				customKeyIsExpression: false,
				anchors: new WindowAnchors(),
				now: () => MIDNIGHT + 60_000,
				executionStart,
			}).keyFor(0, {}, { post: 1 });
		expect(keys(MIDNIGHT - 60_000)).not.toBe(keys(undefined));
		expect(keys(MIDNIGHT - 60_000)).toBe(keys(MIDNIGHT - 23 * HOUR));
	});
});

describe('time-relative parameters', () => {
	const candidates = { 'additionalFields.scheduledTime': ['scheduledTime'], text: ['post', 'content', 'text'] };

	test('only expressions using $now or $today count', () => {
		expect(timeRelativeParameters({ text: '={{ $json.text }}', additionalFields: { scheduledTime: '2026-12-01T10:00:00Z' } }, candidates)).toBeUndefined();
		expect(timeRelativeParameters({ text: 'plain $now' }, candidates)).toBeUndefined();
		expect(timeRelativeParameters({ text: '={{ $nowhere }}' }, candidates)).toBeUndefined();
		expect(timeRelativeParameters({ additionalFields: { scheduledTime: '={{ $today.plus({ days: 1 }) }}' } }, candidates)).toEqual({
			sources: { 'additionalFields.scheduledTime': '={{ $today.plus({ days: 1 }) }}' },
			bodyPaths: [['scheduledTime']],
		});
		expect(timeRelativeParameters({}, undefined)).toBeUndefined();
	});

	test('the fingerprint leaves out the computed values and names the source and the input', () => {
		const base = { instanceId: 'i', workflowId: 'w', nodeId: 'n', operation: 'createPost' as const };
		const relative = { sources: { s: '={{ $now }}' }, bodyPaths: [['scheduledTime'], ['post', 'content', 'text']], input: { id: 1 } };
		const at = (time: string, text = 'a') => requestFingerprint({ ...base, body: { scheduledTime: time, post: { content: { text, platform: ['x'] } } }, timeRelative: relative });
		expect(at('2026-12-01T10:00:00.001Z')).toBe(at('2026-12-01T10:00:05.123Z', 'b'));
		expect(requestFingerprint({ ...base, body: {}, timeRelative: { ...relative, input: { id: 2 } } })).not.toBe(
			requestFingerprint({ ...base, body: {}, timeRelative: relative }),
		);
		expect(requestFingerprint({ ...base, body: {}, timeRelative: { ...relative, sources: { s: '={{ $now.plus(1) }}' } } })).not.toBe(
			requestFingerprint({ ...base, body: {}, timeRelative: relative }),
		);
	});
});
