/**
 * The shared executor: for every input item, build the operation's request, run it through pacing and
 * the retry policy, and put exactly one item on exactly one output with pairedItem set. Operations only
 * say how an item becomes a request; routing, retries, error items and hints live here once.
 */
import { randomUUID } from 'crypto';
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type IRunExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { clientValidationError, type SokuErrorInfo } from '../errors/classify';
import { ERROR_ROWS_BY_CODE, type OperationId } from '../errors/errorTable';
import { ClientValidationError, describeValue } from '../helpers/validation';
import { PacingRegistry, type WindowLimit } from '../policy/pacing';
import { parallelRequests, runPool } from '../policy/parallel';
import { DEFAULT_RETRY_SETTINGS, type RetrySettings } from '../policy/retry';
import { errorCodesParameter, routeItem, type OutputLayout, type RoutingMode } from '../policy/route';
import { ExecutionCancelledError, getRuntime } from '../policy/runtime';
import { emptyOutcome, sendWithPolicy, tooLateToSend, type ItemOutcome, type SendDependencies } from '../policy/sendWithPolicy';
import { RunSummary, dryRunHint } from '../policy/summary';
import { DEFAULT_BASE_URL, baseUrlProblem, describeRequest, getBaseUrl, sendSokuRequest, type SokuRequest } from '../transport';
import { ENDPOINTS, TIER_PER_MINUTE } from '../transport/endpoints';
import { ItemKeys, WindowAnchors, duplicateWindowMs, timeRelativeParameters } from './common/idempotency';
import { readFixedParametersOnce } from './common/parameters';
import { OPERATIONS_BY_KEY, operationKey } from './operations';
import type { BuildContext, SokuOperation } from './types';

/** Shared by every execution in this n8n process: one window per credential and endpoint. */
export const pacingRegistry = new PacingRegistry();
/** Shared by every execution in this n8n process: the duplicate-window slot each execution uses. */
export const windowAnchors = new WindowAnchors();

export interface SokuErrorJson extends IDataObject {
	code: string;
	type: string | null;
	message: string;
	httpStatus: number | null;
	requestId: string | null;
	timestamp: string | null;
	details: IDataObject;
	operation: OperationId;
	attempts: number;
	waitedMs: number;
	source: 'api' | 'client' | 'network';
	hint: string;
}

function numberOption(value: unknown, fallback: number): number {
	// Only numbers and text convert: Number() throws on an object such as {"valueOf": "x"}.
	const n = typeof value === 'number' || typeof value === 'string' ? Number(value) : NaN;
	return value === undefined || value === '' || !Number.isFinite(n) || n < 0 ? fallback : n;
}

export function readRetrySettings(raw: IDataObject): RetrySettings {
	const d = DEFAULT_RETRY_SETTINGS;
	return {
		maxServerRetries: Math.floor(numberOption(raw.maxServerRetries, d.maxServerRetries)),
		maxRateLimitRetries: Math.floor(numberOption(raw.maxRateLimitRetries, d.maxRateLimitRetries)),
		maxRateLimitWaitMs: numberOption(raw.maxRateLimitWaitSeconds, d.maxRateLimitWaitMs / 1000) * 1000,
		initialDelayMs: numberOption(raw.initialDelaySeconds, d.initialDelayMs / 1000) * 1000,
		maxDelayMs: numberOption(raw.maxDelaySeconds, d.maxDelayMs / 1000) * 1000,
		retryFailedPlatformsOnly: raw.retryFailedPlatformsOnly === undefined ? d.retryFailedPlatformsOnly : raw.retryFailedPlatformsOnly === true,
	};
}

export function hintFor(error: SokuErrorInfo, operation: OperationId): string {
	const row = error.known ? ERROR_ROWS_BY_CODE.get(error.code) : undefined;
	if (row) return row.hint(error.details, operation);
	if (error.source === 'network') {
		return error.code === 'timeout'
			? 'Soku did not answer in time: check Soku\'s status, or raise Options > Request Timeout.'
			: 'Soku could not be reached: check the Base URL in the credential and the network, then run again.';
	}
	return `Soku answered with "${error.code}", which this node does not know: check the message, and quote the requestId to Soku support if it persists.`;
}

