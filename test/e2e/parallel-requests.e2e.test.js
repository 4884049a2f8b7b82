/**
 * End-to-end in regular mode: *Options › Parallel Requests* in a real n8n. 20 transcriptions whose answers
 * take a set latency, the stand-in enforcing Soku's transcription limit (10 per sliding window, time-scaled
 * with the node's *Rate-Limit Window* to match), run once one at a time (Parallel Requests 1) and once with
 * the option unset (the transcription default, 5). The parallel run must take under half the sequential
 * time, with 0 × 429, every item sent once under its own Idempotency-Key and every answer on Success, in
 * item order, paired with its input. (The engine-level ratio to the theoretical minimum is bench scenario 9,
 * `bench/scenarios/slowTranscriptions.ts`.)
 */
'use strict';
const fs = require('fs');
const path = require('path');
const P = require('./lib/paths');
const { setupSuite, teardownSuite } = require('./lib/suite');
const { sleep } = require('./lib/n8n');
const { webhookSplitSoku } = require('./lib/workflows');

const PORT = Number(process.env.N8N_E2E_PORT_PARALLEL || 5800 + P.PORT_OFFSET);
const SOKU = 'Soku: transcribe';
const TRANSCRIBE = '/v1/ai/transcribe';
const TRANSCRIPTIONS = 20;
const LIMIT = 10; // Soku's documented transcription limit per window (REFERENCE §4.5)
// Chosen for a loaded 2-core machine: one at a time ≈ 20 × 1.5 s = 30 s, in parallel ≈ 8 s (5 in flight,
// each slot held until its answer + the window), so the < 0.5× claim holds with a wide margin.
const LATENCY_MS = 1500;
const WINDOW_MS = 3000;

/** Webhook → Split Out (body.items) → Soku Transcription › Create with the given options. */
function workflow(id, webhookPath, options) {
  return webhookSplitSoku({
    id,
    name: `Soku e2e parallel requests: ${webhookPath}`,
    webhookPath,
    field: 'items',
    splitName: 'Split items',
    soku: {
      name: SOKU,
      typeVersion: 2,
      parameters: {
        resource: 'transcription',
        operation: 'create',
        mediaId: 'med_demo_video',
        additionalFields: { durationSeconds: '={{ $json.seconds }}' },
        errorRouting: 'perCode',
        errorCodesForTranscriptionCreate: ['validation_error', 'insufficient_credits', 'not_found', 'rate_limit_exceeded'],
        options,
      },
      credentials: { sokuApi: { id: 'sokuDemoApiKey01', name: 'Soku (demo stand-in)' } },
    },
  });
}

const WORKFLOWS = {
  sequential: workflow('sokuParallelSeq01', 'soku-transcribe-one-at-a-time', {
    pacingWindowSeconds: WINDOW_MS / 1000,
    parallelRequests: 1,
  }),
  // Parallel Requests not set: what a user gets without touching the option.
  parallelDefault: workflow('sokuParallelDef01', 'soku-transcribe-default', { pacingWindowSeconds: WINDOW_MS / 1000 }),
};

let ctx;

