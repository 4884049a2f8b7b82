// Before the e2e files: n8n must be installed (scripts/n8n/install-n8n.sh), and the package is built
// and packed (scripts/n8n/pack-package.sh) unless N8N_E2E_SKIP_PACK=1 (scripts/e2e.sh packs it itself).
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const P = require('./paths');

module.exports = async () => {
  const bin = path.join(P.N8N_DIR, 'node_modules', '.bin', 'n8n');
  if (!fs.existsSync(bin)) {
    throw new Error(`n8n ${P.N8N_VERSION} is not installed in ${P.N8N_DIR}: run bash scripts/n8n/install-n8n.sh --with-browser --with-redis (or bash scripts/e2e.sh)`);
  }
  if (process.env.N8N_E2E_SKIP_PACK !== '1') {
    const r = spawnSync('bash', [path.join(P.SCRIPTS, 'pack-package.sh'), '--quiet'], { cwd: P.REPO, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('build + pack failed (scripts/n8n/pack-package.sh)');
  }
  if (!fs.existsSync(P.TARBALL)) throw new Error(`no tarball at ${P.TARBALL}`);
};
