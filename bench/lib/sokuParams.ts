import type { INodeParameters } from 'n8n-workflow';

/** A text post to X (the demo account's x_primary), text from the item. */
export function postParameters(options: Record<string, unknown>, retry?: Record<string, unknown>): INodeParameters {
	const parameters: INodeParameters = {
		resource: 'post',
		operation: 'create',
		mediaType: 'text',
		text: '={{ $json.text }}',
		targets: { target: [{ platform: 'x', accountId: '' }] },
		options: options as INodeParameters,
	};
	if (retry) parameters.retry = retry as INodeParameters;
	return parameters;
}

/** Items with a tweet-sized text (about 120 characters) and a couple of typical fields. */
export function postItems(n: number, prefix = 'item'): Array<{ id: string; title: string; text: string }> {
	return Array.from({ length: n }, (_, i) => ({
		id: `${prefix}-${i}`,
		title: `Launch note ${i}`,
		text: `Post ${i}: we shipped the new scheduling view today. Read the changelog and tell us what you think! #release ${prefix}`,
	}));
}

/** Monotonic milliseconds (fractional). */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export function gc(): void {
	const g = (globalThis as { gc?: () => void }).gc;
	if (g) {
		g();
		g();
	}
}
