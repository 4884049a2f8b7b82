#!/usr/bin/env node
// print-branches.js - after `n8n execute --rawOutput`, print which output (branch) of a Soku node each
// input item reached, with the output's name and the node wired to it.
//
// Usage: node scripts/n8n/print-branches.js <execute output file> --workflow <workflow.json>
//          [--node "Soku: publish"] [--types <user folder>/.cache/n8n/public/types/nodes.json]
//          [--label-field label]
// Output names come from the node type's own `outputs` expression (as n8n computes them for the canvas),
// evaluated with the node's parameters from the workflow file; without --types they are "output N".
'use strict';
const fs = require('fs');
const { readExecution, summarize } = require('./read-branches');

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

function outputNames(types, node) {
  if (!types) return null;
  // A versioned node has one entry per version: take the one the workflow's node was saved with.
  const version = node.typeVersion || 1;
  const t = types.find((x) => x.name === node.type && [].concat(x.version).includes(version))
    || types.find((x) => x.name === node.type);
  if (!t) return null;
  if (Array.isArray(t.outputs)) return t.outputs.map((o) => (typeof o === 'string' ? o : o.displayName || o.type));
  if (typeof t.outputs !== 'string' || !t.outputs.startsWith('={{')) return null;
  const body = t.outputs.slice(3, t.outputs.lastIndexOf('}}'));
  try {
    // The package's own expression (see nodes/Soku/policy/route.ts), evaluated like n8n does for the canvas.
    // eslint-disable-next-line no-new-func
    const list = new Function('$parameter', `return (${body});`)(node.parameters || {});
    return list.map((o) => (typeof o === 'string' ? o : o.displayName || o.type));
  } catch (e) {
    return null;
  }
}

function main() {
  const file = process.argv[2];
  const wfFile = arg('--workflow');
  if (!file || !wfFile) {
    console.error('usage: print-branches.js <execute output> --workflow <workflow.json> [--node <name>] [--types <nodes.json>]');
    process.exit(2);
  }
  const wf = JSON.parse(fs.readFileSync(wfFile, 'utf8'));
  const typesFile = arg('--types');
  const types = typesFile && fs.existsSync(typesFile) ? JSON.parse(fs.readFileSync(typesFile, 'utf8')) : null;
  const nodeName = arg('--node') || (wf.nodes.find((n) => n.type === 'n8n-nodes-soku.soku') || {}).name;
  const node = wf.nodes.find((n) => n.name === nodeName);
  if (!node) throw new Error(`no node "${nodeName}" in ${wfFile}`);
  const labelField = arg('--label-field', 'label');

  const s = summarize(readExecution(fs.readFileSync(file, 'utf8')));
  const names = outputNames(types, node);
  const wired = ((wf.connections[nodeName] || {}).main || []).map((c) => (c || []).map((x) => x.node).join(', '));
  const source = Object.entries(wf.connections).find(([, c]) => (c.main || []).some((o) => (o || []).some((x) => x.node === nodeName)));
  const inputs = source ? ((s.items[source[0]] || [])[0] || []) : [];

  const rows = [];
  (s.paired[nodeName] || []).forEach((pairs, out) => {
    pairs.forEach((inIdx, k) => {
      const item = s.items[nodeName][out][k] || {};
      const input = inputs[inIdx] || {};
      const err = item.sokuError;
      rows.push({
        inIdx,
        label: String(input[labelField] || item[labelField] || `item ${inIdx}`),
        branch: names && names[out] ? names[out] : `output ${out}`,
        to: wired[out] || '(not connected)',
        detail: err
          ? `${err.source === 'client' ? 'caught before sending' : `HTTP ${err.httpStatus}`}, ${err.attempts} attempt(s): ${err.message}`
          : item.postSubmissionId
            ? `postSubmissionId=${item.postSubmissionId}`
            : Object.keys(item).filter((k2) => !(k2 in input)).slice(0, 2).map((k2) => `${k2}=${JSON.stringify(item[k2])}`).join(' ').slice(0, 100),
      });
    });
  });
  rows.sort((a, b) => a.inIdx - b.inIdx);
  const w1 = Math.max(4, ...rows.map((r) => r.label.length));
  const w2 = Math.max(6, ...rows.map((r) => r.branch.length));
  const w3 = Math.max(4, ...rows.map((r) => r.to.length));
  console.log(`${wf.name}: execution ${s.status}${s.error ? ` (${s.error})` : ''}`);
  console.log(`  ${'item'.padEnd(w1)}  ${'branch'.padEnd(w2)}  ${'node'.padEnd(w3)}  details`);
  for (const r of rows) console.log(`  ${r.label.padEnd(w1)}  ${r.branch.padEnd(w2)}  ${r.to.padEnd(w3)}  ${r.detail}`);
  process.exit(s.status === 'success' && !s.error ? 0 : 1);
}

try {
  main();
} catch (e) {
  console.error(`print-branches: ERROR: ${e.message}`);
  process.exit(2);
}
