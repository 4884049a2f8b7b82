/**
 * Parameters every operation shares: how errors are routed, the retry policy's numbers and options.
 * Defaults equal the documented Soku policy.
 */
import type { INodeProperties } from 'n8n-workflow';

import { ERROR_TABLE, codesForOperation } from '../errors/errorTable';
import { DEFAULT_RETRY_SETTINGS } from '../policy/retry';
import { errorCodesParameter } from '../policy/route';
import { ENDPOINTS } from '../transport/endpoints';
import { OPERATIONS } from './operations';

// Retry defaults in the units the parameters use. Plain identifiers as `default` values are what
// n8n's node-param-default-* lint rules accept as "computed elsewhere".
const defaultInitialDelaySeconds = DEFAULT_RETRY_SETTINGS.initialDelayMs / 1000;
const defaultMaxDelaySeconds = DEFAULT_RETRY_SETTINGS.maxDelayMs / 1000;
const defaultMaxRateLimitRetries = DEFAULT_RETRY_SETTINGS.maxRateLimitRetries;
const defaultMaxRateLimitWaitSeconds = DEFAULT_RETRY_SETTINGS.maxRateLimitWaitMs / 1000;
const defaultMaxServerRetries = DEFAULT_RETRY_SETTINGS.maxServerRetries;

const CODE_OPTIONS = ERROR_TABLE.map((row) => ({
	name: row.code,
	value: row.code,
	description: `${row.httpStatus}: ${row.meaning}`,
}));

/** Version 2 text that says which edits redraw the node's outputs (n8n keeps wires by output position). */
export const REDRAW_NOTE = 'Changing it redraws the outputs: check the wires on the Soku branches afterwards.';

const codeOptionsFor = (codes: readonly string[]) => CODE_OPTIONS.filter((option) => codes.includes(option.value));

/**
 * "Error Routing" and the "Error Branches" parameters. Version 2 offers each operation only the codes it
 * can return (each has a fixed output) and says which choices redraw the outputs.
 */
export function errorRoutingPropertiesFor(version: 1 | 2): INodeProperties[] {
	return [
		{
			displayName: 'Error Routing',
			name: 'errorRouting',
			type: 'options',
			noDataExpression: true,
			options: [
				{
					name: 'One Output per Error Code',
					value: 'perCode',
					description:
						version === 1
							? 'Success, one branch per chosen Soku error code, then Other Error'
							: 'Success, one branch per error code the operation can return, then Other Error',
				},
				{
					name: 'One Output per Error Category',
					value: 'perCategory',
					description: 'Success, invalid_request_error, authentication_error, api_error, Other Error',
				},
				{ name: 'Single Error Output', value: 'single', description: 'Success and one Error branch' },
				{
					name: 'Stop the Workflow',
					value: 'stop',
					description: 'Fail the node with the Soku code and request ID (honours the node\'s On Error setting)',
				},
			],
			default: 'perCode',
			description:
				'Where items go when Soku answers with an error after the retry policy is done. Errors are data on their branch (in the sokuError field), so they stay there under every On Error setting.' +
				(version === 1 ? '' : ` ${REDRAW_NOTE}`),
		},
		// One "Error Branches" parameter per operation, so the default is the codes that operation can return.
		...OPERATIONS.map(
			(op): INodeProperties => ({
				displayName: 'Error Branches',
				name: errorCodesParameter(op.resource, op.operation),
				type: 'multiOptions',
				noDataExpression: true,
				options: version === 1 ? CODE_OPTIONS : codeOptionsFor(codesForOperation(op.id)),
				default: [...codesForOperation(op.id)],
				description:
					version === 1
						? 'Error codes that get their own output, in the fixed order of the Soku error table. Codes not chosen, network errors and unknown codes go to Other Error.'
						: 'Error codes whose items go to their own output. Choosing codes never moves a wire: a code not chosen keeps its output, marked "(off)", and its items go to Other Error, like network errors and unknown codes.',
				displayOptions: { show: { resource: [op.resource], operation: [op.operation], errorRouting: ['perCode'] } },
			}),
		),
		{
			displayName:
				'Retries happen per item inside this node (Retry-After, backoff, idempotency keys). Keep the node setting "Retry On Fail" off: it re-runs every item of the node.',
			name: 'retryNotice',
			type: 'notice',
			default: '',
		},
	];
}

export const errorRoutingProperties: INodeProperties[] = errorRoutingPropertiesFor(1);

const idempotentOperations = OPERATIONS.filter((op) => ENDPOINTS[op.id].idempotencyKey);
/** Operations that change something at Soku: the ones Dry Run applies to (the router asks the same question). */
const writingOperations = OPERATIONS.filter((op) => ENDPOINTS[op.id].method !== 'GET');
// Every read is a "getAll", so resource × operation below shows Dry Run exactly for the writes (a test checks).
const onlyForWrites = {
	'/resource': [...new Set(writingOperations.map((op) => op.resource))],
	'/operation': [...new Set(writingOperations.map((op) => op.operation))],
};

/** Shown at the top of the panel while Dry Run is on, so a dry run is never mistaken for a real one. */
export const dryRunNotice: INodeProperties = {
	displayName:
		'Dry Run is on: nothing is sent to Soku. Each valid item comes out on Success with dryRun: true and the request it would have sent. Turn it off under Options to publish.',
	name: 'dryRunNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: { ...onlyForWrites, '/options.dryRun': [true] } },
};

