/**
 * End-to-end in the n8n editor (headless Chromium): wires stay on their branch when the user edits
 * "Error Branches" of a node-version-2 Soku node. The workflow (workflows/branches-stay.json) has every
 * output wired to its own node ("On <output>"). After each edit made in the node panel — (a) add a code
 * from the middle of the table, (b) remove one from the middle, (c) toggle one off and on — the workflow is
 * saved, its connections are read back over REST, and every downstream node must still hang off the output
 * with the same name; then a run from the editor must put each item on the node wired to its branch.
 * Also: a version-1 workflow saved by release 0.1 (workflows/all-branches-v1.json) still shows and runs
 * its old layout.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const P = require('./lib/paths');
const browser = require('../../scripts/n8n/browser');
const { setupSuite, teardownSuite, branchOfInput } = require('./lib/suite');

const PORT = Number(process.env.N8N_E2E_PORT_BRANCHES || 5790 + P.PORT_OFFSET);
const WORKFLOW = 'sokuBranchesStay01';
const SOKU = 'Soku: publish';
const CODES = ['validation_error', 'upload_failed', 'missing_integrations', 'missing_account', 'unauthorized', 'forbidden',
  'not_found', 'idempotency_conflict', 'rate_limit_exceeded', 'dispatch_failed', 'post_creation_failed', 'internal_error'];
const SLOTS = ['Success', ...CODES, 'Other Error'];
const OFF = '(off) ';
const slotOf = (label) => (label.startsWith(OFF) ? label.slice(OFF.length) : label);
// Input items of the workflow's Code node, by index.
const ITEM = { success: 0, validation: 1, missingIntegrations: 2, missingAccount: 3, uploadFailed: 4 };
const SHOTS = path.join(P.OUT, 'branches-stay');

let ctx;
let b;

beforeAll(async () => {
  ctx = await setupSuite('branches-stay', { port: PORT });
  fs.mkdirSync(SHOTS, { recursive: true });
  b = await browser.launch({ viewport: { width: 1600, height: 1200 } });
  await browser.login(b.context, ctx.n8n.base, ctx.n8n.owner.email, ctx.n8n.owner.password);
}, 8 * 60 * 1000);

afterAll(async () => {
  if (b) {
    if (b.pageErrors.length) console.log(`page errors in the editor: ${JSON.stringify(b.pageErrors)}`);
    await b.close();
  }
  await teardownSuite(ctx);
}, 2 * 60 * 1000);

async function savedWorkflow(id = WORKFLOW) {
  return (await ctx.n8n.rest('GET', `/rest/workflows/${id}`)).data;
}

/** Output labels of the Soku node as the canvas shows them, in output order. */
async function canvasLabels() {
  const info = await browser.canvasInfo(b.page);
  return info.handles.filter((h) => h.node === SOKU).map((h) => h.label);
}

/** { output name (without "(off)") → downstream node names } from saved connections and canvas labels. */
function wiring(workflow, labels) {
  const main = (workflow.connections[SOKU] || {}).main || [];
  const byName = {};
  labels.forEach((label, i) => {
    byName[slotOf(label)] = (main[i] || []).map((c) => c.node).sort();
  });
  // A wire on an output that no longer exists would be lost by n8n: there must be none.
  main.slice(labels.length).forEach((conns, i) => expect([labels.length + i, conns || []]).toEqual([labels.length + i, []]));
  return byName;
}

function chosenCodes(workflow) {
  return workflow.nodes.find((n) => n.name === SOKU).parameters.errorCodesForPostCreate;
}

/** Toggles one code in the open node panel's "Error Branches" multi-select. */
async function toggleCode(code) {
  await b.page.click('[data-test-id="parameter-input-errorCodesForPostCreate"]');
  await b.page.getByRole('option', { name: new RegExp(`^${code}\\b`) }).first().click();
  await b.page.waitForTimeout(500);
  await b.page.keyboard.press('Escape'); // closes the dropdown
  await b.page.waitForTimeout(300);
}

