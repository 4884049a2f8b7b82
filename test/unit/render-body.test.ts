/**
 * The render body's validation errors name the field Soku knows and the label the user sees in the node
 * panel (the mutation run changed both strings and no test noticed): a user reading sokuError must find
 * the parameter to fix.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { buildRenderBody } from '../../nodes/Soku/actions/common/render';
import { ClientValidationError } from '../../nodes/Soku/helpers/validation';

const withParameters = (values: Record<string, unknown>) =>
	({ getNodeParameter: (name: string, _i: number, fallback?: unknown) => (name in values ? values[name] : fallback) }) as unknown as IExecuteFunctions;

function refusal(values: Record<string, unknown>): Pick<ClientValidationError, 'field' | 'reason' | 'message'> {
	try {
		buildRenderBody.call(withParameters(values), 0);
	} catch (error) {
		if (error instanceof ClientValidationError) return { field: error.field, reason: error.reason, message: error.message };
		throw error;
	}
	throw new Error('no validation error');
}

test.each([
	['no template slug', {}, { field: 'templateSlug', reason: 'required', message: 'Template Slug is required' }],
	['template values that are not JSON', { templateSlug: 'og', config: '{title:' }, { field: 'config', reason: 'invalid_json', message: 'Template Values must be a JSON object, e.g. {"title": "Hello"}' }],
	['an unknown aspect ratio', { templateSlug: 'og', aspectRatio: '2:3' }, { field: 'aspectRatio', reason: 'invalid_value', message: expect.stringMatching(/^Aspect Ratio must be one of .+, got "2:3"$/) }],
])('%s: validation_error names the field and the panel label', (_label, values, expected) => {
	expect(refusal(values)).toEqual(expected);
});

test('without Template Values the body has no config', () => {
	expect(buildRenderBody.call(withParameters({ templateSlug: 'og' }), 0)).toEqual({ templateSlug: 'og' });
});
