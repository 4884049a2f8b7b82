// Where things are, for the end-to-end suite. Everything can be overridden from the environment.
'use strict';
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..', '..');
const N8N_E2E_DIR = process.env.N8N_E2E_DIR || path.join(os.homedir(), '.cache', 'n8n-e2e');
const N8N_VERSION = process.env.N8N_VERSION || '2.41.1';
const PKG = require(path.join(REPO, 'package.json'));
// Several copies of the suite may run side by side (one per work tree): each gets its own ports and homes.
const PORT_OFFSET = Number(process.env.N8N_E2E_PORT_OFFSET || 0);
const INSTANCE = process.env.N8N_E2E_INSTANCE ? `-${process.env.N8N_E2E_INSTANCE}` : '';

module.exports = {
  REPO,
  N8N_E2E_DIR,
  N8N_VERSION,
  PORT_OFFSET,
  INSTANCE,
  N8N_MAJOR: Number(N8N_VERSION.split('.')[0]),
  SCRIPTS: path.join(REPO, 'scripts', 'n8n'),
  START_SCRIPT: path.join(REPO, 'scripts', 'n8n', 'start-n8n.sh'),
  EXAMPLES: path.join(REPO, 'examples'),
  WORKFLOWS: path.join(REPO, 'test', 'e2e', 'workflows'),
  /** Test output: logs, execution dumps (git-ignored). */
  OUT: process.env.N8N_E2E_OUT || path.join(REPO, 'test-results', 'e2e'),
  /** Screenshots worth committing. */
  DOCS: process.env.N8N_E2E_DOCS || path.join(REPO, 'docs'),
  PACKAGE_NAME: PKG.name,
  TARBALL: process.env.N8N_E2E_TARBALL || path.join(REPO, '.cache', 'pack', `${PKG.name}-${PKG.version}.tgz`),
  N8N_DIR: process.env.N8N_E2E_N8N_DIR || path.join(N8N_E2E_DIR, `n8n-${N8N_VERSION}`),
  STAND_IN: path.join(REPO, 'test', 'stand-in', 'soku-stand-in.js'),
};
