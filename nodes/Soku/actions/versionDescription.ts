/* The node description of version 1. A later version gets its own file, so saved workflows keep the
 * output order they were wired with. */
import { NodeConnectionTypes, updateDisplayOptions, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';

import { buildOutputTable, outputsExpression } from '../policy/route';
import { ENDPOINTS } from '../transport/endpoints';
import { errorRoutingProperties, optionsProperties, retryProperties } from './common.description';
import { OPERATIONS, RESOURCES } from './operations';

export const OUTPUT_TABLE = buildOutputTable(
	OPERATIONS.map((op) => ({ key: `${op.resource}:${op.operation}`, id: op.id })),
);

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: RESOURCES.map(({ name, value, description }) => ({ name, value, description })).sort(byName),
	default: 'post',
};

const operationProperties: INodeProperties[] = RESOURCES.map((resource) => ({
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
	default: resource.operations[0].operation,
}));

const operationParameters: INodeProperties[] = OPERATIONS.flatMap((op) =>
	updateDisplayOptions({ show: { resource: [op.resource], operation: [op.operation] } }, op.properties),
);

const contentResources = RESOURCES.filter((r) => r.value !== 'apiKey').map((r) => r.value);

export const versionDescription: INodeTypeDescription = {
	displayName: 'Soku',
	name: 'soku',
	icon: { light: 'file:soku.svg', dark: 'file:soku.dark.svg' },
	group: ['output'],
	version: 1,
	subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
	description:
		'Publish and schedule posts to TikTok, Instagram, YouTube, Threads and more with Soku; every Soku error code is its own output',
	defaults: { name: 'Soku' },
	usableAsTool: true,
	inputs: [NodeConnectionTypes.Main],
	outputs: outputsExpression(OUTPUT_TABLE),
	credentials: [
		{ name: 'sokuApi', required: true, displayOptions: { show: { resource: contentResources } } },
		{ name: 'sokuAccountApi', required: true, displayOptions: { show: { resource: ['apiKey'] } } },
	],
	properties: [
		resourceProperty,
		...operationProperties,
		...operationParameters,
		...errorRoutingProperties,
		...retryProperties,
		...optionsProperties,
	],
};
