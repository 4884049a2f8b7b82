/**
 * Version 2 output layout (fixedOutputNames) as a pure function of operation × routing mode × selection:
 * the position of every output depends on operation and mode only, so adding, removing or re-ordering
 * codes in "Error Branches" never moves a wire (n8n stores wires by output index). Version 1
 * (configuredOutputNames) is checked to still shift, as released, so the test can tell them apart.
 */
import fc from 'fast-check';

import { OPERATIONS } from '../../nodes/Soku/actions/operations';
import { FIXED_OUTPUT_TABLE, OUTPUT_TABLE } from '../../nodes/Soku/actions/versionDescription';
import type { SokuErrorInfo } from '../../nodes/Soku/errors/classify';
import { ERROR_TABLE, OTHER_ERROR_OUTPUT, codesForOperation } from '../../nodes/Soku/errors/errorTable';
import {
	UNCHOSEN_PREFIX,
	configuredOutputNames,
	errorCodesParameter,
	fixedOutputNames,
	outputsExpression,
	routeItem,
	type RoutingMode,
} from '../../nodes/Soku/policy/route';

const ALL_CODES = ERROR_TABLE.map((row) => row.code);
const MODES: RoutingMode[] = ['perCode', 'perCategory', 'single', 'stop'];

const operation = fc.constantFrom(...OPERATIONS);
const mode = fc.constantFrom<RoutingMode | undefined>(...MODES, undefined);
/** Any selection the panel (or a hand-edited workflow) can hold: any codes, any order, or none stored. */
const selection = fc.option(fc.shuffledSubarray(ALL_CODES), { nil: undefined });

type Op = (typeof OPERATIONS)[number];
const parametersFor = (op: Op, routing: RoutingMode | undefined, chosen: string[] | undefined) => ({
	resource: op.resource,
	operation: op.operation,
	errorRouting: routing,
	[errorCodesParameter(op.resource, op.operation)]: chosen,
});
/** What an output is for, whatever its label says about the selection. */
const slot = (name: string) => (name.startsWith(UNCHOSEN_PREFIX) ? name.slice(UNCHOSEN_PREFIX.length) : name);

const apiError = (code: string): SokuErrorInfo => ({
	code, known: true, type: ERROR_TABLE.find((r) => r.code === code)?.type ?? null, message: '', httpStatus: 400,
	requestId: null, timestamp: null, details: {}, source: 'api',
});

test('the slots of every output depend on operation and routing mode only, never on the selection', () => {
	fc.assert(
		fc.property(operation, mode, selection, selection, (op, routing, a, b) => {
			const first = fixedOutputNames(parametersFor(op, routing, a), FIXED_OUTPUT_TABLE).map(slot);
			const second = fixedOutputNames(parametersFor(op, routing, b), FIXED_OUTPUT_TABLE).map(slot);
			expect(second).toEqual(first);
		}),
		{ numRuns: 500 },
	);
});

test('adding or removing one code changes only that code\'s label, at the same position', () => {
	fc.assert(
		fc.property(operation, fc.shuffledSubarray(ALL_CODES), fc.constantFrom(...ALL_CODES), (op, chosen, toggled) => {
			const without = chosen.filter((code) => code !== toggled);
			const withIt = [...without, toggled];
			const before = fixedOutputNames(parametersFor(op, 'perCode', without), FIXED_OUTPUT_TABLE);
			const after = fixedOutputNames(parametersFor(op, 'perCode', withIt), FIXED_OUTPUT_TABLE);
			expect(after).toHaveLength(before.length);
			const changed = before.map((name, i) => i).filter((i) => before[i] !== after[i]);
			if (codesForOperation(op.id).includes(toggled)) {
				const at = before.indexOf(UNCHOSEN_PREFIX + toggled);
				expect(changed).toEqual([at]);
				expect(after[at]).toBe(toggled);
			} else {
				expect(changed).toEqual([]); // a code the operation cannot return has no output at all
			}
		}),
		{ numRuns: 500 },
	);
});

test('per code: Success, every code the operation can return in table order, Other Error', () => {
	for (const op of OPERATIONS) {
		const codes = codesForOperation(op.id);
		const names = fixedOutputNames(parametersFor(op, 'perCode', []), FIXED_OUTPUT_TABLE);
		expect(names).toEqual(['Success', ...codes.map((c) => UNCHOSEN_PREFIX + c), OTHER_ERROR_OUTPUT]);
		// Nothing stored (a new node): every code is chosen, as the parameter's default says.
		expect(fixedOutputNames(parametersFor(op, undefined, undefined), FIXED_OUTPUT_TABLE)).toEqual(['Success', ...codes, OTHER_ERROR_OUTPUT]);
	}
	const post = OPERATIONS.find((op) => op.id === 'createPost') as Op;
	expect(fixedOutputNames(parametersFor(post, 'perCode', ['dispatch_failed', 'upload_failed']), FIXED_OUTPUT_TABLE).slice(0, 4)).toEqual([
		'Success', '(off) validation_error', 'upload_failed', '(off) missing_integrations',
	]);
	expect(fixedOutputNames(parametersFor(post, 'perCategory', []), FIXED_OUTPUT_TABLE)).toEqual([
		'Success', 'invalid_request_error', 'authentication_error', 'api_error', OTHER_ERROR_OUTPUT,
	]);
	expect(fixedOutputNames(parametersFor(post, 'single', []), FIXED_OUTPUT_TABLE)).toEqual(['Success', 'Error']);
	expect(fixedOutputNames(parametersFor(post, 'stop', []), FIXED_OUTPUT_TABLE)).toEqual(['Success']);
});

