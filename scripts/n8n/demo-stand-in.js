#!/usr/bin/env node
// demo-stand-in.js - the Soku stand-in (test/stand-in) with the default seed plus the demo's scripted
// behaviour, for scripts/demo.sh and the end-to-end tests:
//
//   * a post whose text contains "[demo:429]" is answered 429 rate_limit_exceeded (Retry-After: 1) on its
//     first attempt; the retry with the same Idempotency-Key goes through. So the showcase workflow
//     (examples/all-branches.json) shows a rate limit being waited out on every run.
//   * from the seed: X, Threads, Facebook, LinkedIn connected; Instagram has two accounts (no accountId ->
//     missing_account); no YouTube (missing_integrations); TikTok's first delivery fails (dispatch_failed).
//
// Usage: node scripts/n8n/demo-stand-in.js [--port 4010] [--host 127.0.0.1] [--log FILE]
// Prints `soku-stand-in listening on http://HOST:PORT`. Request lines (API keys masked) go to --log.
// Module: const { applyDemoScript } = require('./demo-stand-in'); applyDemoScript(standIn).
'use strict';
const fs = require('fs');
const path = require('path');

const STAND_IN = path.resolve(__dirname, '..', '..', 'test', 'stand-in', 'soku-stand-in.js');
const RATE_LIMIT_MARKER = '[demo:429]';

function postText(rec) {
  const b = rec.body;
  return b && typeof b === 'object' && b.post && b.post.content && typeof b.post.content.text === 'string'
    ? b.post.content.text
    : '';
}

/** Adds the "[demo:429]" rule. Call again after standIn.reset() (reset clears scripts). */
function applyDemoScript(standIn, { retryAfter = 1 } = {}) {
  const limited = new Set();
  let lastNoKey = 0;
  standIn.script({
    times: Infinity,
    match: (rec) => {
      if (rec.method !== 'POST' || rec.path !== '/v1/posts' || !postText(rec).includes(RATE_LIMIT_MARKER)) return false;
      const key = rec.headers['idempotency-key'];
      if (key) {
        if (limited.has(key)) return false;
        limited.add(key);
        return true;
      }
      // No idempotency key: limit at most once per 5 s.
      if (Date.now() - lastNoKey < 5000) return false;
      lastNoKey = Date.now();
      return true;
    },
    status: 429,
    retryAfter,
    message: `Rate limit exceeded; retry after ${retryAfter} s (scripted by the demo stand-in for "${RATE_LIMIT_MARKER}")`,
  });
  return standIn;
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (n, d) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : d; };
  const port = Number(opt('--port', '4010'));
  const host = opt('--host', '127.0.0.1');
  const logFile = opt('--log');
  const { startStandIn, maskSecrets } = require(STAND_IN);
  const logStream = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : null;
  let standIn = null;
  let next = 0; // index of the first request not yet annotated
  const annotate = () => {
    // Which platforms a post request targeted and which error code it got, for the demo's request log.
    const reqs = standIn ? standIn.requests : [];
    while (next < reqs.length && reqs[next].response) {
      const r = reqs[next++];
      const content = r.body && r.body.post && r.body.post.content;
      const platforms = content && Array.isArray(content.platform)
        ? content.platform.map((t) => (typeof t === 'string' ? t : t && t.platform)).join('+') : '';
      const body = r.response.body;
      const code = body && body.error && body.error.code;
      return platforms || code ? ` [${[platforms, code].filter(Boolean).join(' ')}]` : '';
    }
    return '';
  };
  standIn = await startStandIn({
    host,
    port,
    logger: logStream ? (line) => logStream.write(`${new Date().toISOString()} ${maskSecrets(line)}${annotate()}\n`) : undefined,
  });
  applyDemoScript(standIn);
  process.stdout.write(`soku-stand-in listening on ${standIn.url}\n`);
  const stop = () => standIn.close().then(() => process.exit(0), () => process.exit(1));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

module.exports = { applyDemoScript, RATE_LIMIT_MARKER };
if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`demo-stand-in: ${e && e.message ? e.message : e}\n`);
    process.exit(1);
  });
}
