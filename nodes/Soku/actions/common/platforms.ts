import type { INodePropertyOptions } from 'n8n-workflow';

/** The seven platforms Soku dispatches to, plus snapchat, which it lists but does not document for the API. */
export const PLATFORM_IDS = ['x', 'threads', 'instagram', 'facebook', 'tiktok', 'youtube', 'linkedin', 'snapchat'] as const;

export const PLATFORM_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Facebook', value: 'facebook' },
	{ name: 'Instagram', value: 'instagram' },
	{ name: 'LinkedIn', value: 'linkedin' },
	{ name: 'Threads', value: 'threads' },
	{ name: 'TikTok', value: 'tiktok' },
	{ name: 'X (Twitter)', value: 'x' },
	{ name: 'YouTube', value: 'youtube' },
];

export const MEDIA_TYPES = ['text', 'image', 'video'] as const;

/** Soku lower-cases identifiers and maps twitter to x; do the same before checking and sending. */
export function normalisePlatform(value: string): string {
	const name = value.trim().toLowerCase();
	return name === 'twitter' ? 'x' : name;
}

/**
 * What each platform takes (REFERENCE §8.2, the dashboard's content-type matrix; the API pages say
 * nothing either way). Enforced before sending as the strictest reading: a platform refuses such a post
 * anyway, and a refusal here sends nothing. maxImages null: no documented number; captionLimit counts
 * characters (code points). textOnly: takes a post without media; needsText: takes no post without text.
 */
export interface PlatformRule {
	textOnly: boolean;
	images: boolean;
	video: boolean;
	maxImages: number | null;
	captionLimit: number;
	needsText: boolean;
}

export const PLATFORM_RULES: Readonly<Record<(typeof PLATFORM_IDS)[number], PlatformRule>> = {
	x: { textOnly: true, images: true, video: true, maxImages: 4, captionLimit: 280, needsText: true },
	threads: { textOnly: true, images: true, video: true, maxImages: 20, captionLimit: 500, needsText: true },
	instagram: { textOnly: false, images: true, video: true, maxImages: 10, captionLimit: 2200, needsText: false },
	facebook: { textOnly: true, images: true, video: true, maxImages: 10, captionLimit: 5000, needsText: false },
	tiktok: { textOnly: false, images: true, video: true, maxImages: 35, captionLimit: 2200, needsText: false },
	youtube: { textOnly: false, images: false, video: true, maxImages: 0, captionLimit: 100, needsText: false },
	linkedin: { textOnly: true, images: true, video: true, maxImages: 9, captionLimit: 3000, needsText: false },
	snapchat: { textOnly: false, images: true, video: true, maxImages: null, captionLimit: 160, needsText: false },
};

const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'gif'];
const VIDEO_EXTENSIONS = ['mp4', 'mov', 'webm', 'mkv', 'm4v'];

/**
 * Whether an Extra Media URL (post.content.mediaUrls, a list of any media) is an image or a video: by
 * its file extension (REFERENCE §9 formats), else by the post's media type, as Soku must decide too.
 */
export function mediaKindOf(url: string, mediaType: string): 'image' | 'video' {
	let last = '';
	try {
		last = new URL(url).pathname.split('/').pop() ?? '';
	} catch {
		// Checked as a URL before; unparsable here means no extension.
	}
	const dot = last.lastIndexOf('.');
	const extension = dot > 0 ? last.slice(dot + 1).toLowerCase() : '';
	if (IMAGE_EXTENSIONS.includes(extension)) return 'image';
	if (VIDEO_EXTENSIONS.includes(extension)) return 'video';
	return mediaType === 'video' ? 'video' : 'image';
}
