/**
 * End-to-end: an n8n AI Agent (@n8n/n8n-nodes-langchain, in the real n8n of the suite) uses the Soku node as
 * a tool. The agent's chat model is n8n's own OpenAI Chat Model node, its credential's Base URL pointed at
 * a scripted chat-model stand-in (test/stand-in/chat-model-stand-in.js) on loopback, which answers with the
 * tool calls each test scripts and records the tool results n8n sends back. The Soku stand-in (also on
 * loopback, in this process) records what reached "Soku". Workflow: test/e2e/workflows/agent/soku-agent-tool.json
 * (the tool's parameters are filled by $fromAI()). Executed with `n8n execute --id --rawOutput`.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const P = require('./lib/paths');
const { N8n } = require('./lib/n8n');
const { startSokuStandIn, credentialsFor, platformsOf } = require('./lib/stand-in');
const { readExecution } = require('../../scripts/n8n/read-branches');
const { startChatModelStandIn } = require('../stand-in/chat-model-stand-in');

const PORT = Number(process.env.N8N_E2E_PORT_AGENT || 5780 + P.PORT_OFFSET);
const WORKFLOW_FILE = path.join(P.WORKFLOWS, 'agent', 'soku-agent-tool.json');
const WORKFLOW = JSON.parse(fs.readFileSync(WORKFLOW_FILE, 'utf8'));
const WORKFLOW_ID = WORKFLOW.id;
const TOOL_NODE = 'Publish with Soku';
const TOOL = /^Publish_with_Soku$/; // n8n's tool name: the node name with other characters replaced by _
const VIDEO = 'https://cdn.example.com/weekly-recap.mp4';
// The same workflow with the tool's Options › Dry Run on (written next to the run's output, imported with it).
const DRY_RUN_WORKFLOW = {
	...WORKFLOW,
	id: 'sokuAgentDryRun01',
	name: `${WORKFLOW.name} (dry run)`,
	nodes: WORKFLOW.nodes.map((n) => (n.name === TOOL_NODE ? { ...n, parameters: { ...n.parameters, options: { ...n.parameters.options, dryRun: true } } } : n)),
};

let soku;
let model;
let n8n;
let modelLog;
let runCount = 0;

const posts = () => soku.requests.filter((r) => r.method === 'POST' && r.path === '/v1/posts');
const statusOf = (r) => (r.response && 'status' in r.response ? r.response.status : undefined);

/** Runs the agent workflow; returns { status, error, toolRuns: [json of each Soku tool call], answer, text (n8n's output) }. */
async function runAgent(label, workflowId = WORKFLOW_ID) {
	const out = path.join(n8n.outDir, `execute-${++runCount}-${label}.out`);
	const r = await n8n.sh(['execute', workflowId, out], { allowFail: true, timeoutMs: 5 * 60 * 1000 });
	const text = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
	if (r.code !== 0) throw new Error(`n8n execute ${workflowId} failed:\n${r.stderr.slice(-3000)}\n${text.slice(-3000)}`);
	const run = readExecution(text);
	const runData = run.data.resultData.runData;
	const toolRuns = (runData[TOOL_NODE] || []).map((taskData) => ({
		error: taskData.error && taskData.error.message,
		items: ((taskData.data && taskData.data.ai_tool && taskData.data.ai_tool[0]) || []).map((it) => it.json),
	}));
	const agentRuns = runData['AI Agent'] || [];
	const last = agentRuns[agentRuns.length - 1];
	const answer = last && last.data && last.data.main && last.data.main[0] && last.data.main[0][0] && last.data.main[0][0].json.output;
	const error = run.data.resultData.error;
	return { status: run.status, error: error && (error.message || String(error)), toolRuns, answer, text };
}

beforeAll(async () => {
	soku = await startSokuStandIn('agent');
	fs.mkdirSync(path.join(P.OUT, 'agent'), { recursive: true });
	modelLog = fs.createWriteStream(path.join(P.OUT, 'agent', 'model-stand-in.log'), { flags: 'w' });
	model = await startChatModelStandIn({ logger: (line) => modelLog.write(`${new Date().toISOString()} ${line}\n`) });
	n8n = new N8n({ name: 'agent', port: PORT });
	try {
		await n8n.startFresh();
		await n8n.importCredentials([
			...credentialsFor(soku.url),
			{ id: 'scriptedModelApi1', name: 'Scripted model (stand-in)', type: 'openAiApi', data: { apiKey: 'sk-scripted-model-stand-in', url: model.url } },
		]);
		await n8n.importWorkflow(WORKFLOW_FILE);
		const dryRunFile = path.join(n8n.outDir, 'soku-agent-tool-dry-run.json');
		fs.writeFileSync(dryRunFile, JSON.stringify(DRY_RUN_WORKFLOW));
		await n8n.importWorkflow(dryRunFile);
	} catch (e) {
		n8n.saveLogs();
		await n8n.stop();
		throw e;
	}
}, 8 * 60 * 1000);

afterAll(async () => {
	if (n8n) {
		n8n.saveLogs();
		await n8n.stop();
	}
	if (model) await model.close();
	if (modelLog) modelLog.end();
	if (soku) await soku.stop();
}, 2 * 60 * 1000);