test('routing: a chosen code goes to its own output, an unchosen one to Other Error, at fixed indexes', () => {
	fc.assert(
		fc.property(operation, fc.shuffledSubarray(ALL_CODES), (op, chosen) => {
			const names = fixedOutputNames(parametersFor(op, 'perCode', chosen), FIXED_OUTPUT_TABLE);
			const codes = codesForOperation(op.id);
			for (const code of ALL_CODES) {
				const index = routeItem(apiError(code), 'perCode', names);
				if (chosen.includes(code) && codes.includes(code)) expect(index).toBe(1 + codes.indexOf(code));
				else expect(index).toBe(names.length - 1);
			}
		}),
		{ numRuns: 300 },
	);
});

test('version 1 is unchanged: its outputs are the chosen codes, so a selection change shifts them', () => {
	const post = OPERATIONS.find((op) => op.id === 'createPost') as Op;
	const before = configuredOutputNames(parametersFor(post, 'perCode', ['validation_error', 'rate_limit_exceeded']), OUTPUT_TABLE);
	const after = configuredOutputNames(parametersFor(post, 'perCode', ['validation_error', 'unauthorized', 'rate_limit_exceeded']), OUTPUT_TABLE);
	expect(before).toEqual(['Success', 'validation_error', 'rate_limit_exceeded', OTHER_ERROR_OUTPUT]);
	expect(after[2]).toBe('unauthorized');
});

test('the version 2 outputs expression never contains "}}" or "{{" before its end', () => {
	const expression = outputsExpression(FIXED_OUTPUT_TABLE, fixedOutputNames);
	expect(expression.slice(3, -2)).not.toContain('}}');
	expect(expression.slice(3, -2)).not.toContain('{{');
});

/**
 * Saved version-2 workflows are wired to these positions. A new error-table row for an existing operation
 * (or a new operation list for a row) would insert an output before Other Error and move its wires: that
 * needs a new node version, and this test says so by failing.
 */
const VERSION_2_LAYOUTS: Record<string, string[]> = {
	'post:create': ['validation_error', 'upload_failed', 'missing_integrations', 'missing_account', 'unauthorized', 'forbidden', 'not_found', 'idempotency_conflict', 'rate_limit_exceeded', 'dispatch_failed', 'post_creation_failed', 'internal_error'],
	'media:import': ['validation_error', 'upload_failed', 'unauthorized', 'forbidden', 'idempotency_conflict', 'rate_limit_exceeded', 'internal_error'],
	'media:renderOgImage': ['validation_error', 'unauthorized', 'forbidden', 'not_found', 'rate_limit_exceeded', 'internal_error'],
	'transcription:create': ['validation_error', 'unauthorized', 'insufficient_credits', 'forbidden', 'not_found', 'idempotency_conflict', 'rate_limit_exceeded', 'internal_error'],
	'template:render': ['validation_error', 'unauthorized', 'forbidden', 'not_found', 'rate_limit_exceeded', 'internal_error'],
	'repurposeLink:create': ['validation_error', 'unauthorized', 'forbidden', 'not_found', 'rate_limit_exceeded', 'internal_error'],
	'repurposeLink:delete': ['validation_error', 'unauthorized', 'forbidden', 'not_found', 'rate_limit_exceeded', 'internal_error'],
	'repurposeLink:getAll': ['validation_error', 'unauthorized', 'forbidden', 'rate_limit_exceeded', 'internal_error'],
	'apiKey:create': ['validation_error', 'unauthorized', 'rate_limit_exceeded', 'internal_error'],
	'apiKey:getAll': ['unauthorized', 'rate_limit_exceeded', 'internal_error'],
	'apiKey:revoke': ['validation_error', 'unauthorized', 'not_found', 'rate_limit_exceeded', 'internal_error'],
};

test('the version 2 layout of every operation is frozen (Success, these codes, Other Error)', () => {
	const actual = Object.fromEntries(
		OPERATIONS.map((op) => [`${op.resource}:${op.operation}`, fixedOutputNames(parametersFor(op, 'perCode', undefined), FIXED_OUTPUT_TABLE)]),
	);
	expect(actual).toEqual(Object.fromEntries(Object.entries(VERSION_2_LAYOUTS).map(([key, codes]) => [key, ['Success', ...codes, OTHER_ERROR_OUTPUT]])));
});
