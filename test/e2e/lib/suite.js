// One suite = one Soku stand-in (in this process) + one fresh n8n with the packed package installed,
// credentials pointing at the stand-in, every example and e2e workflow imported, owner logged in.
'use strict';
const fs = require('fs');
const path = require('path');
const P = require('./paths');
const { N8n } = require('./n8n');
const { startSokuStandIn, credentialsFor } = require('./stand-in');

function workflowFiles() {
  const list = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f));
  return [...list(P.EXAMPLES), ...list(P.WORKFLOWS)];
}

async function setupSuite(name, { port, redisPort, queue = false, postgres = false } = {}) {
  const t0 = Date.now();
  const standIn = await startSokuStandIn(name);
  const n8n = new N8n({ name, port, redisPort });
  const ctx = { standIn, n8n, timings: {} };
  try {
    await n8n.startFresh({ queue, postgres });
    ctx.timings.start = Date.now() - t0;
    await n8n.importCredentials(credentialsFor(standIn.url));
    await n8n.importWorkflows(workflowFiles());
    await n8n.login();
    ctx.timings.setup = Date.now() - t0;
  } catch (e) {
    n8n.saveLogs();
    await n8n.stop();
    await standIn.stop();
    throw e;
  }
  return ctx;
}

async function teardownSuite(ctx) {
  if (!ctx) return;
  ctx.n8n.saveLogs();
  await ctx.n8n.stop();
  await ctx.standIn.stop();
}

/** Which output of `node` each input item (by index) went to, e.g. { 0: 0, 1: 1, 2: 2 }. */
function branchOfInput(summary, node) {
  const map = {};
  (summary.paired[node] || []).forEach((pairs, out) => pairs.forEach((inIdx) => { map[inIdx] = out; }));
  return map;
}

module.exports = { setupSuite, teardownSuite, workflowFiles, branchOfInput };
