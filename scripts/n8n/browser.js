// browser.js - drive the n8n editor in headless Debian Chromium through playwright-core (never downloads a
// browser). Used by screenshot-canvas.js and by the browser end-to-end test (test/e2e/).
//
// playwright-core is resolved from NODE_PATH, cwd, or $N8N_E2E_DIR/tools/node_modules (install-n8n.sh
// --with-browser puts it there); Chromium is /usr/bin/chromium (override: CHROMIUM_PATH).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

function loadPlaywright() {
  const dir = process.env.N8N_E2E_DIR || path.join(os.homedir(), '.cache', 'n8n-e2e');
  const paths = [process.cwd(), path.join(dir, 'tools', 'node_modules'), ...(process.env.NODE_PATH || '').split(':').filter(Boolean)];
  for (const p of paths) {
    try { return require(require.resolve('playwright-core', { paths: [p] })); } catch (e) { /* next */ }
  }
  throw new Error('playwright-core is not installed: run scripts/n8n/install-n8n.sh --with-browser');
}

/** Launches headless Chromium with a throwaway profile; returns { context, page, close }. */
async function launch({ viewport = { width: 1600, height: 900 }, deviceScaleFactor = 1, chromiumPath } = {}) {
  const executablePath = chromiumPath || process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    throw new Error(`${executablePath} not found; install it with: apt-get install -y chromium (or install-n8n.sh --with-browser)`);
  }
  const { chromium } = loadPlaywright();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    viewport,
    deviceScaleFactor,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const page = context.pages()[0] || (await context.newPage());
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const close = async () => {
    await context.close().catch(() => {});
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context, page, pageErrors, close };
}

/** Logs in over REST; the n8n-auth cookie lands in the browser context (use the same host for navigation). */
async function login(context, base, email, password) {
  const res = await context.request.post(`${base}/rest/login`, { data: { emailOrLdapLoginId: email, password } });
  if (!res.ok()) throw new Error(`login failed: HTTP ${res.status()} ${await res.text()}`);
}

/** Opens /workflow/<id>, waits for the canvas, closes side panels, fits the view. */
async function openWorkflow(page, base, workflowId) {
  await page.goto(`${base}/workflow/${encodeURIComponent(workflowId)}`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 90000 });
  await page.waitForLoadState('networkidle', { timeout: 15000 }).catch(() => {});
  await page.waitForTimeout(1000);
  await fitView(page);
}

async function fitView(page) {
  const btn = page.locator('[data-test-id="zoom-to-fit"]');
  if (await btn.count()) await btn.first().click().catch(() => {});
  else await page.keyboard.press('Shift+1').catch(() => {});
  await page.mouse.move(300, 100); // away from the button, so its tooltip does not show in screenshots
  await page.waitForTimeout(1200); // zoom animation
}

/** Node names, edge labels and the text of the canvas (output labels are plain text next to the handles). */
async function canvasInfo(page) {
  return page.evaluate(() => {
    const nodes = [...document.querySelectorAll('[data-test-id="canvas-node"]')].map((e) => e.getAttribute('data-node-name'));
    const edgeLabels = [...document.querySelectorAll('[data-test-id="edge-label"]')].map((e) => e.textContent.trim()).filter(Boolean);
    const handles = [...document.querySelectorAll('[data-test-id="canvas-node-output-handle"]')].map((e) => ({
      node: (e.closest('[data-test-id="canvas-node"]') || {}).getAttribute
        ? e.closest('[data-test-id="canvas-node"]').getAttribute('data-node-name') : e.getAttribute('data-node-name'),
      label: e.textContent.trim(),
      handleId: e.getAttribute('data-handle-index') || e.getAttribute('data-handleid') || null,
    }));
    const canvas = document.querySelector('[data-test-id="canvas"]') || document.body;
    return { nodes, edgeLabels, handles, text: canvas.innerText };
  });
}

