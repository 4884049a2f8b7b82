import { INFERRED_NOTICE, listLimit, listProperties, listToJson } from '../common/list';
import type { SokuOperation } from '../types';

export const getAllApiKeys: SokuOperation = {
	id: 'listApiKeys',
	resource: 'apiKey',
	operation: 'getAll',
	name: 'Get Many',
	action: 'Get many API keys',
	description: 'List the account\'s API keys without their secret values (inferred response shape)',
	properties: [INFERRED_NOTICE, ...listProperties],
	build(itemIndex) {
		listLimit.call(this, itemIndex);
		return { operation: 'listApiKeys', path: '/v1/api-keys' };
	},
	toJson: listToJson,
};
