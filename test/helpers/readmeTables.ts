/**
 * The README's branch and operation tables, generated from the error table and the endpoint list so
 * the docs cannot drift from the code. `UPDATE_README=1 npx jest test/unit/readme.test.ts` rewrites them.
 */
import { RESOURCES } from '../../nodes/Soku/actions/operations';
import { ERROR_TABLE, OTHER_ERROR_RETRY, type RetryPolicy } from '../../nodes/Soku/errors/errorTable';
import { DEFAULT_RETRY_SETTINGS } from '../../nodes/Soku/policy/retry';
import { ENDPOINTS } from '../../nodes/Soku/transport/endpoints';

const RETRY_TEXT: Record<RetryPolicy, string> = {
	never: 'No: routed at once',
	rateLimit: `Yes: waits \`Retry-After\`, then backoff; up to ${DEFAULT_RETRY_SETTINGS.maxRateLimitRetries} times, never longer than Max Rate-Limit Wait (${DEFAULT_RETRY_SETTINGS.maxRateLimitWaitMs / 1000} s)`,
	backoff: `Yes: exponential backoff with jitter, up to ${DEFAULT_RETRY_SETTINGS.maxServerRetries} retries`,
	retryFailedPlatforms: `Yes: resends only \`failedPlatforms\` (own idempotency key), up to ${DEFAULT_RETRY_SETTINGS.maxServerRetries} retries`,
};

const OPERATION_LABEL = new Map(RESOURCES.flatMap((r) => r.operations.map((op) => [op.id, `${r.name} › ${op.name}`] as const)));

/** Other Error's retry cell from OTHER_ERROR_RETRY: what is retried like which listed code, then the rest. */
function otherErrorRetryText(): string {
	const what: Record<keyof typeof OTHER_ERROR_RETRY, string> = { network: 'network errors', status5xx: '5xx', status429: '429 (any code)', otherwise: 'others' };
	const like: Record<RetryPolicy, string> = { backoff: 'like `internal_error`', rateLimit: 'like `rate_limit_exceeded`', retryFailedPlatforms: 'like `dispatch_failed`', never: 'no' };
	const groups = new Map<RetryPolicy, string[]>();
	for (const [kind, policy] of Object.entries(OTHER_ERROR_RETRY) as Array<[keyof typeof OTHER_ERROR_RETRY, RetryPolicy]>) {
		groups.set(policy, [...(groups.get(policy) ?? []), what[kind]]);
	}
	// A listed code left out of Error Branches keeps its own row's policy: choosing outputs never changes retries.
	return ['Codes you did not choose: as in their row', ...[...groups].map(([policy, kinds]) => `${kinds.join(' and ')}: ${like[policy]}`)].join('; ');
}

export function branchTable(): string {
	const rows = ERROR_TABLE.map(
		(row) =>
			`| \`${row.code}\` | ${row.httpStatus} | ${row.type} | ${row.meaning} | ${RETRY_TEXT[row.retry]} | ${row.wireTo} | ${row.operations.length === ENDPOINTS_COUNT ? 'all' : row.operations.map((id) => OPERATION_LABEL.get(id)).join(', ')} |`,
	);
	return [
		'| Output | HTTP | Category | Meaning | Retried by the node? | What to wire | Operations |',
		'| --- | --- | --- | --- | --- | --- | --- |',
		...rows,
		`| \`Other Error\` | – | – | Network errors, timeouts, non-JSON answers, codes Soku may add later, and codes you did not choose | ${otherErrorRetryText()} | A generic alert with \`sokuError.message\` | all |`,
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

interface BenchRow {
	id?: string;
	scenario: string;
	measured: string;
	baseline: string;
	ratio: number | null;
	target: string;
	pass: boolean | null;
	readme?: { label: string; meaning: string };
}

interface BenchResults {
	date: string;
	quick: boolean;
	machine: { cpuModel: string | null; cpuCount: number; node: string; n8nCore: string | null; gitCommit: string | null; gitDirtyFiles: number; loadavg: number[] };
	rows: BenchRow[];
}

const cellText = (text: string) => text.replace(/\|/g, '\\|');

/**
 * The README's Benchmarks section from bench/results.json (the last full `npm run bench`): every row with
 * a target or a README label, whether its target was met in that run, and one sentence per row on what
 * the ratio means to a user (written by the scenario from the same run's numbers).
 */
export function benchmarkSection(results: BenchResults): string {
	const shown = results.rows.filter((r) => r.readme || (r.pass !== null && r.target !== 'info'));
	// The user's choice first (Soku vs HTTP Request), then the other targets, diagnostics last.
	const rank = (r: BenchRow) => (r.id?.startsWith('vs') || r.id === 'realN8n' ? 0 : r.target === 'info' ? 2 : 1);
	const rows = shown.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map(({ r }) => r);
	const ratioText = (r: BenchRow) => (r.ratio === null ? '–' : r.target.includes('%') ? `${Math.round(r.ratio * 1000) / 10} %` : `${r.ratio}×`);
	const verdict = (r: BenchRow) => (r.pass === true ? 'met' : r.pass === false ? '**missed**' : r.target === 'info' ? '' : 'not measured');
	const m = results.machine;
	const meanings = rows.filter((r) => r.readme?.meaning);
	return [
		`\`npm run bench\` runs every scenario against the stand-in on loopback and writes \`bench/results.json\`; this`,
		`section is generated from that file (\`UPDATE_README=1 npx jest test/unit/readme.test.ts\`). Method and raw`,
		`numbers: [\`bench/README.md\`](bench/README.md). Every ratio compares two things measured side by side in the`,
		`same run: ${results.date.slice(0, 10)}, ${m.cpuCount}-core ${m.cpuModel ?? 'CPU'} shared with other jobs (load average ${m.loadavg.map((x) => Math.round(x * 10) / 10).join(' / ')}), Node ${m.node}, n8n-core ${m.n8nCore}, commit \`${(m.gitCommit ?? '?').slice(0, 7)}\`${m.gitDirtyFiles ? ` + ${m.gitDirtyFiles} uncommitted files` : ''}${results.quick ? ' (**--quick run: sizes too small for meaningful numbers**)' : ''}. Ratios move with the`,
		`machine's load; the ranges over the full runs made are in bench/README.md (*What the numbers said*).`,
		'',
		'| Scenario | Measured | Baseline (same run) | Ratio | Target | |',
		'| --- | --- | --- | --- | --- | --- |',
		...rows.map((r) => `| ${cellText(r.readme?.label ?? r.scenario)} | ${cellText(r.measured)} | ${cellText(r.baseline)} | ${ratioText(r)} | ${r.target} | ${verdict(r)} |`),
		'',
		...meanings.map((r) => `- **${cellText(r.readme!.label)}:** ${r.readme!.meaning}`),
	].join('\n');
}
