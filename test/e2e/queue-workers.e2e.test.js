/**
 * End-to-end in queue mode as users deploy it: redis-server + PostgreSQL + n8n main + two `n8n worker`
 * processes (N8N_E2E_WORKERS=2, concurrency 2 each). The workers share no memory; each paces from its own
 * sends and Soku's X-RateLimit-* headers. Four executions of 40 posts are started at once under the
 * documented limit of 30 posts per window, time-scaled to 3 s: nothing lost, nothing doubled, at most two
 * 429s. Then a worker dies mid-batch (SIGKILL) and is started again: what n8n does with the execution, and
 * what the user does next (Retry while it shows Crashed, or sending the same items again once n8n has
 * turned it into an Error), never loses or doubles a post.
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
    ctx = await setupSuite('queue-workers', { port: PORT, redisPort: REDIS_PORT, queue: true, postgres: true });
  } finally {
    if (previous === undefined) delete process.env.N8N_E2E_WORKERS;
    else process.env.N8N_E2E_WORKERS = previous;
  }
  await ctx.n8n.publish(WORKFLOW);
}, 8 * 60 * 1000);

afterAll(async () => {
  await teardownSuite(ctx); // saves every log, worker2 and the killed workers' included
}, 2 * 60 * 1000);

const posts = (label, n) => Array.from({ length: n }, (_, i) => ({ text: `${label} queued post #${i}` }));

test('two workers are running on one Redis, n8n on PostgreSQL', () => {
  expect(ctx.n8n.log('worker')).toMatch(/worker is now ready/i);
  expect(ctx.n8n.log('worker2')).toMatch(/worker is now ready/i);
  // Queue mode as deployed: the database is the suite's PostgreSQL cluster, no SQLite file was made.
  expect(ctx.n8n.log('postgres')).toMatch(/database system is ready to accept connections/);
  expect(fs.existsSync(path.join(ctx.n8n.home, '.n8n', 'database.sqlite'))).toBe(false);
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

// ---------------------------------------------------------------------------------------------------------
// A worker killed mid-batch (SIGKILL, with its task-runner child, as when its container dies), then started
// again. What n8n 2.x does with the job is recorded in the test output and asserted below.
const CRASH_POSTS = 20;
const CRASH_AFTER = 8;

/** PIDs of a process's direct children (n8n's task runner), read from /proc. */
function childrenOf(pid) {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
    } catch (e) {
      return false;
    }
  }).map(Number);
}

