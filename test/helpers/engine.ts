/**
 * Runs real workflows through n8n-core's WorkflowExecute with the real Soku node and credential
 * classes (compiled sources, not mocks). Only the host services n8n's CLI would provide are stood in
 * here: a credential store and the generic `authenticate` step, resolved with n8n's own expression code.
 */
import {
	ExecutionLifecycleHooks,
	WorkflowExecute,
} from 'n8n-core';
import {
	NodeHelpers,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type INodeTypeDescription,
	type IRun,
	type IRunExecutionData,
	type IVersionedNodeType,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
	NodeConnectionTypes,
	ICredentialsHelper,
	type IConnections,
} from 'n8n-workflow';

import { SokuAccountApi } from '../../credentials/SokuAccountApi.credentials';
import { SokuApi } from '../../credentials/SokuApi.credentials';
import { Soku } from '../../nodes/Soku/Soku.node';

export const SOKU_TYPE = 'n8n-nodes-soku.soku';
export const SOKU_TOOL_TYPE = 'n8n-nodes-soku.sokuTool';
export const ITEMS_TYPE = 'test.items';

/** A start node that emits the items given in its parameter (what a Set/Code node would do). */
class ItemsNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Items',
		name: 'items',
		group: ['input'],
		version: 1,
		description: 'Emits test items',
		defaults: { name: 'Items' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string | IDataObject[];
		const items = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<IDataObject | INodeExecutionData>;
		return [items.map((item) => ('json' in item ? (item as INodeExecutionData) : { json: item as IDataObject }))];
	}
}

const soku = new Soku();
const nodeTypeRegistry: Record<string, INodeType | IVersionedNodeType> = {
	[SOKU_TYPE]: soku,
	[SOKU_TOOL_TYPE]: soku,
	[ITEMS_TYPE]: new ItemsNode(),
};

/** As n8n's NodeTypes: a versioned type answers with the description and execute of the asked version. */
export const nodeTypes: INodeTypes = {
	getByName: (type) => nodeTypeRegistry[type],
	getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(nodeTypeRegistry[type], version),
	getKnownTypes: () => ({}),
};

/** Adds a node type (e.g. n8n's own HTTP Request node, for the benchmarks) to the engine's registry. */
export function registerNodeType(type: string, nodeType: INodeType | IVersionedNodeType): void {
	nodeTypeRegistry[type] = nodeType;
}

const credentialTypes: Record<string, ICredentialType> = {
	sokuApi: new SokuApi(),
	sokuAccountApi: new SokuAccountApi(),
};

/** Credential values by type; what n8n's encrypted credential store would hand the engine. */
class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly values: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	/** Same algorithm as n8n's CredentialsHelper for `authenticate: { type: 'generic' }`. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const type = credentialTypes[typeName];
		const authenticate = type?.authenticate;
		if (!authenticate || typeof authenticate === 'function' || authenticate.type !== 'generic') return requestOptions;
		const resolve = (value: string) =>
			workflow && node
				? (workflow.expression.getParameterValue(value, null, 0, 0, node.name, [], 'internal', { $credentials: credentials }) as string)
				: value;
		const options = requestOptions as unknown as Record<string, IDataObject>;
		for (const [outerKey, entries] of Object.entries(authenticate.properties)) {
			options[outerKey] = { ...(options[outerKey] ?? {}) };
			for (const [key, value] of Object.entries(entries as IDataObject)) {
				options[outerKey][resolve(key)] = resolve(String(value));
			}
		}
		return requestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used by these tests');
	}

	async getDecrypted(_additionalData: unknown, nodeCredentials: { id: string | null; name: string }, type: string) {
		const data = this.values[type];
		if (!data) throw new Error(`No test credential of type ${type} (${nodeCredentials.name})`);
		return { ...data };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties(type: string) {
		return credentialTypes[type]?.properties ?? [];
	}
}

export interface RunSokuOptions {
	parameters: INodeParameters;
	items: Array<IDataObject | INodeExecutionData>;
	credentials?: { sokuApi?: ICredentialDataDecryptedObject; sokuAccountApi?: ICredentialDataDecryptedObject };
	onError?: INode['onError'];
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
	executionId?: string;
	/** Workflow id (default wf-soku-test): part of the default Idempotency-Key. */
	workflowId?: string;
	nodeType?: string;
	/** The Soku node's typeVersion (default 1, what the engine tests were written for). */
	typeVersion?: number;
	nodeId?: string;
	mode?: WorkflowExecuteMode;
	/** Abort this to cancel the execution, as n8n does when a user stops a run. */
	abortController?: AbortController;
	/** n8n's Retry of an execution: the failed run's data (its failed node's last run removed), resumed. */
	runExecutionData?: IRunExecutionData;
	/** The Soku node has no credential selected at all (n8n's editor would flag it). */
	withoutCredentials?: boolean;
	/** The credentials selected on the node, when not both (e.g. only the API key, as after switching resource). */
	nodeCredentials?: INode['credentials'];
}

export interface RunSokuResult {
	run: IRun;
	/** The Soku node's outputs (one array per output), or undefined if it did not run. */
	outputs: INodeExecutionData[][] | undefined;
	error?: IDataObject;
	hints: Array<{ message: string }>;
	/** How many times the engine ran the Soku node in this execution (n8n's Retry On Fail re-runs). */
	sokuRuns: number;
}

let executionCounter = 0;

