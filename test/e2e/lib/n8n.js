// A real n8n for a test suite: its own user folder and port, driven through scripts/n8n/start-n8n.sh
// (CLI) and n8n's REST API (owner login, credential test, publish, executions).
//
// Everything runs asynchronously: the Soku stand-in lives in the test process, so a blocking
// spawnSync while n8n calls the stand-in would deadlock.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const P = require('./paths');
const { readExecution, summarize } = require('../../../scripts/n8n/read-branches');

const OWNER = { email: 'owner@example.com', password: 'SokuE2ePass2024', firstName: 'E2E', lastName: 'Owner' };

/** Runs a command; resolves { code, stdout, stderr } (never rejects on a non-zero exit). */
function run(cmd, args, { env, cwd, timeoutMs = 10 * 60 * 1000, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      stderr += `\n[killed after ${timeoutMs} ms]`;
    }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class N8n {
  /**
   * @param {object} o
   * @param {string} o.name   suite name (user folder $N8N_E2E_DIR/e2e-<name>-<version>)
   * @param {number} o.port   n8n port; the task brokers use port+1..port+3
   * @param {number} [o.redisPort]
   */
  constructor({ name, port, redisPort }) {
    this.name = name;
    this.port = port;
    this.redisPort = redisPort || 6391 + P.PORT_OFFSET;
    this.home = path.join(P.N8N_E2E_DIR, `e2e-${name}-${P.N8N_VERSION}${P.INSTANCE}`);
    this.base = `http://localhost:${port}`; // same host as the browser uses, so the cookie applies
    this.owner = OWNER;
    this.cookie = null;
    this.outDir = path.join(P.OUT, name);
    fs.mkdirSync(this.outDir, { recursive: true });
  }

  env(extra = {}) {
    const base = { ...process.env };
    // jest sets NODE_ENV=test, with which n8n exits silently at start-up.
    if (base.NODE_ENV === 'test') delete base.NODE_ENV;
    delete base.JEST_WORKER_ID;
    return {
      ...base,
      N8N_E2E_DIR: P.N8N_E2E_DIR,
      N8N_VERSION: P.N8N_VERSION,
      N8N_E2E_HOME: this.home,
      N8N_E2E_PORT: String(this.port),
      N8N_E2E_REDIS_PORT: String(this.redisPort),
      N8N_E2E_OWNER_EMAIL: OWNER.email,
      N8N_E2E_OWNER_PASSWORD: OWNER.password,
      N8N_E2E_OFFLINE: '1',
      ...extra,
    };
  }

  /** start-n8n.sh <args>; throws with its output when it fails. */
  async sh(args, { allowFail = false, timeoutMs } = {}) {
    const r = await run('bash', [P.START_SCRIPT, ...args], { env: this.env(), cwd: P.REPO, timeoutMs });
    if (r.code !== 0 && !allowFail) {
      throw new Error(`start-n8n.sh ${args.join(' ')} failed (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    }
    return r;
  }

  /** Fresh user folder, the packed tarball installed the Settings > Community nodes way, then start. */
  async startFresh({ tarball = P.TARBALL, queue = false, postgres = false } = {}) {
    if (!fs.existsSync(tarball)) throw new Error(`no package tarball at ${tarball} (scripts/e2e.sh builds and packs it)`);
    await this.sh(['reset']);
    await this.sh(['add-node-package', tarball]);
    await this.start({ queue, postgres });
  }

  /** queue: redis + worker(s); postgres: n8n's database is a throwaway PostgreSQL cluster (else SQLite). */
  async start({ queue = false, postgres = false } = {}) {
    const args = ['start', ...(queue ? ['--queue'] : []), ...(postgres ? ['--postgres'] : [])];
    await this.sh(args, { timeoutMs: 6 * 60 * 1000 });
  }

  async stop() {
    await this.sh(['stop'], { allowFail: true });
  }

  async nodeTypes(filter) {
    return (await this.sh(['node-types', filter])).stdout;
  }

  /** Imports credentials from objects (values are encrypted by n8n on import; the file is deleted at once). */
  async importCredentials(credentials) {
    const file = path.join(this.home, `credentials-import-${process.pid}.json`);
    fs.mkdirSync(this.home, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
    try {
      await this.sh(['cli', 'import:credentials', `--input=${file}`]);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  async importWorkflow(file) {
    await this.sh(['cli', 'import:workflow', `--input=${file}`]);
  }

  /** Imports several workflow files with one CLI process (`import:workflow --separate`). */
  async importWorkflows(files) {
    const dir = fs.mkdtempSync(path.join(this.home, 'workflows-import-'));
    try {
      for (const f of files) fs.copyFileSync(f, path.join(dir, path.basename(f)));
      await this.sh(['cli', 'import:workflow', '--separate', `--input=${dir}`]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * `n8n execute --id --rawOutput` in a separate process; returns the branch summary
   * ({ status, error, outputs, items, paired }) and keeps the raw output in the suite's out dir.
   */
  async execute(workflowId, label = workflowId) {
    const out = path.join(this.outDir, `execute-${label}.out`);
    const r = await this.sh(['execute', workflowId, out], { allowFail: true, timeoutMs: 5 * 60 * 1000 });
    const text = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
    if (r.code !== 0) throw new Error(`n8n execute ${workflowId} failed:\n${r.stderr.slice(-3000)}\n${text.slice(-3000)}`);
    return summarize(readExecution(text));
  }

  // ------------------------------------------------------------------ REST
  async rest(method, urlPath, body, { raw = false } = {}) {
    const headers = { 'content-type': 'application/json', 'browser-id': 'soku-e2e' };
    if (this.cookie) headers.cookie = this.cookie;
    const res = await fetch(`http://127.0.0.1:${this.port}${urlPath}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (raw) return { status: res.status, text, headers: res.headers };
    let json;
    try { json = JSON.parse(text); } catch (e) { json = undefined; }
    if (!res.ok) {
      const err = new Error(`${method} ${urlPath} → HTTP ${res.status}: ${text.slice(0, 500)}`);
      err.status = res.status;
      err.body = json;
      throw err;
    }
    return json;
  }

  /** Creates the owner (idempotent) and logs in; the auth cookie is kept for rest(). */
  async login() {
    const setup = await this.rest('POST', '/rest/owner/setup', OWNER, { raw: true });
    if (setup.status !== 200 && setup.status !== 400) throw new Error(`owner setup: HTTP ${setup.status} ${setup.text}`);
    const res = await fetch(`http://127.0.0.1:${this.port}/rest/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'browser-id': 'soku-e2e' },
      body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, email: OWNER.email, password: OWNER.password }),
    });
    if (!res.ok) throw new Error(`login: HTTP ${res.status} ${await res.text()}`);
    const cookies = res.headers.getSetCookie ? res.headers.getSetCookie() : [res.headers.get('set-cookie')];
    this.cookie = cookies.filter(Boolean).map((c) => c.split(';')[0]).join('; ');
  }

  /** Publishes (activates) a workflow on the running server. */
  async publish(workflowId) {
    const wf = (await this.rest('GET', `/rest/workflows/${workflowId}`)).data;
    // 2.41.1 and 1.123.x both have POST /rest/workflows/:id/activate ("Publish" / the active toggle).
    await this.rest('POST', `/rest/workflows/${workflowId}/activate`, { versionId: wf.versionId });
  }

  /** POSTs JSON to a production webhook, retrying while it is still being registered (404). */
  async callWebhook(webhookPath, body, { timeoutMs = 30000 } = {}) {
    const t0 = Date.now();
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${this.port}/webhook/${webhookPath}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status === 200) return text;
      if (res.status !== 404 || Date.now() - t0 > timeoutMs) throw new Error(`webhook ${webhookPath}: HTTP ${res.status} ${text}`);
      await sleep(500);
    }
  }

  async listExecutions(workflowId) {
    const filter = encodeURIComponent(JSON.stringify({ workflowId }));
    return (await this.rest('GET', `/rest/executions?filter=${filter}`)).data;
  }

  /** Waits for a finished execution of the workflow that is not in `knownIds`; returns { id, summary, raw }. */
  async waitForNewExecution(workflowId, knownIds = [], { timeoutMs = 120000 } = {}) {
    const t0 = Date.now();
    for (;;) {
      const list = await this.listExecutions(workflowId);
      const done = (list.results || []).filter(
        (e) => !knownIds.includes(String(e.id)) && !['running', 'new', 'waiting'].includes(e.status),
      );
      if (done.length) {
        const id = String(done[0].id);
        const raw = await this.rest('GET', `/rest/executions/${id}`);
        fs.writeFileSync(path.join(this.outDir, `execution-${id}.json`), JSON.stringify(raw));
        return { id, raw, summary: summarize(readExecution(raw, { n8nDir: P.N8N_DIR })) };
      }
      if (Date.now() - t0 > timeoutMs) throw new Error(`no new finished execution of ${workflowId} after ${timeoutMs} ms`);
      await sleep(500);
    }
  }

  log(which = 'main') {
    const f = path.join(this.home, 'run', `${which}.log`);
    return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
  }

  /** Copies the n8n logs into the suite's out dir (for CI artifacts). */
  saveLogs() {
    for (const which of ['main', 'worker', 'worker-previous', 'worker2', 'worker2-previous', 'redis', 'postgres']) {
      const text = this.log(which);
      if (text) fs.writeFileSync(path.join(this.outDir, `n8n-${which}.log`), text);
    }
  }
}

module.exports = { N8n, run, sleep, OWNER };
