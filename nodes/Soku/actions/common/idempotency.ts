import { createHash } from 'crypto';

/**
 * The default Idempotency-Key of an item, derived from instance, workflow, execution, node, run and item.
 * It is the same on every retry of the item and on n8n's whole-node "Retry On Fail" re-runs, so Soku
 * replays the first result instead of posting again.
 */
export function deriveIdempotencyKey(parts: ReadonlyArray<string | number>): string {
	return `n8n-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40)}`;
}

/** The user's key (Options > Idempotency Key) when set, else the derived one. */
export function chooseIdempotencyKey(custom: unknown, derived: string): string {
	const text = typeof custom === 'string' ? custom.trim() : '';
	return text || derived;
}