/** Opens the Soku node, applies the toggles, closes the panel, saves, waits until REST shows the selection. */
async function editErrorBranches(toggles, expectChosen) {
  await browser.openNode(b.page, SOKU);
  for (const code of toggles) await toggleCode(code);
  await b.page.keyboard.press('Escape'); // closes the panel
  await b.page.waitForTimeout(800);
  await b.page.keyboard.press('Control+s');
  const t0 = Date.now();
  for (;;) {
    const wf = await savedWorkflow();
    const chosen = chosenCodes(wf) || CODES;
    if (expectChosen.every((c) => chosen.includes(c)) && chosen.every((c) => expectChosen.includes(c))) return wf;
    if (Date.now() - t0 > 30000) throw new Error(`saved selection is ${JSON.stringify(chosen)}, expected ${JSON.stringify(expectChosen)}`);
    await b.page.waitForTimeout(500);
  }
}

/** Runs the workflow from the editor; resolves the execution summary. */
async function runFromEditor(id = WORKFLOW) {
  ctx.standIn.resetDemo();
  const before = (await ctx.n8n.listExecutions(id)).results.map((e) => String(e.id));
  await b.page.click('[data-test-id="execute-workflow-button"]');
  const { summary } = await ctx.n8n.waitForNewExecution(id, before);
  expect(summary.status).toBe('success');
  return summary;
}

/** Which "On <output>" node each input item reached (via the Soku output it left on and the saved wires). */
function reachedNodes(summary, workflow) {
  const main = workflow.connections[SOKU].main;
  const out = branchOfInput(summary, SOKU);
  const reached = {};
  for (const [item, output] of Object.entries(out)) {
    const targets = (main[output] || []).map((c) => c.node);
    // The node really ran with that item.
    for (const t of targets) expect((summary.outputs[t] || [0])[0]).toBeGreaterThanOrEqual(1);
    reached[item] = targets.join(', ');
  }
  return reached;
}

