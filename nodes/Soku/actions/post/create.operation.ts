import type { IDataObject, INodeProperties } from 'n8n-workflow';

import {
	ClientValidationError,
	describeValue,
	futureIsoTime,
	httpUrlList,
	oneOf,
	optionalBoolean,
	optionalText,
	readText,
	requireHttpUrl,
	requireText,
} from '../../helpers/validation';
import { MEDIA_TYPES, PLATFORM_IDS, PLATFORM_OPTIONS, PLATFORM_RULES, mediaKindOf, normalisePlatform } from '../common/platforms';
import type { SokuOperation } from '../types';
import type { SokuRequest } from '../../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Targets',
		name: 'targets',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Target',
		default: { target: [{ platform: 'x', accountId: '' }] },
		required: true,
		description:
			'Where to publish. Leave Account ID empty to use the only connected account of a platform; set it when several accounts of that platform are connected.',
		options: [
			{
				displayName: 'Target',
				name: 'target',
				values: [
					{
						displayName: 'Platform',
						name: 'platform',
						type: 'options',
						options: PLATFORM_OPTIONS,
						default: 'x',
						description:
							'Platform to publish to. Use an expression for "snapchat", which Soku lists but does not document for the API.',
					},
					{
						displayName: 'Account ID',
						name: 'accountId',
						type: 'string',
						default: '',
						placeholder: 'e.g. ig_creator_main',
						description:
							"The platform's own account ID (Instagram user ID, TikTok open_id, YouTube channel ID). Required when more than one account of this platform is connected.",
					},
				],
			},
		],
	},
	{
		displayName: 'Media Type',
		name: 'mediaType',
		type: 'options',
		options: [
			{ name: 'Image', value: 'image', description: 'One or more images (several make a carousel)' },
			{ name: 'Text', value: 'text', description: 'Text only (X, Threads, Facebook, LinkedIn)' },
			{ name: 'Video', value: 'video', description: 'A single video' },
		],
		default: 'text',
		description: 'The kind of post',
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description:
			'Caption or post body. Required for text posts and for X and Threads. Longer text is refused before sending: X 280, Threads 500, Instagram and TikTok 2,200, LinkedIn 3,000, Facebook 5,000, YouTube 100, Snapchat 160 characters.',
	},
	{
		displayName: 'Video URL',
		name: 'videoUrl',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/clip.mp4',
		displayOptions: { show: { mediaType: ['video'] } },
		hint: 'A public http(s) URL (MP4 H.264 recommended, up to 500 MB). To use a file from this workflow, upload it somewhere public first, or import it with Media > Import From URL.',
		description: 'Public URL of the video (required for video posts)',
	},
	{
		displayName: 'Image URLs',
		name: 'imageUrls',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/a.jpg, https://example.com/b.jpg',
		displayOptions: { show: { mediaType: ['image'] } },
		hint: 'Public http(s) URLs separated by commas or new lines, or an expression returning an array. JPEG, PNG or WebP up to 50 MB each.',
		description: 'Public URLs of the images, in order (at least one for image posts)',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Enable Repurposing',
				name: 'enableRepurposing',
				type: 'boolean',
				default: false,
				description: "Whether to run the account's automations (reposting, repurposing) for this post",
			},
			{
				displayName: 'Extra Media URLs',
				name: 'mediaUrls',
				type: 'string',
				default: '',
				description:
					"Sent as post.content.mediaUrls: Soku's general-purpose media list (comma-separated http(s) URLs or an array). Instagram needs at least one media URL. A video post carries one video: add images here (.jpg, .png, .webp, .gif), not a second video.",
			},
			{
				displayName: 'Instagram Trial Reel',
				name: 'trialReel',
				type: 'boolean',
				default: false,
				description:
					'Whether to publish Instagram Reels as trial reels (limited visibility). Only for video posts to Instagram; ignored elsewhere.',
			},
			{
				displayName: 'Scheduled Time',
				name: 'scheduledTime',
				type: 'dateTime',
				default: '',
				description:
					"When to publish, at least one minute from now. Leave empty to publish now. A time without an offset is read in the workflow's time zone.",
			},
		],
	},
];

/**
 * The media rules of §8.2 for every target: video posts carry a single video (Extra Media URLs may add
 * images only), no text-only posts where a platform needs media, no image-only posts to YouTube, and at
 * most the platform's number of images.
 */
