import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { versionCredentials, versionOutputs, versionProperties } from './actions/versionDescription';
import { searchRepurposeLinks } from './methods/listSearch';

export class Soku implements INodeType {
	description: INodeTypeDescription = {
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
		outputs: versionOutputs,
		credentials: versionCredentials,
		properties: versionProperties,
	};

	methods = {
		listSearch: { searchRepurposeLinks },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Loaded on first use: n8n loads every installed node at start and on every worker, most never run.
		const { route } = await import('./actions/router');
		return await route.call(this, this.continueOnFail());
	}
}
