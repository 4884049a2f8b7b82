import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { jsonObject, oneOf, requireText } from '../../helpers/validation';

export const ASPECT_RATIOS = ['1:1', '4:5', '9:16'] as const;

/** Parameters shared by POST /v1/templates and its alias POST /v1/media/render-og. */
export const renderProperties: INodeProperties[] = [
	{
		displayName: 'Template Slug',
		name: 'templateSlug',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. tweetImage',
		description: 'The slug shown in the Soku template editor, e.g. tweetImage or og-blog-post',
	},
	{
		displayName: 'Template Values (JSON)',
		name: 'config',
		type: 'json',
		default: '{}',
		description:
			'Values for the template\'s dynamic fields; omitted fields use the template defaults. For tweetImage: {"title": "…", "subtitle": "…", "author": "…", "avatar": "https://…", "theme": "dark"}.',
	},
	{
		displayName: 'Aspect Ratio',
		name: 'aspectRatio',
		type: 'options',
		options: [
			{ name: 'Template Default', value: '' },
			{ name: 'Square (1:1)', value: '1:1' },
			{ name: 'Portrait (4:5)', value: '4:5' },
			{ name: 'Story (9:16)', value: '9:16' },
		],
		default: '',
		description: 'Shape of the rendered PNG',
	},
];

export function buildRenderBody(this: IExecuteFunctions, itemIndex: number): IDataObject {
	const body: IDataObject = {
		templateSlug: requireText(this.getNodeParameter('templateSlug', itemIndex, ''), 'templateSlug', 'Template Slug'),
	};
	const config = jsonObject(this.getNodeParameter('config', itemIndex, '{}'), 'config', 'Template Values');
	if (config && Object.keys(config).length) body.config = config;
	const aspectRatio = this.getNodeParameter('aspectRatio', itemIndex, '');
	if (aspectRatio !== '' && aspectRatio !== undefined && aspectRatio !== null) body.aspectRatio = oneOf(aspectRatio, ASPECT_RATIOS, 'aspectRatio', 'Aspect Ratio');
	return body;
}