export function sokuErrorJson(error: SokuErrorInfo, operation: OperationId, outcome?: Pick<ItemOutcome, 'attempts' | 'waitedMs'>): SokuErrorJson {
	return {
		code: error.code,
		type: error.type,
		message: error.message,
		httpStatus: error.httpStatus,
		requestId: error.requestId,
		timestamp: error.timestamp,
		details: error.details,
		operation,
		attempts: outcome?.attempts ?? 0,
		waitedMs: outcome?.waitedMs ?? 0,
		source: error.source,
		hint: hintFor(error, operation),
	};
}

function isToolExecution(context: IExecuteFunctions): boolean {
	const fn = (context as { isToolExecution?: () => boolean }).isToolExecution;
	if (typeof fn === 'function') {
		try {
			if (fn.call(context)) return true;
		} catch {
			// Older n8n: fall through to the node type check.
		}
	}
	return context.getNode().type.endsWith('Tool');
}

function runIndexOf(context: IExecuteFunctions): number {
	try {
		return context.getWorkflowDataProxy(0).$runIndex;
	} catch {
		return 0;
	}
}

/**
 * When n8n started this execution: the earliest of its execution context's establishedAt and its nodes'
 * startTime. n8n 2.x sets runtimeData.establishedAt once per execution and keeps it when an execution is
 * retried (n8n-core execution-context.js establishExecutionContext returns early when runtimeData exists;
 * the CLI's ExecutionService.retry passes the old execution's data, popping only the failed node's last
 * run), so the earlier nodes' startTime survives Retry on n8n 1.x too. Not part of IExecuteFunctions:
 * read defensively, undefined when absent.
 */
export function executionStart(context: IExecuteFunctions): number | undefined {
	const data = (context as unknown as { runExecutionData?: IRunExecutionData | null }).runExecutionData;
	const times: number[] = [];
	const established = data?.executionData?.runtimeData?.establishedAt;
	if (typeof established === 'number') times.push(established);
	for (const run of Object.values(data?.resultData?.runData ?? {}).flat()) if (typeof run?.startTime === 'number') times.push(run.startTime);
	// n8n's crash recovery rebuilds the run data of an execution whose worker died with startTime in SECONDS
	// (cli/src/executions/execution-recovery.service.ts: `startTime: nodeStartedMessage.ts.toUnixInteger()`);
	// read as milliseconds it would date the execution to 1970 and give a Retry other keys (a re-post). A
	// time below 1e11 is therefore seconds: as milliseconds it would be before March 1973.
	const start = Math.min(...times.filter((t) => Number.isFinite(t) && t > 0).map((t) => (t < 1e11 ? t * 1000 : t)));
	return Number.isFinite(start) ? start : undefined;
}

/**
 * The start on the node's (injectable) clock: n8n dates it with Date.now, so its age is measured there.
 * In production both clocks are one and this is the start itself.
 */
function startOnRuntimeClock(start: number | undefined, now: number): number | undefined {
	return start === undefined ? undefined : now - Math.max(0, Date.now() - start);
}

/**
 * Stop mode: which items of this run Soku accepted before the stop, so the user knows what is live and
 * what a re-run will do with them.
 */
function acceptedText(accepted: Array<[number, string | undefined]>, duplicateWindow: number | undefined): string | undefined {
	if (!accepted.length) return undefined;
	const ids = accepted.map(([, id]) => id).filter((id): id is string => id !== undefined);
	const what = `${accepted.length} item${accepted.length === 1 ? '' : 's'} (input ${accepted.map(([i]) => i).join(', ')}${
		ids.length ? `; ids ${ids.join(', ')}` : ''
	})`;
	const rerun =
		duplicateWindow === undefined
			? ''
			: duplicateWindow > 0
				? ' Running the same input again (e.g. Retry of this execution) within the Duplicate Window replays them instead of sending them twice.'
				: ' Duplicate Window is 0, so running the same input again sends them again.';
	return `Before the stop, Soku had accepted ${what}: they are live.${rerun}`;
}

/** One item after sending: its outcome, or what was thrown while building or sending it. */
type SettledItem = { outcome: ItemOutcome; request?: SokuRequest; options: IDataObject } | { failure: unknown };

function successJson(body: unknown): IDataObject {
	if (body !== null && typeof body === 'object' && !Array.isArray(body)) return { ...(body as IDataObject) };
	return body === undefined || body === '' ? { success: true } : { data: body as IDataObject[] };
}

