'use strict';
/* Tests of the scripted chat-model stand-in (OpenAI chat-completions shape), over real HTTP. Run: npx jest test/stand-in */

const { startChatModelStandIn } = require('./chat-model-stand-in');

const TOOLS = [{ type: 'function', function: { name: 'Publish_with_Soku', description: 'posts', parameters: { type: 'object', properties: {} } } }];

let m;
beforeEach(async () => {
	m = await startChatModelStandIn();
});
afterEach(async () => {
	await m.close();
});

async function complete(body) {
	const res = await fetch(`${m.url}/chat/completions`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
		body: JSON.stringify({ model: 'scripted-model', tools: TOOLS, ...body }),
	});
	return { status: res.status, text: await res.text() };
}

test('answers with the scripted tool calls, then a final answer built from the tool results it received', async () => {
	m.script({ toolCalls: [{ tool: /soku/i, args: { text: 'a' } }, { tool: 'Publish_with_Soku', args: { text: 'b' } }] }, { content: (req) => `got ${req.toolResults.length}` });
	const first = JSON.parse((await complete({ messages: [{ role: 'user', content: 'post' }] })).text);
	expect(first.choices[0].finish_reason).toBe('tool_calls');
	const calls = first.choices[0].message.tool_calls;
	expect(calls.map((c) => [c.function.name, JSON.parse(c.function.arguments).text])).toEqual([
		['Publish_with_Soku', 'a'],
		['Publish_with_Soku', 'b'],
	]);
	expect(calls[0].id).not.toBe(calls[1].id);

	const messages = [
		{ role: 'user', content: 'post' },
		first.choices[0].message,
		{ role: 'tool', tool_call_id: calls[0].id, content: '[{"postSubmissionId":"p1"}]' },
		{ role: 'tool', tool_call_id: calls[1].id, content: [{ type: 'text', text: 'not json' }] },
	];
	const second = JSON.parse((await complete({ messages })).text);
	expect(second.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: 'got 2' } });
	expect(m.requests[1].toolResults).toEqual([
		{ toolCallId: calls[0].id, name: 'Publish_with_Soku', content: '[{"postSubmissionId":"p1"}]', json: [{ postSubmissionId: 'p1' }] },
		{ toolCallId: calls[1].id, name: 'Publish_with_Soku', content: 'not json', json: undefined },
	]);
	expect(m.pending).toBe(0);
	// Script used up: the default answer quotes the tool results.
	const third = JSON.parse((await complete({ messages })).text);
	expect(third.choices[0].message.content).toBe('Tool results: [{"postSubmissionId":"p1"}] | not json');
});

test('a tool the request did not offer is a 400 naming the tools it had', async () => {
	m.script({ toolCalls: [{ tool: 'Other_tool' }] });
	const r = await complete({ messages: [{ role: 'user', content: 'x' }] });
	expect(r.status).toBe(400);
	expect(JSON.parse(r.text).error.message).toBe('no tool matching Other_tool among [Publish_with_Soku]');
});

test('streams the same answer as server-sent events when asked to', async () => {
	m.script({ toolCalls: [{ tool: /soku/i, args: { text: 'a' } }] });
	const r = await complete({ stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'x' }] });
	const events = r.text.split('\n\n').filter(Boolean).map((e) => e.replace(/^data: /, ''));
	expect(events[events.length - 1]).toBe('[DONE]');
	const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
	expect(chunks[0].choices[0].delta.tool_calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'Publish_with_Soku', arguments: '{"text":"a"}' } });
	expect(chunks[1].choices[0].finish_reason).toBe('tool_calls');
	expect(chunks[2].usage.total_tokens).toBe(15);
});
