/**
 * Requests in parallel within the rate-limit window: how many items of one node run may be in flight at
 * once, and the small promise pool that runs them. Pacing (PacingRegistry) still decides when each one
 * may be sent, so parallel requests wait for the window's free slots like concurrent executions do.
 */
import type { OperationId } from '../errors/errorTable';
import type { RoutingMode } from './route';

/**
 * Operations whose answers take as long as the file (transcription, renders, media import): in parallel
 * by default, so a batch goes at the pace of the rate limit, not of the latency. Posts publish in item
 * order unless the user asks; account management (repurpose links, API keys) stays one at a time.
 */
export const PARALLEL_BY_DEFAULT: ReadonlySet<OperationId> = new Set<OperationId>([
	'transcribe',
	'uploadMedia',
	'renderTemplate',
	'renderOgAlias',
]);

/** In flight at once when Options › Parallel Requests is not set, for the operations above. */
export const DEFAULT_PARALLEL_REQUESTS = 5;

/**
 * Requests in flight at once for one node run. Unset, 0 (the editor's default) or not a number: the
 * operation's default. Never more than the endpoint's documented limit per window (more could only wait
 * for a slot). Stop the Workflow: 1, so an item's error stops the run before any later item is sent.
 */
export function parallelRequests(value: unknown, operation: OperationId, mode: RoutingMode, windowLimit: number): number {
	if (mode === 'stop') return 1;
	const n = Math.floor(typeof value === 'number' || typeof value === 'string' ? Number(value) : NaN);
	const chosen = value !== '' && Number.isFinite(n) && n >= 1 ? n : PARALLEL_BY_DEFAULT.has(operation) ? DEFAULT_PARALLEL_REQUESTS : 1;
	return Math.max(1, Math.min(chosen, windowLimit));
}

/**
 * Runs run(0) … run(count - 1) with at most `limit` running at once. Indexes are handed out in order and
 * run(i) is called in the same synchronous step that takes i, so whatever run does before its first
 * await (build the request, derive its key) happens in item order. No new index is handed out once
 * stopped() is true; resolves when every started run has settled. run must not reject.
 */
export async function runPool(count: number, limit: number, run: (index: number) => Promise<void>, stopped: () => boolean): Promise<void> {
	let next = 0;
	const worker = async (): Promise<void> => {
		while (next < count && !stopped()) await run(next++);
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
}