interface Placement {
	mode: RoutingMode;
	outputNames: readonly string[];
	toolMode: boolean;
	continueOnFail: boolean;
	keepInputData: boolean;
	/** Stop mode: what earlier items of this run Soku already accepted (they are live). */
	acceptedBefore?: string;
}

/**
 * Where an item that ended in a Soku error goes: its branch (json.sokuError, input fields and binary
 * kept), output 0 in AI-tool mode, or, with "Stop the Workflow", n8n's own error handling.
 */
function placeError(
	this: IExecuteFunctions,
	outcome: ItemOutcome,
	operation: OperationId,
	input: INodeExecutionData,
	itemIndex: number,
	placement: Placement,
): { output: number; item: INodeExecutionData } {
	const error = outcome.error as SokuErrorInfo;
	const sokuError = sokuErrorJson(error, operation, outcome);
	const pairedItem = { item: itemIndex };
	const json: IDataObject = { ...(placement.keepInputData ? input.json : {}), sokuError };
	// Only output 0 reaches an AI agent: the error travels there as data it can read.
	if (placement.toolMode) return { output: 0, item: { json, pairedItem } };
	if (placement.mode !== 'stop') {
		return { output: routeItem(error, placement.mode, placement.outputNames), item: { json, binary: input.binary, pairedItem } };
	}
	// A system code (ECONNREFUSED …) in the message would make n8n swap it for stock text: network
	// detail goes in the description.
	const headline = error.source === 'network' ? 'Soku could not be reached' : error.message;
	const message = `Soku ${error.code}: ${headline}${error.requestId ? ` (requestId ${error.requestId})` : ''}`;
	if (!placement.continueOnFail) {
		throw new NodeApiError(this.getNode(), { message, code: error.code } as JsonObject, {
			message,
			description: [error.source === 'network' ? `${error.message}. ${sokuError.hint}` : sokuError.hint, placement.acceptedBefore]
				.filter(Boolean)
				.join(' '),
			httpCode: error.httpStatus !== null ? String(error.httpStatus) : undefined,
			itemIndex,
		});
	}
	// n8n's error-item shape (only error/message/details): n8n moves it to its Error output and merges the
	// input fields in, while `item.error` would make n8n replace the json with the message.
	return { output: 0, item: { json: { error: message, details: sokuError }, pairedItem } };
}

/**
 * One item: a request built from its parameters (or a client-side validation_error), then sent. A dry run
 * checks what the send loop checks before its first send and stops there: no pacing slot, no request.
 */
async function runItem(
	this: IExecuteFunctions,
	operation: SokuOperation,
	itemIndex: number,
	settings: RetrySettings,
	context: BuildContext,
	deps: SendDependencies,
	keyFor: ((request: SokuRequest) => Pick<SokuRequest, 'idempotencyKey' | 'conflictMeansReplay'>) | undefined,
	dryRun: boolean,
): Promise<{ outcome: ItemOutcome; request?: SokuRequest }> {
	let request: SokuRequest;
	try {
		request = operation.build.call(this, itemIndex, context);
		// The key names the built request, so it is chosen after build; a refused custom key is a validation_error.
		if (keyFor) request = { ...request, ...keyFor(request) };
	} catch (error) {
		// Anything but a validation failure is a bug: the caller's catch hands it to n8n.
		if (!(error instanceof ClientValidationError)) throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
		return { outcome: { ...emptyOutcome(), error: clientValidationError(error.field, error.reason, error.message) } };
	}
	if (dryRun) {
		const late = tooLateToSend(request, deps.runtime.now());
		return { outcome: { ...emptyOutcome(), ok: !late, error: late }, request };
	}
	const outcome = await sendWithPolicy(request, settings, ENDPOINTS[operation.id].retrySafety, deps);
	return { outcome, request };
}

