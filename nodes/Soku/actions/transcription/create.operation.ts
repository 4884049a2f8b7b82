import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { ClientValidationError, describeValue, oneOf, optionalNumber, optionalText, requireText } from '../../helpers/validation';
import type { SokuOperation } from '../types';

const properties: INodeProperties[] = [
	{
		displayName: 'Media ID',
		name: 'mediaId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. med_abc123',
		hint: 'The ID of a file already in your Soku media library, as shown in the Soku dashboard. Media > Import From URL returns only a URL, not this ID.',
		description: 'The media-library file to transcribe (audio or video)',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Duration (Seconds)',
				name: 'durationSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Length of the media; lets Soku estimate the credit cost up front',
			},
			{
				displayName: 'Language',
				name: 'language',
				type: 'string',
				default: '',
				placeholder: 'e.g. en',
				description: 'Two-letter ISO 639-1 code (en, es, fr, de, pt, ja, ko, zh …). Leave empty to detect it.',
			},
			{
				displayName: 'Model',
				name: 'model',
				type: 'options',
				options: [{ name: 'Whisper 1', value: 'whisper-1' }],
				default: 'whisper-1',
				description: 'Speech-to-text model (Soku offers one)',
			},
		],
	},
];

export const createTranscription: SokuOperation = {
	id: 'transcribe',
	resource: 'transcription',
	operation: 'create',
	name: 'Create',
	action: 'Transcribe a media file',
	description: 'Transcribe an audio or video file from the Soku media library; uses AI credits',
	properties,
	build(itemIndex) {
		const body: IDataObject = {
			mediaId: requireText(this.getNodeParameter('mediaId', itemIndex, ''), 'mediaId', 'Media ID'),
		};
		const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
		const language = optionalText(additional.language, 'language', 'Language');
		if (language) {
			if (!/^[a-z]{2}$/i.test(language)) {
				throw new ClientValidationError('language', 'invalid_value', `Language must be a two-letter ISO 639-1 code such as en, got "${language.slice(0, 20)}"`);
			}
			body.language = language.toLowerCase();
		}
		if (additional.model !== undefined) body.model = oneOf(additional.model, ['whisper-1'], 'model', 'Model');
		const seconds = optionalNumber(additional.durationSeconds, 'durationSeconds', 'Duration (Seconds)');
		if (seconds !== undefined && seconds !== 0) {
			if (seconds < 0) {
				throw new ClientValidationError('durationSeconds', 'invalid_value', `Duration (Seconds) must be a positive number, got ${describeValue(additional.durationSeconds)}`);
			}
			body.durationSeconds = seconds;
		}
		return {
			operation: 'transcribe',
			path: '/v1/ai/transcribe',
			body,
		};
	},
};
