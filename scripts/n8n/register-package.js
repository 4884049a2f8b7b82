#!/usr/bin/env node
// register-package.js - write the database rows that n8n's Settings > Community nodes installer writes
// (tables installed_packages + installed_nodes) for every package in <user folder>/.n8n/nodes/package.json
// that n8n loaded at start-up. start-n8n.sh runs it after n8n is up (tables exist, type cache written).
// Without these rows the nodes still load (n8n scans .n8n/nodes/node_modules); with them, the package is
// also listed under Settings > Community nodes, as after an install from the UI.
//
// Usage: node register-package.js --user-folder <N8N_USER_FOLDER> --n8n-dir <n8n install dir>
// Must run on the Node that n8n's sqlite3 was compiled for (start-n8n.sh puts Node 24 first on PATH).
'use strict';
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const userFolder = opt('--user-folder');
const n8nDir = opt('--n8n-dir');
if (!userFolder || !n8nDir) {
  console.error('usage: register-package.js --user-folder <dir> --n8n-dir <dir>');
  process.exit(2);
}
const log = (m) => console.log(`register-package: ${m}`);

const ledgerFile = path.join(userFolder, '.n8n', 'nodes', 'package.json');
const dbFile = path.join(userFolder, '.n8n', 'database.sqlite');
const typesFile = path.join(userFolder, '.cache', 'n8n', 'public', 'types', 'nodes.json');
if (!fs.existsSync(ledgerFile)) process.exit(0);
if (process.env.DB_TYPE && process.env.DB_TYPE !== 'sqlite') {
  log(`DB_TYPE=${process.env.DB_TYPE}: only sqlite is handled; skipping`);
  process.exit(0);
}
if (!fs.existsSync(dbFile)) throw new Error(`no database at ${dbFile} (start n8n first)`);
if (!fs.existsSync(typesFile)) throw new Error(`no node type cache at ${typesFile} (start n8n first)`);

const ledger = JSON.parse(fs.readFileSync(ledgerFile, 'utf8'));
const types = JSON.parse(fs.readFileSync(typesFile, 'utf8'));
const sqlite3 = require(require.resolve('sqlite3', { paths: [path.join(n8nDir, 'node_modules')] }));
const prefix = process.env.DB_TABLE_PREFIX || '';
const db = new sqlite3.Database(dbFile);
db.configure('busyTimeout', 10000);
const run = (sql, params) =>
  new Promise((resolve, reject) => db.run(sql, params, (err) => (err ? reject(err) : resolve())));

async function main() {
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
  for (const [name, version] of Object.entries(ledger.dependencies || {})) {
    const pkgJsonFile = path.join(userFolder, '.n8n', 'nodes', 'node_modules', name, 'package.json');
    if (!fs.existsSync(pkgJsonFile)) continue;
    const pkg = JSON.parse(fs.readFileSync(pkgJsonFile, 'utf8'));
    // n8n adds "<node>Tool" variants of usableAsTool nodes itself; its installer registers only the package's nodes.
    const all = types.filter((t) => typeof t.name === 'string' && t.name.startsWith(`${name}.`));
    const loaded = all.filter((t) => !(t.name.endsWith('Tool') && all.some((o) => o.name === t.name.slice(0, -4))));
    if (!loaded.length) {
      log(`${name}: no node of this package was loaded by n8n (see the n8n log); not registering`);
      process.exitCode = 1;
      continue;
    }
    const author = typeof pkg.author === 'object' && pkg.author ? pkg.author : {};
    await run(`DELETE FROM "${prefix}installed_nodes" WHERE "package" = ?`, [name]);
    await run(`DELETE FROM "${prefix}installed_packages" WHERE "packageName" = ?`, [name]);
    await run(
      `INSERT INTO "${prefix}installed_packages" ("packageName","installedVersion","authorName","authorEmail","createdAt","updatedAt") VALUES (?,?,?,?,?,?)`,
      [name, pkg.version || version, author.name || null, author.email || null, now, now],
    );
    // One row per node (n8n uses the node's displayName as the primary key and its newest version).
    const byType = new Map();
    for (const t of loaded) {
      const v = Math.max(...[].concat(t.version));
      const prev = byType.get(t.name);
      if (!prev || v > prev.v) byType.set(t.name, { v, displayName: t.displayName });
    }
    for (const [type, { v, displayName }] of byType) {
      await run(
        `INSERT OR REPLACE INTO "${prefix}installed_nodes" ("name","type","latestVersion","package") VALUES (?,?,?,?)`,
        [displayName, type, v, name],
      );
    }
    log(`${name}@${pkg.version}: registered ${[...byType.keys()].join(', ')}`);
  }
}

main()
  .catch((e) => {
    console.error(`register-package: ERROR: ${e.message}`);
    process.exitCode = 1;
  })
  .finally(() => db.close());
