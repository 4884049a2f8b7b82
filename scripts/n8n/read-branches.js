#!/usr/bin/env node
// read-branches.js - which output of each node got how many items in an n8n execution, and what they carried.
//
// Input: a file (or '-' for stdin) holding either
//   * the stdout of `n8n execute --id=<id> --rawOutput` (log lines first, then a pretty JSON block), or
//   * the JSON of GET /rest/executions/<id> (its `data` field is "flatted"-serialised: pass --n8n-dir).
// Usage: node read-branches.js <file|-> [--n8n-dir <n8n install dir>] [--json]
//        [--expect "Soku:0=1"] [--expect "Soku:3=2"]          (node:outputIndex=itemCount; exit 1 on mismatch)
// Also a module: const { readExecution, summarize } = require('./read-branches.js').
'use strict';
const fs = require('fs');
const path = require('path');

function extractJsonBlock(t) {
  // `n8n execute` prints log lines to stdout before the result; the result starts at a line that is just "{"
  // and ends at the last line that is just "}".
  const lines = t.split('\n');
  const start = lines.findIndex((l) => l === '{');
  if (start === -1) throw new Error('no JSON block found in the input (did `n8n execute` fail? see its output)');
  let end = -1;
  for (let i = lines.length - 1; i > start; i--) if (lines[i] === '}') { end = i; break; }
  if (end === -1) throw new Error('JSON block is not terminated');
  return JSON.parse(lines.slice(start, end + 1).join('\n'));
}

function loadFlatted(n8nDir) {
  const tries = [n8nDir && path.join(n8nDir, 'node_modules'), process.env.N8N_DIR && path.join(process.env.N8N_DIR, 'node_modules'), process.cwd()].filter(Boolean);
  for (const p of tries) {
    try { return require(require.resolve('flatted', { paths: [p] })); } catch (e) { /* next */ }
  }
  throw new Error('REST execution data is flatted-encoded: pass --n8n-dir <n8n install dir> so flatted can be loaded');
}

/** Parses CLI `--rawOutput` text or a REST execution (object or text) into { status, data: IRunExecutionData }. */
function readExecution(input, { n8nDir } = {}) {
  let parsed = input;
  if (typeof input === 'string') {
    try { parsed = JSON.parse(input.trim()); } catch (e) { parsed = extractJsonBlock(input); }
  }
  if (parsed && parsed.data && typeof parsed.data.data === 'string') {
    const exec = parsed.data; // REST: { data: { status, data: "<flatted>" } }
    return { status: exec.status, finished: exec.finished, mode: exec.mode, data: loadFlatted(n8nDir).parse(exec.data) };
  }
  if (parsed && typeof parsed.data === 'string' && parsed.status) {
    return { status: parsed.status, finished: parsed.finished, mode: parsed.mode, data: loadFlatted(n8nDir).parse(parsed.data) };
  }
  if (parsed && parsed.data && parsed.data.resultData) return parsed; // CLI --rawOutput
  throw new Error('input is neither `n8n execute --rawOutput` output nor a REST execution');
}

/**
 * Per node: items per output (summed over the node's runs) and the items' json.
 * Returns { status, error, outputs: { node: [count0, count1, ...] }, items: { node: [[json...], ...] },
 *   paired: { node: [[input item index...], ...] } } (paired: which input item each output item came from).
 */
function summarize(run) {
  const runData = (run.data && run.data.resultData && run.data.resultData.runData) || {};
  const outputs = {};
  const items = {};
  const paired = {};
  const hints = {};
  for (const [node, runs] of Object.entries(runData)) {
    // Execution hints the node added (shown in the output pane).
    hints[node] = runs.flatMap((r) => ((r && r.hints) || []).map((h) => h.message));
    const perOutput = [];
    const pairs = [];
    for (const r of runs) {
      const main = (r && r.data && r.data.main) || [];
      main.forEach((its, i) => {
        perOutput[i] = perOutput[i] || [];
        pairs[i] = pairs[i] || [];
        for (const it of its || []) {
          perOutput[i].push(it.json);
          const p = Array.isArray(it.pairedItem) ? it.pairedItem[0] : it.pairedItem;
          pairs[i].push(p && typeof p === 'object' ? p.item : typeof p === 'number' ? p : null);
        }
      });
    }
    for (let i = 0; i < perOutput.length; i++) { perOutput[i] = perOutput[i] || []; pairs[i] = pairs[i] || []; }
    items[node] = perOutput;
    paired[node] = pairs;
    outputs[node] = perOutput.map((o) => o.length);
  }
  const error = run.data && run.data.resultData && run.data.resultData.error;
  return { status: run.status, error: error ? error.message || String(error) : undefined, outputs, items, paired, hints };
}

function main() {
  const args = process.argv.slice(2);
  let file;
  let n8nDir = process.env.N8N_DIR;
  let asJson = false;
  const expects = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--n8n-dir') n8nDir = args[++i];
    else if (args[i] === '--expect') expects.push(args[++i]);
    else if (args[i] === '--json') asJson = true;
    else file = args[i];
  }
  if (!file) {
    console.error('usage: read-branches.js <file|-> [--n8n-dir <dir>] [--expect "Node:outputIndex=count"] [--json]');
    process.exit(2);
  }
  const s = summarize(readExecution(fs.readFileSync(file === '-' ? 0 : file, 'utf8'), { n8nDir }));
  if (asJson) console.log(JSON.stringify(s, null, 2));
  else {
    console.log(`status: ${s.status}${s.error ? ` (error: ${s.error})` : ''}`);
    for (const [node, counts] of Object.entries(s.outputs)) console.log(`  ${node}: ${counts.map((c, i) => `out${i}=${c}`).join(' ')}`);
  }
  let failed = s.error ? 1 : 0;
  for (const e of expects) {
    const m = /^(.*):(\d+)=(\d+)$/.exec(e);
    if (!m) { console.error(`bad --expect ${e}`); process.exit(2); }
    const [, node, idx, count] = m;
    const got = s.outputs[node] ? s.outputs[node][Number(idx)] || 0 : undefined;
    if (got !== Number(count)) { console.error(`EXPECTATION FAILED: ${node} output ${idx}: expected ${count} items, got ${got}`); failed = 1; }
  }
  process.exit(failed);
}

module.exports = { readExecution, summarize, extractJsonBlock };
if (require.main === module) {
  try { main(); } catch (e) { console.error(`read-branches: ERROR: ${e.message}`); process.exit(2); }
}
