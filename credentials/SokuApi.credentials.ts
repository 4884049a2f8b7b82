import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

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
				'Soku API address without /v1. Change it only for a self-hosted or test endpoint (e.g. https://REGION-PROJECT.cloudfunctions.net/api).',
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
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/v1/repurposeLinks',
			method: 'GET',
		},
	};
}
