/**
 * What the node needs to know about each Soku endpoint (REFERENCE §4, §6, §7): method, path, which
 * credential, whether it takes an Idempotency-Key, its documented rate limit and whether the HTTP details
 * are inferred rather than documented.
 */
import type { IHttpRequestMethods } from 'n8n-workflow';

import type { OperationId } from '../errors/errorTable';
import type { RetrySafety } from '../policy/retry';

export type CredentialName = 'sokuApi' | 'sokuAccountApi';

export interface EndpointSpec {
	method: IHttpRequestMethods;
	/** Path template; `{id}` / `{keyId}` are filled in by the operation. */
	path: string;
	credential: CredentialName;
	/** Sends an Idempotency-Key (documented for posts, media and transcribe only). */
	idempotencyKey: boolean;
	/** Per-user, per-endpoint limit in a 60 s sliding window; undefined = only the tier limit applies. */
	perMinute?: number;
	retrySafety: RetrySafety;
	/** REFERENCE marks method/path/response as inferred: labelled "inferred" in the node. */
	inferred: boolean;
}

export const ENDPOINTS: Record<OperationId, EndpointSpec> = {
	createPost: {
		method: 'POST',
		path: '/v1/posts',
		credential: 'sokuApi',
		idempotencyKey: true,
		perMinute: 30,
		retrySafety: 'always',
		inferred: false,
	},
	uploadMedia: {
		method: 'POST',
		path: '/v1/media',
		credential: 'sokuApi',
		idempotencyKey: true,
		perMinute: 30,
		retrySafety: 'always',
		inferred: false,
	},
	renderTemplate: {
		method: 'POST',
		path: '/v1/templates',
		credential: 'sokuApi',
		idempotencyKey: false,
		perMinute: 20,
		// Rendering twice only renders twice: no post, no charge.
		retrySafety: 'always',
		inferred: false,
	},
	renderOgAlias: {
		method: 'POST',
		path: '/v1/media/render-og',
		credential: 'sokuApi',
		idempotencyKey: false,
		perMinute: 20,
		retrySafety: 'always',
		inferred: false,
	},
	transcribe: {
		method: 'POST',
		path: '/v1/ai/transcribe',
		credential: 'sokuApi',
		idempotencyKey: true,
		perMinute: 10,
		retrySafety: 'always',
		inferred: false,
	},
	listRepurposeLinks: {
		method: 'GET',
		path: '/v1/repurposeLinks',
		credential: 'sokuApi',
		idempotencyKey: false,
		retrySafety: 'always',
		inferred: false,
	},
	createRepurposeLink: {
		method: 'POST',
		path: '/v1/repurposeLinks',
		credential: 'sokuApi',
		idempotencyKey: false,
		// No Idempotency-Key documented: a resend after a lost response could create a second link.
		retrySafety: 'ifNotProcessed',
		inferred: false,
	},
	deleteRepurposeLink: {
		method: 'DELETE',
		path: '/v1/repurposeLinks/{id}',
		credential: 'sokuApi',
		idempotencyKey: false,
		retrySafety: 'always',
		inferred: true,
	},
	createApiKey: {
		method: 'POST',
		path: '/v1/api-keys',
		credential: 'sokuAccountApi',
		idempotencyKey: false,
		retrySafety: 'ifNotProcessed',
		inferred: false,
	},
	listApiKeys: {
		method: 'GET',
		path: '/v1/api-keys',
		credential: 'sokuAccountApi',
		idempotencyKey: false,
		retrySafety: 'always',
		inferred: true,
	},
	revokeApiKey: {
		method: 'DELETE',
		path: '/v1/api-keys/{keyId}',
		credential: 'sokuAccountApi',
		idempotencyKey: false,
		retrySafety: 'always',
		inferred: true,
	},
};

/** Premium tier (REFERENCE §6.1): the limit most subscribers have, shared by every endpoint. */
export const TIER_PER_MINUTE = 100;
