import type { IExecuteFunctions } from 'n8n-workflow';

/** Whether a raw node parameter holds an expression anywhere (then n8n may resolve it differently per item). */
export function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

const NOT_SET = Object.freeze({});

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
			return context.getNodeParameter(name, itemIndex, fallback, options as never);
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
