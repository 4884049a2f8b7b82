#!/usr/bin/env bash
# e2e.sh - end-to-end tests of n8n-nodes-soku in a real n8n: installs what is needed (idempotent, cached in
# ~/.cache/n8n-e2e), builds and packs the package, then runs test/e2e with jest:
#   soku.e2e.test.js     regular mode: CLI executions, branches and payloads, stand-in traffic, credential test
#   browser.e2e.test.js  the editor in headless Chromium: canvas outputs, editor run, node panel; docs/*.png
#   queue.e2e.test.js    redis + PostgreSQL + n8n worker: published webhook workflow runs on the worker
#   never-twice.e2e.test.js  re-runs, Retry, custom keys, multi-account dispatch; regular (SQLite) and queue
#                        mode (PostgreSQL)
#   branches-stay.e2e.test.js  the editor again: editing Error Branches keeps every wire on its branch
#   agent.e2e.test.js    an n8n AI Agent (scripted chat-model stand-in) calls the Soku node as a tool
#   concurrency.e2e.test.js    3 executions at once on one Soku quota: 0 x 429
#   queue-workers.e2e.test.js  queue mode (PostgreSQL) with 2 workers on one Soku quota: 0 lost, 0 duplicates,
#                        at most 2 x 429; a worker SIGKILLed mid-batch and started again: Crashed, Retry / the
#                        same items sent again post every item once
#   parallel-requests.e2e.test.js  20 slow transcriptions: the default Parallel Requests (5) under half the
#                        one-at-a-time time, 0 x 429, every item once
# Ends with one line: "e2e: N passed, M failed, K skipped (n8n <version>, <seconds>s)"; exit code 0 only if
# nothing failed.
#
# Usage: bash scripts/e2e.sh [--no-browser] [--no-queue] [--update-docs] [jest args...]  (e.g. -t showcase)
#        --update-docs: also write the browser screenshots to docs/ (canvas.png, canvas-executed.png,
#        node-panel.png) and docs/screenshots.json (the output shape they show, checked by the browser suite);
#        otherwise they go to test-results/e2e/browser only.
# Env:   N8N_VERSION (2.41.1; 1.123.81 works too), N8N_E2E_DIR (~/.cache/n8n-e2e),
#        N8N_E2E_OUT (test-results/e2e). Browser and queue suites need Debian chromium / redis-server and
#        postgresql (installed with apt-get when run as root; otherwise pass --no-browser / --no-queue).
# Ports (127.0.0.1 only): 5710-5713 regular, 5720-5723 browser, 5730-5733 + redis 6391 queue,
#        5740-5743 and 5750-5753 + redis 6392 never-twice, 5760-5763 concurrency,
#        5770-5774 + redis 6393 queue-workers, 5780-5783 agent, 5790-5793 branches-stay,
#        5800-5803 parallel-requests; a queue suite's
#        PostgreSQL listens on its n8n port + 5 (5735, 5755, 5775).
#        N8N_E2E_PORT_OFFSET (added to every port) and N8N_E2E_INSTANCE (suffix of the n8n homes) let
#        several copies of the suite run side by side, e.g. one per git work tree.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export N8N_E2E_DIR="${N8N_E2E_DIR:-$HOME/.cache/n8n-e2e}"
export N8N_VERSION="${N8N_VERSION:-2.41.1}"
export N8N_E2E_OUT="${N8N_E2E_OUT:-$REPO/test-results/e2e}"
BROWSER=1; QUEUE=1; JEST_ARGS=()
for a in "$@"; do
  case "$a" in
    --no-browser) BROWSER=0 ;;
    --no-queue) QUEUE=0 ;;
    --update-docs) export N8N_E2E_UPDATE_DOCS=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) JEST_ARGS+=("$a") ;;
  esac
done
T0=$(date +%s)
say() { echo "e2e: $*"; }
summary_fail() { echo "e2e: 0 passed, 1 failed, 0 skipped (n8n $N8N_VERSION, $(( $(date +%s) - T0 ))s) - $*"; exit 1; }

# Whatever happens (failure, Ctrl-C, a jest worker killed), stop every n8n / worker / redis the suites started.
cleanup() {
  local home
  for home in "$N8N_E2E_DIR"/e2e-*-"$N8N_VERSION${N8N_E2E_INSTANCE:+-$N8N_E2E_INSTANCE}"; do
    [ -d "$home/run" ] || continue
    N8N_E2E_HOME="$home" bash "$REPO/scripts/n8n/start-n8n.sh" stop >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$N8N_E2E_OUT"
INSTALL_ARGS=()
[ "$BROWSER" = 1 ] && INSTALL_ARGS+=(--with-browser)
[ "$QUEUE" = 1 ] && INSTALL_ARGS+=(--with-redis --with-postgres)
say "installing n8n $N8N_VERSION (cached: a few seconds when present)"
bash "$REPO/scripts/n8n/install-n8n.sh" "${INSTALL_ARGS[@]}" 2>&1 | tee "$N8N_E2E_OUT/install.log" | sed 's/^/  /'
[ "${PIPESTATUS[0]}" = 0 ] || summary_fail "n8n install failed (log: $N8N_E2E_OUT/install.log)"

say "building and packing the package"
TGZ="$(bash "$REPO/scripts/n8n/pack-package.sh" --install | tail -1)" || summary_fail "build/pack failed"
[ -f "$TGZ" ] || summary_fail "no tarball"
say "tarball $TGZ"

IGNORE=()
# Every editor file (browser.e2e, branches-stay.e2e) needs chromium; every queue-mode file (queue.e2e,
# queue-workers.e2e, …) needs redis.
[ "$BROWSER" = 1 ] || IGNORE+=("--testPathIgnorePatterns=(browser|branches-stay)\\.e2e")
[ "$QUEUE" = 1 ] || IGNORE+=("--testPathIgnorePatterns=queue[^/]*\\.e2e")
RESULTS="$N8N_E2E_OUT/jest-results.json"
rm -f "$RESULTS"
say "running jest (test/e2e/jest.e2e.config.js)"
cd "$REPO"
# The caller's arguments first: --testPathIgnorePatterns takes every following word as another pattern, so
# a path pattern after it would be ignored instead of selected.
N8N_E2E_SKIP_PACK=1 N8N_E2E_TARBALL="$TGZ" node node_modules/jest/bin/jest.js -c test/e2e/jest.e2e.config.js \
  "${JEST_ARGS[@]}" --json --outputFile="$RESULTS" "${IGNORE[@]}"
RC=$?

if [ -f "$RESULTS" ]; then
  node -e '
    const r = require(process.argv[1]);
    const [version, secs] = process.argv.slice(2);
    const failedSuites = r.testResults.filter((t) => t.status === "failed" && !t.assertionResults.some((a) => a.status === "failed"));
    const failed = r.numFailedTests + failedSuites.length; // a suite that failed in beforeAll counts as one failure
    console.log(`e2e: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests} skipped (n8n ${version}, ${secs}s)`);
    process.exit(failed ? 1 : 0);' "$RESULTS" "$N8N_VERSION" "$(( $(date +%s) - T0 ))" || RC=1
else
  summary_fail "jest wrote no results (exit $RC)"
fi
exit "$RC"
