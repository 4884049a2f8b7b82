// Runs the e2e files in a fixed order: regular mode, browser, queue mode (then anything else by name).
'use strict';
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = ['soku.e2e.test.js', 'browser.e2e.test.js', 'queue.e2e.test.js'];
const rank = (p) => {
  const i = ORDER.findIndex((name) => p.endsWith(name));
  return i === -1 ? ORDER.length : i;
};

class E2eSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  }
}

module.exports = E2eSequencer;
