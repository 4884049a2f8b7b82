import type { IExecuteFunctions, INodeParameters } from 'n8n-workflow';

import { hasExpression, readFixedParametersOnce } from '../../nodes/Soku/actions/common/parameters';
import { ClientValidationError } from '../../nodes/Soku/helpers/validation';

/** A context whose getNodeParameter resolves "={{ item }}" to the item index and counts its calls. */
function context(parameters: INodeParameters) {
	const calls: string[] = [];
	const resolve = (value: unknown, itemIndex: number): unknown => {
		if (typeof value === 'string' && value.startsWith('=')) return `${value.slice(1)}#${itemIndex}`;
		if (Array.isArray(value)) return value.map((v) => resolve(v, itemIndex));
		if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, itemIndex)]));
		return value;
	};
	const ctx = {
		getNode: () => ({ parameters }),
		getTimezone: () => 'Europe/Berlin',
		getNodeParameter(name: string, itemIndex: number, fallback?: unknown) {
			calls.push(`${name}@${itemIndex}`);
			if (!(name in parameters)) {
				if (fallback === undefined) throw new Error(`Could not get parameter "${name}"`);
				return fallback;
			}
			return resolve(parameters[name], itemIndex);
		},
	};
	return { ctx: ctx as unknown as IExecuteFunctions, calls };
}

test('hasExpression finds an expression at any depth', () => {
	expect(hasExpression('plain')).toBe(false);
	expect(hasExpression('={{ $json.text }}')).toBe(true);
	expect(hasExpression({ target: [{ platform: 'x', accountId: '' }] })).toBe(false);
	expect(hasExpression({ target: [{ platform: 'x', accountId: '={{ $json.account }}' }] })).toBe(true);
	expect(hasExpression(5)).toBe(false);
	expect(hasExpression(null)).toBe(false);
});

test('a parameter without an expression is read once; one with an expression per item', () => {
	const { ctx, calls } = context({ mediaType: 'text', text: '={{ $json.text }}', targets: { target: [{ platform: 'x' }] } });
	const perRun = readFixedParametersOnce(ctx);
	const read = [0, 1, 2].map((i) => [perRun.getNodeParameter('mediaType', i), perRun.getNodeParameter('text', i), perRun.getNodeParameter('targets', i)]);
	expect(read).toEqual([0, 1, 2].map((i) => ['text', `{{ $json.text }}#${i}`, { target: [{ platform: 'x' }] }]));
	expect(calls.filter((c) => c.startsWith('mediaType'))).toEqual(['mediaType@0']);
	expect(calls.filter((c) => c.startsWith('targets'))).toEqual(['targets@0']);
	expect(calls.filter((c) => c.startsWith('text'))).toEqual(['text@0', 'text@1', 'text@2']);
});

test('an unset parameter gives each caller its own fallback, and without one n8n still throws', () => {
	const { ctx } = context({});
	const perRun = readFixedParametersOnce(ctx);
	expect(perRun.getNodeParameter('options', 0, {})).toEqual({});
	expect(perRun.getNodeParameter('options', 1, { a: 1 })).toEqual({ a: 1 });
	expect(() => perRun.getNodeParameter('options', 2)).toThrow('Could not get parameter "options"');
});

test('everything else on the context is the original', () => {
	const { ctx } = context({});
	expect(readFixedParametersOnce(ctx).getTimezone()).toBe('Europe/Berlin');
});

describe("an item value n8n's expression engine cannot hand over", () => {
	// What n8n 2.x (isolated-vm engine) throws for an expression giving {"toString": "x"}, for that item only.
	const CLONE_ERROR = 'Expression evaluation failed: function toString() { [native code] } could not be cloned.';
	const throwing = (error: Error) =>
		({
			getNode: () => ({ parameters: { text: '={{ $json.text }}', options: { idempotencyKey: '={{ $json.key }}' } } }),
			getNodeParameter: () => {
				throw error;
			},
		}) as unknown as IExecuteFunctions;

	test('is a ClientValidationError naming the Soku field (that item goes to validation_error)', () => {
		const perRun = readFixedParametersOnce(throwing(new Error(CLONE_ERROR)));
		let caught: unknown;
		try {
			perRun.getNodeParameter('text', 3, '');
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(ClientValidationError);
		expect(caught).toMatchObject({ field: 'post.content.text', reason: 'invalid_type' });
		expect((caught as Error).message).toMatch(/could not hand to the node .*make the expression give text/);
		expect(() => perRun.getNodeParameter('options', 3, {})).toThrow(ClientValidationError);
	});

	test.each([
		['videoUrl', 'post.content.videoUrl'],
		['imageUrls', 'post.content.imageUrls'],
		['targets', 'post.content.platform'],
		['options', 'options'],
		['templateSlug', 'templateSlug'],
	])('names the Soku field a parameter fills: %s is %s', (name, field) => {
		const ctx = { ...throwing(new Error(CLONE_ERROR)), getNode: () => ({ parameters: { [name]: '={{ $json.value }}' } }) } as unknown as IExecuteFunctions;
		let caught: unknown;
		try {
			readFixedParametersOnce(ctx).getNodeParameter(name, 0, '');
		} catch (error) {
			caught = error;
		}
		expect(caught).toMatchObject({ field, reason: 'invalid_type' });
	});

	test("quotes n8n's message cut to 120 characters", () => {
		const long = `${CLONE_ERROR} ${'x'.repeat(300)}`;
		let caught: unknown;
		try {
			readFixedParametersOnce(throwing(new Error(long))).getNodeParameter('text', 0, '');
		} catch (error) {
			caught = error;
		}
		expect((caught as Error).message).toContain(`(${long.slice(0, 120)})`);
	});

	test('any other evaluation error (a workflow bug) is thrown unchanged, for n8n’s On Error setting', () => {
		const bug = Object.assign(new Error("Referenced node doesn't exist"), { name: 'ExpressionError' });
		const perRun = readFixedParametersOnce(throwing(bug));
		expect(() => perRun.getNodeParameter('text', 0, '')).toThrow(bug);
	});
});
