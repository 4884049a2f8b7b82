import type { OperationId } from '../errors/errorTable';
import { createApiKey } from './apiKey/create.operation';
import { getAllApiKeys } from './apiKey/getAll.operation';
import { revokeApiKey } from './apiKey/revoke.operation';
import { importMedia } from './media/import.operation';
import { renderOgImage } from './media/renderOgImage.operation';
import { createPost } from './post/create.operation';
import { createRepurposeLink } from './repurposeLink/create.operation';
import { deleteRepurposeLink } from './repurposeLink/delete.operation';
import { getAllRepurposeLinks } from './repurposeLink/getAll.operation';
import { renderTemplate } from './template/render.operation';
import { createTranscription } from './transcription/create.operation';
import type { SokuOperation } from './types';

/** Resources in the order a user looks for them, each with its operations. */
export const RESOURCES: ReadonlyArray<{ name: string; value: string; description: string; operations: SokuOperation[] }> = [
	{ name: 'Post', value: 'post', description: 'Publish or schedule posts', operations: [createPost] },
	{ name: 'Media', value: 'media', description: 'Import media and render OG images', operations: [importMedia, renderOgImage] },
	{ name: 'Transcription', value: 'transcription', description: 'Speech to text', operations: [createTranscription] },
	{ name: 'Template', value: 'template', description: 'Render image templates', operations: [renderTemplate] },
	{
		name: 'Repurpose Link',
		value: 'repurposeLink',
		description: 'Automations that republish content',
		operations: [createRepurposeLink, deleteRepurposeLink, getAllRepurposeLinks],
	},
	{
		name: 'API Key',
		value: 'apiKey',
		description: 'Manage API keys (Soku Account credential)',
		operations: [createApiKey, getAllApiKeys, revokeApiKey],
	},
];

export const OPERATIONS: readonly SokuOperation[] = RESOURCES.flatMap((r) => r.operations);

// Only text names an operation: String() would throw on an expression giving {"toString": "x"}.
export const operationKey = (resource: unknown, operation: unknown) =>
	`${typeof resource === 'string' ? resource : ''}:${typeof operation === 'string' ? operation : ''}`;

export const OPERATIONS_BY_KEY: ReadonlyMap<string, SokuOperation> = new Map(
	OPERATIONS.map((op) => [operationKey(op.resource, op.operation), op]),
);

export const OPERATIONS_BY_ID: ReadonlyMap<OperationId, SokuOperation> = new Map(OPERATIONS.map((op) => [op.id, op]));
