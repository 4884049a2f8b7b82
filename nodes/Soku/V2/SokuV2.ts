/* Version 2: a fixed output layout per operation and routing mode (policy/route.ts fixedOutputNames):
 * Success, every code the operation can return, Other Error. Choosing codes never moves a wire. */
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeBaseDescription,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { FIXED_OUTPUT_TABLE, versionCredentials, versionOutputsV2, versionPropertiesV2 } from '../actions/versionDescription';
import { searchRepurposeLinks } from '../methods/listSearch';
import { fixedOutputNames, type OutputParameters } from '../policy/route';

export class SokuV2 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 2,
			defaults: { name: 'Soku' },
			usableAsTool: true,
			inputs: [NodeConnectionTypes.Main],
			outputs: versionOutputsV2,
			credentials: versionCredentials,
			properties: versionPropertiesV2,
		};
	}

	methods = {
		listSearch: { searchRepurposeLinks },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Loaded on first use: n8n loads every installed node at start and on every worker, most never run.
		const { route } = await import('../actions/router');
		return await route.call(this, this.continueOnFail(), (parameters: OutputParameters) =>
			fixedOutputNames(parameters, FIXED_OUTPUT_TABLE),
		);
	}
}
