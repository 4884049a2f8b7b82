/* The parts of the node descriptions per version: output table, outputs, credentials and properties. The
 * description objects are literals in V1/SokuV1.ts and V2/SokuV2.ts (shared fields: Soku.node.ts).
 * Version 1 keeps the output order its saved workflows were wired with; version 2 differs only in its
 * output layout (policy/route.ts fixedOutputNames) and in saying which parameters redraw the outputs. */
import {
	type INodeCredentialDescription,
	type INodeProperties,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { buildFixedOutputTable, buildOutputTable, fixedOutputNames, outputsExpression } from '../policy/route';
import { ENDPOINTS } from '../transport/endpoints';
import {
	REDRAW_NOTE,
	dryRunNotice,
	errorRoutingProperties,
	errorRoutingPropertiesFor,
	optionsProperties,
	retryProperties,
} from './common.description';
import { OPERATIONS, RESOURCES } from './operations';

export const OUTPUT_TABLE = buildOutputTable(OPERATIONS);
export const FIXED_OUTPUT_TABLE = buildFixedOutputTable(OPERATIONS);

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
export const versionOutputsV2: INodeTypeDescription['outputs'] = outputsExpression(FIXED_OUTPUT_TABLE, fixedOutputNames);

export const versionCredentials: INodeCredentialDescription[] = [
	{ name: 'sokuApi', required: true, displayOptions: { show: { resource: contentResources } } },
	{ name: 'sokuAccountApi', required: true, displayOptions: { show: { resource: ['apiKey'] } } },
];

export const versionProperties: INodeProperties[] = [
	resourceProperty,
	...operationProperties,
	dryRunNotice,
	...operationParameters,
	...errorRoutingProperties,
	...retryProperties,
	...optionsProperties,
];

/** Resource and Operation choose the output layout in version 2: their descriptions say so. */
const redraws = (property: INodeProperties): INodeProperties => ({ ...property, description: REDRAW_NOTE });

export const versionPropertiesV2: INodeProperties[] = [
	redraws(resourceProperty),
	...operationProperties.map(redraws),
	dryRunNotice,
	...operationParameters,
	...errorRoutingPropertiesFor(2),
	...retryProperties,
	...optionsProperties,
];
