import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { CREDENTIAL_TEST_ALLOWED_DOMAINS, CREDENTIAL_TEST_BASE_URL } from '../nodes/Soku/transport/baseUrl';

/**
 * Soku's key-management endpoints (/v1/api-keys) take a Firebase ID token of a signed-in Soku user,
 * not an API key. Only the API Key operations use this credential.
 */
export class SokuAccountApi implements ICredentialType {
	name = 'sokuAccountApi';

	displayName = 'Soku Account (Firebase ID Token) API';

	icon: Icon = { light: 'file:soku.svg', dark: 'file:soku.dark.svg' };

	documentationUrl = 'https://github.com/soku-n8n/n8n-nodes-soku#credentials';

	properties: INodeProperties[] = [
		{
			displayName:
				'Only for the API Key operations. Soku does not document how to mint these tokens outside its web app, and they expire after about an hour: most users create API keys in the Soku dashboard instead.',
			name: 'notice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Firebase ID Token',
			name: 'idToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'ID token of the signed-in Soku account owner, sent as Authorization: Bearer',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.mysoku.io',
			required: true,
			description: 'Soku API address (https://; http:// only for localhost)',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.idToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			// Same Base URL rule as the node: /v1 and slashes dropped, https:// only (loopback excepted).
			baseURL: CREDENTIAL_TEST_BASE_URL,
			allowedDomains: CREDENTIAL_TEST_ALLOWED_DOMAINS,
			disableFollowRedirect: true,
			url: '/v1/api-keys',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Soku answered unauthorized: the Firebase ID token is missing, wrong or expired (they last about an hour). Sign in to Soku again and paste a fresh token.',
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
