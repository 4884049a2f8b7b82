import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { ClientValidationError, optionalText } from '../../helpers/validation';
import type { SokuOperation } from '../types';

const properties: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		placeholder: 'e.g. Production Server',
		description: 'Label for the key, 1-100 characters. The full key is returned only once: store it right away.',
	},
];

export const createApiKey: SokuOperation = {
	id: 'createApiKey',
	resource: 'apiKey',
	operation: 'create',
	name: 'Create',
	action: 'Create an API key',
	description: 'Create a new sk_live_ API key (uses the Soku Account credential)',
	properties,
	build(itemIndex) {
		const name = optionalText(this.getNodeParameter('name', itemIndex, ''), 'name', 'Name');
		const body: IDataObject = {};
		if (name !== undefined) {
			if (Array.from(name).length > 100) {
				throw new ClientValidationError('name', 'too_long', `Name must be 1-100 characters, got ${Array.from(name).length}`);
			}
			body.name = name;
		}
		return { operation: 'createApiKey', path: '/v1/api-keys', body };
	},
};
