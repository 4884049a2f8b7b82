#!/usr/bin/env node
// screenshot-canvas.js - log in to a running n8n over REST and screenshot a workflow's canvas in headless
// Debian Chromium (playwright-core; never downloads a browser).
//
// Usage: node scripts/n8n/screenshot-canvas.js --workflow <id> --out <png> [--base http://localhost:5678]
//          [--email owner@example.com --password ...] [--expect "Soku"] [--expect-output insufficient_credits]
//          [--execute]            click "Execute workflow" first and wait until item counts show on the canvas
//          [--open-node "Soku"]   then double-click that node and screenshot its parameter panel instead
//          [--scale 2]            device scale factor (sharper PNG)  [--width 1600 --height 900]
// Env: N8N_E2E_OWNER_EMAIL / N8N_E2E_OWNER_PASSWORD (defaults of start-n8n.sh), CHROMIUM_PATH (/usr/bin/chromium).
'use strict';
const fs = require('fs');
const path = require('path');
const browser = require('./browser');

function parseArgs(argv) {
  const a = { expect: [], expectOutput: [] };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--workflow') a.workflow = v, i++;
    else if (k === '--out') a.out = v, i++;
    else if (k === '--base') a.base = v, i++;
    else if (k === '--email') a.email = v, i++;
    else if (k === '--password') a.password = v, i++;
    else if (k === '--expect') a.expect.push(v), i++;
    else if (k === '--expect-output') a.expectOutput.push(v), i++;
    else if (k === '--open-node') a.openNode = v, i++;
    else if (k === '--scale') a.scale = Number(v), i++;
    else if (k === '--width') a.width = Number(v), i++;
    else if (k === '--height') a.height = Number(v), i++;
    else if (k === '--execute') a.execute = true;
    else { console.error(`unknown argument ${k}`); process.exit(2); }
  }
  return a;
}

async function main() {
  const args = parseArgs(process.argv);
  const port = process.env.N8N_E2E_PORT || '5678';
  const base = (args.base || `http://localhost:${port}`).replace(/\/$/, '');
  const email = args.email || process.env.N8N_E2E_OWNER_EMAIL || 'owner@example.com';
  const password = args.password || process.env.N8N_E2E_OWNER_PASSWORD || 'SokuDemo2024';
  if (!args.workflow || !args.out) {
    console.error('usage: screenshot-canvas.js --workflow <id> --out <file.png> [--expect <node>] [--expect-output <label>] [--execute] [--open-node <node>]');
    process.exit(2);
  }
  const b = await browser.launch({
    viewport: { width: args.width || 1600, height: args.height || 900 },
    deviceScaleFactor: args.scale || 1,
  });
  let exitCode = 0;
  try {
    await browser.login(b.context, base, email, password);
    await browser.openWorkflow(b.page, base, args.workflow);
    if (args.execute) {
      await browser.executeFromEditor(b.page);
      await browser.dismissToasts(b.page);
      await browser.fitView(b.page);
    }
    const info = await browser.canvasInfo(b.page);
    console.log('canvas nodes:', JSON.stringify(info.nodes));
    for (const name of args.expect) {
      if (!info.nodes.some((n) => n === name)) { console.error(`MISSING node on canvas: ${name}`); exitCode = 1; }
    }
    for (const label of args.expectOutput) {
      if (!info.text.includes(label)) { console.error(`MISSING output label on canvas: ${label}`); exitCode = 1; }
    }
    if (args.openNode) {
      await browser.openNode(b.page, args.openNode);
      const ndv = await browser.ndvInfo(b.page);
      console.log('parameter labels:', JSON.stringify(ndv.labels));
      if (ndv.issues.length) console.log('issues:', JSON.stringify(ndv.issues));
    }
    fs.mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
    await b.page.screenshot({ path: args.out, fullPage: false });
    console.log(`screenshot written: ${args.out}`);
    if (b.pageErrors.length) console.log('page errors:', JSON.stringify(b.pageErrors));
  } catch (err) {
    console.error('ERROR:', err.message);
    exitCode = 1;
  } finally {
    await b.close();
  }
  process.exit(exitCode);
}

main();
