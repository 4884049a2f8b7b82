import type { IExecuteFunctions } from 'n8n-workflow';

import { ClientValidationError } from '../../helpers/validation';

/** Whether a raw node parameter holds an expression anywhere (then n8n may resolve it differently per item). */
export function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

const NOT_SET = Object.freeze({});

/** The Soku field a node parameter fills, where the names differ (details.field names the Soku field). */
const SOKU_FIELD: Readonly<Record<string, string>> = {
	text: 'post.content.text',
	mediaType: 'post.content.mediaType',
	videoUrl: 'post.content.videoUrl',
	imageUrls: 'post.content.imageUrls',
	targets: 'post.content.platform',
	options: 'options',
};

/**
 * n8n 2.x evaluates expressions in an isolate (isolated-vm) and copies the result out; an item value such
 * as {"toString": "x"} cannot be copied, and n8n throws "Expression evaluation failed: … could not be
 * cloned" for that item alone. That is this item's data, not a workflow bug: the item becomes a
 * validation_error instead of failing the batch. Every other evaluation error (e.g. a node that does not
 * exist) is still thrown, for n8n's On Error setting.
 */
function itemValueError(error: unknown, name: string): ClientValidationError | undefined {
	const message = error instanceof Error ? error.message : '';
	if (!/could not be cloned/.test(message)) return undefined;
	return new ClientValidationError(
		SOKU_FIELD[name] ?? name,
		'invalid_type',
		`The expression in "${name}" gave a value n8n could not hand to the node (${message.slice(0, 120)}), an object such as {"toString": "x"}: make the expression give text or a number, e.g. {{ $json.title }}`,
	);
}

/**
 * The execution context with a getNodeParameter that reads a parameter without an expression once per
 * run: n8n would return the same value for every item, and each read costs a deep copy and a parameter
 * resolution (≈ 20 µs). Parameters with an expression are still read per item. Values are shared
 * between items, so callers must not modify them (none does).
 */
export function readFixedParametersOnce(context: IExecuteFunctions): IExecuteFunctions {
	const raw = context.getNode().parameters;
	const fixed = new Map<string, unknown>();
	const perRun = Object.create(context) as IExecuteFunctions;
	const getNodeParameter = (name: string, itemIndex: number, fallback?: unknown, options?: unknown): unknown => {
		if (options !== undefined || name.includes('.') || hasExpression(raw[name])) {
			try {
				return context.getNodeParameter(name, itemIndex, fallback, options as never);
			} catch (error) {
				throw itemValueError(error, name) ?? error;
			}
		}
		if (!fixed.has(name)) fixed.set(name, context.getNodeParameter(name, itemIndex, NOT_SET));
		const value = fixed.get(name);
		// Unset and no fallback: let n8n throw its own "Could not get parameter".
		if (value === NOT_SET) return fallback === undefined ? context.getNodeParameter(name, itemIndex) : fallback;
		return value;
	};
	perRun.getNodeParameter = getNodeParameter as IExecuteFunctions['getNodeParameter'];
	return perRun;
}