/** Edges as { from, output, to, label } (output = index of the source node's main output; label e.g. "3 items"). */
async function canvasEdges(page) {
  return page.evaluate(() => {
    const labels = {};
    for (const l of document.querySelectorAll('[data-test-id="edge-label"]')) {
      labels[`${l.getAttribute('data-source-node-name')}\u0000${l.getAttribute('data-target-node-name')}`] = l.textContent.trim();
    }
    return [...document.querySelectorAll('[data-test-id="edge"]')].map((e) => {
      const id = (e.closest('[data-id]') || e).getAttribute('data-id') || '';
      const m = /outputs\/main\/(\d+)\]/.exec(id);
      const from = e.getAttribute('data-source-node-name');
      const to = e.getAttribute('data-target-node-name');
      return { from, output: m ? Number(m[1]) : null, to, label: labels[`${from}\u0000${to}`] || '' };
    });
  });
}

/** Closes toast notifications (e.g. "Workflow executed successfully") so they do not cover the canvas. */
async function dismissToasts(page) {
  for (const btn of await page.$$('.el-notification__closeBtn')) await btn.click().catch(() => {});
  await page.waitForTimeout(500);
}

/** Clicks "Execute workflow" and waits until the run finished (item counts on edges, button idle). */
async function executeFromEditor(page, { timeout = 120000 } = {}) {
  await page.click('[data-test-id="execute-workflow-button"]');
  await page.waitForFunction(() => /\b\d+ items?\b/.test(document.body.innerText), null, { timeout });
  // While running, n8n shows a stop button; wait until it is gone again.
  await page.waitForFunction(
    () => !document.querySelector('[data-test-id="stop-execution-button"]'),
    null, { timeout },
  ).catch(() => {});
  await page.waitForTimeout(2000);
}

/** Opens a node's parameter panel (NDV) by double-clicking it on the canvas. */
async function openNode(page, nodeName) {
  const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName.replace(/"/g, '\\"')}"]`);
  await node.dblclick();
  await page.waitForSelector('[data-test-id="ndv"] [data-test-id="node-parameters"]', { timeout: 30000 });
  await page.waitForTimeout(1500);
}

/** What the open node panel shows: parameter labels, issue markers, notices (with their kind). */
async function ndvInfo(page) {
  return page.evaluate(() => {
    const ndv = document.querySelector('[data-test-id="ndv"]');
    const params = ndv.querySelector('[data-test-id="node-parameters"]');
    const labels = [...params.querySelectorAll('label.n8n-input-label')]
      .map((e) => (e.querySelector('.n8n-text') || e).textContent.trim()).filter(Boolean);
    const issues = [...ndv.querySelectorAll('[data-test-id="parameter-issues"], [data-test-id="node-issues"], [data-test-id="credential-issues"]')]
      .map((e) => e.textContent.trim() || e.getAttribute('title') || 'issue');
    const notices = [...params.querySelectorAll('.notice')].map((e) => ({
      text: e.textContent.trim(),
      kind: /danger|error/i.test(e.className) ? 'error' : /warning/i.test(e.className) ? 'warning' : 'info',
    }));
    return { labels: [...new Set(labels)], issues, notices, text: params.innerText };
  });
}

/** Scrolls the parameter with this label into view in the open node panel. */
async function scrollToParameter(page, label) {
  await page.evaluate((l) => {
    const el = [...document.querySelectorAll('[data-test-id="node-parameters"] label.n8n-input-label')]
      .find((e) => (e.querySelector('.n8n-text') || e).textContent.trim() === l);
    if (el) el.scrollIntoView({ block: 'start' });
  }, label);
  await page.waitForTimeout(500);
}

/** The table the open node panel's output side shows (the selected branch): column headers and cell texts. */
async function outputTable(page) {
  return page.evaluate(() => {
    const panel = document.querySelector('[data-test-id="ndv-output-panel"], [data-test-id="output-panel"]');
    const table = panel && panel.querySelector('[data-test-id="ndv-data-container"] table, table');
    if (!table) return { found: false, columns: [], cells: [] };
    const text = (e) => (e.innerText || e.textContent || '').trim();
    const columns = [...table.querySelectorAll('thead th')].map(text).filter(Boolean);
    const cells = [...table.querySelectorAll('tbody td')].map(text);
    return { found: true, columns, cells };
  });
}

module.exports = {
  launch, login, openWorkflow, fitView, canvasInfo, canvasEdges, dismissToasts, executeFromEditor, openNode, ndvInfo, scrollToParameter,
  outputTable, loadPlaywright,
};
