/**
 * End-to-end, "never twice" across executions: published webhook workflows in a real n8n, run once and
 * then again with the same input (a redelivered webhook, or n8n's Retry of a failed execution), asserting
 * on what the stand-in stored. The same cases run in regular mode (SQLite) and in queue mode (redis + worker,
 * PostgreSQL).
 */
'use strict';
const fs = require('fs');
const path = require('path');
const P = require('./lib/paths');
const { setupSuite, teardownSuite } = require('./lib/suite');
const { readExecution } = require('../../scripts/n8n/read-branches');
const { webhookSplitSoku } = require('./lib/workflows');

const SOKU = 'Soku';
const CREDENTIAL = { sokuApi: { id: 'sokuDemoApiKey01', name: 'Soku (demo stand-in)' } };
const FAST_RETRY = { initialDelaySeconds: 0.2, maxDelaySeconds: 0.4 };

/** Webhook → Split Out (body.posts) → Soku Post › Create with the given parameters. */
function workflow(id, webhookPath, soku) {
  return webhookSplitSoku({
    id,
    name: `Soku e2e never twice: ${webhookPath}`,
    webhookPath,
    field: 'posts',
    splitName: 'Split posts',
    soku: {
      name: SOKU,
      typeVersion: 1,
      parameters: {
        resource: 'post',
        operation: 'create',
        mediaType: 'text',
        text: '={{ $json.text }}',
        targets: { target: [{ platform: 'x', accountId: '' }] },
        additionalFields: {},
        retry: FAST_RETRY,
        options: {},
        ...soku,
      },
      credentials: CREDENTIAL,
    },
  });
}

const WORKFLOWS = {
  stop: workflow('sokuNeverTwiceStop', 'soku-never-twice-stop', { errorRouting: 'stop' }),
  plain: workflow('sokuNeverTwicePlain', 'soku-never-twice', {}),
  custom: workflow('sokuNeverTwiceKey01', 'soku-never-twice-key', { options: { idempotencyKey: '={{ $json.id }}' } }),
  accounts: workflow('sokuNeverTwiceAccts', 'soku-never-twice-accounts', {
    targets: {
      target: [
        { platform: 'x', accountId: 'x_primary' },
        { platform: 'x', accountId: 'x_alt' },
        { platform: 'threads', accountId: '' },
      ],
    },
  }),
  windowZero: workflow('sokuNeverTwiceWin0', 'soku-never-twice-window-0', { options: { duplicateWindowHours: 0 } }),
  scheduled: workflow('sokuNeverTwiceNow01', 'soku-never-twice-now', { additionalFields: { scheduledTime: '={{ $now.plus({ hours: 2 }) }}' } }),
};

const MODES = [
  ['regular', { port: Number(process.env.N8N_E2E_PORT_NEVER_TWICE || 5740 + P.PORT_OFFSET) }],
  [
    'queue',
    {
      port: Number(process.env.N8N_E2E_PORT_NEVER_TWICE_QUEUE || 5750 + P.PORT_OFFSET),
      redisPort: Number(process.env.N8N_E2E_REDIS_PORT_NEVER_TWICE || 6392 + P.PORT_OFFSET),
      queue: true,
      postgres: true, // queue mode as deployed: n8n on PostgreSQL
    },
  ],
];

