/**
 * Every hint variant of the error table (README: "`hint` is one actionable sentence"): which words it
 * uses for which details and operation. Found missing by mutation testing (docs/mutation.md).
 */
import { ERROR_ROWS_BY_CODE, ERROR_TABLE, OPERATION_IDS, type OperationId } from '../../nodes/Soku/errors/errorTable';

const hint = (code: string, details: object = {}, op: OperationId = 'createPost') => ERROR_ROWS_BY_CODE.get(code)!.hint(details as never, op);
const SENTENCE = /^[A-Z][^\n]+[.)]$/;

test('every variant is one sentence', () => {
	const variants = [
		...ERROR_TABLE.flatMap((row) => OPERATION_IDS.map((op) => row.hint({}, op))),
		hint('validation_error', { field: 'scheduledTime', reason: 'too_soon' }),
		hint('missing_account', { platform: 'x', accountId: 'x_9' }),
		hint('insufficient_credits', { estimatedCost: 3, currentBalance: 1 }),
		hint('rate_limit_exceeded', { retryAfter: 0 }),
		hint('dispatch_failed', { failedPlatforms: ['tiktok'], succeededPlatforms: ['x'] }),
	];
	for (const text of variants) expect(text).toMatch(SENTENCE);
});

test('validation_error names the field, and the reason when there is one', () => {
	expect(hint('validation_error', { field: 'scheduledTime', reason: 'too_soon' })).toBe('Fix "scheduledTime" (too_soon) and run the item again.');
	expect(hint('validation_error', { field: 'post.content.videoUrl' })).toBe('Fix "post.content.videoUrl" and run the item again.');
	expect(hint('validation_error', {})).toBe('Fix the invalid field named in the message and run the item again.');
});

test('missing_integrations and dispatch_failed list the platforms, skipping empty names', () => {
	expect(hint('missing_integrations', { missingPlatforms: ['tiktok', '', 'youtube'] })).toContain('Connect tiktok, youtube to your Soku account');
	expect(hint('missing_integrations', { missingPlatforms: [] })).toContain('Connect the listed platforms to');
	expect(hint('missing_integrations', { missingPlatforms: 'tiktok' })).toContain('Connect the listed platforms to');
	expect(hint('dispatch_failed', { failedPlatforms: ['tiktok'] })).toBe('Delivery to tiktok failed after retries: retry later for the failed platforms only.');
	expect(hint('dispatch_failed', { failedPlatforms: ['tiktok'], succeededPlatforms: [] })).not.toContain('already published');
	expect(hint('dispatch_failed', { failedPlatforms: ['tiktok'], succeededPlatforms: 'x' })).not.toContain('already published');
	expect(hint('dispatch_failed', { failedPlatforms: ['tiktok', 'youtube'], succeededPlatforms: ['x', 'threads'] })).toContain(
		'Delivery to tiktok, youtube failed after retries (x, threads already published)',
	);
});

test('missing_account: an unknown account ID, or several accounts and none chosen', () => {
	expect(hint('missing_account', { platform: 'x', accountId: 'x_9' })).toMatch(/^Account "x_9" is not connected for x: use the ID of a connected account/);
	expect(hint('missing_account', { accountId: 'x_9' })).toContain('is not connected for that platform');
	expect(hint('missing_account', { platform: 'instagram' })).toBe('Several accounts are connected for instagram: set its Account ID in Targets.');
	expect(hint('missing_account', {})).toContain('Several accounts are connected for that platform');
});

test('unauthorized: a Firebase token for the key-management operations, the API key for the others', () => {
	for (const op of ['createApiKey', 'listApiKeys', 'revokeApiKey'] as const) expect(hint('unauthorized', {}, op)).toContain('Firebase ID token');
	for (const op of OPERATION_IDS.filter((o) => !o.endsWith('ApiKey') && o !== 'listApiKeys')) {
		expect(hint('unauthorized', {}, op)).toContain('start with sk_live_');
	}
});

test('insufficient_credits: cost, balance and shortfall when both are numbers', () => {
	expect(hint('insufficient_credits', { estimatedCost: 15, currentBalance: 3 }, 'transcribe')).toMatch(/^This needs 15 credits and the balance is 3 \(12 short\)/);
	// A balance above the estimate (a race with another run) never reads as a negative shortfall.
	expect(hint('insufficient_credits', { estimatedCost: 3, currentBalance: 5 }, 'transcribe')).toContain('(0 short)');
	expect(hint('insufficient_credits', { estimatedCost: 3 }, 'transcribe')).toMatch(/^The credit balance is too low/);
	expect(hint('insufficient_credits', { currentBalance: 3 }, 'transcribe')).toMatch(/^The credit balance is too low/);
});

test('not_found names what to check per operation', () => {
	expect(hint('not_found', {}, 'renderTemplate')).toBe('Check the template slug (copy it from the template editor in Soku).');
	expect(hint('not_found', {}, 'revokeApiKey')).toContain('API key ID');
	expect(hint('not_found', {}, 'createPost')).toBe('Check the referenced ID.');
});

test('rate_limit_exceeded: the hint follows why the item was routed (details.routedBecause)', () => {
	expect(hint('rate_limit_exceeded', { retryAfter: 600, routedBecause: 'waitTooLong' })).toMatch(/^Soku asks to wait 600 s, longer than Retry > Max Rate-Limit Wait allows/);
	expect(hint('rate_limit_exceeded', { retryAfter: 0, routedBecause: 'waitTooLong' })).toContain('wait 0 s');
	expect(hint('rate_limit_exceeded', { retryAfter: 90, routedBecause: 'pacingWaitTooLong' })).toMatch(/frees a slot for this credential in 90 s, .*nothing was sent/);
	expect(hint('rate_limit_exceeded', { retryAfter: 4, routedBecause: 'retriesExhausted' })).toMatch(/^Soku kept refusing with rate_limit_exceeded after the configured retries \(next slot in about 4 s\)/);
	expect(hint('rate_limit_exceeded', {})).toMatch(/^Soku kept refusing with rate_limit_exceeded after the configured retries/);
});
