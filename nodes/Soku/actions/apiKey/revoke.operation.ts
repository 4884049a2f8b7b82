import type { INodeProperties } from 'n8n-workflow';

import { requireText } from '../../helpers/validation';
import { INFERRED_NOTICE, deletedJson } from '../common/list';
import type { SokuOperation } from '../types';

const properties: INodeProperties[] = [
	INFERRED_NOTICE,
	{
		displayName: 'Key ID',
		name: 'keyId',
		type: 'string',
		default: '',
		required: true,
		description: 'ID of the key to revoke, from API Key > Get Many. Requests with a revoked key fail with unauthorized.',
	},
];

export const revokeApiKey: SokuOperation = {
	id: 'revokeApiKey',
	resource: 'apiKey',
	operation: 'revoke',
	name: 'Revoke',
	action: 'Revoke an API key',
	description: 'Revoke an API key (inferred endpoint: DELETE /v1/api-keys/{keyId})',
	properties,
	build(itemIndex) {
		const keyId = requireText(this.getNodeParameter('keyId', itemIndex, ''), 'keyId', 'Key ID');
		return { operation: 'revokeApiKey', path: `/v1/api-keys/${encodeURIComponent(keyId)}` };
	},
	toJson(body, itemIndex) {
		return deletedJson(requireText(this.getNodeParameter('keyId', itemIndex, ''), 'keyId', 'Key ID'), body).map(({ deleted, ...rest }) => ({ revoked: deleted, ...rest }));
	},
};
