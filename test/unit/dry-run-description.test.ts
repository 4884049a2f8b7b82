/**
 * Dry Run in the editor, evaluated with n8n's own display and expression code: the option is offered on
 * exactly the operations that write (the router applies it to the same ones), the panel shows a notice
 * while it is on, and the canvas subtitle says so.
 */
import { NodeHelpers, Workflow, type INode, type INodeParameters, type INodeProperties } from 'n8n-workflow';

import { OPERATIONS } from '../../nodes/Soku/actions/operations';
import { Soku } from '../../nodes/Soku/Soku.node';
import { ENDPOINTS } from '../../nodes/Soku/transport/endpoints';
import { SOKU_TYPE, nodeTypes } from '../helpers/engine';

const soku = new Soku();

function nodeWith(parameters: INodeParameters, typeVersion = 2): INode {
	return { id: 'n', name: 'Soku', type: SOKU_TYPE, typeVersion, position: [0, 0], parameters };
}

/** The subtitle as the canvas shows it: n8n resolves the description's expression for the node. */
function subtitle(parameters: INodeParameters): string {
	const node = nodeWith(parameters);
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return String(workflow.expression.getSimpleParameterValue(node, soku.description.subtitle as string, 'internal', {}));
}

describe.each([1, 2])('node version %s', (version) => {
	const description = soku.getNodeType(version).description;
	const options = description.properties.find((p) => p.name === 'options') as INodeProperties;
	const dryRun = (options.options as INodeProperties[]).find((o) => o.name === 'dryRun') as INodeProperties;
	const notice = description.properties.find((p) => p.name === 'dryRunNotice') as INodeProperties;

	test.each(OPERATIONS.map((op) => [`${op.resource} › ${op.operation}`, op] as const))('%s: Dry Run offered only if it writes', (_label, op) => {
		const root = { resource: op.resource, operation: op.operation };
		const writes = ENDPOINTS[op.id].method !== 'GET';
		expect(NodeHelpers.displayParameter({}, dryRun, nodeWith(root, version), description, root)).toBe(writes);
		// The notice follows the option: shown with Dry Run on, for writes only.
		const on = { ...root, options: { dryRun: true } };
		expect(NodeHelpers.displayParameter(on, notice, nodeWith(on, version), description, on)).toBe(writes);
		const off = { ...root, options: { dryRun: false } };
		expect(NodeHelpers.displayParameter(off, notice, nodeWith(off, version), description, off)).toBe(false);
	});

	test('the notice is at the top of the panel, right after Resource and Operation', () => {
		const names = description.properties.map((p) => p.name);
		expect(names.indexOf('dryRunNotice')).toBe(names.lastIndexOf('operation') + 1);
	});
});

test('the canvas subtitle starts with [DRY RUN] while Dry Run is on, and only then', () => {
	const post = { resource: 'post', operation: 'create' };
	expect(subtitle({ ...post, options: { dryRun: true } })).toBe('[DRY RUN] create: post');
	expect(subtitle({ ...post, options: { dryRun: false } })).toBe('create: post');
	expect(subtitle({ ...post, options: {} })).toBe('create: post');
	expect(subtitle(post)).toBe('create: post');
});