beforeEach(() => {
	soku.resetDemo();
	model.reset();
});

test('n8n derives the tool variant of the Soku node, and the workflow uses only parameters it knows', async () => {
	const types = await n8n.nodeTypes('^n8n-nodes-soku\\.');
	expect(types).toMatch(/^n8n-nodes-soku\.sokuTool\s+v1\s/m);
	const all = JSON.parse(fs.readFileSync(path.join(n8n.home, '.cache', 'n8n', 'public', 'types', 'nodes.json'), 'utf8'));
	const tool = all.find((t) => t.name === 'n8n-nodes-soku.sokuTool');
	expect(tool.outputs).toEqual(['ai_tool']);
	const known = new Set(tool.properties.map((p) => p.name));
	const node = WORKFLOW.nodes.find((n) => n.name === TOOL_NODE);
	expect(Object.keys(node.parameters).filter((k) => !known.has(k))).toEqual([]);
	// The tool description the README recommends is the one tested here.
	const readme = fs.readFileSync(path.join(P.REPO, 'README.md'), 'utf8');
	const section = readme.slice(readme.indexOf('## AI agents'), readme.indexOf('\n## ', readme.indexOf('## AI agents') + 1));
	const quoted = section.split('\n').filter((l) => l.startsWith('> ')).map((l) => l.slice(2)).join(' ');
	expect(quoted).toBe(node.parameters.toolDescription);
});

test('the model calls Create post once: one post stored, the tool result with postSubmissionId reaches the model and the answer', async () => {
	model.script(
		{ toolCalls: [{ tool: TOOL, args: { platform: 'x', text: 'Weekly recap, agent edition', videoUrl: VIDEO } }] },
		{ content: (req) => `Posted. ${req.toolResults.map((t) => t.content).join(' ')}` },
	);
	const run = await runAgent('create-once');
	expect(run.error).toBeUndefined();
	expect(run.status).toBe('success');
	expect(model.pending).toBe(0);

	// What the model was offered: the Soku tool, with the $fromAI() parameters as its arguments.
	const offered = model.requests[0].tools.find((t) => TOOL.test(t.function.name));
	expect(offered.function.description).toMatch(/^Publishes one social media post with Soku/);
	expect(Object.keys(offered.function.parameters.properties).sort()).toEqual(['platform', 'text', 'videoUrl']);

	// Soku received exactly one post, with the model's arguments.
	const reqs = posts();
	expect(reqs).toHaveLength(1);
	expect(platformsOf(reqs[0])).toEqual(['x']);
	expect(reqs[0].body.post.content).toMatchObject({ text: 'Weekly recap, agent edition', videoUrl: VIDEO, mediaType: 'video' });
	expect(statusOf(reqs[0])).toBe(201);
	expect(soku.state.posts).toHaveLength(1);
	const postSubmissionId = reqs[0].response.body.postSubmissionId || soku.state.posts[0].postSubmissionId;
	expect(typeof postSubmissionId).toBe('string');

	// The execution shows the tool run and its result.
	expect(run.toolRuns).toHaveLength(1);
	expect(run.toolRuns[0].error).toBeUndefined();
	expect(run.toolRuns[0].items).toHaveLength(1);
	expect(run.toolRuns[0].items[0]).toMatchObject({ postSubmissionId });
	expect(run.toolRuns[0].items[0].sokuError).toBeUndefined();

	// The model received that result as the tool message, and the agent's final answer carries it.
	const second = model.requests[1];
	expect(second.toolResults).toHaveLength(1);
	expect(second.toolResults[0].json[0]).toMatchObject({ postSubmissionId });
	expect(run.answer).toContain(postSubmissionId);
});

test('a platform that is not connected: the model receives sokuError missing_integrations with its hint; the run succeeds', async () => {
	model.script(
		{ toolCalls: [{ tool: TOOL, args: { platform: 'youtube', text: 'Weekly recap', videoUrl: VIDEO } }] },
		{ content: (req) => `Could not post: ${req.toolResults[0].json[0].sokuError.hint}` },
	);
	const run = await runAgent('missing-integrations');
	expect(run.error).toBeUndefined();
	expect(run.status).toBe('success');

	const reqs = posts();
	expect(reqs).toHaveLength(1);
	expect(statusOf(reqs[0])).toBe(400);
	expect(soku.state.posts).toHaveLength(0);

	expect(run.toolRuns).toHaveLength(1);
	expect(run.toolRuns[0].error).toBeUndefined(); // routed data, not a node failure
	const sokuError = run.toolRuns[0].items[0].sokuError;
	expect(sokuError).toMatchObject({
		code: 'missing_integrations',
		httpStatus: 400,
		source: 'api',
		details: { missingPlatforms: ['youtube'] },
	});
	expect(sokuError.hint).toMatch(/youtube|connect/i);

	const received = model.requests[1].toolResults[0].json[0].sokuError;
	expect(received).toMatchObject({ code: 'missing_integrations', hint: sokuError.hint, details: { missingPlatforms: ['youtube'] } });
	expect(run.answer).toBe(`Could not post: ${sokuError.hint}`);
	// The API key never reaches the model.
	expect(JSON.stringify(model.requests)).not.toMatch(/sk_live_/);
});

