/**
 * 6. What a user would build instead: the same N text posts through n8n's HTTP Request node, configured
 * as a careful user would (POST, JSON body from expressions, `soku-api-key` from a Header Auth credential,
 * an Idempotency-Key header expression, On Error → continue (using error output)), and the same with a
 * Switch on the error output routing by the Soku error code. Same engine (n8n-core WorkflowExecute via
 * test/helpers/engine.ts), same stand-in, same items, pacing off, no faults; the arms alternate.
 * Like with like (issue 21): one request at a time on both sides (6d) and all in parallel on both sides
 * (6e); how many requests each arm has in flight at once is counted at the stand-in (concurrency probe).
 */
import { NodeConnectionTypes, Workflow, type IConnections, type INode, type INodeExecutionData, type IRun } from 'n8n-workflow';

import { ERROR_TABLE } from '../../nodes/Soku/errors/errorTable';
import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { parallelRequests } from '../../nodes/Soku/policy/parallel';
import { ENDPOINTS, TIER_PER_MINUTE } from '../../nodes/Soku/transport/endpoints';
import { ITEMS_TYPE, executeWorkflow, nodeTypes, registerNodeType, runSoku } from '../../test/helpers/engine';
import { loadNodesBase } from '../lib/n8nNodesBase';
import { gc, nowMs, postItems, postParameters } from '../lib/sokuParams';
import { DEMO_KEY, standIn } from '../lib/standIn';
import { median, round } from '../lib/stats';
import type { Row, ScenarioResult } from '../lib/types';

export interface VersusOptions {
	posts: number;
	repetitions: number;
	warmups: number;
}

/**
 * The concurrency probe: on loopback, with the stand-in in this process answering at once, no arm ever
 * has two requests at the stand-in at the same time (every timed batch records 1), so the timed runs
 * cannot show what each configuration sends at once. Before them, each arm sends PROBE_POSTS posts whose
 * answers take PROBE_LATENCY_MS, and the stand-in counts how many it holds at once.
 */
const PROBE_POSTS = 40;
const PROBE_LATENCY_MS = 50;

/**
 * soku: the Soku node as added (posts: Parallel Requests 1, one after another); sokuAll: Parallel Requests
 * as high as the option goes. httpRequest: the HTTP Request node as added (every item's request started
 * before any is awaited); httpRequestBatch1: with Options › Batching 1 item per batch, interval 0;
 * httpRequestLoop: inside Loop Over Items (batch size 1), n8n's way to send one item at a time.
 */
type Arm = 'soku' | 'sokuAll' | 'httpRequest' | 'httpRequestBatch1' | 'httpRequestLoop' | 'httpRequestSwitch';
const ARMS: Arm[] = ['soku', 'sokuAll', 'httpRequest', 'httpRequestBatch1', 'httpRequestLoop', 'httpRequestSwitch'];
/** Timed: Batching 1 runs the default's code path (see BATCHING_ONE_ITEM), so the concurrency probe shows it once. */
const TIMED_ARMS: Arm[] = ARMS.filter((arm) => arm !== 'httpRequestBatch1');

/** How the HTTP Request node is wired: as added, with Batching set, or inside Loop Over Items. */
export type HttpVariant = 'default' | 'batching1' | 'loop';

const HTTP_TYPE = 'n8n-nodes-base.httpRequest';
const SWITCH_TYPE = 'n8n-nodes-base.switch';
const LOOP_TYPE = 'n8n-nodes-base.splitInBatches';
/** The versions n8n 2.41 gives a node added to the canvas today (defaultVersion). */
const HTTP_VERSION = 4.5;
const SWITCH_VERSION = 3.4;
const LOOP_VERSION = 3;

/**
 * Options › Batching, 1 item per batch, interval 0. HTTP Request 4.x (HttpRequestV3.node.js) only sleeps
 * between batches when the interval is > 0 and never awaits a request before starting the next, so this
 * starts every request at once like the default (the arm's measured in-flight count shows it).
 */
export const BATCHING_ONE_ITEM = { batch: { batchSize: 1, batchInterval: 0 } };

/** The most Parallel Requests a Post › Create run uses: the option is capped at the endpoint's limit per window. */
export const MAX_PARALLEL_POSTS = parallelRequests(Number.MAX_SAFE_INTEGER, 'createPost', 'perCode', ENDPOINTS.createPost.perMinute ?? TIER_PER_MINUTE);

