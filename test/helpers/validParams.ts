import type { INodeParameters } from 'n8n-workflow';

import type { OperationId } from '../../nodes/Soku/errors/errorTable';

/** A valid parameter set per operation (values the default stand-in seed accepts). */
export const VALID_PARAMETERS: Record<OperationId, INodeParameters> = {
	createPost: {
		resource: 'post',
		operation: 'create',
		text: 'Launch day',
		targets: { target: [{ platform: 'x', accountId: '' }, { platform: 'tiktok', accountId: '' }] },
		mediaType: 'video',
		videoUrl: 'https://cdn.example.com/launch.mp4',
	},
	uploadMedia: { resource: 'media', operation: 'import', url: 'https://cdn.example.com/clip.mp4' },
	renderTemplate: { resource: 'template', operation: 'render', templateSlug: 'tweetImage', config: '{"title":"Hi"}' },
	renderOgAlias: { resource: 'media', operation: 'renderOgImage', templateSlug: 'og-blog-post' },
	transcribe: { resource: 'transcription', operation: 'create', mediaId: 'med_demo_video' },
	listRepurposeLinks: { resource: 'repurposeLink', operation: 'getAll' },
	createRepurposeLink: { resource: 'repurposeLink', operation: 'create', platform: 'instagram', accountId: 'ig_creator_main', type: 'video' },
	deleteRepurposeLink: { resource: 'repurposeLink', operation: 'delete', linkId: { __rl: true, mode: 'id', value: 'rl_missing' } },
	createApiKey: { resource: 'apiKey', operation: 'create', name: 'CI key' },
	listApiKeys: { resource: 'apiKey', operation: 'getAll' },
	revokeApiKey: { resource: 'apiKey', operation: 'revoke', keyId: 'key_missing' },
};
