import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { route } from './actions/router';
import { versionDescription } from './actions/versionDescription';
import { searchRepurposeLinks } from './methods/listSearch';

export class Soku implements INodeType {
	description: INodeTypeDescription = versionDescription;

	methods = {
		listSearch: { searchRepurposeLinks },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this, this.continueOnFail());
	}
}
