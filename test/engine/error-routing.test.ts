/**
 * Every documented error code, through n8n's engine and the stand-in: the item lands on its branch in
 * each routing mode with the full sokuError object; retried codes are retried exactly per policy (count
 * and waits, on a virtual clock); non-retried codes are sent once.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { ERROR_TABLE, OTHER_ERROR_OUTPUT, codesForOperation, type ErrorCodeRow, type OperationId } from '../../nodes/Soku/errors/errorTable';
import { engineOutputNames, runSoku } from '../helpers/engine';
import { useFakeRuntime, type FakeRuntime } from '../helpers/fakeRuntime';
import { DEMO_KEY, allItems, pairedIndexes, demoCredentials } from '../helpers/items';
import { VALID_PARAMETERS } from '../helpers/validParams';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

/** Example details per code, as REFERENCE §5.2 documents them. */
const SAMPLE_DETAILS: Record<string, IDataObject | undefined> = {
	validation_error: { field: 'post.content.text', reason: 'required' },
	missing_integrations: { missingPlatforms: ['tiktok', 'youtube'] },
	missing_account: { platform: 'instagram', accountId: 'ig_nonexistent' },
	insufficient_credits: { estimatedCost: 15, currentBalance: 3 },
	rate_limit_exceeded: { retryAfter: 12, limit: 100, tier: 'premium' },
	dispatch_failed: { failedPlatforms: ['tiktok'], succeededPlatforms: ['x'] },
};

const RETRY = { initialDelaySeconds: 1, maxDelaySeconds: 30, maxServerRetries: 3, maxRateLimitRetries: 5, maxRateLimitWaitSeconds: 120 };

/** The documented schedule, written out independently of the implementation (random fixed at 0.5). */
function expectedWaits(row: ErrorCodeRow): number[] {
	const backoff = (n: number) => Math.min(30_000, 1000 * 2 ** (n - 1)) * 0.75;
	if (row.retry === 'rateLimit') return [12_000, 12_000 + backoff(2), 12_000 + backoff(3), 12_000 + backoff(4), 12_000 + backoff(5)];
	if (row.retry === 'backoff' || row.retry === 'retryFailedPlatforms') return [backoff(1), backoff(2), backoff(3)];
	return [];
}

function operationFor(row: ErrorCodeRow): OperationId {
	return row.operations.includes('createPost') ? 'createPost' : row.operations[0];
}

let standIn: SokuStandIn;
let fake: FakeRuntime;

beforeAll(async () => {
	fake = useFakeRuntime();
	standIn = await startStandIn({ clock: fake.clock });
});
afterAll(async () => {
	fake.restore();
	await standIn.close();
});
beforeEach(() => {
	// The virtual clock stands still between tests: start every test with empty pacing windows.
	pacingRegistry.clear();
	standIn.reset();
	fake.sleeps.length = 0;
});

async function runWithScriptedError(row: ErrorCodeRow, parameters: INodeParameters) {
	const operation = operationFor(row);
	standIn.script({
		times: Infinity,
		status: row.httpStatus,
		code: row.code,
		message: `Scripted ${row.code}`,
		details: SAMPLE_DETAILS[row.code],
		retryAfter: row.code === 'rate_limit_exceeded' ? 12 : undefined,
	});
	const result = await runSoku({
		parameters: { ...VALID_PARAMETERS[operation], retry: RETRY, ...parameters },
		items: [{ input: 'kept', n: 1 }],
		credentials: demoCredentials(standIn.url),
	});
	return { operation, result };
}