/** `layout`: the node version's output names (the function its `outputs` expression runs, with its table). */
export async function route(this: IExecuteFunctions, continueOnFail: boolean, layout: OutputLayout): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const runtime = getRuntime();
	const resource = this.getNodeParameter('resource', 0);
	const operationName = this.getNodeParameter('operation', 0);
	const operation = OPERATIONS_BY_KEY.get(operationKey(resource, operationName));
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `Unknown operation ${describeValue(operationName)} for resource ${describeValue(resource)}`);
	}
	const endpoint = ENDPOINTS[operation.id];
	const toolMode = isToolExecution(this);
	const mode = this.getNodeParameter('errorRouting', 0, 'perCode') as RoutingMode;
	const outputNames = toolMode
		? ['Success']
		: layout(
				{
					resource,
					operation: operationName,
					errorRouting: mode,
					[errorCodesParameter(operation.resource, operation.operation)]:
						mode === 'perCode' ? this.getNodeParameter(errorCodesParameter(operation.resource, operation.operation), 0, undefined) : undefined,
				},
			);
	const outputs: INodeExecutionData[][] = outputNames.map(() => []);
	const summary = new RunSummary(operation.id === 'createPost' ? 'published' : 'accepted');
	// Items Soku accepted in this run, for the stop-mode error: [item index, postSubmissionId or id].
	const accepted: Array<[number, string | undefined]> = [];

	// Dry Run (writes only; reads send nothing harmful): everything a real run does up to the send.
	const dryRun = endpoint.method !== 'GET' && this.getNodeParameter('options.dryRun', 0, false) === true;
	let dryRunItems = 0;
	// A dry run needs no working key; with no credential selected at all it shows Soku's default Base URL.
	const baseUrl =
		dryRun && !this.getNode().credentials?.[endpoint.credential] ? DEFAULT_BASE_URL : await getBaseUrl(this, endpoint.credential);
	// An http:// Base URL would send the key in clear text: every item is refused, nothing is sent.
	const baseUrlRefusal = baseUrlProblem(baseUrl);
	const credentialId = this.getNode().credentials?.[endpoint.credential]?.id ?? endpoint.credential;
	// Instance and workflow make the default key unique beyond one n8n database's execution ids.
	const rawOptions = this.getNode().parameters.options as IDataObject | undefined;
	const itemKeys = new ItemKeys({
		instanceId: this.getInstanceId(),
		workflowId: this.getWorkflow().id ?? '',
		executionId: this.getExecutionId() || randomUUID(),
		nodeId: this.getNode().id || this.getNode().name,
		runIndex: runIndexOf(this),
		operation: operation.id,
		customKeyIsExpression: typeof rawOptions?.idempotencyKey === 'string' && rawOptions.idempotencyKey.startsWith('='),
		anchors: windowAnchors,
		now: () => runtime.now(),
		executionStart: startOnRuntimeClock(executionStart(this), runtime.now()),
		timeRelative: timeRelativeParameters(this.getNode().parameters, operation.timeRelative),
	});
	const signal = this.getExecutionCancelSignal();
	const perRun = readFixedParametersOnce(this);

	// Requests in flight at once (Options › Parallel Requests); pacing still gives each its slot.
	const parallel = parallelRequests(rawOptions?.parallelRequests, operation.id, mode, endpoint.perMinute ?? TIER_PER_MINUTE);

	/**
	 * Builds item i's request, derives its key and sends it. Everything before the first await (options,
	 * build, key) runs in the step runPool hands out i: keys are derived in item order (ItemKeys counts
	 * occurrences). Never rejects: a thrown error is the item's failure, handled in item order by emit.
	 */
	const settleItem = async (i: number): Promise<SettledItem> => {
		// Stop: items not started yet send nothing.
		if (signal?.aborted) return { failure: new ExecutionCancelledError() };
		try {
			const options = perRun.getNodeParameter('options', i, {}) as IDataObject;
			const settings = readRetrySettings(perRun.getNodeParameter('retry', i, {}) as IDataObject);
			const timeoutMs = numberOption(options.timeoutSeconds, 120) * 1000;
			const windowMs = numberOption(options.pacingWindowSeconds, 60) * 1000 || 60_000;
			const limits: WindowLimit[] = [];
			if (endpoint.perMinute) limits.push({ key: `${credentialId}|${baseUrl}|${endpoint.path}`, limit: endpoint.perMinute, windowMs });
			limits.push({ key: `${credentialId}|${baseUrl}|tier`, limit: TIER_PER_MINUTE, windowMs });

			const context: BuildContext = { now: runtime.now(), timeZone: this.getTimezone() };
			const keyFor = endpoint.idempotencyKey ? (built: SokuRequest) => itemKeys.requestKey(i, options, built.body, items[i].json) : undefined;
			const { outcome, request } = baseUrlRefusal
				? { outcome: { ...emptyOutcome(), error: clientValidationError('baseUrl', 'must_use_https', baseUrlRefusal) }, request: undefined }
				: await runItem.call(
						perRun,
						operation,
						i,
						settings,
						context,
						{
							send: async (r) => await sendSokuRequest(this, baseUrl, r, timeoutMs, signal),
							runtime,
							signal,
							pacing: options.pacing === false ? undefined : { registry: pacingRegistry, limits },
						},
						keyFor,
						dryRun,
					);
			return { outcome, request, options };
		} catch (error) {
			return { failure: error };
		}
	};

	/** Puts item i on its output, in input order; throws what must end the node run (n8n's On Error decides). */
	const emit = (i: number, settled: SettledItem): void => {
		const pairedItem = { item: i };
		let failure = 'failure' in settled ? settled.failure : undefined;
		if (!('failure' in settled)) {
			const { outcome, request, options } = settled;
			try {
				summary.add(outcome);
				if (outcome.ok && dryRun) {
					outputs[0].push({ json: { dryRun: true, request: describeRequest(baseUrl, request as SokuRequest) }, pairedItem });
					dryRunItems++;
					return;
				}

				if (outcome.ok) {
					const jsons = operation.toJson
						? operation.toJson.call(this, outcome.body, i, request as SokuRequest, outcome)
						: [successJson(outcome.body)];
					for (const json of jsons) {
						// Replays are visible: "had been done by an earlier run" differs from "done now"; null when
						// Soku's answer did not say.
						if (endpoint.idempotencyKey) json.replayed = outcome.replayed ?? null;
						outputs[0].push({ json, pairedItem });
					}
					const body = (outcome.body ?? {}) as IDataObject;
					const id = body.postSubmissionId ?? body.id ?? body.jobId;
					// Only Stop mode reports them; kept nowhere else (one entry per item on large runs).
					if (mode === 'stop') accepted.push([i, typeof id === 'string' ? id : undefined]);
					return;
				}

				const placed = placeError.call(this, outcome, operation.id, items[i], i, {
					mode,
					outputNames,
					toolMode,
					continueOnFail,
					keepInputData: options.keepInputData !== false,
					acceptedBefore: mode === 'stop' ? acceptedText(accepted, endpoint.idempotencyKey ? duplicateWindowMs(options.duplicateWindowHours) : undefined) : undefined,
				});
				outputs[placed.output].push(placed.item);
				return;
			} catch (error) {
				failure = error;
			}
		}
		// An item value n8n could not evaluate for Options or Retry (see readFixedParametersOnce): this item's validation_error.
		if (failure instanceof ClientValidationError) {
			const outcome = { ...emptyOutcome(), error: clientValidationError(failure.field, failure.reason, failure.message) };
			summary.add(outcome);
			const placed = placeError.call(this, outcome, operation.id, items[i], i, { mode, outputNames, toolMode, continueOnFail, keepInputData: true });
			outputs[placed.output].push(placed.item);
			return;
		}
		if (failure instanceof ExecutionCancelledError) throw new NodeOperationError(this.getNode(), failure.message, { itemIndex: i });
		// A bug or an n8n error, not a Soku answer: n8n's own On Error setting decides.
		const nodeError =
			failure instanceof NodeApiError || failure instanceof NodeOperationError
				? failure
				: new NodeOperationError(this.getNode(), failure as Error, { itemIndex: i });
		if (!continueOnFail) throw nodeError;
		outputs[0].push({ json: { error: nodeError.message }, error: nodeError, pairedItem });
	};

	// Items that finished ahead of an earlier one wait here until it is out: outputs stay in input order.
	const waiting = new Map<number, SettledItem>();
	let emitted = 0;
	let stop: { error: unknown } | undefined;
	await runPool(
		items.length,
		parallel,
		async (i) => {
			waiting.set(i, await settleItem(i));
			while (!stop && waiting.has(emitted)) {
				const settled = waiting.get(emitted) as SettledItem;
				waiting.delete(emitted);
				try {
					emit(emitted, settled);
				} catch (error) {
					// Nothing more is started; requests already in flight finish (or end with the Stop signal).
					stop = { error };
				}
				emitted++;
			}
		},
		() => stop !== undefined,
	);
	if (stop) throw stop.error;

	const hints = summary.hints(this.getNode().retryOnFail === true);
	if (dryRun) hints.unshift(dryRunHint(dryRunItems));
	if (hints.length && typeof this.addExecutionHints === 'function') {
		this.addExecutionHints(...hints.map((message) => ({ message, type: 'info' as const, location: 'outputPane' as const })));
	}
	return outputs;
}
