import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { optionalText } from '../../helpers/validation';
import { listLimit, listProperties, listToJson } from '../common/list';
import { PLATFORM_OPTIONS } from '../common/platforms';
import type { SokuOperation } from '../types';

const properties: INodeProperties[] = [
	...listProperties,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{ displayName: 'Account ID', name: 'accountId', type: 'string', default: '', description: 'Only links of this account' },
			{ displayName: 'Platform', name: 'platform', type: 'options', options: PLATFORM_OPTIONS, default: 'instagram', description: 'Only links watching this platform' },
			{ displayName: 'Type', name: 'type', type: 'string', default: '', placeholder: 'e.g. video', description: 'Only links of this content type (post, video, story …)' },
		],
	},
];

export const getAllRepurposeLinks: SokuOperation = {
	id: 'listRepurposeLinks',
	resource: 'repurposeLink',
	operation: 'getAll',
	name: 'Get Many',
	action: 'Get many repurpose links',
	description: 'List the automation rules that republish new content from one account elsewhere',
	properties,
	build(itemIndex) {
		listLimit.call(this, itemIndex);
		const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
		const qs: IDataObject = {};
		for (const [key, label] of [['platform', 'Platform'], ['accountId', 'Account ID'], ['type', 'Type']]) {
			const value = optionalText(filters[key], key, `Filters › ${label}`);
			if (value) qs[key] = value;
		}
		return { operation: 'listRepurposeLinks', path: '/v1/repurposeLinks', qs };
	},
	toJson: listToJson,
};
