/**
 * Node version 2 through n8n's engine: the outputs n8n computes from the `outputs` expression equal the
 * pure layout for any selection, and an item lands on the fixed index of its code (chosen) or on Other
 * Error (not chosen); version 1 nodes still get their old layout.
 */
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { FIXED_OUTPUT_TABLE } from '../../nodes/Soku/actions/versionDescription';
import { ERROR_TABLE, OTHER_ERROR_OUTPUT, codesForOperation } from '../../nodes/Soku/errors/errorTable';
import { fixedOutputNames } from '../../nodes/Soku/policy/route';
import { engineOutputNames, runSoku } from '../helpers/engine';
import { demoCredentials, pairedIndexes } from '../helpers/items';
import { VALID_PARAMETERS } from '../helpers/validParams';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

const post = VALID_PARAMETERS.createPost;
const POST_CODES = codesForOperation('createPost');

let standIn: SokuStandIn;
beforeAll(async () => {
	standIn = await startStandIn();
});
afterAll(async () => {
	await standIn.close();
});
beforeEach(() => {
	pacingRegistry.clear();
	standIn.reset();
});

test('n8n evaluates the version 2 outputs expression to the pure layout, for any selection and mode', () => {
	fc.assert(
		fc.property(
			fc.option(fc.shuffledSubarray(ERROR_TABLE.map((r) => r.code)), { nil: undefined }),
			fc.constantFrom('perCode', 'perCategory', 'single', 'stop'),
			(chosen, errorRouting) => {
				const parameters = { ...post, errorRouting, ...(chosen ? { errorCodesForPostCreate: chosen } : {}) };
				expect(engineOutputNames(parameters, undefined, 2)).toEqual(fixedOutputNames(parameters, FIXED_OUTPUT_TABLE));
			},
		),
		{ numRuns: 60 },
	);
});

test('a version 1 node keeps the released layout (chosen codes only)', () => {
	const parameters = { ...post, errorCodesForPostCreate: ['missing_account', 'validation_error'] };
	expect(engineOutputNames(parameters, undefined, 1)).toEqual(['Success', 'validation_error', 'missing_account', OTHER_ERROR_OUTPUT]);
	expect(engineOutputNames(parameters, undefined, 2)).toHaveLength(POST_CODES.length + 2);
});

test.each([
	['chosen: its own output', ['validation_error', 'missing_account'], 1 + POST_CODES.indexOf('missing_account')],
	['not chosen: Other Error', ['validation_error'], POST_CODES.length + 1],
])('missing_account %s, at a fixed index', async (_label, chosen, expectedOutput) => {
	standIn.script({ status: 400, code: 'missing_account', message: 'Scripted', details: { platform: 'instagram' } });
	const result = await runSoku({
		typeVersion: 2,
		parameters: { ...post, errorCodesForPostCreate: chosen },
		items: [{ n: 0 }, { n: 1 }],
		credentials: demoCredentials(standIn.url),
	});
	const outputs = result.outputs ?? [];
	expect(outputs).toHaveLength(POST_CODES.length + 2);
	expect(outputs.map((items) => items.length)).toEqual(outputs.map((_, i) => (i === 0 || i === expectedOutput ? 1 : 0)));
	expect((outputs[expectedOutput][0].json.sokuError as IDataObject).code).toBe('missing_account');
	expect(pairedIndexes(result.outputs)).toEqual([0, 1]);
});