function checkMediaForPlatforms(
	mediaType: string,
	media: Array<{ kind: 'image' | 'video'; field: string }>,
	rules: Array<{ name: string } & (typeof PLATFORM_RULES)[keyof typeof PLATFORM_RULES]>,
): void {
	const images = media.filter((m) => m.kind === 'image');
	const videos = media.length - images.length;
	if (mediaType === 'video' && videos > 1) {
		throw new ClientValidationError(
			'post.content.mediaUrls',
			'too_many',
			'A video post carries a single video: Extra Media URLs may add images (.jpg, .png, .webp, .gif) but no second video',
		);
	}
	const needMedia = rules.filter((r) => !r.textOnly).map((r) => r.name);
	if (!media.length && needMedia.length) {
		throw new ClientValidationError(
			'post.content.mediaType',
			'unsupported_for_platform',
			`${needMedia.join(', ')} cannot publish text-only posts: choose Media Type Image or Video`,
		);
	}
	const videoOnly = rules.filter((r) => !r.images).map((r) => r.name);
	if (videoOnly.length && videos === 0) {
		throw new ClientValidationError(
			'post.content.mediaType',
			'unsupported_for_platform',
			`${videoOnly.join(', ')} publishes video posts only: choose Media Type Video`,
		);
	}
	for (const rule of rules) {
		if (rule.images && rule.maxImages !== null && images.length > rule.maxImages) {
			throw new ClientValidationError(
				images.some((m) => m.field === 'post.content.imageUrls') ? 'post.content.imageUrls' : 'post.content.mediaUrls',
				'too_many',
				`${rule.name} takes at most ${rule.maxImages} images per post, got ${images.length}: remove some or split the post`,
			);
		}
	}
}

function targetsOf(raw: unknown): unknown[] {
	const targets = (raw as IDataObject | undefined)?.target;
	return Array.isArray(targets) ? targets : [];
}

