/**
 * The node's versions: new nodes get version 2; version 1 keeps the released layout and texts; version 2
 * offers each operation only the codes it can return and says which parameters redraw the outputs.
 */
import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import { Soku } from '../../nodes/Soku/Soku.node';
import { REDRAW_NOTE } from '../../nodes/Soku/actions/common.description';
import { OPERATIONS } from '../../nodes/Soku/actions/operations';
import { FIXED_OUTPUT_TABLE, OUTPUT_TABLE } from '../../nodes/Soku/actions/versionDescription';
import { codesForOperation, ERROR_TABLE } from '../../nodes/Soku/errors/errorTable';
import { configuredOutputNames, errorCodesParameter, fixedOutputNames, outputsExpression } from '../../nodes/Soku/policy/route';

const soku = new Soku();
const v1 = soku.getNodeType(1).description;
const v2 = soku.getNodeType(2).description;
const named = (d: INodeTypeDescription, name: string) => d.properties.filter((p) => p.name === name);

test('new nodes get version 2; both versions are loadable', () => {
	expect(soku.description.defaultVersion).toBe(2);
	expect(soku.getNodeType().description.version).toBe(2);
	expect(v1.version).toBe(1);
	expect(v2.version).toBe(2);
	expect(v1.name).toBe('soku');
	expect(v2.name).toBe('soku');
});

test('version 1 keeps its outputs (chosen codes) and its texts; version 2 has the fixed layout', () => {
	expect(v1.outputs).toBe(outputsExpression(OUTPUT_TABLE, configuredOutputNames));
	expect(v2.outputs).toBe(outputsExpression(FIXED_OUTPUT_TABLE, fixedOutputNames));
	for (const p of v1.properties) expect(String(p.description ?? '')).not.toContain(REDRAW_NOTE);
	for (const op of OPERATIONS) {
		const [branches] = named(v1, errorCodesParameter(op.resource, op.operation));
		expect((branches.options as Array<{ value: string }>).map((o) => o.value)).toEqual(ERROR_TABLE.map((r) => r.code));
	}
});

test('version 2: Resource, every Operation and Error Routing say that changing them redraws the outputs', () => {
	const redrawing: INodeProperties[] = [...named(v2, 'resource'), ...named(v2, 'operation'), ...named(v2, 'errorRouting')];
	expect(redrawing).toHaveLength(2 + new Set(OPERATIONS.map((op) => op.resource)).size);
	for (const p of redrawing) expect(p.description).toContain(REDRAW_NOTE);
});

test('version 2: Error Branches offers the codes the operation can return and says unchosen ones stay, marked (off)', () => {
	for (const op of OPERATIONS) {
		const [branches] = named(v2, errorCodesParameter(op.resource, op.operation));
		expect((branches.options as Array<{ value: string }>).map((o) => o.value)).toEqual(codesForOperation(op.id));
		expect(branches.default).toEqual(codesForOperation(op.id));
		expect(branches.description).toMatch(/never moves a wire.*"\(off\)".*Other Error/);
	}
});