async function waitFor(what, check, { timeoutMs, intervalMs = 250 }) {
  const t0 = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Answered 201 (stored, or replayed from Soku's idempotency store) for the posts of one batch. */
const textOf = (r) => (r.body && r.body.post && r.body.post.content && r.body.post.content.text) || '';
const acceptedPosts = (label) => ctx.standIn.requests.filter((r) => r.method === 'POST' && r.path === '/v1/posts' && r.response && r.response.status === 201 && textOf(r).startsWith(`${label} `)).length;
const storedTexts = (label) => ctx.standIn.state.posts.map((p) => p.text).filter((t) => t.startsWith(`${label} `)).sort();
const statusOf = async (id) => (await ctx.n8n.rest('GET', `/rest/executions/${id}`)).data;

/**
 * Starts a batch of CRASH_POSTS paced posts, SIGKILLs the worker running it (with its task runner, as when
 * its container dies) once CRASH_AFTER are accepted, and starts that worker again (systemd, a Docker restart
 * policy). Returns the execution id, the worker, the posts accepted before the kill and a timeline.
 */
async function crashMidBatch(label) {
  // 4 posts per 3 s: the batch runs about 15 s, long enough to kill the worker in the middle of it.
  ctx.standIn.configureRateLimits({ windowMs: WINDOW_MS, endpoints: { '/v1/posts': 4 }, fractionalRetryAfter: true });
  const t0 = Date.now();
  const timeline = [];
  const note = (line) => {
    const entry = `${((Date.now() - t0) / 1000).toFixed(1)} s ${line}`;
    timeline.push(entry);
    process.stdout.write(`crash (${label}): ${entry}\n`);
  };
  const before = (await ctx.n8n.listExecutions(WORKFLOW)).results.map((e) => String(e.id));
  await ctx.n8n.callWebhook('soku-pacing', { posts: posts(label, CRASH_POSTS) });
  const id = await waitFor('the execution is listed', async () => {
    const found = (await ctx.n8n.listExecutions(WORKFLOW)).results.find((e) => !before.includes(String(e.id)));
    return found && String(found.id);
  }, { timeoutMs: 30000 });
  await waitFor(`${CRASH_AFTER} posts accepted`, () => acceptedPosts(label) >= CRASH_AFTER, { timeoutMs: 60000, intervalMs: 50 });
  const which = ['worker', 'worker2'].find((w) => new RegExp(`Worker started execution ${id}\\b`).test(ctx.n8n.log(w)));
  expect(which).toBeDefined();
  const pid = Number(fs.readFileSync(path.join(ctx.n8n.home, 'run', `${which}.pid`), 'utf8'));
  const children = childrenOf(pid);
  process.kill(pid, 'SIGKILL');
  for (const child of children) { try { process.kill(child, 'SIGKILL'); } catch (e) { /* already gone */ } }
  const killedAt = Date.now();
  // A request already sent may still be answered (and stored) after the kill: count once answers are in.
  await new Promise((r) => setTimeout(r, 1000));
  const acceptedAtKill = acceptedPosts(label);
  note(`execution ${id}: ${which} killed with SIGKILL (and its task runner) after ${acceptedAtKill} of ${CRASH_POSTS} posts were accepted`);
  await ctx.n8n.sh(['worker', which === 'worker' ? '1' : '2']);
  note(`${which} started again`);
  // On start-up it reads n8n's event log, finds the unfinished execution and marks it Crashed.
  const crashed = await waitFor('the killed execution leaves "running"', async () => {
    const e = await statusOf(id);
    return ['running', 'new'].includes(e.status) ? undefined : e;
  }, { timeoutMs: 60000, intervalMs: 500 });
  note(`execution ${id} is ${crashed.status}`);
  expect(crashed.status).toBe('crashed');
  // n8n lists every unfinished execution its event log still holds (an earlier case's crash too): "5, 7".
  expect(ctx.n8n.log(which)).toMatch(new RegExp(`Found unfinished executions: (?:\\d+, )*${id}\\b`));
  // n8n does not run the job again (it sets Bull's maxStalledCount to 0).
  expect(ctx.n8n.log(which)).not.toMatch(new RegExp(`Worker started execution ${id}\\b`));
  expect(acceptedPosts(label)).toBe(acceptedAtKill);
  return { id, which, acceptedAtKill, killedAt, t0, timeline, note };
}

/**
 * The dead worker's Bull lock expires (QUEUE_WORKER_LOCK_DURATION, 60 s, renewed every 10 s), a live
 * worker's stalled-job check (every 30 s) fails the job, and main gives up on it: waits for that.
 */
async function mainGivesUp(crash) {
  await waitFor('main gives up on the stalled job', () => new RegExp(`Problem with execution ${crash.id}\\b`).test(ctx.n8n.log('main')), { timeoutMs: 180000, intervalMs: 1000 });
  const e = await statusOf(crash.id);
  crash.note(`main gave up on the job ${((Date.now() - crash.killedAt) / 1000).toFixed(0)} s after the kill; execution ${crash.id} is now ${e.status}`);
  fs.writeFileSync(path.join(P.OUT, 'queue-workers', `crash-execution-${crash.id}-after.json`), JSON.stringify(e));
  return e;
}

/**
 * The run after the crash finished the batch: every item on Success, the posts Soku accepted before the
 * kill replayed (same keys), the others posted now, and each of the batch's posts stored exactly once.
 */
function expectCompleted(summary, crash, label) {
  expect(summary.status).toBe('success');
  expect(summary.outputs[SOKU]).toEqual([CRASH_POSTS, 0, 0, 0]);
  const success = summary.items[SOKU][0];
  expect(success.filter((j) => j.replayed === true)).toHaveLength(crash.acceptedAtKill);
  // The stand-in marks replays only (Idempotent-Replayed: true), as the docs allow: a fresh answer says
  // nothing, so the node reports replayed: null (unknown), never false.
  expect(success.filter((j) => j.replayed === null)).toHaveLength(CRASH_POSTS - crash.acceptedAtKill);
  expect(storedTexts(label)).toEqual(posts(label, CRASH_POSTS).map((p) => p.text).sort());
}

function report(label, crash, extra) {
  const line = `queue-workers crash (${label}): ${CRASH_POSTS} posts, ${crash.acceptedAtKill} accepted before the kill, ${extra}; ${crash.timeline.join('; ')}; case total ${((Date.now() - crash.t0) / 1000).toFixed(1)} s`;
  process.stdout.write(`${line}\n`);
  fs.appendFileSync(path.join(P.OUT, 'queue-workers', 'crash-result.txt'), `${line}\n`);
}

test(`a worker killed (SIGKILL) after ${CRASH_AFTER} of ${CRASH_POSTS} paced posts and started again: the execution is Crashed; Retry replays the accepted posts and posts the rest, each stored once`, async () => {
  ctx.standIn.resetDemo();
  fs.rmSync(path.join(P.OUT, 'queue-workers', 'crash-result.txt'), { force: true });
  const crash = await crashMidBatch('crashA');

  // The user's Retry (executions list) while it shows Crashed: the Soku node runs again with the same
  // items and the same keys.
  const known = (await ctx.n8n.listExecutions(WORKFLOW)).results.map((e) => String(e.id));
  await ctx.n8n.rest('POST', `/rest/executions/${crash.id}/retry`, { loadWorkflow: false });
  const retry = await ctx.n8n.waitForNewExecution(WORKFLOW, known, { timeoutMs: 120000 });
  crash.note(`Retry: execution ${retry.id} is ${retry.summary.status}`);
  expectCompleted(retry.summary, crash, 'crashA');

  // Later main gives up on the dead job and rewrites the execution as Error; nothing is sent again.
  const after = await mainGivesUp(crash);
  expect(after.status).toBe('error');
  expect(storedTexts('crashA')).toEqual(posts('crashA', CRASH_POSTS).map((p) => p.text).sort());
  report('Retry while Crashed', crash, `${CRASH_POSTS - crash.acceptedAtKill} posted by the Retry, 0 lost, 0 duplicates`);
}, 10 * 60 * 1000);

test(`the same crash left alone until n8n gives up on the job: Error "failed to be processed too many times", its data is gone (Retry posts nothing); the same items sent again replay the accepted posts and post the rest`, async () => {
  ctx.standIn.resetDemo();
  const crash = await crashMidBatch('crashB');
  const after = await mainGivesUp(crash);
  expect(after.status).toBe('error');
  const { parse } = require(require.resolve('flatted', { paths: [path.join(P.N8N_DIR, 'node_modules')] }));
  const data = typeof after.data === 'string' ? parse(after.data) : after.data;
  expect(data.resultData.error.message).toMatch(/failed to be processed too many times/);
  expect(data.resultData.runData).toEqual({}); // the items the Soku node had are no longer in the execution
  expect(data.executionData.nodeExecutionStack).toEqual([]);

  // Retry of that execution has nothing to run.
  const known = (await ctx.n8n.listExecutions(WORKFLOW)).results.map((e) => String(e.id));
  const retried = await ctx.n8n.rest('POST', `/rest/executions/${crash.id}/retry`, { loadWorkflow: false }, { raw: true });
  let retryOutcome = `HTTP ${retried.status}`;
  if (retried.status === 200) {
    const r = await ctx.n8n.waitForNewExecution(WORKFLOW, known, { timeoutMs: 60000 });
    retryOutcome += `, execution ${r.id} ${r.summary.status}, Soku node ran: ${SOKU in r.summary.outputs}`;
    known.push(r.id);
  }
  crash.note(`Retry of the Error execution: ${retryOutcome}`);
  expect(acceptedPosts('crashB')).toBe(crash.acceptedAtKill);

  // What works: the same items sent again (here: the webhook called again with the same body).
  await ctx.n8n.callWebhook('soku-pacing', { posts: posts('crashB', CRASH_POSTS) });
  const again = await ctx.n8n.waitForNewExecution(WORKFLOW, known, { timeoutMs: 120000 });
  crash.note(`the same items sent again: execution ${again.id} is ${again.summary.status}`);
  expectCompleted(again.summary, crash, 'crashB');
  report('left until Error, then sent again', crash, `${CRASH_POSTS - crash.acceptedAtKill} posted when sent again, 0 lost, 0 duplicates`);
}, 10 * 60 * 1000);
