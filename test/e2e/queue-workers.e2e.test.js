/**
 * End-to-end in queue mode with two workers: redis-server + n8n main + two `n8n worker` processes
 * (N8N_E2E_WORKERS=2, concurrency 2 each). The workers share no memory; each paces from its own sends
 * and Soku's X-RateLimit-* headers. Four executions of 40 posts are started at once under the documented
 * limit of 30 posts per window, time-scaled to 3 s: nothing lost, nothing doubled, at most two 429s.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const P = require('./lib/paths');
const { setupSuite, teardownSuite } = require('./lib/suite');

const PORT = Number(process.env.N8N_E2E_PORT_QUEUE_WORKERS || 5770 + P.PORT_OFFSET);
const REDIS_PORT = Number(process.env.N8N_E2E_REDIS_PORT_QUEUE_WORKERS || 6393 + P.PORT_OFFSET);
const WORKFLOW = 'sokuE2ePacing01';
const SOKU = 'Soku: publish';
const WINDOW_MS = 3000;
const LIMIT = 30;
let ctx;

beforeAll(async () => {
  const previous = process.env.N8N_E2E_WORKERS;
  process.env.N8N_E2E_WORKERS = '2';
  try {
    ctx = await setupSuite('queue-workers', { port: PORT, redisPort: REDIS_PORT, queue: true });
  } finally {
    if (previous === undefined) delete process.env.N8N_E2E_WORKERS;
    else process.env.N8N_E2E_WORKERS = previous;
  }
  await ctx.n8n.publish(WORKFLOW);
}, 8 * 60 * 1000);

afterAll(async () => {
  if (ctx) {
    const log = ctx.n8n.log('worker2');
    if (log) fs.writeFileSync(path.join(P.OUT, 'queue-workers', 'n8n-worker2.log'), log);
  }
  await teardownSuite(ctx);
}, 2 * 60 * 1000);

const posts = (label, n) => Array.from({ length: n }, (_, i) => ({ text: `${label} queued post #${i}` }));

test('two workers are running on one Redis', () => {
  expect(ctx.n8n.log('worker')).toMatch(/worker is now ready/i);
  expect(ctx.n8n.log('worker2')).toMatch(/worker is now ready/i);
});

test('4 executions of 40 posts at once on 2 workers: 0 lost, 0 duplicates, at most 2 × 429', async () => {
  ctx.standIn.resetDemo();
  ctx.standIn.configureRateLimits({ windowMs: WINDOW_MS, fractionalRetryAfter: true });
  const before = (await ctx.n8n.listExecutions(WORKFLOW)).results.map((e) => String(e.id));
  const labels = ['q1', 'q2', 'q3', 'q4'];
  const t0 = Date.now();
  await Promise.all(labels.map((label) => ctx.n8n.callWebhook('soku-pacing', { posts: posts(label, 40) })));

  const known = [...before];
  const executions = [];
  for (let i = 0; i < labels.length; i++) {
    const r = await ctx.n8n.waitForNewExecution(WORKFLOW, known, { timeoutMs: 300000 });
    known.push(r.id);
    executions.push(r);
  }
  const wallMs = Date.now() - t0;

  const postRequests = ctx.standIn.requests.filter((r) => r.method === 'POST' && r.path === '/v1/posts');
  const count429 = postRequests.filter((r) => r.response && r.response.status === 429).length;
  const total = labels.length * 40;
  const minimumMs = (Math.ceil(total / LIMIT) - 1) * WINDOW_MS;
  const line = `queue-workers: ${total} posts from 4 executions on 2 workers in ${wallMs} ms; sliding-window minimum ${minimumMs} ms (+ the last window's requests); ratio ${(wallMs / minimumMs).toFixed(2)}; ${count429} × 429`;
  process.stdout.write(`${line}\n`);
  fs.writeFileSync(path.join(P.OUT, 'queue-workers', 'result.txt'), `${line}\n`);

  // Both workers ran executions.
  const ran = (log) => (log.match(/(finished|completed) execution \d+/gi) || []).length;
  expect(ran(ctx.n8n.log('worker'))).toBeGreaterThan(0);
  expect(ran(ctx.n8n.log('worker2'))).toBeGreaterThan(0);

  for (const { summary } of executions) {
    expect(summary.status).toBe('success');
    expect(summary.outputs[SOKU]).toEqual([40, 0, 0, 0]);
  }
  // 0 lost, 0 duplicates: every post stored exactly once.
  const stored = ctx.standIn.state.posts.map((p) => p.text).sort();
  expect(stored).toEqual(labels.flatMap((label) => posts(label, 40).map((p) => p.text)).sort());
  expect(count429).toBeLessThanOrEqual(2);
  // Sanity bound only; the ratio itself is a benchmark figure (npm run bench).
  expect(wallMs).toBeLessThan(minimumMs * 4);
}, 8 * 60 * 1000);
