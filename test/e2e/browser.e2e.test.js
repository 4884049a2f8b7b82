/**
 * End-to-end in the n8n editor (headless Debian Chromium via playwright-core): the showcase workflow's
 * canvas shows the Soku node's named outputs and their connections, runs from the editor with items on
 * the right branches, and the node's parameter panel renders the routing options without errors.
 * Writes canvas.png, canvas-executed.png and node-panel.png to test-results/e2e/browser (and to docs/ with
 * N8N_E2E_UPDATE_DOCS=1, together with docs/screenshots.json: the output shape the pictures show). The last
 * test fails when the committed pictures were made from another output shape than the current run's.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const P = require('./lib/paths');
const browser = require('../../scripts/n8n/browser');
const { setupSuite, teardownSuite } = require('./lib/suite');
const manifest = require('../../scripts/n8n/screenshot-manifest');

const PORT = Number(process.env.N8N_E2E_PORT_BROWSER || 5720 + P.PORT_OFFSET);
const WORKFLOW = 'sokuAllBranches01';
const SOKU = 'Soku: publish';
// Node version 2: every code Post > Create can return has an output; codes not chosen start with "(off)".
const OUTPUTS = ['Success', 'validation_error', '(off) upload_failed', 'missing_integrations', 'missing_account', '(off) unauthorized',
  '(off) forbidden', '(off) not_found', '(off) idempotency_conflict', 'rate_limit_exceeded', 'dispatch_failed',
  '(off) post_creation_failed', '(off) internal_error', 'Other Error'];
const CHOSEN = ['validation_error', 'missing_integrations', 'missing_account', 'rate_limit_exceeded', 'dispatch_failed'];
// [output index, node wired to it]
const WIRED = [[0, 'Published'], [1, 'Fix input: validation_error'], [3, 'Connect platform'], [4, 'Choose account'],
  [9, 'Retry later: rate limit'], [10, 'Alert: delivery failed'], [13, 'Alert: other error']];
const BRANCH_NODES = WIRED.map(([, node]) => node);
// Screenshots go to test-results/e2e/browser; with N8N_E2E_UPDATE_DOCS=1 (scripts/e2e.sh --update-docs) and
// n8n 2.x they are also copied to docs/ (the committed pictures), so a plain test run leaves the tree clean.
const SHOTS = path.join(P.OUT, 'browser');
const UPDATE_DOCS = process.env.N8N_E2E_UPDATE_DOCS === '1' && P.N8N_MAJOR === 2;
// The output shape this run's pictures show, filled in by the tests that take them.
const current = {};
const shotsTaken = [];
async function shot(name) {
  await b.page.screenshot({ path: path.join(SHOTS, name) });
  shotsTaken.push(name);
  if (UPDATE_DOCS) {
    fs.mkdirSync(P.DOCS, { recursive: true });
    fs.copyFileSync(path.join(SHOTS, name), path.join(P.DOCS, name));
  }
}

let ctx;
let b;

beforeAll(async () => {
  ctx = await setupSuite('browser', { port: PORT });
  fs.mkdirSync(SHOTS, { recursive: true });
  b = await browser.launch({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1.5 });
  await browser.login(b.context, ctx.n8n.base, ctx.n8n.owner.email, ctx.n8n.owner.password);
}, 8 * 60 * 1000);

afterAll(async () => {
  if (b) {
    if (b.pageErrors.length) console.log(`page errors in the editor: ${JSON.stringify(b.pageErrors)}`);
    await b.close();
  }
  await teardownSuite(ctx);
}, 2 * 60 * 1000);

test('canvas: the Soku node shows its named outputs, each wired to its branch node', async () => {
  await browser.openWorkflow(b.page, ctx.n8n.base, WORKFLOW);
  const info = await browser.canvasInfo(b.page);
  expect(info.nodes).toEqual(expect.arrayContaining([SOKU, ...BRANCH_NODES]));
  const sokuHandles = info.handles.filter((h) => h.node === SOKU);
  current.outputs = sokuHandles.map((h) => h.label);
  expect(sokuHandles.map((h) => h.label)).toEqual(OUTPUTS);
  const edges = (await browser.canvasEdges(b.page)).filter((e) => e.from === SOKU);
  expect(edges.sort((x, y) => x.output - y.output).map((e) => [e.output, e.to])).toEqual(WIRED);
  // No node shows an issue marker (missing credential, invalid parameter).
  expect(await b.page.$$('[data-test-id="canvas-node"] [data-test-id="node-issues"]')).toHaveLength(0);
  await shot('canvas.png');
});

test('editor run: items land on the same branches as from the CLI', async () => {
  ctx.standIn.resetDemo();
  const before = (await ctx.n8n.listExecutions(WORKFLOW)).results.map((e) => String(e.id));
  await browser.openWorkflow(b.page, ctx.n8n.base, WORKFLOW);
  await browser.executeFromEditor(b.page);
  const { summary } = await ctx.n8n.waitForNewExecution(WORKFLOW, before);
  current.itemsPerOutput = summary.outputs[SOKU];
  expect(summary.status).toBe('success');
  expect(summary.outputs[SOKU]).toEqual([3, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  // The canvas shows the counts on the edges.
  const edges = (await browser.canvasEdges(b.page)).filter((e) => e.from === SOKU);
  const byOutput = Object.fromEntries(edges.map((e) => [e.output, e.label]));
  expect(byOutput[0]).toMatch(/3 items/);
  expect(byOutput[1]).toMatch(/1 item/);
  expect(byOutput[9] || '').not.toMatch(/item/);
  await browser.dismissToasts(b.page);
  await browser.fitView(b.page);
  await shot('canvas-executed.png');
});

test('node panel: routing options render with no error notice or parameter issue', async () => {
  // After a run, so the panel's output side shows the Soku node's branches with data.
  ctx.standIn.resetDemo();
  const before = (await ctx.n8n.listExecutions(WORKFLOW)).results.map((e) => String(e.id));
  await browser.openWorkflow(b.page, ctx.n8n.base, WORKFLOW);
  await browser.executeFromEditor(b.page);
  const { summary } = await ctx.n8n.waitForNewExecution(WORKFLOW, before);
  await browser.dismissToasts(b.page);
  await browser.openNode(b.page, SOKU);
  const ndv = await browser.ndvInfo(b.page);
  expect(ndv.labels).toEqual(expect.arrayContaining([
    'Credential for Soku API', 'Resource', 'Operation', 'Targets', 'Media Type', 'Video URL', 'Text',
    'Error Routing', 'Error Branches', 'Retry', 'Options',
  ]));
  expect(ndv.issues).toEqual([]);
  expect(ndv.notices.filter((n) => n.kind === 'error')).toEqual([]);
  expect(ndv.text).not.toMatch(/could not (load|be loaded)|problem loading|ERROR:/i);
  // The chosen error branches are listed in the multi-select.
  for (const code of CHOSEN) expect(ndv.text).toContain(code);
  await browser.scrollToParameter(b.page, 'Error Routing');
  // The output side shows the Success branch as a table: one column per field of the current Success items,
  // and no "undefined" cell (a field some items lack, like the old `deliveries`).
  const success = summary.items[SOKU][0];
  const successKeys = [...new Set(success.flatMap((it) => Object.keys(it)))].sort();
  for (const it of success) expect(Object.keys(it).sort()).toEqual(successKeys);
  current.successKeys = successKeys;
  if (P.N8N_MAJOR === 2) { // the pictures are made with n8n 2.x; 1.x's panel has other markup
    const table = await browser.outputTable(b.page);
    expect(table.found).toBe(true);
    expect([...table.columns].sort()).toEqual(successKeys);
    expect(table.cells).not.toContain('undefined');
    current.panelColumns = table.columns;
  }
  await shot('node-panel.png');
});

test('routing modes: switching Error Routing changes the outputs on the canvas', async () => {
  // Still in the panel from the previous test? Open it again to be independent.
  await browser.openWorkflow(b.page, ctx.n8n.base, WORKFLOW);
  await browser.openNode(b.page, SOKU);
  await b.page.click('[data-test-id="parameter-input-errorRouting"]');
  await b.page.getByRole('option', { name: 'One Output per Error Category' }).click();
  await b.page.waitForTimeout(800);
  await b.page.keyboard.press('Escape'); // closes the panel (the close button's test id differs in 1.x)
  await b.page.waitForTimeout(1000);
  const info = await browser.canvasInfo(b.page);
  expect(info.handles.filter((h) => h.node === SOKU).map((h) => h.label)).toEqual([
    'Success', 'invalid_request_error', 'authentication_error', 'api_error', 'Other Error',
  ]);
  // Not saved: reload drops the change (nothing else in this suite depends on it).
});

// The pictures are made with n8n 2.x (--update-docs); a 1.x run has nothing to compare them with.
(P.N8N_MAJOR === 2 ? test : test.skip)('the committed pictures (docs/*.png) show the output shape of this run (docs/screenshots.json)', () => {
  const missing = manifest.SHAPE_FIELDS.filter((k) => current[k] === undefined);
  expect(missing).toEqual([]); // an earlier test failed before it recorded what its picture shows
  if (UPDATE_DOCS) {
    manifest.write(P.DOCS, current, shotsTaken, { n8nVersion: P.N8N_VERSION, workflow: 'examples/all-branches.json', node: SOKU });
  }
  const recorded = manifest.read(P.DOCS);
  if (!recorded) throw new Error(`docs/${manifest.FILE} is missing: run bash scripts/e2e.sh --update-docs`);
  const drift = [...manifest.pictureDrift(P.DOCS, recorded), ...manifest.shapeDrift(recorded, current)];
  if (drift.length) drift.push('→ regenerate the pictures: bash scripts/e2e.sh --update-docs (n8n 2.x), then commit docs/');
  expect(drift).toEqual([]);
});
