import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { CREDENTIAL_TEST_ALLOWED_DOMAINS, CREDENTIAL_TEST_BASE_URL } from '../nodes/Soku/transport/baseUrl';

export class SokuApi implements ICredentialType {
	name = 'sokuApi';

	displayName = 'Soku API';

	icon: Icon = { light: 'file:soku.svg', dark: 'file:soku.dark.svg' };

	documentationUrl = 'https://github.com/soku-n8n/n8n-nodes-soku#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'sk_live_...',
			hint: 'Keys start with sk_live_. Create one in Soku under Settings > API Keys; it is shown only once.',
			description: 'Your Soku API key, sent in the soku-api-key header',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.mysoku.io',
			required: true,
			description:
				'Soku API address (https://). Change it only for a self-hosted or test endpoint (e.g. https://REGION-PROJECT.cloudfunctions.net/api).',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'soku-api-key': '={{$credentials.apiKey}}',
			},
		},
	};

	// A cheap authenticated read: a wrong key fails with Soku's unauthorized message.
	test: ICredentialTestRequest = {
		request: {
			// Same Base URL rule as the node: /v1 and slashes dropped, https:// only (loopback excepted).
			baseURL: CREDENTIAL_TEST_BASE_URL,
			allowedDomains: CREDENTIAL_TEST_ALLOWED_DOMAINS,
			disableFollowRedirect: true,
			url: '/v1/repurposeLinks',
			method: 'GET',
		},
		// Soku's status codes, in words: n8n would only show the HTTP status text.
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Soku answered unauthorized: the API key is wrong, truncated or revoked. Copy a current key (it starts with sk_live_) from Soku under Settings > API Keys.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'Soku answered forbidden: the key is valid but the subscription is not active (expired, canceled or payment declined). Renew it in Soku.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message: 'Soku answered not found: check the Base URL (https://api.mysoku.io, with no path after the host).',
				},
			},
		],
	};
}
