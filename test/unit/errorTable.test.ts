import endpoints from '../fixtures/soku-endpoints.json';
import { OPERATIONS } from '../../nodes/Soku/actions/operations';
import { ERROR_CATEGORIES, ERROR_TABLE, OPERATION_IDS, codesForOperation } from '../../nodes/Soku/errors/errorTable';
import { ENDPOINTS } from '../../nodes/Soku/transport/endpoints';

/** REFERENCE §5.2, typed in by hand: code, status, type, retried. */
const DOCUMENTED: Array<[string, number, string, boolean]> = [
	['validation_error', 400, 'invalid_request_error', false],
	['upload_failed', 400, 'invalid_request_error', false],
	['missing_integrations', 400, 'invalid_request_error', false],
	['missing_account', 400, 'invalid_request_error', false],
	['unauthorized', 401, 'authentication_error', false],
	['insufficient_credits', 402, 'invalid_request_error', false],
	['forbidden', 403, 'authentication_error', false],
	['not_found', 404, 'invalid_request_error', false],
	['idempotency_conflict', 409, 'invalid_request_error', false],
	['rate_limit_exceeded', 429, 'invalid_request_error', true],
	['dispatch_failed', 500, 'api_error', true],
	['post_creation_failed', 500, 'api_error', true],
	['internal_error', 500, 'api_error', true],
];

test('the table has the 13 documented codes, in output order, with status, type and retry class', () => {
	expect(ERROR_TABLE.map((r) => [r.code, r.httpStatus, r.type, r.retry !== 'never'])).toEqual(DOCUMENTED);
	expect(ERROR_CATEGORIES).toEqual(['invalid_request_error', 'authentication_error', 'api_error']);
});

test('every code is returned by at least one operation, and every operation returns the codes the spec lists', () => {
	for (const row of ERROR_TABLE) expect(row.operations.length).toBeGreaterThan(0);
	for (const endpoint of endpoints.filter((e) => e.path !== '/v1/metrics/refresh')) {
		const codes = codesForOperation(endpoint.id as never);
		for (const code of [...endpoint.errors, ...endpoint.errorsPossible]) expect(codes).toContain(code);
	}
});

test('every documented endpoint but /v1/metrics/refresh has an operation with the same method and path', () => {
	const documented = endpoints.filter((e) => e.path !== '/v1/metrics/refresh').map((e) => `${e.id} ${e.method} ${e.path}`).sort();
	const implemented = OPERATION_IDS.map((id) => `${id} ${ENDPOINTS[id].method} ${ENDPOINTS[id].path.replace('{keyId}', '{keyId}')}`).sort();
	expect(implemented).toEqual(documented);
	expect(OPERATIONS.map((op) => op.id).sort()).toEqual([...OPERATION_IDS].sort());
	for (const e of endpoints.filter((x) => x.path !== '/v1/metrics/refresh')) {
		const spec = ENDPOINTS[e.id as never] as (typeof ENDPOINTS)['createPost'];
		expect(spec.credential).toBe(e.auth === 'apiKey' ? 'sokuApi' : 'sokuAccountApi');
		expect(spec.idempotencyKey).toBe(e.headers.some((h) => h.name === 'Idempotency-Key'));
		expect(spec.inferred).toBe((e.inferred as string[]).includes('path'));
	}
});

test('hints are actionable sentences built from the details', () => {
	const hint = (code: string, details: object, op = 'createPost') => ERROR_TABLE.find((r) => r.code === code)!.hint(details as never, op as never);
	expect(hint('missing_integrations', { missingPlatforms: ['tiktok', 'youtube'] })).toBe(
		'Connect tiktok, youtube to your Soku account under Settings > Integrations, then run the item again.',
	);
	expect(hint('insufficient_credits', { estimatedCost: 15, currentBalance: 3 }, 'transcribe')).toContain('15 credits and the balance is 3 (12 short)');
	expect(hint('insufficient_credits', {}, 'transcribe')).toContain('Account > Credits');
	expect(hint('missing_account', { platform: 'instagram' })).toContain('Several accounts are connected for instagram');
	expect(hint('missing_account', { platform: 'instagram', accountId: 'ig_x' })).toContain('"ig_x" is not connected for instagram');
	expect(hint('dispatch_failed', { failedPlatforms: ['tiktok'], succeededPlatforms: ['x'] })).toBe(
		'Delivery to tiktok failed after retries (x already published): retry later for the failed platforms only.',
	);
	expect(hint('not_found', {}, 'transcribe')).toContain('media ID');
	expect(hint('rate_limit_exceeded', { retryAfter: 600 })).toContain('600 s');
	for (const row of ERROR_TABLE) expect(row.hint({}, row.operations[0])).toMatch(/^[A-Z].+\.$/);
});