describe.each(ERROR_TABLE.map((row) => [row.code, row] as const))('%s', (_code, row) => {
	test('per code: lands on its own branch with the full error object, retried exactly per policy', async () => {
		const { operation, result } = await runWithScriptedError(row, { errorRouting: 'perCode' });
		const names = engineOutputNames({ ...VALID_PARAMETERS[operation], errorRouting: 'perCode' });
		expect(names[0]).toBe('Success');
		expect(names[names.length - 1]).toBe(OTHER_ERROR_OUTPUT);
		expect(names.slice(1, -1)).toEqual(codesForOperation(operation));

		const landed = allItems(result.outputs);
		expect(landed).toHaveLength(1);
		expect(names[landed[0].output]).toBe(row.code);
		const json = landed[0].item.json;
		expect(json.input).toBe('kept');
		expect(landed[0].item.pairedItem).toEqual({ item: 0 });
		expect(landed[0].item.error).toBeUndefined();
		const sokuError = json.sokuError as IDataObject;
		const lastResponse = standIn.requests[standIn.requests.length - 1].response as { body: { error: IDataObject } };
		expect(sokuError).toMatchObject({
			code: row.code,
			type: row.type,
			message: `Scripted ${row.code}`,
			httpStatus: row.httpStatus,
			requestId: lastResponse.body.error.requestId,
			timestamp: lastResponse.body.error.timestamp,
			operation,
			source: 'api',
		});
		expect(typeof sokuError.hint).toBe('string');
		expect((sokuError.hint as string).length).toBeGreaterThan(20);

		const waits = expectedWaits(row);
		expect(standIn.requests).toHaveLength(1 + waits.length);
		expect(sokuError.attempts).toBe(1 + waits.length);
		expect(fake.sleeps).toEqual(waits);
		expect(sokuError.waitedMs).toBe(waits.reduce((a, b) => a + b, 0));
		if (row.code === 'dispatch_failed') {
			// Retries resend only the failed platform. Each dispatch round is a new submission with its own
			// key: reusing a key whose first answer was dispatch_failed would only replay that answer.
			const bodies = standIn.requests.map((r) => (r.body as { post: { content: { platform: unknown[] } } }).post.content.platform);
			expect(bodies[0]).toEqual(['x', 'tiktok']);
			for (const later of bodies.slice(1)) expect(later).toEqual(['tiktok']);
			const keys = standIn.requests.map((r) => r.headers['idempotency-key']);
			expect(new Set(keys).size).toBe(keys.length);
			expect(sokuError.details).toMatchObject({ failedPlatforms: ['tiktok'], succeededPlatforms: ['x'] });
		} else if (SAMPLE_DETAILS[row.code]) {
			expect(sokuError.details).toMatchObject(SAMPLE_DETAILS[row.code] as IDataObject);
		}
	});

	test('per category: lands on its category branch', async () => {
		const { operation, result } = await runWithScriptedError(row, { errorRouting: 'perCategory' });
		const names = engineOutputNames({ ...VALID_PARAMETERS[operation], errorRouting: 'perCategory' });
		expect(names).toEqual(['Success', 'invalid_request_error', 'authentication_error', 'api_error', OTHER_ERROR_OUTPUT]);
		const landed = allItems(result.outputs);
		expect(landed).toHaveLength(1);
		expect(names[landed[0].output]).toBe(row.type);
		expect((landed[0].item.json.sokuError as IDataObject).code).toBe(row.code);
	});

	test('single error output: lands on Error', async () => {
		const { result } = await runWithScriptedError(row, { errorRouting: 'single' });
		expect(result.outputs).toHaveLength(2);
		const landed = allItems(result.outputs);
		expect(landed.map((l) => l.output)).toEqual([1]);
		expect((landed[0].item.json.sokuError as IDataObject).code).toBe(row.code);
	});

	test('stop the workflow: fails with a NodeApiError naming the code and requestId', async () => {
		const { result } = await runWithScriptedError(row, { errorRouting: 'stop' });
		expect(result.error).toBeDefined();
		const lastResponse = standIn.requests[standIn.requests.length - 1].response as { body: { error: IDataObject } };
		expect(String(result.error?.message)).toContain(row.code);
		expect(String(result.error?.message)).toContain(String(lastResponse.body.error.requestId));
		expect(result.run.status).toBe('error');
	});
});