/** The codes the Soku node has a branch for on Post › Create: the user's Switch gets the same ones. */
export const CREATE_POST_CODES = ERROR_TABLE.filter((row) => row.operations.includes('createPost')).map((row) => row.code);

/** The HTTP Request node as a careful user configures it for POST /v1/posts. */
export function httpRequestNode(baseUrl: string): INode {
	return {
		id: 'http-node-id-1',
		name: 'HTTP Request',
		type: HTTP_TYPE,
		typeVersion: HTTP_VERSION,
		position: [200, 0],
		onError: 'continueErrorOutput',
		credentials: { httpHeaderAuth: { id: 'cred-header-1', name: 'Soku key header' } },
		parameters: {
			method: 'POST',
			url: `${baseUrl}/v1/posts`,
			authentication: 'genericCredentialType',
			genericAuthType: 'httpHeaderAuth',
			sendHeaders: true,
			headerParameters: { parameters: [{ name: 'Idempotency-Key', value: '={{ $execution.id }}-{{ $json.id }}' }] },
			sendBody: true,
			specifyBody: 'json',
			// JSON.stringify, so quotes and line breaks in the text cannot break the JSON.
			jsonBody: '={"post":{"content":{"mediaType":"text","text":{{ JSON.stringify($json.text) }},"platform":["x"]}}}',
			options: {},
		},
	};
}

/** A Switch with one output per Soku error code, reading the code the HTTP Request node's error item carries. */
export function switchNode(codeExpression: string): INode {
	return {
		id: 'switch-node-id-1',
		name: 'Switch',
		type: SWITCH_TYPE,
		typeVersion: SWITCH_VERSION,
		position: [400, 200],
		parameters: {
			mode: 'rules',
			rules: {
				values: CREATE_POST_CODES.map((code) => ({
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
						conditions: [{ leftValue: codeExpression, rightValue: code, operator: { type: 'string', operation: 'equals' } }],
						combinator: 'and',
					},
					renameOutput: true,
					outputKey: code,
				})),
			},
			options: { fallbackOutput: 'extra' },
		},
	};
}

/**
 * Where the Soku code is in the HTTP Request node's error item (checked on a real 401 in every run:
 * raw `errorItemProbe`): `$json.error.code` is axios' "ERR_BAD_REQUEST"; Soku's body is a JSON string
 * inside the message, `401 - "{\"error\":{\"code\":\"unauthorized\",…}}"`, so the user's Switch has to parse it.
 */
export const ERROR_CODE_EXPRESSION =
	"={{ (() => { const m = $json.error?.message ?? ''; try { return JSON.parse(JSON.parse(m.slice(m.indexOf(' - ') + 3))).error.code } catch (e) { return '' } })() }}";

export interface HttpRunResult {
	run: IRun;
	outputs: INodeExecutionData[][] | undefined;
	switchOutputs: INodeExecutionData[][] | undefined;
}

export async function runHttpRequest(opts: {
	baseUrl: string;
	items: unknown[];
	withSwitch: boolean;
	executionId: string;
	apiKey?: string;
	variant?: HttpVariant;
}): Promise<HttpRunResult> {
	const itemsNode: INode = {
		id: 'items-node-id-1',
		name: 'Items',
		type: ITEMS_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(opts.items) },
	};
	const variant = opts.variant ?? 'default';
	const http = httpRequestNode(opts.baseUrl);
	if (variant === 'batching1') http.parameters.options = { batching: BATCHING_ONE_ITEM };
	const nodes = [itemsNode, http];
	const to = (node: string) => [{ node, type: NodeConnectionTypes.Main, index: 0 }];
	const connections: IConnections = { Items: { main: [to(http.name)] } };
	if (variant === 'loop') {
		// Items → Loop Over Items (1 per batch) → HTTP Request → back to the loop, from both of its outputs.
		const loop: INode = { id: 'loop-node-id-1', name: 'Loop Over Items', type: LOOP_TYPE, typeVersion: LOOP_VERSION, position: [100, 0], parameters: { batchSize: 1, options: {} } };
		nodes.push(loop);
		connections.Items = { main: [to(loop.name)] };
		connections[loop.name] = { main: [[], to(http.name)] };
		connections[http.name] = { main: [to(loop.name), to(loop.name)] };
	} else if (opts.withSwitch) {
		const sw = switchNode(ERROR_CODE_EXPRESSION);
		nodes.push(sw);
		connections[http.name] = { main: [[], [{ node: sw.name, type: NodeConnectionTypes.Main, index: 0 }]] };
	}
	const workflow = new Workflow({
		id: 'wf-http-bench',
		name: 'HTTP Request bench',
		nodes,
		connections,
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});
	const run = await executeWorkflow(workflow, itemsNode, connections, {
		credentials: { httpHeaderAuth: { name: 'soku-api-key', value: opts.apiKey ?? DEMO_KEY } },
		executionId: opts.executionId,
	});
	const runData = run.data.resultData.runData;
	// In the loop the node runs once per item: its outputs over all runs, in order.
	const httpRuns = (runData[http.name] ?? []).map((r) => r.data?.main as INodeExecutionData[][] | undefined);
	const outputs = httpRuns.length
		? [0, 1].map((output) => httpRuns.flatMap((main) => main?.[output] ?? []))
		: undefined;
	return {
		run,
		outputs,
		switchOutputs: runData.Switch?.[0]?.data?.main as INodeExecutionData[][] | undefined,
	};
}