export const createPost: SokuOperation = {
	id: 'createPost',
	resource: 'post',
	operation: 'create',
	name: 'Create',
	action: 'Create a post',
	description: 'Publish a post now or at a scheduled time to one or more platforms',
	properties,
	timeRelative: { 'additionalFields.scheduledTime': ['scheduledTime'], text: ['post', 'content', 'text'] },
	build(itemIndex, context) {
		const mediaType = oneOf(this.getNodeParameter('mediaType', itemIndex, 'text'), MEDIA_TYPES, 'post.content.mediaType', 'Media Type', (t) =>
			t.toLowerCase(),
		);
		const rawTargets = targetsOf(this.getNodeParameter('targets', itemIndex, {}));
		if (rawTargets.length === 0) {
			throw new ClientValidationError('post.content.platform', 'empty', 'Targets: add at least one platform to publish to');
		}
		const platform = rawTargets.map((raw, i) => {
			const target = (raw !== null && typeof raw === 'object' ? raw : {}) as IDataObject;
			const field = `post.content.platform[${i}].platform`;
			const name = normalisePlatform(requireText(target.platform, field, `Targets #${i + 1} Platform`));
			if (!(PLATFORM_IDS as readonly string[]).includes(name)) {
				throw new ClientValidationError(
					field,
					'unknown_platform',
					`Targets #${i + 1} Platform must be one of ${PLATFORM_IDS.join(', ')}, got ${describeValue(target.platform)}`,
				);
			}
			const accountId = optionalText(target.accountId, `post.content.platform[${i}].accountId`, `Targets #${i + 1} Account ID`);
			return accountId ? { platform: name, accountId } : name;
		});
		const names = platform.map((t) => (typeof t === 'string' ? t : t.platform)) as Array<keyof typeof PLATFORM_RULES>;
		const rules = names.map((name) => ({ name, ...PLATFORM_RULES[name] }));

		// Kept as typed (line breaks and spacing matter in captions); blank counts as missing.
		const rawText = readText(this.getNodeParameter('text', itemIndex, ''), 'post.content.text', 'Text');
		const text = rawText?.trim() ? rawText : undefined;
		const needsText = rules.filter((r) => r.needsText).map((r) => r.name);
		if (!text && (mediaType === 'text' || needsText.length)) {
			const why = mediaType === 'text' ? 'a text post' : needsText.join(' and ');
			throw new ClientValidationError('post.content.text', 'required', `Text is required for ${why}`);
		}
		const characters = text ? Array.from(text).length : 0;
		const tooLong = rules.filter((r) => characters > r.captionLimit);
		if (tooLong.length) {
			throw new ClientValidationError(
				'post.content.text',
				'too_long',
				`Text is ${characters} characters; ${tooLong.map((r) => `${r.name} allows ${r.captionLimit}`).join(', ')}: shorten it or post to those platforms separately`,
			);
		}

		const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
		const content: IDataObject = { mediaType };
		if (text) content.text = text;
		const media: Array<{ kind: 'image' | 'video'; field: string }> = [];
		if (mediaType === 'video') {
			content.videoUrl = requireHttpUrl(this.getNodeParameter('videoUrl', itemIndex, ''), 'post.content.videoUrl', 'Video URL');
			media.push({ kind: 'video', field: 'post.content.videoUrl' });
		}
		if (mediaType === 'image') {
			const imageUrls = httpUrlList(this.getNodeParameter('imageUrls', itemIndex, ''), 'post.content.imageUrls', 'Image URL');
			if (!imageUrls.length) {
				throw new ClientValidationError('post.content.imageUrls', 'required', 'Image URLs: add at least one image URL for an image post');
			}
			content.imageUrls = imageUrls;
			media.push(...imageUrls.map(() => ({ kind: 'image' as const, field: 'post.content.imageUrls' })));
		}
		const mediaUrls = httpUrlList(additional.mediaUrls, 'post.content.mediaUrls', 'Extra Media URL');
		if (mediaUrls.length) content.mediaUrls = mediaUrls;
		media.push(...mediaUrls.map((url) => ({ kind: mediaKindOf(url, mediaType), field: 'post.content.mediaUrls' })));
		checkMediaForPlatforms(mediaType, media, rules);
		content.platform = platform;

		const body: IDataObject = { post: { content } };
		let sendBefore: SokuRequest['sendBefore'];
		const scheduledTime = additional.scheduledTime;
		if (!(typeof scheduledTime === 'string' && scheduledTime.trim() === '') && scheduledTime !== undefined && scheduledTime !== null) {
			body.scheduledTime = futureIsoTime(scheduledTime, 'scheduledTime', 'Scheduled Time', context.now, context.timeZone, 60_000);
			// Checked again right before each send: a pacing or retry wait can eat the minute of lead time.
			const scheduled = body.scheduledTime as string;
			sendBefore = {
				at: Date.parse(scheduled) - 60_000,
				field: 'scheduledTime',
				reason: 'must_be_future',
				message: `Scheduled Time must be at least 60 seconds in the future when the post is sent; after waiting for Soku's rate limit it no longer is (scheduled for ${scheduled}): not sent`,
			};
		}
		const enableRepurposing = optionalBoolean(additional.enableRepurposing, 'enableRepurposing', 'Enable Repurposing');
		if (enableRepurposing !== undefined) body.enableRepurposing = enableRepurposing;
		const trialReel = optionalBoolean(additional.trialReel, 'trial_reel', 'Instagram Trial Reel');
		if (trialReel !== undefined) body.trial_reel = trialReel;

		return {
			operation: 'createPost',
			path: '/v1/posts',
			body,
			sendBefore,
		};
	},
	// Every success item has the same fields: which platform was accepted by which attempt (attempt 2+
	// when a dispatch_failed was retried for the failed platforms only).
	toJson(body, _itemIndex, request, outcome) {
		const response = (body !== null && typeof body === 'object' ? body : {}) as IDataObject;
		const id = typeof response.postSubmissionId === 'string' ? response.postSubmissionId : undefined;
		const content = ((request.body?.post as IDataObject | undefined)?.content ?? {}) as IDataObject;
		const targets = Array.isArray(content.platform) ? (content.platform as Array<string | IDataObject>) : [];
		// A replay known only from a 409 (time-relative key): accepted by an earlier run, attempt and id unknown.
		const attempt = outcome.replayedByConflict ? null : 1;
		const platforms = outcome.dispatch
			? outcome.dispatch.delivered
			: targets.map((t) =>
					typeof t === 'string'
						? { platform: t, attempt, postSubmissionId: id ?? null }
						: { platform: t.platform, accountId: t.accountId, attempt, postSubmissionId: id ?? null },
				);
		return [
			{
				postSubmissionId: id ?? null,
				...response,
				postSubmissionIds: outcome.dispatch ? outcome.dispatch.postSubmissionIds : id ? [id] : [],
				platforms: platforms as unknown as IDataObject[],
			},
		];
	},
};