export async function runSoku(options: RunSokuOptions): Promise<RunSokuResult> {
	const sokuNode: INode = {
		id: options.nodeId ?? 'soku-node-id-1',
		name: 'Soku',
		type: options.nodeType ?? SOKU_TYPE,
		typeVersion: options.typeVersion ?? 1,
		position: [200, 0],
		parameters: options.parameters,
		credentials: options.withoutCredentials
			? undefined
			: options.nodeCredentials ?? {
					sokuApi: { id: 'cred-soku-1', name: 'Soku account' },
					sokuAccountApi: { id: 'cred-soku-account-1', name: 'Soku owner' },
				},
	};
	if (options.onError) sokuNode.onError = options.onError;
	if (options.retryOnFail) {
		sokuNode.retryOnFail = true;
		sokuNode.maxTries = options.maxTries ?? 3;
		sokuNode.waitBetweenTries = options.waitBetweenTries ?? 0;
	}
	const itemsNode: INode = {
		id: 'items-node-id-1',
		name: 'Items',
		type: ITEMS_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(options.items) },
	};
	const connections: IConnections = {
		Items: { main: [[{ node: 'Soku', type: NodeConnectionTypes.Main, index: 0 }]] },
	};
	const workflow = new Workflow({
		id: options.workflowId ?? 'wf-soku-test',
		name: 'Soku test',
		nodes: [itemsNode, sokuNode],
		connections,
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});

	let sokuRuns = 0;
	const credentials = {
		sokuApi: options.credentials?.sokuApi,
		sokuAccountApi: options.credentials?.sokuAccountApi,
	};
	const run = await executeWorkflow(workflow, itemsNode, connections, {
		credentials: Object.fromEntries(Object.entries(credentials).filter(([, v]) => v !== undefined)) as Record<string, ICredentialDataDecryptedObject>,
		executionId: options.executionId,
		mode: options.mode,
		abortController: options.abortController,
		runExecutionData: options.runExecutionData,
		onNodeExecuteBefore: (nodeName) => {
			if (nodeName === 'Soku') sokuRuns++;
		},
	});
	const sokuRunData = run.data.resultData.runData.Soku;
	const last = sokuRunData?.[sokuRunData.length - 1];
	return {
		run,
		outputs: last?.data?.main as INodeExecutionData[][] | undefined,
		error: (run.data.resultData.error ?? last?.error) as IDataObject | undefined,
		hints: ((last as { hints?: Array<{ message: string }> } | undefined)?.hints ?? []) as Array<{ message: string }>,
		sokuRuns,
	};
}

export interface ExecuteWorkflowOptions {
	/** Credential values by credential type. */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	executionId?: string;
	mode?: WorkflowExecuteMode;
	abortController?: AbortController;
	onNodeExecuteBefore?: (nodeName: string) => void;
	/** Resume this run data instead of starting afresh: what n8n's Retry of an execution does (mode 'retry'). */
	runExecutionData?: IRunExecutionData;
}

/** Runs a workflow from its start node in n8n-core's WorkflowExecute, with the stand-in host services above. */
export async function executeWorkflow(workflow: Workflow, startNode: INode, connections: IConnections, options: ExecuteWorkflowOptions): Promise<IRun> {
	const executionId = options.executionId ?? `exec-${++executionCounter}`;
	const mode = options.mode ?? 'manual';
	const hooks = new ExecutionLifecycleHooks(mode, executionId, {
		id: workflow.id,
		name: workflow.name,
		nodes: workflow.nodes ? Object.values(workflow.nodes) : [],
		connections,
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		settings: {},
	} as never);
	const onNodeExecuteBefore = options.onNodeExecuteBefore;
	if (onNodeExecuteBefore) hooks.addHandler('nodeExecuteBefore', (nodeName: string) => onNodeExecuteBefore(nodeName));
	const additionalData = {
		credentialsHelper: new TestCredentialsHelper(options.credentials),
		hooks,
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:0/rest',
		instanceBaseUrl: 'http://127.0.0.1:0/',
		formBaseUrl: 'http://127.0.0.1:5678/formBaseUrl',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/formWaitingBaseUrl',
		formTestBaseUrl: 'http://127.0.0.1:5678/formTestBaseUrl',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhookBaseUrl',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhookWaitingBaseUrl',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhookTestBaseUrl',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcpBaseUrl',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcpTestBaseUrl',
		variables: {},
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('not used');
		},
	} as unknown as IWorkflowExecuteAdditionalData;

	const workflowExecute = new WorkflowExecute(additionalData, mode, options.runExecutionData);
	const execution = options.runExecutionData ? workflowExecute.processRunExecutionData(workflow) : workflowExecute.run({ workflow, startNode });
	if (options.abortController) {
		options.abortController.signal.addEventListener('abort', () => execution.cancel(), { once: true });
	}
	return await execution;
}

/** Output names the engine computes from the node description and parameters (what the canvas shows). */
export function engineOutputNames(parameters: INodeParameters, onError?: INode['onError'], typeVersion = 1): string[] {
	const node: INode = {
		id: 'x',
		name: 'Soku',
		type: SOKU_TYPE,
		typeVersion,
		position: [0, 0],
		parameters,
	};
	if (onError) node.onError = onError;
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	// Same call n8n makes for the canvas and for continueErrorOutput handling.
	const resolved = workflow.getNode('Soku') as INode;
	const outputs = NodeHelpers.getNodeOutputs(workflow, resolved, soku.getNodeType(typeVersion).description);
	return outputs.map((o) => (typeof o === 'string' ? o : String(o.displayName ?? o.type)));
}
