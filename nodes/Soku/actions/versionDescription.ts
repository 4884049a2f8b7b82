/* The parts of the version 1 node description: output table, outputs, credentials and properties. The
 * description object itself is a literal in Soku.node.ts, where n8n's lint rules (icon, filename,
 * description fields) look for it. A later version gets its own files, so saved workflows keep the
 * output order they were wired with. */
import {
	type INodeCredentialDescription,
	type INodeProperties,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { buildOutputTable, outputsExpression } from '../policy/route';
import { ENDPOINTS } from '../transport/endpoints';
import { errorRoutingProperties, optionsProperties, retryProperties } from './common.description';
import { OPERATIONS, RESOURCES } from './operations';

export const OUTPUT_TABLE = buildOutputTable(OPERATIONS);

// Plain comparison: localeCompare would load ICU data at node load time (~7 ms).
const byName = <T extends { name: string }>(a: T, b: T) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1);

const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: RESOURCES.map(({ name, value, description }) => ({ name, value, description })).sort(byName),
	default: 'post',
};

const operationProperties: INodeProperties[] = RESOURCES.map((resource) => {
	const firstOperation = resource.operations[0].operation;
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource.value] } },
		options: resource.operations
			.map((op) => ({
				name: op.name,
				value: op.operation,
				action: op.action,
				description: ENDPOINTS[op.id].inferred ? `${op.description} (inferred endpoint, experimental)` : op.description,
			}))
			.sort(byName),
		default: firstOperation,
	};
});

// What n8n-workflow's updateDisplayOptions does for these properties (a test checks it gives the same
// description), without its lodash deep merge, which costs about 1 ms of CPU at every node load.
const showOnlyFor = (resource: string, operation: string, properties: INodeProperties[]): INodeProperties[] =>
	properties.map((p) => ({ ...p, displayOptions: { ...p.displayOptions, show: { ...p.displayOptions?.show, resource: [resource], operation: [operation] } } }));

const operationParameters: INodeProperties[] = OPERATIONS.flatMap((op) => showOnlyFor(op.resource, op.operation, op.properties));

const contentResources = RESOURCES.filter((r) => r.value !== 'apiKey').map((r) => r.value);

export const versionOutputs: INodeTypeDescription['outputs'] = outputsExpression(OUTPUT_TABLE);

export const versionCredentials: INodeCredentialDescription[] = [
	{ name: 'sokuApi', required: true, displayOptions: { show: { resource: contentResources } } },
	{ name: 'sokuAccountApi', required: true, displayOptions: { show: { resource: ['apiKey'] } } },
];

export const versionProperties: INodeProperties[] = [
	resourceProperty,
	...operationProperties,
	...operationParameters,
	...errorRoutingProperties,
	...retryProperties,
	...optionsProperties,
];
