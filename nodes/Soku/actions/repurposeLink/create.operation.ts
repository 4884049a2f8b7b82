import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { jsonObject, optionalBoolean, optionalText, requireText } from '../../helpers/validation';
import { PLATFORM_OPTIONS, normalisePlatform } from '../common/platforms';
import type { SokuOperation } from '../types';

const properties: INodeProperties[] = [
	{
		displayName: 'Platform',
		name: 'platform',
		type: 'options',
		options: PLATFORM_OPTIONS,
		default: 'instagram',
		required: true,
		description: 'Source platform whose new content is watched',
	},
	{
		displayName: 'Account ID',
		name: 'accountId',
		type: 'string',
		default: '',
		required: true,
		description: 'Connected account on that platform',
	},
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		options: [
			{ name: 'Post', value: 'post' },
			{ name: 'Story', value: 'story' },
			{ name: 'Video', value: 'video' },
		],
		default: 'video',
		required: true,
		description: 'Kind of content to repurpose. Use an expression for other values Soku may accept.',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{ displayName: 'Add Hashtags', name: 'addHashtags', type: 'boolean', default: false, description: 'Whether to add relevant hashtags automatically' },
			{ displayName: 'Include Caption', name: 'includeCaption', type: 'boolean', default: true, description: 'Whether to carry over the original caption' },
			{
				displayName: 'More Settings (JSON)',
				name: 'settingsJson',
				type: 'json',
				default: '{}',
				description: 'Further settings merged into "settings", e.g. {"delayHours": 2}',
			},
			{ displayName: 'Template ID', name: 'templateId', type: 'string', default: '', description: 'Template to apply; empty for none' },
		],
	},
];

export const createRepurposeLink: SokuOperation = {
	id: 'createRepurposeLink',
	resource: 'repurposeLink',
	operation: 'create',
	name: 'Create',
	action: 'Create a repurpose link',
	description: 'Create an automation rule that republishes new content from a source account',
	properties,
	build(itemIndex) {
		const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
		const body: IDataObject = {
			platform: normalisePlatform(requireText(this.getNodeParameter('platform', itemIndex, ''), 'platform', 'Platform')),
			accountId: requireText(this.getNodeParameter('accountId', itemIndex, ''), 'accountId', 'Account ID'),
			type: requireText(this.getNodeParameter('type', itemIndex, ''), 'type', 'Type'),
		};
		const templateId = optionalText(additional.templateId, 'templateId', 'Template ID');
		if (templateId) body.templateId = templateId;
		const settings: IDataObject = { ...(jsonObject(additional.settingsJson, 'settings', 'More Settings') ?? {}) };
		const includeCaption = optionalBoolean(additional.includeCaption, 'settings.includeCaption', 'Include Caption');
		if (includeCaption !== undefined) settings.includeCaption = includeCaption;
		const addHashtags = optionalBoolean(additional.addHashtags, 'settings.addHashtags', 'Add Hashtags');
		if (addHashtags !== undefined) settings.addHashtags = addHashtags;
		if (Object.keys(settings).length) body.settings = settings;
		return { operation: 'createRepurposeLink', path: '/v1/repurposeLinks', body };
	},
};