describe.each(MODES)('never twice (%s mode)', (mode, options) => {
  let ctx;
  const posts = () => ctx.standIn.requests.filter((r) => r.method === 'POST' && r.path === '/v1/posts');
  const stored = () => ctx.standIn.state.posts;
  const texts = () => stored().map((p) => p.text).sort();

  /** Calls the workflow's webhook and waits for the execution it started; returns { id, summary, error }. */
  async function runWebhook(wf, body) {
    const before = (await ctx.n8n.listExecutions(wf.id)).results.map((e) => String(e.id));
    await ctx.n8n.callWebhook(wf.nodes[0].parameters.path, body);
    return await finished(wf, before);
  }

  async function finished(wf, before) {
    const { id, summary, raw } = await ctx.n8n.waitForNewExecution(wf.id, before);
    const run = readExecution(raw, { n8nDir: P.N8N_DIR });
    // Queue mode: the worker ran it (webhook executions and n8n's Retry alike).
    if (options.queue) expect(ctx.n8n.log('worker')).toMatch(new RegExp(`(finished|completed) execution ${id}\\b`, 'i'));
    return { id, summary, error: run.data.resultData.error };
  }

  const sokuItems = (summary, output = 0) => ((summary.items[SOKU] || [])[output] || []);

  beforeAll(async () => {
    ctx = await setupSuite(`never-twice-${mode}`, options);
    const dir = path.join(ctx.n8n.outDir, 'workflows');
    fs.mkdirSync(dir, { recursive: true });
    const files = Object.values(WORKFLOWS).map((wf) => {
      const file = path.join(dir, `${wf.id}.json`);
      fs.writeFileSync(file, JSON.stringify(wf, null, 2));
      return file;
    });
    await ctx.n8n.importWorkflows(files);
    for (const wf of Object.values(WORKFLOWS)) await ctx.n8n.publish(wf.id);
  }, 8 * 60 * 1000);

  afterAll(async () => {
    await teardownSuite(ctx);
  }, 2 * 60 * 1000);

  beforeEach(() => ctx.standIn.resetDemo());

  test('(a) stop mode: the error lists what is live; Retry of the execution replays it and posts only the rest', async () => {
    const input = { posts: [0, 1, 2].map((n) => ({ text: `${mode} (a) stop mode post #${n}` })) };
    // Item 2 meets 500s on every attempt (1 + 3 retries), so the node stops the workflow.
    ctx.standIn.script({
      match: (rec) => rec.method === 'POST' && rec.path === '/v1/posts' && rec.body && rec.body.post.content.text.endsWith('#2'),
      status: 500,
      times: 4,
    });
    const first = await runWebhook(WORKFLOWS.stop, input);
    expect(first.summary.status).toBe('error');
    expect(stored()).toHaveLength(2);
    const live = stored().map((p) => p.postSubmissionId);
    const told = `${first.error.message} ${first.error.description}`;
    expect(told).toMatch(/accepted 2 items \(input 0, 1; ids /);
    for (const id of live) expect(told).toContain(id);
    expect(told).toMatch(/replays them/);

    // n8n's Retry (executions list): a new execution from the failed node with the same input.
    const before = (await ctx.n8n.listExecutions(WORKFLOWS.stop.id)).results.map((e) => String(e.id));
    await ctx.n8n.rest('POST', `/rest/executions/${first.id}/retry`, { loadWorkflow: false });
    const retry = await finished(WORKFLOWS.stop, before);
    expect(retry.summary.status).toBe('success');

    expect(texts()).toEqual(input.posts.map((p) => p.text).sort()); // 3 posts, none stored twice
    expect(ctx.standIn.state.deliveries).toHaveLength(3);
    const replays = posts().filter((r) => r.idempotentReplay);
    expect(replays).toHaveLength(2);
    const success = sokuItems(retry.summary);
    // The default stand-in marks replays only: a fresh answer does not say (null, not false).
    expect(success.map((j) => j.replayed)).toEqual([true, true, null]);
    expect(success.slice(0, 2).map((j) => j.postSubmissionId)).toEqual(live);
    expect(retry.summary.hints[SOKU].join(' ')).toContain('2 items were already published by an earlier run; nothing was sent twice');
  });

  test('(b) the same input again (a redelivered webhook): 0 duplicates, 3 replays, Success says replayed', async () => {
    const input = { posts: [0, 1, 2].map((n) => ({ text: `${mode} (b) post #${n}` })) };
    const first = await runWebhook(WORKFLOWS.plain, input);
    expect(first.summary.status).toBe('success');
    expect(sokuItems(first.summary).map((j) => j.replayed)).toEqual([null, null, null]);
    const second = await runWebhook(WORKFLOWS.plain, input);
    expect(second.summary.status).toBe('success');

    expect(stored()).toHaveLength(3);
    expect(ctx.standIn.state.deliveries).toHaveLength(3);
    expect(posts()).toHaveLength(6);
    expect(posts().filter((r) => r.idempotentReplay)).toHaveLength(3);
    const again = sokuItems(second.summary);
    expect(again.map((j) => j.replayed)).toEqual([true, true, true]);
    expect(again.map((j) => j.postSubmissionId)).toEqual(sokuItems(first.summary).map((j) => j.postSubmissionId));
    expect(second.summary.hints[SOKU].join(' ')).toContain('3 items were already published by an earlier run');
  });

  test('(c) custom key {{ $json.id }} with numbers, run twice: Soku sees the user\'s keys, 0 duplicates', async () => {
    const input = { posts: [101, 102, 103].map((id) => ({ id, text: `${mode} (c) post ${id}` })) };
    await runWebhook(WORKFLOWS.custom, input);
    const second = await runWebhook(WORKFLOWS.custom, input);
    expect(second.summary.status).toBe('success');
    const keys = posts().map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual(['createPost:101', 'createPost:102', 'createPost:103', 'createPost:101', 'createPost:102', 'createPost:103']);
    expect(stored()).toHaveLength(3);
    expect(stored().map((p) => p.idempotencyKey)).toEqual(keys.slice(0, 3));
    expect(sokuItems(second.summary).map((j) => j.replayed)).toEqual([true, true, true]);
  });

  test('(d) two accounts of one platform, one failing: no resend, item on dispatch_failed naming both accounts', async () => {
    const user = ctx.standIn.state.users.user_demo;
    user.integrations.x = ['x_primary', 'x_alt'];
    user.failDispatchAccounts = { x_alt: 1 };
    const result = await runWebhook(WORKFLOWS.accounts, { posts: [{ text: `${mode} (d) two X accounts` }] });
    expect(result.summary.status).toBe('success');

    // One request: Soku said "x failed", which cannot tell x_primary (delivered) from x_alt (failed).
    expect(posts()).toHaveLength(1);
    expect(posts()[0].response.body.error.details.failedPlatforms).toEqual(['x']);
    const deliveries = ctx.standIn.state.deliveries.map((d) => d.accountId).sort();
    expect(deliveries).toEqual(['threads_main', 'x_primary']);
    expect(new Set(deliveries).size).toBe(deliveries.length);

    expect(result.summary.outputs[SOKU][0]).toBe(0);
    const routed = result.summary.items[SOKU].flat().filter((j) => j && j.sokuError);
    expect(routed).toHaveLength(1);
    expect(routed[0].sokuError).toMatchObject({
      code: 'dispatch_failed',
      attempts: 1,
      details: {
        failedPlatforms: ['x'],
        succeededPlatforms: ['threads'],
        ambiguousAccounts: [
          { platform: 'x', accountId: 'x_primary' },
          { platform: 'x', accountId: 'x_alt' },
        ],
      },
    });
    expect(routed[0].sokuError.hint).toMatch(/does not say whether x x_primary, x x_alt got the post/);
  });

  test('(e) Duplicate Window 0: a re-run posts again, on purpose', async () => {
    const input = { posts: [{ text: `${mode} (e) post again` }] };
    await runWebhook(WORKFLOWS.windowZero, input);
    const second = await runWebhook(WORKFLOWS.windowZero, input);
    expect(second.summary.status).toBe('success');
    expect(stored().map((p) => p.text)).toEqual([input.posts[0].text, input.posts[0].text]);
    expect(posts().filter((r) => r.idempotentReplay)).toHaveLength(0);
    expect(sokuItems(second.summary).map((j) => j.replayed)).toEqual([null]);
  });

  test('(f) x_primary + x_alt + threads, x named failed and succeeded: 0 duplicate deliveries, dispatch_failed names what is unknown', async () => {
    ctx.standIn.configureAnswers({ dispatchLists: 'overlap' });
    const user = ctx.standIn.state.users.user_demo;
    user.integrations.x = ['x_primary', 'x_alt'];
    user.failDispatchAccounts = { x_alt: 1 };
    const result = await runWebhook(WORKFLOWS.accounts, { posts: [{ text: `${mode} (f) x in both lists` }] });
    expect(result.summary.status).toBe('success');
    expect(posts()).toHaveLength(1);
    expect(posts()[0].response.body.error.details).toEqual({ failedPlatforms: ['x'], succeededPlatforms: ['x', 'threads'] });
    const deliveries = ctx.standIn.state.deliveries.map((d) => d.accountId).sort();
    expect(deliveries).toEqual(['threads_main', 'x_primary']);
    const routed = result.summary.items[SOKU].flat().filter((j) => j && j.sokuError);
    expect(routed).toHaveLength(1);
    expect(routed[0].sokuError).toMatchObject({
      code: 'dispatch_failed',
      details: {
        failedPlatforms: ['x'],
        succeededPlatforms: ['threads'],
        deliveries: [{ platform: 'threads', attempt: 1, postSubmissionId: null }],
        ambiguousAccounts: [
          { platform: 'x', accountId: 'x_primary' },
          { platform: 'x', accountId: 'x_alt' },
        ],
      },
    });
  });

  test('(g) Scheduled Time from $now, run, then the same input again: 1 post stored, the re-run says replayed: true', async () => {
    const input = { posts: [{ text: `${mode} (g) in two hours` }] };
    const first = await runWebhook(WORKFLOWS.scheduled, input);
    expect(first.summary.status).toBe('success');
    const second = await runWebhook(WORKFLOWS.scheduled, input);
    expect(second.summary.status).toBe('success');
    expect(stored()).toHaveLength(1);
    const [a, b] = posts();
    expect(b.body.scheduledTime).not.toBe(a.body.scheduledTime);
    expect(b.headers['idempotency-key']).toBe(a.headers['idempotency-key']);
    expect(sokuItems(first.summary).map((j) => j.postSubmissionId)).toEqual([stored()[0].postSubmissionId]);
    expect(sokuItems(second.summary).map((j) => j.replayed)).toEqual([true]);
    expect(second.summary.hints[SOKU].join(' ')).toContain('1 item was already published by an earlier run; nothing was sent twice');
  });

  test('(h) a Soku that sends no replay header: a re-run\'s items do not say replayed: false', async () => {
    ctx.standIn.configureAnswers({ replayHeader: 'never' });
    const input = { posts: [0, 1].map((n) => ({ text: `${mode} (h) unmarked #${n}` })) };
    await runWebhook(WORKFLOWS.plain, input);
    const second = await runWebhook(WORKFLOWS.plain, input);
    expect(second.summary.status).toBe('success');
    expect(stored()).toHaveLength(2);
    expect(posts().filter((r) => r.idempotentReplay)).toHaveLength(2);
    expect(posts().every((r) => r.response.headers['idempotent-replayed'] === undefined)).toBe(true);
    const again = sokuItems(second.summary);
    expect(again.map((j) => j.replayed)).toEqual([null, null]);
    expect((second.summary.hints[SOKU] || []).join(' ')).not.toMatch(/earlier run|sent twice/);
  });
});
