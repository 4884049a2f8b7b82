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
