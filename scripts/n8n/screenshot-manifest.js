// screenshot-manifest.js - docs/screenshots.json: what the committed editor pictures (docs/*.png) were made
// from. `scripts/e2e.sh --update-docs` writes it together with the pictures; the browser e2e compares it with
// the output shape of the current run (and a unit test checks that the pictures are the ones it describes),
// so a picture showing fields the node no longer returns fails the suite instead of misleading users.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const FILE = 'screenshots.json';
/** What a picture depends on; a difference in any of these means the pictures must be regenerated. */
const SHAPE_FIELDS = ['outputs', 'itemsPerOutput', 'successKeys', 'panelColumns'];

function sha256(file) {
  return `sha256:${crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
}

function read(docsDir) {
  const f = path.join(docsDir, FILE);
  return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : undefined;
}

/** Writes the manifest for `shape` and the pictures (file names in docsDir) it was taken with. */
function write(docsDir, shape, pictures, meta = {}) {
  const manifest = {
    note: 'Written by scripts/e2e.sh --update-docs with the pictures; test/e2e/browser.e2e.test.js fails when the current output shape differs. Do not edit by hand.',
    ...meta,
    ...Object.fromEntries(SHAPE_FIELDS.map((k) => [k, shape[k]])),
    pictures: Object.fromEntries([...pictures].sort().map((name) => [name, sha256(path.join(docsDir, name))])),
  };
  fs.writeFileSync(path.join(docsDir, FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Differences between the shape the pictures were made from and the current one, as readable lines. */
function shapeDrift(recorded, current) {
  const lines = [];
  for (const k of SHAPE_FIELDS) {
    const was = JSON.stringify(recorded[k]);
    const now = JSON.stringify(current[k]);
    if (was !== now) lines.push(`${k}: pictures show ${was}, the node now gives ${now}`);
  }
  return lines;
}

/** Pictures in docsDir whose content is not the one the manifest was written with (or that it does not list). */
function pictureDrift(docsDir, manifest) {
  const lines = [];
  const listed = (manifest && manifest.pictures) || {};
  const present = fs.readdirSync(docsDir).filter((f) => f.endsWith('.png'));
  for (const name of present) {
    if (!listed[name]) lines.push(`${name} is not described by ${FILE}`);
    else if (listed[name] !== sha256(path.join(docsDir, name))) lines.push(`${name} changed since ${FILE} was written`);
  }
  for (const name of Object.keys(listed)) if (!present.includes(name)) lines.push(`${name} is listed in ${FILE} but missing`);
  return lines;
}

module.exports = { FILE, SHAPE_FIELDS, read, write, shapeDrift, pictureDrift, sha256 };
