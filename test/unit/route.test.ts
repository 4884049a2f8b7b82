import { OUTPUT_TABLE } from '../../nodes/Soku/actions/versionDescription';
import type { SokuErrorInfo } from '../../nodes/Soku/errors/classify';
import { configuredOutputNames, outputsExpression, routeItem } from '../../nodes/Soku/policy/route';

const err = (code: string, type: string | null, known = true, source: SokuErrorInfo['source'] = 'api'): SokuErrorInfo => ({
	code, known, type, message: '', httpStatus: 400, requestId: null, timestamp: null, details: {}, source,
});

test('output names per routing mode', () => {
	const base = { resource: 'transcription', operation: 'create' };
	expect(configuredOutputNames({ ...base, errorRouting: 'stop' }, OUTPUT_TABLE)).toEqual(['Success']);
	expect(configuredOutputNames({ ...base, errorRouting: 'single' }, OUTPUT_TABLE)).toEqual(['Success', 'Error']);
	expect(configuredOutputNames({ ...base, errorRouting: 'perCategory' }, OUTPUT_TABLE)).toEqual([
		'Success', 'invalid_request_error', 'authentication_error', 'api_error', 'Other Error',
	]);
	expect(configuredOutputNames(base, OUTPUT_TABLE)).toEqual([
		'Success', 'validation_error', 'unauthorized', 'insufficient_credits', 'forbidden', 'not_found', 'idempotency_conflict', 'rate_limit_exceeded', 'internal_error', 'Other Error',
	]);
	// Chosen codes keep table order whatever the selection order.
	expect(configuredOutputNames({ ...base, errorCodesForTranscriptionCreate: ['internal_error', 'unauthorized'] }, OUTPUT_TABLE)).toEqual(['Success', 'unauthorized', 'internal_error', 'Other Error']);
});

test('routeItem: own branch, category, single, and Other for unknown or unchosen codes', () => {
	const names = configuredOutputNames({ resource: 'post', operation: 'create', errorCodesForPostCreate: ['missing_integrations'] }, OUTPUT_TABLE);
	expect(routeItem(err('missing_integrations', 'invalid_request_error'), 'perCode', names)).toBe(1);
	expect(routeItem(err('forbidden', 'authentication_error'), 'perCode', names)).toBe(2);
	expect(routeItem(err('missing_integrations', 'invalid_request_error', false), 'perCode', names)).toBe(2);
	const categories = configuredOutputNames({ errorRouting: 'perCategory' }, OUTPUT_TABLE);
	expect(routeItem(err('forbidden', 'authentication_error'), 'perCategory', categories)).toBe(2);
	expect(routeItem(err('http_502', null, false), 'perCategory', categories)).toBe(4);
	expect(routeItem(err('network_error', null, false, 'network'), 'perCategory', categories)).toBe(4);
	expect(routeItem(err('internal_error', 'api_error'), 'single', ['Success', 'Error'])).toBe(1);
});

test('the outputs expression never contains "}}" before its end (n8n would cut the expression there)', () => {
	const expression = outputsExpression(OUTPUT_TABLE);
	expect(expression.startsWith('={{')).toBe(true);
	expect(expression.slice(3, -2)).not.toContain('}}');
	expect(expression.slice(3, -2)).not.toContain('{{');
});
