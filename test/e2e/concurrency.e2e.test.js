/**
 * End-to-end in regular mode: executions started at once in one n8n share one Soku quota. The pacing
 * workflow (`workflows/pacing-webhook.json`, node window 3 s) is published and called three times at
 * once; the stand-in enforces the documented 30 posts per window, time-scaled to 3 s. Also the Base URL
 * rule in n8n's real credential test.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const P = require('./lib/paths');
const { setupSuite, teardownSuite } = require('./lib/suite');
const { KEYS } = require('./lib/stand-in');

const PORT = Number(process.env.N8N_E2E_PORT_CONCURRENCY || 5760 + P.PORT_OFFSET);
const WORKFLOW = 'sokuE2ePacing01';
const SOKU = 'Soku: publish';
const WINDOW_MS = 3000;
let ctx;

beforeAll(async () => {
  ctx = await setupSuite('concurrency', { port: PORT });
  await ctx.n8n.publish(WORKFLOW);
}, 8 * 60 * 1000);

afterAll(async () => {
  await teardownSuite(ctx);
}, 2 * 60 * 1000);

beforeEach(() => {
  ctx.standIn.resetDemo();
  ctx.standIn.configureRateLimits({ windowMs: WINDOW_MS, fractionalRetryAfter: true });
});

const posts = (label, n) => Array.from({ length: n }, (_, i) => ({ text: `${label} concurrent post #${i}` }));

/** Waits until `count` executions of the workflow, not in `before`, have finished; returns their summaries. */
async function waitForExecutions(before, count, timeoutMs = 180000) {
  const t0 = Date.now();
  for (;;) {
    const list = (await ctx.n8n.listExecutions(WORKFLOW)).results || [];
    const fresh = list.filter((e) => !before.includes(String(e.id)));
    const done = fresh.filter((e) => !['running', 'new', 'waiting'].includes(e.status));
    if (done.length >= count) {
      const known = [...before];
      const results = [];
      for (let i = 0; i < count; i++) {
        const r = await ctx.n8n.waitForNewExecution(WORKFLOW, known);
        known.push(r.id);
        results.push(r);
      }
      return results;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`only ${done.length} of ${count} executions finished after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

test('3 executions started at once, 15 posts each, limit 30 per 3 s: 0 × 429, 45 posts stored once, all on Success', async () => {
  const before = (await ctx.n8n.listExecutions(WORKFLOW)).results.map((e) => String(e.id));
  const labels = ['alpha', 'beta', 'gamma'];
  const t0 = Date.now();
  await Promise.all(labels.map((label) => ctx.n8n.callWebhook('soku-pacing', { posts: posts(label, 15) })));
  const executions = await waitForExecutions(before, 3);
  const wallMs = Date.now() - t0;
  fs.writeFileSync(path.join(P.OUT, 'concurrency', 'three-executions.json'), JSON.stringify(executions.map((e) => e.summary), null, 2));

  for (const { summary } of executions) {
    expect(summary.status).toBe('success');
    expect(summary.outputs[SOKU]).toEqual([15, 0, 0, 0]);
  }
  const postRequests = ctx.standIn.requests.filter((r) => r.method === 'POST' && r.path === '/v1/posts');
  const statuses = postRequests.map((r) => r.response && r.response.status);
  expect(statuses.filter((s) => s === 429)).toHaveLength(0);
  const stored = ctx.standIn.state.posts.map((p) => p.text).sort();
  expect(stored).toEqual(labels.flatMap((label) => posts(label, 15).map((p) => p.text)).sort());
  // Soku's sliding window never held more than 30 accepted posts.
  const accepted = postRequests.filter((r) => r.response && r.response.status === 201).map((r) => r.receivedAt);
  let maxInWindow = 0;
  for (let i = 0, j = 0; i < accepted.length; i++) {
    while (accepted[i] - accepted[j] >= WINDOW_MS) j++;
    maxInWindow = Math.max(maxInWindow, i - j + 1);
  }
  expect(maxInWindow).toBeLessThanOrEqual(30);
  process.stdout.write(`concurrency: 45 posts from 3 executions in ${wallMs} ms (first window ${WINDOW_MS} ms, sliding-window minimum ${WINDOW_MS} ms + request time), max ${maxInWindow} in a window, 0 × 429\n`);
}, 5 * 60 * 1000);

const test2x = P.N8N_MAJOR >= 2 ? test : test.skip;

/** n8n's credential test for an unsaved Soku credential (what the credential modal sends). */
async function credentialTest(baseUrl) {
  return (await ctx.n8n.rest('POST', '/rest/credentials/test', {
    credentials: { id: '', name: 'unsaved', type: 'sokuApi', data: { apiKey: KEYS.demo, baseUrl } },
  })).data;
}

test2x('credential test: http://api.example.com fails with the https rule in words, and nothing is sent', async () => {
  ctx.standIn.clearRequests();
  const result = await credentialTest('http://api.example.com');
  fs.writeFileSync(path.join(P.OUT, 'concurrency', 'credential-test-http.json'), JSON.stringify(result, null, 2));
  expect(result.status).toBe('Error');
  expect(result.message).toMatch(/must start with https:\/\//);
  expect(JSON.stringify(result)).not.toContain(KEYS.demo);
  expect(ctx.standIn.requests).toHaveLength(0);
});

test2x('credential test: a Base URL pasted with /v1/ passes, like the node accepts it', async () => {
  const result = await credentialTest(`${ctx.standIn.url}/v1/`);
  expect(result).toMatchObject({ status: 'OK' });
  expect(ctx.standIn.requests.map((r) => r.path)).toEqual(['/v1/repurposeLinks']);
});