describe('Other Error', () => {
	const post = VALID_PARAMETERS.createPost;

	test('codes not chosen, unknown codes, non-JSON answers and network errors go to Other Error', async () => {
		standIn.script(
			{ status: 402, code: 'insufficient_credits', details: { estimatedCost: 2, currentBalance: 0 } },
			{ status: 400, code: 'bad_request', message: 'legacy code' },
			{ status: 502, body: '<html>502 Bad Gateway</html>', times: 4 },
			{ drop: 'before', times: 4 },
		);
		const result = await runSoku({
			parameters: { ...post, errorCodesForPostCreate: ['missing_integrations'], retry: RETRY },
			items: [{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }],
			credentials: demoCredentials(standIn.url),
		});
		const names = engineOutputNames({ ...post, errorCodesForPostCreate: ['missing_integrations'] });
		expect(names).toEqual(['Success', 'missing_integrations', OTHER_ERROR_OUTPUT]);
		const other = result.outputs?.[2] ?? [];
		expect(other.map((i) => (i.json.sokuError as IDataObject).code)).toEqual(['insufficient_credits', 'bad_request', 'http_502', 'network_error']);
		expect(other.map((i) => (i.json.sokuError as IDataObject).source)).toEqual(['api', 'api', 'api', 'network']);
		// Unknown 5xx and network errors are retried like 5xx (3 retries); 4xx are sent once.
		expect(other.map((i) => (i.json.sokuError as IDataObject).attempts)).toEqual([1, 1, 4, 4]);
		expect(pairedIndexes(result.outputs)).toEqual([0, 1, 2, 3]);
	});

	test('a chosen code outside the operation list still gets its branch, in table order', async () => {
		const parameters = { ...post, errorCodesForPostCreate: ['rate_limit_exceeded', 'validation_error', 'insufficient_credits'] };
		expect(engineOutputNames(parameters)).toEqual(['Success', 'validation_error', 'insufficient_credits', 'rate_limit_exceeded', OTHER_ERROR_OUTPUT]);
	});
});

describe('default branches follow the operation', () => {
	test('a transcription node has no missing_integrations branch; a post node has no insufficient_credits branch', () => {
		const transcription = engineOutputNames(VALID_PARAMETERS.transcribe);
		expect(transcription).toContain('insufficient_credits');
		expect(transcription).not.toContain('missing_integrations');
		const post = engineOutputNames(VALID_PARAMETERS.createPost);
		expect(post).toContain('missing_integrations');
		expect(post).toContain('dispatch_failed');
		expect(post).not.toContain('insufficient_credits');
	});

	test('output order is the table order for every operation (stable across upgrades of v1)', () => {
		for (const [id, parameters] of Object.entries(VALID_PARAMETERS)) {
			const names = engineOutputNames(parameters);
			const tableOrder = ERROR_TABLE.map((r) => r.code).filter((c) => names.includes(c));
			expect(names).toEqual(['Success', ...tableOrder, OTHER_ERROR_OUTPUT]);
			expect(names.slice(1, -1)).toEqual(codesForOperation(id as OperationId));
		}
	});
});

describe('error items', () => {
	const post = { ...VALID_PARAMETERS.createPost, targets: { target: [{ platform: 'youtube', accountId: '' }] } };

	test('keep the input json and binary by default', async () => {
		const binary = { data: { data: Buffer.from('hello').toString('base64'), mimeType: 'text/plain', fileName: 'a.txt' } };
		const result = await runSoku({
			parameters: post,
			items: [{ json: { caption: 'kept' }, binary }],
			credentials: demoCredentials(standIn.url),
		});
		const [landed] = allItems(result.outputs);
		expect(landed.item.json.caption).toBe('kept');
		expect((landed.item.json.sokuError as IDataObject).code).toBe('missing_integrations');
		expect(landed.item.binary?.data?.fileName).toBe('a.txt');
	});

	test('"Keep Input Data on Error Items" off: only sokuError', async () => {
		const result = await runSoku({
			parameters: { ...post, options: { keepInputData: false } },
			items: [{ caption: 'dropped' }],
			credentials: demoCredentials(standIn.url),
		});
		const [landed] = allItems(result.outputs);
		expect(Object.keys(landed.item.json)).toEqual(['sokuError']);
	});
});
