/**
 * End-to-end in queue mode: redis-server and PostgreSQL (Debian, loopback) + n8n main + `n8n worker`,
 * sharing one user folder. The showcase runs as a published webhook workflow, so the execution is picked up by the
 * worker; routing must be identical to regular mode.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const P = require('./lib/paths');
const { setupSuite, teardownSuite, branchOfInput } = require('./lib/suite');
const { platformsOf } = require('./lib/stand-in');

const PORT = Number(process.env.N8N_E2E_PORT_QUEUE || 5730 + P.PORT_OFFSET);
const REDIS_PORT = Number(process.env.N8N_E2E_REDIS_PORT || 6391 + P.PORT_OFFSET);
const SOKU = 'Soku: publish';
let ctx;

/** The showcase's sample items, read from the Code node of examples/all-branches.json. */
function showcaseItems() {
  const wf = JSON.parse(fs.readFileSync(path.join(P.EXAMPLES, 'all-branches.json'), 'utf8'));
  const code = wf.nodes.find((n) => n.name === 'Sample posts').parameters.jsCode;
  return JSON.parse(code.slice(code.indexOf('return ') + 7, code.lastIndexOf('.map(')));
}

/** Per input item: [output index, sokuError code or null]. */
function routing(summary) {
  const out = branchOfInput(summary, SOKU);
  const items = summary.items[SOKU];
  const paired = summary.paired[SOKU];
  const result = {};
  for (const [inIdx, o] of Object.entries(out)) {
    const pos = paired[o].indexOf(Number(inIdx));
    const err = items[o][pos].sokuError;
    result[inIdx] = [o, err ? err.code : null];
  }
  return result;
}

beforeAll(async () => {
  ctx = await setupSuite('queue', { port: PORT, redisPort: REDIS_PORT, queue: true, postgres: true });
  await ctx.n8n.publish('sokuE2eWebhook01');
}, 8 * 60 * 1000);

afterAll(async () => {
  await teardownSuite(ctx);
}, 2 * 60 * 1000);

beforeEach(() => ctx.standIn.resetDemo());

const EXPECTED = {
  0: [0, null],
  1: [1, 'validation_error'],
  2: [3, 'missing_integrations'], // node version 2: output 2 is upload_failed (off)
  3: [4, 'missing_account'],
  4: [0, null], // 429 waited out
  5: [0, null], // dispatch_failed retried
};

test('n8n runs in queue mode with a worker', () => {
  expect(ctx.n8n.log('main')).toMatch(/queue/i);
  expect(ctx.n8n.log('worker')).toMatch(/worker is now ready|worker started/i);
});

test('webhook execution runs on the worker, items reach the same branches as in regular mode', async () => {
  const before = (await ctx.n8n.listExecutions('sokuE2eWebhook01')).results.map((e) => String(e.id));
  await ctx.n8n.callWebhook('soku-all-branches', { posts: showcaseItems() });
  const { id, summary } = await ctx.n8n.waitForNewExecution('sokuE2eWebhook01', before);
  expect(summary.status).toBe('success');
  expect(summary.outputs[SOKU]).toEqual([3, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  expect(routing(summary)).toEqual(EXPECTED);
  // The worker, not main, ran it.
  const worker = ctx.n8n.log('worker');
  expect(worker).toMatch(new RegExp(`(finished|completed) execution ${id}\\b`, 'i'));
  // Same traffic as in regular mode: the 429 waited out, TikTok retried alone.
  const posts = ctx.standIn.requests.filter((r) => r.method === 'POST' && r.path === '/v1/posts');
  const li = posts.filter((r) => platformsOf(r).includes('linkedin'));
  expect(li.map((r) => r.response.status)).toEqual([429, 201]);
  const tt = posts.filter((r) => platformsOf(r).includes('tiktok'));
  expect(tt.map((r) => r.response.status)).toEqual([500, 201]);
  expect(posts.some((r) => platformsOf(r).includes('threads'))).toBe(false);
});

test('the same showcase through `n8n execute` (regular path) routes identically', async () => {
  const s = await ctx.n8n.execute('sokuAllBranches01', 'queue-instance-cli');
  expect(s.outputs[SOKU]).toEqual([3, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  expect(routing(s)).toEqual(EXPECTED);
});