describe('node version 2: editing Error Branches never moves a wire', () => {
  let wiredAtStart;
  let chosen;

  test('start: every output is wired to its own node; missing_account is off and goes to Other Error', async () => {
    await browser.openWorkflow(b.page, ctx.n8n.base, WORKFLOW);
    const labels = await canvasLabels();
    expect(labels.map(slotOf)).toEqual(SLOTS);
    expect(labels[1 + CODES.indexOf('missing_account')]).toBe(`${OFF}missing_account`);
    const wf = await savedWorkflow();
    chosen = chosenCodes(wf);
    wiredAtStart = wiring(wf, labels);
    expect(wiredAtStart).toEqual(Object.fromEntries(SLOTS.map((s) => [s, [`On ${s}`]])));
    await b.page.screenshot({ path: path.join(SHOTS, 'start.png') });

    const summary = await runFromEditor();
    expect(reachedNodes(summary, wf)).toEqual({
      [ITEM.success]: 'On Success',
      [ITEM.validation]: 'On validation_error',
      [ITEM.missingIntegrations]: 'On missing_integrations',
      [ITEM.missingAccount]: 'On Other Error',
      [ITEM.uploadFailed]: 'On upload_failed',
    });
  });

  test('(a) adding missing_account (middle of the table): wires unchanged, its item reaches "On missing_account"', async () => {
    chosen = [...chosen, 'missing_account'];
    await browser.openWorkflow(b.page, ctx.n8n.base, WORKFLOW);
    const wf = await editErrorBranches(['missing_account'], chosen);
    await browser.openWorkflow(b.page, ctx.n8n.base, WORKFLOW);
    const labels = await canvasLabels();
    expect(labels[1 + CODES.indexOf('missing_account')]).toBe('missing_account');
    expect(wiring(wf, labels)).toEqual(wiredAtStart);
    await b.page.screenshot({ path: path.join(SHOTS, 'a-added.png') });

    const summary = await runFromEditor();
    expect(reachedNodes(summary, wf)).toMatchObject({
      [ITEM.missingAccount]: 'On missing_account',
      [ITEM.missingIntegrations]: 'On missing_integrations',
      [ITEM.uploadFailed]: 'On upload_failed',
    });
  });

  test('(b) removing missing_integrations (middle): wires unchanged, its item reaches "On Other Error"', async () => {
    chosen = chosen.filter((c) => c !== 'missing_integrations');
    await browser.openWorkflow(b.page, ctx.n8n.base, WORKFLOW);
    const wf = await editErrorBranches(['missing_integrations'], chosen);
    await browser.openWorkflow(b.page, ctx.n8n.base, WORKFLOW);
    const labels = await canvasLabels();
    expect(labels[1 + CODES.indexOf('missing_integrations')]).toBe(`${OFF}missing_integrations`);
    expect(wiring(wf, labels)).toEqual(wiredAtStart);
    await b.page.screenshot({ path: path.join(SHOTS, 'b-removed.png') });

    const summary = await runFromEditor();
    expect(reachedNodes(summary, wf)).toEqual({
      [ITEM.success]: 'On Success',
      [ITEM.validation]: 'On validation_error',
      [ITEM.missingIntegrations]: 'On Other Error',
      [ITEM.missingAccount]: 'On missing_account',
      [ITEM.uploadFailed]: 'On upload_failed',
    });
  });

  test('(c) toggling upload_failed off and on again: wires unchanged at each save, its item back on "On upload_failed"', async () => {
    const without = chosen.filter((c) => c !== 'upload_failed');
    await browser.openWorkflow(b.page, ctx.n8n.base, WORKFLOW);
    let wf = await editErrorBranches(['upload_failed'], without);
    await browser.openWorkflow(b.page, ctx.n8n.base, WORKFLOW);
    let labels = await canvasLabels();
    expect(labels[1 + CODES.indexOf('upload_failed')]).toBe(`${OFF}upload_failed`);
    expect(wiring(wf, labels)).toEqual(wiredAtStart);
    const off = await runFromEditor();
    expect(reachedNodes(off, wf)[ITEM.uploadFailed]).toBe('On Other Error');

    wf = await editErrorBranches(['upload_failed'], chosen);
    await browser.openWorkflow(b.page, ctx.n8n.base, WORKFLOW);
    labels = await canvasLabels();
    expect(labels[1 + CODES.indexOf('upload_failed')]).toBe('upload_failed');
    expect(wiring(wf, labels)).toEqual(wiredAtStart);
    await b.page.screenshot({ path: path.join(SHOTS, 'c-toggled.png') });

    const on = await runFromEditor();
    expect(reachedNodes(on, wf)).toEqual({
      [ITEM.success]: 'On Success',
      [ITEM.validation]: 'On validation_error',
      [ITEM.missingIntegrations]: 'On Other Error',
      [ITEM.missingAccount]: 'On missing_account',
      [ITEM.uploadFailed]: 'On upload_failed',
    });
  });
});

test('node version 1 (a workflow saved by release 0.1): the old layout, same branches as before', async () => {
  const id = 'sokuAllBranchesV1';
  await browser.openWorkflow(b.page, ctx.n8n.base, id);
  expect(await canvasLabels()).toEqual([
    'Success', 'validation_error', 'missing_integrations', 'missing_account', 'rate_limit_exceeded', 'dispatch_failed', 'Other Error',
  ]);
  const wf = await savedWorkflow(id);
  expect(wf.nodes.find((n) => n.name === SOKU).typeVersion).toBe(1);
  const summary = await runFromEditor(id);
  expect(summary.outputs[SOKU]).toEqual([3, 1, 1, 1, 0, 0, 0]);
  expect(branchOfInput(summary, SOKU)).toEqual({ 0: 0, 1: 1, 2: 2, 3: 3, 4: 0, 5: 0 });
  expect(summary.items['Connect platform'][0][0].message).toMatch(/^Connect youtube to Soku/);
  expect(summary.items['Choose account'][0][0].message).toMatch(/instagram/);
  // Opening it in the editor did not upgrade or re-wire it.
  expect((await savedWorkflow(id)).connections).toEqual(wf.connections);
});
