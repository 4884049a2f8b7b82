import { createHash } from 'crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

import type { BuildContext } from '../types';

/**
 * The Idempotency-Key for an item: the user's expression if set, else one derived from the execution,
 * node, run and item. It is the same on every retry of the item and on n8n's whole-node "Retry On
 * Fail" re-runs, so Soku replays the first result instead of posting again.
 */
export function idempotencyKeyFor(this: IExecuteFunctions, itemIndex: number, context: BuildContext): string {
	const options = this.getNodeParameter('options', itemIndex, {}) as { idempotencyKey?: unknown };
	const custom = typeof options.idempotencyKey === 'string' ? options.idempotencyKey.trim() : '';
	return custom || context.defaultIdempotencyKey;
}

export function deriveIdempotencyKey(parts: ReadonlyArray<string | number>): string {
	return `n8n-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40)}`;
}
