import type { INodeProperties } from 'n8n-workflow';

import { requireText } from '../../helpers/validation';
import { INFERRED_NOTICE, deletedJson } from '../common/list';
import type { SokuOperation } from '../types';

const properties: INodeProperties[] = [
	INFERRED_NOTICE,
	{
		displayName: 'Repurpose Link',
		name: 'linkId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The repurpose link to delete',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchRepurposeLinks', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. rl_a1b2c3d4',
				validation: [{ type: 'regex', properties: { regex: '^\\S+$', errorMessage: 'An ID has no spaces' } }],
			},
		],
	},
];

export const deleteRepurposeLink: SokuOperation = {
	id: 'deleteRepurposeLink',
	resource: 'repurposeLink',
	operation: 'delete',
	name: 'Delete',
	action: 'Delete a repurpose link',
	description: 'Delete a repurpose link and stop its automation (inferred endpoint: DELETE /v1/repurposeLinks/{id})',
	properties,
	build(itemIndex) {
		const id = requireText(this.getNodeParameter('linkId', itemIndex, '', { extractValue: true }), 'id', 'Repurpose Link');
		return { operation: 'deleteRepurposeLink', path: `/v1/repurposeLinks/${encodeURIComponent(id)}` };
	},
	toJson(body, itemIndex) {
		return deletedJson(requireText(this.getNodeParameter('linkId', itemIndex, '', { extractValue: true }), 'id', 'Repurpose Link'), body);
	},
};