interface Batch {
	arm: Arm;
	rep: number;
	ms: number;
	/** CPU time of this process (engine, node and the in-process stand-in) during the batch. */
	cpuMs: number;
	created: number;
	/** n8n's own executionTime of the Soku / HTTP Request node (runData; summed over the loop's runs). */
	nodeExecutionMs: number | null;
	requests: number;
	/** Most requests the stand-in held at once during the batch (counted at the server). */
	maxInFlight: number;
}

const ONE_AT_A_TIME = 'vsHttpRequestOneAtATime';
const ALL_PARALLEL = 'vsHttpRequestAllParallel';

export async function runVersusHttpRequest(options: VersusOptions): Promise<ScenarioResult> {
	const loaded = loadNodesBase();
	if (!loaded.ok) {
		const skipped = (id: string, scenario: string): Row => ({
			id,
			scenario,
			measured: 'skipped',
			baseline: '-',
			ratio: null,
			target: id === 'vsHttpRequestSwitch' ? '≤ 0.90×' : '≤ 1.00×',
			pass: null,
			note: `n8n's HTTP Request node not available: ${loaded.reason}`,
		});
		return {
			name: 'versusHttpRequest',
			rows: [
				skipped('vsHttpRequest', '6. Soku node vs HTTP Request node'),
				skipped('vsHttpRequestSwitch', '6b. Soku node vs HTTP Request node + Switch on error.code'),
				skipped(ONE_AT_A_TIME, '6d. one request at a time on both sides'),
				skipped(ALL_PARALLEL, '6e. all in parallel on both sides'),
			],
			raw: { skipped: loaded.reason },
		};
	}
	registerNodeType(HTTP_TYPE, loaded.value.httpRequest);
	registerNodeType(SWITCH_TYPE, loaded.value.switchNode);
	registerNodeType(LOOP_TYPE, loaded.value.splitInBatches);

	const s = await standIn.startStandIn({ rateLimits: { enabled: false }, maxRecordedRequests: 5 });
	// Requests the stand-in holds at once: what "one at a time" and "all in parallel" really were.
	let inFlight = 0;
	let maxInFlight = 0;
	s.server.on('request', (_req, res) => {
		maxInFlight = Math.max(maxInFlight, ++inFlight);
		res.once('close', () => inFlight--);
	});
	const credentials = { sokuApi: { apiKey: DEMO_KEY, baseUrl: s.url } };
	const parameters = postParameters({ pacing: false });
	const parametersAll = postParameters({ pacing: false, parallelRequests: options.posts });
	const allItems = postItems(options.posts, 'versus');
	let executionNo = 0;
	try {
		// One item with an unknown key, to check what the user's Switch sees (raw results: errorItemProbe).
		s.reset();
		const probe = await runHttpRequest({ baseUrl: s.url, items: allItems.slice(0, 1), withSwitch: true, executionId: 'probe', apiKey: 'sk_live_unknown_0000000000000000000' });
		const errorItem = probe.outputs?.[1]?.[0]?.json;
		const switchRouted = (probe.switchOutputs ?? []).map((o) => o.length);
		const unauthorizedIndex = CREATE_POST_CODES.indexOf('unauthorized');
		const switchWorks = unauthorizedIndex >= 0 && switchRouted[unauthorizedIndex] === 1;

		const runArm = async (arm: Arm, rep: number, items = allItems): Promise<Batch> => {
			s.reset();
			pacingRegistry.clear();
			gc();
			if (items !== allItems) s.script({ match: { method: 'POST', path: '/v1/posts' }, delayMs: PROBE_LATENCY_MS, times: items.length });
			const executionId = `bench-${arm}-${rep}-${++executionNo}`;
			const before = s.requests.length;
			maxInFlight = 0;
			const c0 = process.cpuUsage();
			const cpu = () => {
				const c = process.cpuUsage(c0);
				return round((c.user + c.system) / 1000, 1);
			};
			const t0 = nowMs();
			if (arm === 'soku' || arm === 'sokuAll') {
				const result = await runSoku({ parameters: arm === 'soku' ? parameters : parametersAll, items, credentials, executionId });
				const ms = nowMs() - t0;
				const cpuMs = cpu();
				const runData = result.run.data.resultData.runData.Soku?.[0];
				return { arm, rep, ms, cpuMs, created: result.outputs?.[0]?.length ?? 0, nodeExecutionMs: runData?.executionTime ?? null, requests: s.requests.length - before, maxInFlight };
			}
			const variant: HttpVariant = arm === 'httpRequestBatch1' ? 'batching1' : arm === 'httpRequestLoop' ? 'loop' : 'default';
			const result = await runHttpRequest({ baseUrl: s.url, items, withSwitch: arm === 'httpRequestSwitch', executionId, variant });
			const ms = nowMs() - t0;
			const cpuMs = cpu();
			const created = (result.outputs?.[0] ?? []).filter((item) => typeof item.json.postSubmissionId === 'string').length;
			const httpRuns = result.run.data.resultData.runData['HTTP Request'] ?? [];
			const nodeExecutionMs = httpRuns.length ? httpRuns.reduce((sum, r) => sum + (r.executionTime ?? 0), 0) : null;
			return { arm, rep, ms, cpuMs, created, nodeExecutionMs, requests: s.requests.length - before, maxInFlight };
		};

		const probeItems = postItems(PROBE_POSTS, 'probe');
		const concurrencyProbe: Batch[] = [];
		for (const arm of ARMS) concurrencyProbe.push(await runArm(arm, -100, probeItems));
		const warmup: Batch[] = [];
		for (let w = 0; w < options.warmups; w++) for (const arm of TIMED_ARMS) warmup.push(await runArm(arm, -1 - w));
		const batches: Batch[] = [];
		for (let rep = 0; rep < options.repetitions; rep++) {
			const order = TIMED_ARMS.map((_, i) => TIMED_ARMS[(i + rep) % TIMED_ARMS.length]);
			if (rep % 2 === 1) order.reverse();
			for (const arm of order) batches.push(await runArm(arm, rep));
		}

		const of = (arm: Arm) => batches.filter((b) => b.arm === arm);
		const msOf = (arm: Arm) => median(of(arm).map((b) => b.ms));
		const execOf = (arm: Arm) => median(of(arm).map((b) => b.nodeExecutionMs ?? NaN));
		/** Requests the arm had at the stand-in at once in the concurrency probe. */
		const inFlightOf = (arm: Arm) => concurrencyProbe.find((b) => b.arm === arm)?.maxInFlight ?? NaN;
		/** CPU time of this process per batch: steadier than wall time when the machine is shared. */
		const cpuOf = (arm: Arm) => median(of(arm).map((b) => b.cpuMs));
		const cpuRatio = (arm: Arm, other: Arm) => round(cpuOf(arm) / cpuOf(other), 3);
		const pairRatios = (arm: Arm, other: Arm) =>
			Array.from({ length: options.repetitions }, (_, rep) => {
				const a = batches.find((b) => b.arm === arm && b.rep === rep)!;
				const b = batches.find((b) => b.arm === other && b.rep === rep)!;
				return round(a.ms / b.ms, 3);
			});
		const allCreated = batches.every((b) => b.created === options.posts) && concurrencyProbe.every((b) => b.created === PROBE_POSTS);
		const us = (ms: number) => round((ms / options.posts) * 1000, 0);
		const sokuMs = msOf('soku');
		const sokuAllMs = msOf('sokuAll');
		const httpMs = msOf('httpRequest');
		const switchMs = msOf('httpRequestSwitch');
		const loopMs = msOf('httpRequestLoop');
		const ratio = round(sokuMs / httpMs, 3);
		const ratioSwitch = round(sokuMs / switchMs, 3);
		const ratioOne = round(sokuMs / loopMs, 3);
		const ratioAll = round(sokuAllMs / httpMs, 3);
		const createdNote = allCreated ? undefined : `not every batch created ${options.posts} posts: ${batches.map((b) => b.created).join(', ')}`;
		const inFlightNote = (...arms: Arm[]) =>
			`in flight at once with answers taking ${PROBE_LATENCY_MS} ms (${PROBE_POSTS} posts): ${arms.map((arm) => `${arm} ${inFlightOf(arm)}`).join(', ')}; 1 in every timed batch (answered at once)`;
		const cpuNote = (arm: Arm, other: Arm) => `CPU per batch ${round(cpuOf(arm), 0)} vs ${round(cpuOf(other), 0)} ms (${cpuRatio(arm, other)}×)`;
		const perPost = (ms: number, ratioValue: number, target: number) => ({
			measured: `${us(ms)} µs/post`,
			measuredValue: us(ms),
			unit: 'µs/post',
			ratio: ratioValue,
			target: `≤ ${target.toFixed(2)}×`,
			pass: allCreated && ratioValue <= target,
		});
		const rows: Row[] = [
			{
				id: 'vsHttpRequest',
				scenario: `6. ${options.posts} posts: Soku node vs n8n's HTTP Request node ${HTTP_VERSION}, both as added (same engine, stand-in, items; per post)`,
				...perPost(sokuMs, ratio, 1),
				baseline: `${us(httpMs)} µs/post`,
				baselineValue: us(httpMs),
				note: [createdNote, cpuNote('soku', 'httpRequest'), inFlightNote('soku', 'httpRequest'), 'not like with like: rows 6d and 6e are'].filter(Boolean).join('; '),
				readme: {
					label: `${options.posts.toLocaleString('en')} posts: Soku node vs HTTP Request node, both as added (header credential, Idempotency-Key expression, error output)`,
					meaning:
						ratio <= 1
							? `Per post, the Soku node as added (one post after another, so they publish in item order) with its retry policy, pacing switched off and one output per error code costs no more than the HTTP Request node set up by hand, which starts all ${options.posts} requests at once (${ratio}×).`
							: `On loopback the Soku node as added needs ${us(sokuMs)} µs per post against ${us(httpMs)} µs for the hand-built HTTP Request node (${ratio}×): the HTTP Request node starts all ${options.posts} requests at once, the Soku node sends posts one after another so they publish in item order (the one-at-a-time and in-parallel rows compare like with like). Against the real Soku, which accepts 30 posts a minute, sending all at once ends in 429s.`,
				},
			},
			{
				id: 'vsHttpRequestSwitch',
				scenario: `6b. ${options.posts} posts: Soku node vs HTTP Request node + Switch (${CREATE_POST_CODES.length} rules on the error code) on its error output`,
				...perPost(sokuMs, ratioSwitch, 0.9),
				baseline: `${us(switchMs)} µs/post`,
				baselineValue: us(switchMs),
				note: [createdNote, cpuNote('soku', 'httpRequestSwitch'), 'with no faults the Switch receives no items and does not run (n8n runs a node only when items reach it)'].filter(Boolean).join('; '),
				readme: {
					label: 'same, with a Switch on the error output routing by error code (what gives the HTTP Request node branches)',
					meaning:
						`With no failed posts the Switch never runs, so this costs what the row above costs (${ratioSwitch}×); the Switch only adds time per failed item, and the Soku node's branches come without it.`,
				},
			},
			{
				id: ONE_AT_A_TIME,
				scenario: `6d. ${options.posts} posts one request at a time on both sides: Soku node (Parallel Requests 1) vs HTTP Request node inside Loop Over Items (1 per batch)`,
				...perPost(sokuMs, ratioOne, 1),
				baseline: `${us(loopMs)} µs/post`,
				baselineValue: us(loopMs),
				note: [
					createdNote,
					cpuNote('soku', 'httpRequestLoop'),
					inFlightNote('soku', 'httpRequestLoop', 'httpRequestBatch1'),
					`Options › Batching 1 item per batch, interval 0 does not send one at a time (${inFlightOf('httpRequestBatch1')} in flight above): HTTP Request 4.x sleeps between batches only for an interval > 0 and never awaits a request before starting the next; Loop Over Items is n8n's way to send one item at a time`,
				]
					.filter(Boolean)
					.join('; '),
				readme: {
					label: 'same, one request at a time on both sides (Soku: Parallel Requests 1; HTTP Request: inside Loop Over Items, 1 per batch)',
					meaning:
						ratioOne <= 1
							? `Sending one post at a time, so posts publish in item order, the Soku node needs ${us(sokuMs)} µs per post against ${us(loopMs)} µs for the HTTP Request node in a Loop Over Items (${ratioOne}×); the HTTP Request node's own Batching option (1 item per batch) still starts every request at once.`
							: `Sending one post at a time the Soku node needs ${us(sokuMs)} µs per post against ${us(loopMs)} µs for the HTTP Request node in a Loop Over Items (${ratioOne}×).`,
				},
			},
			{
				id: ALL_PARALLEL,
				scenario: `6e. ${options.posts} posts all in parallel on both sides: Soku node (Parallel Requests ${MAX_PARALLEL_POSTS}, the most it allows for posts; pacing off) vs HTTP Request node as added (all at once)`,
				...perPost(sokuAllMs, ratioAll, 1),
				baseline: `${us(httpMs)} µs/post`,
				baselineValue: us(httpMs),
				note: [createdNote, cpuNote('sokuAll', 'httpRequest'), inFlightNote('sokuAll', 'httpRequest')].filter(Boolean).join('; '),
				readme: {
					label: `same, in parallel on both sides (Soku: Parallel Requests ${MAX_PARALLEL_POSTS}, its most for posts; HTTP Request: all at once)`,
					meaning:
						ratioAll <= 1
							? `With posts in parallel (publication order then not kept) the Soku node needs ${us(sokuAllMs)} µs per post against ${us(httpMs)} µs for the HTTP Request node sending all ${options.posts} at once (${ratioAll}×), with its retries, key per item and branches.`
							: `With posts in parallel the Soku node needs ${us(sokuAllMs)} µs per post against ${us(httpMs)} µs for the HTTP Request node sending all ${options.posts} at once (${ratioAll}×).`,
				},
			},
			{
				scenario: '6c. (diagnostic) n8n executionTime of the node alone (runData; the loop arm summed over its runs)',
				measured: `Soku ${round(execOf('soku'), 0)} ms, Parallel Requests ${MAX_PARALLEL_POSTS} ${round(execOf('sokuAll'), 0)} ms`,
				baseline: `HTTP Request ${round(execOf('httpRequest'), 0)} ms, in the loop ${round(execOf('httpRequestLoop'), 0)} ms`,
				measuredValue: round(execOf('soku'), 1),
				baselineValue: round(execOf('httpRequest'), 1),
				unit: 'ms',
				ratio: round(execOf('soku') / execOf('httpRequest'), 3),
				target: 'info',
				pass: null,
				note: `ratio: Soku as added / HTTP Request as added; ${inFlightNote(...ARMS)}`,
			},
		];
		return {
			name: 'versusHttpRequest',
			rows,
			raw: {
				options,
				nodesBase: { version: loaded.value.nodesBaseVersion, installed: loaded.value.installed, engine: loaded.value.project },
				httpRequestNode: httpRequestNode('<stand-in>'),
				batching: BATCHING_ONE_ITEM,
				maxParallelPosts: MAX_PARALLEL_POSTS,
				switchRules: CREATE_POST_CODES,
				errorItemProbe: { item: errorItem, switchRouted, switchWorks },
				medianMs: Object.fromEntries(TIMED_ARMS.map((arm) => [arm, msOf(arm)])),
				medianCpuMs: Object.fromEntries(TIMED_ARMS.map((arm) => [arm, cpuOf(arm)])),
				cpuRatios: {
					httpRequest: cpuRatio('soku', 'httpRequest'),
					httpRequestSwitch: cpuRatio('soku', 'httpRequestSwitch'),
					oneAtATime: cpuRatio('soku', 'httpRequestLoop'),
					allParallel: cpuRatio('sokuAll', 'httpRequest'),
				},
				concurrencyProbe: { posts: PROBE_POSTS, latencyMs: PROBE_LATENCY_MS, maxInFlight: Object.fromEntries(ARMS.map((arm) => [arm, inFlightOf(arm)])), batches: concurrencyProbe },
				pairRatios: {
					httpRequest: pairRatios('soku', 'httpRequest'),
					httpRequestSwitch: pairRatios('soku', 'httpRequestSwitch'),
					oneAtATime: pairRatios('soku', 'httpRequestLoop'),
					allParallel: pairRatios('sokuAll', 'httpRequest'),
				},
				warmup,
				batches,
			},
		};
	} finally {
		pacingRegistry.clear();
		await s.close();
	}
}
