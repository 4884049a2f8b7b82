'use strict';
/**
 * Scripted chat-model stand-in: answers OpenAI-style `POST /v1/chat/completions` the way a script says,
 * so a real n8n AI Agent (with n8n's OpenAI Chat Model node, its credential's Base URL pointed here)
 * calls tools deterministically. Plain Node.js `http`, loopback only, no dependencies.
 *
 *   const m = await startChatModelStandIn();          // m.url = http://127.0.0.1:PORT/v1
 *   m.script(
 *     { toolCalls: [{ tool: /soku/i, args: { platform: 'x', text: 'hi' } }] },  // 1st completion: call a tool
 *     { content: (req) => `Done: ${req.toolResults[0].content}` },              // 2nd: the final answer
 *   );
 *   m.requests;   // every completion request: { body, tools, toolResults: [{ toolCallId, name, content, json }] }
 *
 * A tool is named by a string (exact name) or a RegExp matched against the tool names in the request;
 * an unknown name answers HTTP 400 (like OpenAI for a tool it was not given), so a renamed tool fails loudly.
 * When the script is used up, the model gives a final answer that quotes the tool results it received.
 * Streaming (`stream: true`) is answered as server-sent events with the same content.
 */
const http = require('http');

function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

function parseJson(text) {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** The text of a message's content (a string, or OpenAI content parts). */
function contentText(content) {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((p) => (typeof p === 'string' ? p : p && p.text) || '').join('');
	return '';
}

/** Tool results in the conversation, with the name of the tool call each answers. */
function toolResultsOf(messages) {
	const names = new Map();
	for (const m of messages) {
		for (const call of (m && m.tool_calls) || []) names.set(call.id, call.function && call.function.name);
	}
	return messages
		.filter((m) => m && m.role === 'tool')
		.map((m) => {
			const content = contentText(m.content);
			return { toolCallId: m.tool_call_id, name: names.get(m.tool_call_id), content, json: parseJson(content) };
		});
}

function defaultFinal(req) {
	if (!req.toolResults.length) return 'I did not call any tool.';
	return `Tool results: ${req.toolResults.map((r) => r.content).join(' | ')}`;
}

async function startChatModelStandIn({ host = '127.0.0.1', port = 0, model = 'scripted-model', logger } = {}) {
	let queue = [];
	let callSeq = 0;
	const requests = [];
	const log = (line) => logger && logger(line);

	function resolveTool(wanted, tools) {
		const names = tools.map((t) => t && t.function && t.function.name).filter(Boolean);
		const found = wanted instanceof RegExp ? names.find((n) => wanted.test(n)) : names.find((n) => n === wanted);
		if (!found) throw new Error(`no tool matching ${String(wanted)} among [${names.join(', ')}]`);
		return found;
	}

	/** The assistant message for one request: the next scripted step, or the default final answer. */
	function answer(record) {
		const step = queue.shift() || { content: defaultFinal };
		if (step.toolCalls) {
			return {
				role: 'assistant',
				content: step.content || null,
				tool_calls: step.toolCalls.map((c) => ({
					id: `call_${++callSeq}`,
					type: 'function',
					function: { name: resolveTool(c.tool, record.tools), arguments: JSON.stringify(c.args || {}) },
				})),
			};
		}
		const content = typeof step.content === 'function' ? step.content(record) : String(step.content);
		return { role: 'assistant', content };
	}

	function sendJson(res, status, body) {
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
	}

	function sendCompletion(res, body, message) {
		const id = `chatcmpl-${requests.length}`;
		const created = Math.floor(Date.now() / 1000);
		const finish = message.tool_calls ? 'tool_calls' : 'stop';
		const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
		if (!body.stream) {
			sendJson(res, 200, {
				id,
				object: 'chat.completion',
				created,
				model: body.model || model,
				choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
				usage,
			});
			return;
		}
		res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
		const chunk = (choices, extra = {}) =>
			res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model || model, choices, ...extra })}\n\n`);
		const delta = { role: 'assistant', content: message.content };
		if (message.tool_calls) delta.tool_calls = message.tool_calls.map((c, index) => ({ index, ...c }));
		chunk([{ index: 0, delta, finish_reason: null }]);
		chunk([{ index: 0, delta: {}, finish_reason: finish }]);
		if (body.stream_options && body.stream_options.include_usage) chunk([], { usage });
		res.end('data: [DONE]\n\n');
	}

	const server = http.createServer(async (req, res) => {
		try {
			const path = req.url.split('?')[0].replace(/^\/v1/, '');
			if (req.method === 'GET' && path === '/models') {
				sendJson(res, 200, { object: 'list', data: [{ id: model, object: 'model', owned_by: 'stand-in' }] });
				return;
			}
			if (req.method !== 'POST' || path !== '/chat/completions') {
				sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
				return;
			}
			const body = parseJson(await readBody(req)) || {};
			const messages = Array.isArray(body.messages) ? body.messages : [];
			const record = {
				receivedAt: Date.now(),
				authorization: req.headers.authorization ? 'Bearer …' : undefined,
				body,
				tools: Array.isArray(body.tools) ? body.tools : [],
				toolResults: toolResultsOf(messages),
			};
			requests.push(record);
			let message;
			try {
				message = answer(record);
			} catch (error) {
				record.answer = { error: error.message };
				log(`POST /chat/completions → 400 ${error.message}`);
				sendJson(res, 400, { error: { message: error.message, type: 'invalid_request_error' } });
				return;
			}
			record.answer = message;
			log(`POST /chat/completions (${messages.length} messages, ${record.toolResults.length} tool results) → ${message.tool_calls ? `${message.tool_calls.length} tool call(s)` : 'final answer'}`);
			sendCompletion(res, body, message);
		} catch (error) {
			sendJson(res, 500, { error: { message: String(error && error.message), type: 'server_error' } });
		}
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, resolve);
	});
	const address = server.address();
	return {
		url: `http://${host}:${address.port}/v1`,
		requests,
		/** Appends steps: { toolCalls: [{ tool, args }], content? } or { content: string | (request) => string }. */
		script(...steps) {
			queue.push(...steps);
		},
		/** Steps not used yet. */
		get pending() {
			return queue.length;
		},
		reset() {
			queue = [];
			requests.length = 0;
		},
		close() {
			return new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
}

module.exports = { startChatModelStandIn, toolResultsOf };
