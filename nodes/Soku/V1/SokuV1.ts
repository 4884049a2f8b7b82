/* Version 1: outputs are Success, the chosen codes, Other Error. Kept exactly as released, so workflows
 * saved with it keep their wires; new nodes get version 2. */
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeBaseDescription,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { OUTPUT_TABLE, versionCredentials, versionOutputs, versionProperties } from '../actions/versionDescription';
import { searchRepurposeLinks } from '../methods/listSearch';
import { configuredOutputNames, type OutputParameters } from '../policy/route';

export class SokuV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			defaults: { name: 'Soku' },
			usableAsTool: true,
			inputs: [NodeConnectionTypes.Main],
			outputs: versionOutputs,
			credentials: versionCredentials,
			properties: versionProperties,
		};
	}

	methods = {
		listSearch: { searchRepurposeLinks },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Loaded on first use: n8n loads every installed node at start and on every worker, most never run.
		const { route } = await import('../actions/router');
		return await route.call(this, this.continueOnFail(), (parameters: OutputParameters) =>
			configuredOutputNames(parameters, OUTPUT_TABLE),
		);
	}
}
