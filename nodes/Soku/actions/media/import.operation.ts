import type { INodeProperties } from 'n8n-workflow';

import { requireHttpUrl } from '../../helpers/validation';
import type { SokuOperation } from '../types';

const properties: INodeProperties[] = [
	{
		displayName: 'Media URL',
		name: 'url',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/video.mp4',
		hint: 'Soku downloads the file from this public http(s) URL. The API documents no binary upload, so a file from this workflow must be reachable by URL first.',
		description:
			'Public URL of the file to import into your Soku media library. Recommended: MP4 (H.264) video, JPEG/PNG/WebP images.',
	},
];

export const importMedia: SokuOperation = {
	id: 'uploadMedia',
	resource: 'media',
	operation: 'import',
	name: 'Import From URL',
	action: 'Import media from a URL',
	description: 'Copy a file from a public URL into the Soku media library and get its Soku-hosted URL',
	properties,
	build(itemIndex) {
		const url = requireHttpUrl(this.getNodeParameter('url', itemIndex, ''), 'url', 'Media URL');
		return {
			operation: 'uploadMedia',
			path: '/v1/media',
			body: { url },
		};
	},
};
