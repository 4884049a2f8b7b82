import { updateDisplayOptions } from 'n8n-workflow';

import { OPERATIONS, RESOURCES } from '../../nodes/Soku/actions/operations';
import { versionProperties } from '../../nodes/Soku/actions/versionDescription';

test("the operation parameters are what n8n's updateDisplayOptions would make of them, in order", () => {
	const expected = OPERATIONS.flatMap((op) => updateDisplayOptions({ show: { resource: [op.resource], operation: [op.operation] } }, op.properties));
	const start = 1 + RESOURCES.length + 1; // after Resource, one Operation property per resource and the Dry Run notice
	expect(versionProperties.slice(start, start + expected.length)).toEqual(expected);
});
