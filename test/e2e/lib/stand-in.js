// The Soku stand-in, started inside the test process so tests can script it and read its request log.
'use strict';
const fs = require('fs');
const path = require('path');
const P = require('./paths');
const { applyDemoScript } = require('../../../scripts/n8n/demo-stand-in');

// The stand-in's seeded (fake) keys, by role; taken from its seed so they cannot drift. Never log them.
const SEED = require(P.STAND_IN).DEFAULT_ACCOUNTS;
const keyOf = (keyId) => {
  const acc = SEED.find((a) => a.keyId === keyId);
  if (!acc) throw new Error(`stand-in seed has no key ${keyId}`);
  return acc.apiKey;
};
const KEYS = {
  demo: keyOf('key_demo_active'),
  noCredits: keyOf('key_demo_nocredits'),
  revoked: keyOf('key_demo_revoked'),
  canceled: keyOf('key_demo_canceled'),
};

async function startSokuStandIn(suite) {
  const { startStandIn, maskSecrets } = require(P.STAND_IN);
  fs.mkdirSync(path.join(P.OUT, suite), { recursive: true });
  const log = fs.createWriteStream(path.join(P.OUT, suite, 'stand-in.log'), { flags: 'w' });
  const s = await startStandIn({
    host: '127.0.0.1',
    port: 0,
    logger: (line) => log.write(`${new Date().toISOString()} ${maskSecrets(line)}\n`),
  });
  applyDemoScript(s);
  const close = s.close.bind(s);
  return Object.assign(s, {
    /** Back to the seed, with the demo script re-applied. */
    resetDemo() {
      s.reset();
      applyDemoScript(s);
    },
    async stop() {
      await close();
      log.end();
    },
  });
}

/** The credentials the e2e workflows refer to (ids fixed in the workflow files). */
function credentialsFor(standInUrl) {
  const c = (id, name, apiKey) => ({ id, name, type: 'sokuApi', data: { apiKey, baseUrl: standInUrl } });
  return [
    c('sokuDemoApiKey01', 'Soku (demo stand-in)', KEYS.demo),
    c('sokuNoCreditKey01', 'Soku (no credits, stand-in)', KEYS.noCredits),
    c('sokuRevokedKey01', 'Soku (revoked key, stand-in)', KEYS.revoked),
    c('sokuCanceledKey01', 'Soku (canceled subscription, stand-in)', KEYS.canceled),
    // A Base URL with a path Soku does not serve (a pasted /v1 is dropped, so it is not one): Soku answers 404.
    { ...c('sokuWrongBaseUrl1', 'Soku (wrong Base URL path, stand-in)', KEYS.demo), data: { apiKey: KEYS.demo, baseUrl: `${standInUrl}/api` } },
  ];
}

/** A request's post targets as platform names, e.g. ['x', 'tiktok']. */
function platformsOf(rec) {
  const p = rec && rec.body && rec.body.post && rec.body.post.content && rec.body.post.content.platform;
  return (Array.isArray(p) ? p : []).map((t) => (typeof t === 'string' ? t : t && t.platform));
}

module.exports = { startSokuStandIn, credentialsFor, platformsOf, KEYS };