beforeAll(async () => {
  ctx = await setupSuite('parallel-requests', { port: PORT });
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

/** Fresh stand-in: the time-scaled limit, credits for the batch, and every transcription answered after LATENCY_MS. */
function prepareStandIn() {
  const s = ctx.standIn;
  s.resetDemo();
  s.configureRateLimits({ windowMs: WINDOW_MS, fractionalRetryAfter: true, endpoints: { [TRANSCRIBE]: LIMIT } });
  s.state.credits.user_demo = 1000;
  s.script({ match: { method: 'POST', path: TRANSCRIBE }, delayMs: LATENCY_MS, times: Infinity });
}

/** Runs the batch through the workflow's webhook; returns the execution, its stand-in traffic and times. */
async function runBatch(wf) {
  prepareStandIn();
  const items = Array.from({ length: TRANSCRIPTIONS }, (_, i) => ({ seconds: i + 1 }));
  const before = (await ctx.n8n.listExecutions(wf.id)).results.map((e) => String(e.id));
  await ctx.n8n.callWebhook(wf.nodes[0].parameters.path, { items });
  const { id, summary, raw } = await ctx.n8n.waitForNewExecution(wf.id, before, { timeoutMs: 3 * 60 * 1000 });
  const requests = ctx.standIn.requests.filter((r) => r.method === 'POST' && r.path === TRANSCRIBE);
  const received = requests.map((r) => r.receivedAt);
  return {
    id,
    summary,
    requests,
    transcriptions: [...ctx.standIn.state.transcriptions],
    // n8n's own record of the execution (what the user sees in the executions list).
    executionMs: Date.parse(raw.data.stoppedAt) - Date.parse(raw.data.startedAt),
    // The stand-in's view: first request received to last answer sent (each answer is LATENCY_MS after receipt).
    standInSpanMs: Math.max(...received) + LATENCY_MS - Math.min(...received),
    maxInFlight: maxOverlap(received, LATENCY_MS),
  };
}

/** Most requests whose [receivedAt, receivedAt + latency) intervals overlap at one moment. */
function maxOverlap(received, latencyMs) {
  const sorted = [...received].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= latencyMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

/** Every item once: 20 requests, 20 distinct keys, all answered 200, answers on Success in item order. */
function expectEveryItemOnce(run) {
  const { summary, requests, transcriptions } = run;
  expect(summary.status).toBe('success');
  const [success, ...errorOutputs] = summary.outputs[SOKU];
  expect(success).toBe(TRANSCRIPTIONS);
  expect(errorOutputs.reduce((a, n) => a + n, 0)).toBe(0);
  const order = Array.from({ length: TRANSCRIPTIONS }, (_, i) => i);
  expect(summary.paired[SOKU][0]).toEqual(order);

  const statuses = requests.map((r) => r.response && r.response.status);
  expect(statuses.filter((s) => s === 429)).toHaveLength(0);
  expect(statuses).toEqual(requests.map(() => 200));
  const keys = requests.map((r) => r.headers['idempotency-key']);
  expect(keys.every((k) => typeof k === 'string' && k.length > 0)).toBe(true);
  expect(new Set(keys).size).toBe(TRANSCRIPTIONS);
  expect(keys).toHaveLength(TRANSCRIPTIONS);

  // Output i is item i's own answer, not just labelled so: its jobId → the key Soku stored it under →
  // the request sent with that key carried item i's durationSeconds (i + 1).
  const keyOfJob = new Map(transcriptions.map((t) => [t.jobId, t.idempotencyKey]));
  const requestOfKey = new Map(requests.map((r) => [r.headers['idempotency-key'], r]));
  const secondsInOrder = summary.items[SOKU][0].map((item) => requestOfKey.get(keyOfJob.get(item.jobId)).body.durationSeconds);
  expect(secondsInOrder).toEqual(order.map((i) => i + 1));
}

test(`${TRANSCRIPTIONS} transcriptions answering after ${LATENCY_MS} ms, ${LIMIT} per ${WINDOW_MS} ms: the default (5 in parallel) takes under half the one-at-a-time time, 0 × 429, every item once`, async () => {
  const sequential = await runBatch(WORKFLOWS.sequential);
  // Let the node's pacing window (shared by the credential's executions in this n8n) empty before the next batch.
  await sleep(WINDOW_MS + LATENCY_MS);
  const parallel = await runBatch(WORKFLOWS.parallelDefault);

  const report = {
    latencyMs: LATENCY_MS,
    windowMs: WINDOW_MS,
    limit: LIMIT,
    transcriptions: TRANSCRIPTIONS,
    ...Object.fromEntries(
      Object.entries({ sequential, parallel }).map(([k, r]) => [
        k,
        { execution: r.id, executionMs: r.executionMs, standInSpanMs: r.standInSpanMs, maxInFlight: r.maxInFlight, requests: r.requests.length },
      ]),
    ),
  };
  report.ratio = parallel.executionMs / sequential.executionMs;
  fs.writeFileSync(path.join(ctx.n8n.outDir, 'parallel-result.json'), JSON.stringify(report, null, 2));
  process.stdout.write(
    `parallel-requests: one at a time ${sequential.executionMs} ms (stand-in span ${sequential.standInSpanMs} ms, max ${sequential.maxInFlight} in flight); ` +
      `default ${parallel.executionMs} ms (stand-in span ${parallel.standInSpanMs} ms, max ${parallel.maxInFlight} in flight); ratio ${report.ratio.toFixed(3)}\n`,
  );

  expectEveryItemOnce(sequential);
  expectEveryItemOnce(parallel);
  // The two workflows are different requests to Soku: no answer of the second run is a replay of the first.
  const keysOf = (r) => r.requests.map((q) => q.headers['idempotency-key']);
  expect(keysOf(parallel).filter((k) => keysOf(sequential).includes(k))).toEqual([]);
  expect(parallel.summary.items[SOKU][0].every((item) => item.replayed !== true)).toBe(true);
  // Parallel Requests 1 really sends one at a time; the default really overlaps them.
  expect(sequential.maxInFlight).toBe(1);
  expect(parallel.maxInFlight).toBeGreaterThan(1);
  expect(parallel.maxInFlight).toBeLessThanOrEqual(5);
  // The claim: under half the one-at-a-time time, by n8n's execution times and by the stand-in's clock.
  expect(parallel.executionMs).toBeLessThan(0.5 * sequential.executionMs);
  expect(parallel.standInSpanMs).toBeLessThan(0.5 * sequential.standInSpanMs);
}, 4 * 60 * 1000);