export const retryProperties: INodeProperties[] = [
	{
		displayName: 'Retry',
		name: 'retry',
		type: 'collection',
		placeholder: 'Change Retry Setting',
		default: {},
		description: 'Per-item retry policy. The defaults follow Soku\'s documented policy.',
		options: [
			{
				displayName: 'Initial Backoff (Seconds)',
				name: 'initialDelaySeconds',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: defaultInitialDelaySeconds,
				description: 'First backoff delay; it doubles on each retry (with random jitter)',
			},
			{
				displayName: 'Max Backoff (Seconds)',
				name: 'maxDelaySeconds',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: defaultMaxDelaySeconds,
				description: 'Upper bound of a single backoff delay',
			},
			{
				displayName: 'Max Rate-Limit Retries',
				name: 'maxRateLimitRetries',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: defaultMaxRateLimitRetries,
				description: 'How many times an item may wait out rate_limit_exceeded before going to its branch',
			},
			{
				displayName: 'Max Rate-Limit Wait (Seconds)',
				name: 'maxRateLimitWaitSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: defaultMaxRateLimitWaitSeconds,
				description:
					'If Soku asks to wait longer than this, the item goes to rate_limit_exceeded at once (with details.retryAfter) so a Wait node can take over instead of blocking the worker',
			},
			{
				displayName: 'Max Server-Error Retries',
				name: 'maxServerRetries',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: defaultMaxServerRetries,
				description:
					'Retries after internal_error, post_creation_failed, dispatch_failed, other 5xx answers and network errors',
			},
			{
				displayName: 'Retry Only Failed Platforms',
				name: 'retryFailedPlatformsOnly',
				type: 'boolean',
				// A boolean literal (n8n-nodes-base/node-param-default-wrong-for-boolean); equals DEFAULT_RETRY_SETTINGS.retryFailedPlatformsOnly.
				default: true,
				description:
					'Whether dispatch_failed is retried for the failed platforms only (the others are already live). Off: such items go to dispatch_failed at once; the node never resends every platform.',
			},
		],
	},
];

export const optionsProperties: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Dry Run (Send Nothing)',
				name: 'dryRun',
				type: 'boolean',
				default: false,
				noDataExpression: true,
				description:
					'Whether to check every item and build its request, Idempotency-Key included, without sending anything: valid items go to Success with dryRun: true and the request (never the API key), invalid ones to validation_error. Needs no working key.',
				displayOptions: { show: onlyForWrites },
			},
			{
				displayName: 'Duplicate Window (Hours)',
				name: 'duplicateWindowHours',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: 24,
				description:
					'With the derived key, the same request from this node (same workflow, node, operation and body) is sent once per window: a re-run, a retried execution or a redelivered webhook gets the earlier result back. Windows are fixed slots from UTC midnight (24 = one per UTC day). 0 = a new key per execution, so every run posts again.',
				displayOptions: {
					show: {
						'/resource': [...new Set(idempotentOperations.map((op) => op.resource))],
						'/operation': [...new Set(idempotentOperations.map((op) => op.operation))],
					},
				},
			},
			{
				displayName: 'Idempotency Key',
				name: 'idempotencyKey',
				type: 'string',
				default: '',
				placeholder: '={{ $json.externalId }}',
				description:
					'Your own key per logical post/upload/transcription (text or a number), sent as operation:key and reused on every retry and re-run, so nothing happens twice. Empty: derived from what the request is (see Duplicate Window). An expression giving nothing, an object or an array sends the item to validation_error. To post identical content again on purpose, set Duplicate Window to 0 or build the key from the execution ID and $itemIndex.',
				displayOptions: {
					show: {
						'/resource': [...new Set(idempotentOperations.map((op) => op.resource))],
						'/operation': [...new Set(idempotentOperations.map((op) => op.operation))],
					},
				},
			},
			{
				displayName: 'Keep Input Data on Error Items',
				name: 'keepInputData',
				type: 'boolean',
				default: true,
				description: 'Whether error items carry the input item\'s fields next to sokuError',
			},
			{
				displayName: 'Pace Requests to Rate Limits',
				name: 'pacing',
				type: 'boolean',
				default: true,
				description:
					"Whether to space requests to Soku's documented limits (e.g. posts: 30 per 60 s) and to its X-RateLimit headers, so large batches finish without 429 answers",
			},
			{
				displayName: 'Parallel Requests',
				name: 'parallelRequests',
				type: 'number',
				typeOptions: { minValue: 0 },
				// 0 = the operation's own default, so adding the option changes nothing (n8n fills in this value).
				default: 0,
				description:
					"How many items are sent at once. 0 = the operation's default: 5 for Transcription, Media and Template, whose answers take as long as the file; 1 for Post, Repurpose Link and API Key. 1 = one after the other, so posts reach Soku and publish in item order; more may publish them in any order. Outputs always stay in item order and every item keeps its own retries and key. Never more than the endpoint's limit per rate-limit window; pacing still spaces them. Ignored with Error Routing > Stop the Workflow (always 1).",
			},
			{
				displayName: 'Rate-Limit Window (Seconds)',
				name: 'pacingWindowSeconds',
				type: 'number',
				typeOptions: { minValue: 0.001, numberPrecision: 3 },
				default: 60,
				description: "Length of Soku's sliding rate-limit window. Keep 60 unless Soku tells you otherwise.",
			},
			{
				displayName: 'Request Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 120,
				description: 'How long to wait for one answer. A timed-out create is retried with the same idempotency key.',
			},
		],
	},
];