test('two tool calls in one turn with different texts: two posts, two different Idempotency-Keys', async () => {
	model.script({
		toolCalls: [
			{ tool: TOOL, args: { platform: 'x', text: 'Thread part 1: what we shipped', videoUrl: VIDEO } },
			{ tool: TOOL, args: { platform: 'x', text: 'Thread part 2: what comes next', videoUrl: VIDEO } },
		],
	});
	const run = await runAgent('two-calls');
	expect(run.status).toBe('success');

	const reqs = posts();
	expect(reqs.map(statusOf)).toEqual([201, 201]);
	expect(reqs.map((r) => r.body.post.content.text).sort()).toEqual(['Thread part 1: what we shipped', 'Thread part 2: what comes next']);
	const keys = reqs.map((r) => r.headers['idempotency-key']);
	expect(keys[0]).toEqual(expect.any(String));
	expect(keys[1]).toEqual(expect.any(String));
	expect(keys[0]).not.toBe(keys[1]);
	expect(soku.state.posts).toHaveLength(2);

	// Both results reached the model, in one follow-up request, with two different submissions.
	expect(run.toolRuns).toHaveLength(2);
	const results = model.requests[1].toolResults;
	expect(results).toHaveLength(2);
	const ids = results.map((r) => r.json[0].postSubmissionId);
	expect(new Set(ids).size).toBe(2);
	for (const id of ids) expect(run.answer).toContain(id);
});

test('Dry Run in tool mode: nothing reaches Soku; the model receives the request it would have sent, and a bad call\'s validation_error', async () => {
	model.script(
		{
			toolCalls: [
				{ tool: TOOL, args: { platform: 'x', text: 'Weekly recap, rehearsal', videoUrl: VIDEO } },
				{ tool: TOOL, args: { platform: 'x', text: 'Weekly recap, bad link', videoUrl: 'ftp://cdn.example.com/recap.mp4' } },
			],
		},
		{ content: (req) => `Dry run. ${req.toolResults.map((t) => t.content).join(' ')}` },
	);
	const run = await runAgent('dry-run', DRY_RUN_WORKFLOW.id);
	expect(run.error).toBeUndefined();
	expect(run.status).toBe('success');
	expect(soku.requests).toHaveLength(0);
	expect(soku.state.posts).toHaveLength(0);

	expect(run.toolRuns).toHaveLength(2);
	const byText = (t) => run.toolRuns.map((r) => r.items[0]).find((item) => JSON.stringify(item).includes(t));
	const wouldSend = byText('rehearsal');
	expect(wouldSend).toMatchObject({
		dryRun: true,
		request: { method: 'POST', url: `${soku.url}/v1/posts`, body: { post: { content: { text: 'Weekly recap, rehearsal', videoUrl: VIDEO, platform: ['x'] } } } },
	});
	expect(wouldSend.request.idempotencyKey).toMatch(/^n8n-[0-9a-f]{40}$/);
	const refused = run.toolRuns.map((r) => r.items[0]).find((item) => item.sokuError);
	expect(refused.sokuError).toMatchObject({ code: 'validation_error', source: 'client', details: { field: 'post.content.videoUrl' } });

	// Both outcomes reached the model as tool results, and no key did.
	const received = model.requests[1].toolResults.map((t) => t.json[0]);
	expect(received.filter((r) => r.dryRun === true)).toHaveLength(1);
	expect(received.filter((r) => r.sokuError && r.sokuError.code === 'validation_error')).toHaveLength(1);
	expect(run.answer).toMatch(/"dryRun":\s*true/);
	expect(JSON.stringify(model.requests)).not.toMatch(/sk_live_/);
	expect(run.text).not.toMatch(/sk_live_/);
});

// Needs the never-twice work (issue 8): the default Idempotency-Key derived from the request body rather
// than from the execution and run, and `replayed: true` on Success items when Soku answers with
// `Idempotent-Replayed: true`. Until that is merged, this case fails (two posts, no `replayed`).
describe('needs never-twice', () => {
	test('the same text twice in one turn: one post; the second result says replayed', async () => {
		const args = { platform: 'x', text: 'Same words, said twice', videoUrl: VIDEO };
		model.script({ toolCalls: [{ tool: TOOL, args }, { tool: TOOL, args }] });
		const run = await runAgent('same-text-twice');
		expect(run.status).toBe('success');

		const reqs = posts();
		expect(reqs).toHaveLength(2);
		expect(reqs[1].headers['idempotency-key']).toBe(reqs[0].headers['idempotency-key']);
		expect(soku.state.posts).toHaveLength(1);
		expect(reqs[1].response.headers['idempotent-replayed']).toBe('true');

		const results = model.requests[1].toolResults.map((r) => r.json[0]);
		expect(results).toHaveLength(2);
		expect(results[0].postSubmissionId).toBe(results[1].postSubmissionId);
		expect(results.filter((r) => r.replayed === true)).toHaveLength(1);
		expect(run.answer).toMatch(/"replayed":true/);
	});
});
