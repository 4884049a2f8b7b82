/**
 * The README's branch and operation tables, generated from the error table and the endpoint list so
 * the docs cannot drift from the code. `UPDATE_README=1 npx jest test/unit/readme.test.ts` rewrites them.
 */
import { RESOURCES } from '../../nodes/Soku/actions/operations';
import { ERROR_TABLE, type RetryPolicy } from '../../nodes/Soku/errors/errorTable';
import { DEFAULT_RETRY_SETTINGS } from '../../nodes/Soku/policy/retry';
import { ENDPOINTS } from '../../nodes/Soku/transport/endpoints';

const RETRY_TEXT: Record<RetryPolicy, string> = {
	never: 'No: routed at once',
	rateLimit: `Yes: waits \`Retry-After\`, then backoff; up to ${DEFAULT_RETRY_SETTINGS.maxRateLimitRetries} times, never longer than Max Rate-Limit Wait (${DEFAULT_RETRY_SETTINGS.maxRateLimitWaitMs / 1000} s)`,
	backoff: `Yes: exponential backoff with jitter, up to ${DEFAULT_RETRY_SETTINGS.maxServerRetries} retries`,
	retryFailedPlatforms: `Yes: resends only \`failedPlatforms\` (own idempotency key), up to ${DEFAULT_RETRY_SETTINGS.maxServerRetries} retries`,
};

const OPERATION_LABEL = new Map(RESOURCES.flatMap((r) => r.operations.map((op) => [op.id, `${r.name} › ${op.name}`] as const)));

export function branchTable(): string {
	const rows = ERROR_TABLE.map(
		(row) =>
			`| \`${row.code}\` | ${row.httpStatus} | ${row.type} | ${row.meaning} | ${RETRY_TEXT[row.retry]} | ${row.wireTo} | ${row.operations.length === ENDPOINTS_COUNT ? 'all' : row.operations.map((id) => OPERATION_LABEL.get(id)).join(', ')} |`,
	);
	return [
		'| Output | HTTP | Category | Meaning | Retried by the node? | What to wire | Operations |',
		'| --- | --- | --- | --- | --- | --- | --- |',
		...rows,
		'| `Other Error` | – | – | Network errors, timeouts, non-JSON answers, codes Soku may add later, and codes you did not choose | Network errors and 5xx: like `internal_error`; others: no | A generic alert with `sokuError.message` | all |',
	].join('\n');
}

const ENDPOINTS_COUNT = Object.keys(ENDPOINTS).length;

export function operationTable(): string {
	const rows = RESOURCES.flatMap((resource) =>
		resource.operations.map((op) => {
			const e = ENDPOINTS[op.id];
			const notes = [
				e.idempotencyKey ? '`Idempotency-Key` per item' : '',
				e.perMinute ? `${e.perMinute} / 60 s` : 'tier limit only',
				e.inferred ? '**inferred endpoint** (experimental)' : '',
			].filter(Boolean);
			return `| ${resource.name} | ${op.name} | \`${e.method} ${e.path}\` | ${e.credential === 'sokuApi' ? 'Soku API' : 'Soku Account'} | ${op.description} | ${notes.join('; ')} |`;
		}),
	);
	return ['| Resource | Operation | Endpoint | Credential | What it does | Notes |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

export function replaceBlock(text: string, name: string, content: string): string {
	const start = `<!-- ${name}:start -->`;
	const end = `<!-- ${name}:end -->`;
	const from = text.indexOf(start);
	const to = text.indexOf(end);
	if (from === -1 || to === -1) throw new Error(`README has no ${name} block`);
	return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}
