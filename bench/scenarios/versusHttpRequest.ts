/**
 * 6. What a user would build instead: the same N text posts through n8n's HTTP Request node, configured
 * as a careful user would (POST, JSON body from expressions, `soku-api-key` from a Header Auth credential,
 * an Idempotency-Key header expression, On Error → continue (using error output)), and the same with a
 * Switch on the error output routing by the Soku error code. Same engine (n8n-core WorkflowExecute via
 * test/helpers/engine.ts), same stand-in, same items, pacing off, no faults; the arms alternate.
 */
import { NodeConnectionTypes, Workflow, type IConnections, type INode, type INodeExecutionData, type IRun } from 'n8n-workflow';

import { ERROR_TABLE } from '../../nodes/Soku/errors/errorTable';
import { pacingRegistry } from '../../nodes/Soku/actions/router';
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

type Arm = 'soku' | 'httpRequest' | 'httpRequestSwitch';
const ARMS: Arm[] = ['soku', 'httpRequest', 'httpRequestSwitch'];

const HTTP_TYPE = 'n8n-nodes-base.httpRequest';
const SWITCH_TYPE = 'n8n-nodes-base.switch';
/** The versions n8n 2.41 gives a node added to the canvas today (defaultVersion). */
const HTTP_VERSION = 4.5;
const SWITCH_VERSION = 3.4;

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
}): Promise<HttpRunResult> {
	const itemsNode: INode = {
		id: 'items-node-id-1',
		name: 'Items',
		type: ITEMS_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(opts.items) },
	};
	const http = httpRequestNode(opts.baseUrl);
	const nodes = [itemsNode, http];
	const connections: IConnections = {
		Items: { main: [[{ node: http.name, type: NodeConnectionTypes.Main, index: 0 }]] },
	};
	if (opts.withSwitch) {
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
	return {
		run,
		outputs: runData[http.name]?.[0]?.data?.main as INodeExecutionData[][] | undefined,
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
	/** n8n's own executionTime of the Soku / HTTP Request node (runData). */
	nodeExecutionMs: number | null;
	requests: number;
}

export async function runVersusHttpRequest(options: VersusOptions): Promise<ScenarioResult> {
	const loaded = loadNodesBase();
	if (!loaded.ok) {
		const skipped = (id: string, scenario: string): Row => ({
			id,
			scenario,
			measured: 'skipped',
			baseline: '-',
			ratio: null,
			target: id === 'vsHttpRequest' ? '≤ 1.00×' : '≤ 0.90×',
			pass: null,
			note: `n8n's HTTP Request node not available: ${loaded.reason}`,
		});
		return {
			name: 'versusHttpRequest',
			rows: [
				skipped('vsHttpRequest', '6. Soku node vs HTTP Request node'),
				skipped('vsHttpRequestSwitch', '6b. Soku node vs HTTP Request node + Switch on error.code'),
			],
			raw: { skipped: loaded.reason },
		};
	}
	registerNodeType(HTTP_TYPE, loaded.value.httpRequest);
	registerNodeType(SWITCH_TYPE, loaded.value.switchNode);

	const s = await standIn.startStandIn({ rateLimits: { enabled: false }, maxRecordedRequests: 5 });
	const credentials = { sokuApi: { apiKey: DEMO_KEY, baseUrl: s.url } };
	const parameters = postParameters({ pacing: false });
	const items = postItems(options.posts, 'versus');
	let executionNo = 0;
	try {
		// One item with an unknown key, to check what the user's Switch sees (raw results: errorItemProbe).
		s.reset();
		const probe = await runHttpRequest({ baseUrl: s.url, items: items.slice(0, 1), withSwitch: true, executionId: 'probe', apiKey: 'sk_live_unknown_0000000000000000000' });
		const errorItem = probe.outputs?.[1]?.[0]?.json;
		const switchRouted = (probe.switchOutputs ?? []).map((o) => o.length);
		const unauthorizedIndex = CREATE_POST_CODES.indexOf('unauthorized');
		const switchWorks = unauthorizedIndex >= 0 && switchRouted[unauthorizedIndex] === 1;

		const runArm = async (arm: Arm, rep: number): Promise<Batch> => {
			s.reset();
			pacingRegistry.clear();
			gc();
			const executionId = `bench-${arm}-${rep}-${++executionNo}`;
			const before = s.requests.length;
			const c0 = process.cpuUsage();
			const cpu = () => {
				const c = process.cpuUsage(c0);
				return round((c.user + c.system) / 1000, 1);
			};
			const t0 = nowMs();
			if (arm === 'soku') {
				const result = await runSoku({ parameters, items, credentials, executionId });
				const ms = nowMs() - t0;
				const cpuMs = cpu();
				const runData = result.run.data.resultData.runData.Soku?.[0];
				return { arm, rep, ms, cpuMs, created: result.outputs?.[0]?.length ?? 0, nodeExecutionMs: runData?.executionTime ?? null, requests: s.requests.length - before };
			}
			const result = await runHttpRequest({ baseUrl: s.url, items, withSwitch: arm === 'httpRequestSwitch', executionId });
			const ms = nowMs() - t0;
			const cpuMs = cpu();
			const created = (result.outputs?.[0] ?? []).filter((item) => typeof item.json.postSubmissionId === 'string').length;
			const runData = result.run.data.resultData.runData['HTTP Request']?.[0];
			return { arm, rep, ms, cpuMs, created, nodeExecutionMs: runData?.executionTime ?? null, requests: s.requests.length - before };
		};

		const warmup: Batch[] = [];
		for (let w = 0; w < options.warmups; w++) for (const arm of ARMS) warmup.push(await runArm(arm, -1 - w));
		const batches: Batch[] = [];
		for (let rep = 0; rep < options.repetitions; rep++) {
			const order = ARMS.map((_, i) => ARMS[(i + rep) % ARMS.length]);
			if (rep % 2 === 1) order.reverse();
			for (const arm of order) batches.push(await runArm(arm, rep));
		}

		const msOf = (arm: Arm) => median(batches.filter((b) => b.arm === arm).map((b) => b.ms));
		const execOf = (arm: Arm) => median(batches.filter((b) => b.arm === arm).map((b) => b.nodeExecutionMs ?? NaN));
		const sokuMs = msOf('soku');
		const httpMs = msOf('httpRequest');
		const switchMs = msOf('httpRequestSwitch');
		const pairRatios = (other: Arm) =>
			Array.from({ length: options.repetitions }, (_, rep) => {
				const a = batches.find((b) => b.arm === 'soku' && b.rep === rep)!;
				const b = batches.find((b) => b.arm === other && b.rep === rep)!;
				return round(a.ms / b.ms, 3);
			});
		const allCreated = batches.every((b) => b.created === options.posts);
		const us = (ms: number) => round((ms / options.posts) * 1000, 0);
		const ratio = round(sokuMs / httpMs, 3);
		const ratioSwitch = round(sokuMs / switchMs, 3);
		const createdNote = allCreated ? undefined : `not every batch created ${options.posts} posts: ${batches.map((b) => b.created).join(', ')}`;
		const rows: Row[] = [
			{
				id: 'vsHttpRequest',
				scenario: `6. ${options.posts} posts: Soku node vs n8n's HTTP Request node ${HTTP_VERSION} (same engine, stand-in, items; per post)`,
				measured: `${us(sokuMs)} µs/post`,
				baseline: `${us(httpMs)} µs/post`,
				measuredValue: us(sokuMs),
				baselineValue: us(httpMs),
				unit: 'µs/post',
				ratio,
				target: '≤ 1.00×',
				pass: allCreated && ratio <= 1.0,
				note: createdNote,
				readme: {
					label: `${options.posts.toLocaleString('en')} posts: Soku node vs HTTP Request node (header credential, Idempotency-Key expression, error output)`,
					meaning:
						ratio <= 1
							? `Per post, the Soku node with its retry policy, pacing switched off and one output per error code costs no more than the HTTP Request node set up by hand (${ratio}×).`
							: `On loopback the Soku node needs ${us(sokuMs)} µs per post against ${us(httpMs)} µs for the hand-built HTTP Request node (${ratio}×): the HTTP Request node starts all ${options.posts} requests at once, the Soku node sends one after another (its retries and pacing need that; its own code is a few per cent of the time, row 1h). Against the real Soku, which accepts 30 posts a minute, sending all at once ends in 429s, and either node's CPU time per post is far below the network's.`,
				},
			},
			{
				id: 'vsHttpRequestSwitch',
				scenario: `6b. ${options.posts} posts: Soku node vs HTTP Request node + Switch (${CREATE_POST_CODES.length} rules on the error code) on its error output`,
				measured: `${us(sokuMs)} µs/post`,
				baseline: `${us(switchMs)} µs/post`,
				measuredValue: us(sokuMs),
				baselineValue: us(switchMs),
				unit: 'µs/post',
				ratio: ratioSwitch,
				target: '≤ 0.90×',
				pass: allCreated && ratioSwitch <= 0.9,
				note: createdNote ?? `with no faults the Switch receives no items and does not run (n8n runs a node only when items reach it)`,
				readme: {
					label: 'same, with a Switch on the error output routing by error code (what gives the HTTP Request node branches)',
					meaning:
						`With no failed posts the Switch never runs, so this costs what the row above costs (${ratioSwitch}×); the Switch only adds time per failed item, and the Soku node's branches come without it.`,
				},
			},
			{
				scenario: '6c. (diagnostic) n8n executionTime of the node alone (runData): Soku vs HTTP Request',
				measured: `${round(execOf('soku'), 0)} ms`,
				baseline: `${round(execOf('httpRequest'), 0)} ms`,
				measuredValue: round(execOf('soku'), 1),
				baselineValue: round(execOf('httpRequest'), 1),
				unit: 'ms',
				ratio: round(execOf('soku') / execOf('httpRequest'), 3),
				target: 'info',
				pass: null,
				note: 'the HTTP Request node sends all items at once (no batching option set); the Soku node sends them one after another',
			},
		];
		return {
			name: 'versusHttpRequest',
			rows,
			raw: {
				options,
				nodesBase: { version: loaded.value.nodesBaseVersion, installed: loaded.value.installed, engine: loaded.value.project },
				httpRequestNode: httpRequestNode('<stand-in>'),
				switchRules: CREATE_POST_CODES,
				errorItemProbe: { item: errorItem, switchRouted, switchWorks },
				medianMs: { soku: sokuMs, httpRequest: httpMs, httpRequestSwitch: switchMs },
				medianCpuMs: Object.fromEntries(ARMS.map((arm) => [arm, median(batches.filter((b) => b.arm === arm).map((b) => b.cpuMs))])),
				pairRatios: { httpRequest: pairRatios('httpRequest'), httpRequestSwitch: pairRatios('httpRequestSwitch') },
				warmup,
				batches,
			},
		};
	} finally {
		pacingRegistry.clear();
		await s.close();
	}
}
