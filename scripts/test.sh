#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this): install from the lockfile, build, lint,
# package checks, unit + engine tests, then the real-n8n end-to-end suite (browser and queue mode included).
# Everything it needs is installed by the project's own files; caches live in ~/.cache/n8n-e2e and ~/.npm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
T0=$(date +%s)
step() { echo; echo "=== $* ($(date +%T), $(( $(date +%s) - T0 ))s)"; }
mkdir -p .cache

step "install dev dependencies from the lockfile"
npm ci --no-audit --no-fund --loglevel=error

step "build"
npm run build --silent

step "lint (n8n community-node rules, eslint-plugin-n8n-nodes-base)"
npm run lint --silent

step "n8n-node lint (@n8n/node-cli's own strict config, on a copy of the shipped source)"
bash scripts/n8n-node-lint.sh

step "type-check the tests"
npx tsc --noEmit -p tsconfig.test.json

step "package checks (tarball, manifest, n8n scanner rules)"
npm run verify --silent

step "unit, policy and engine tests"
npx jest --ci --json --outputFile=.cache/jest-results.json
UNIT=$(node -e 'const r=require("./.cache/jest-results.json");console.log(r.numPassedTests+" "+r.numFailedTests)')

step "end-to-end tests in a real n8n"
bash scripts/e2e.sh | tee .cache/e2e.log
E2E=$(sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' .cache/e2e.log | tail -1)

# The README's first command, on this clean checkout: its "demo: OK" line is the pass.
step "the README's first command: bash scripts/demo.sh --run-once"
bash scripts/demo.sh --run-once 2>&1 | tee .cache/demo.log || true
if grep -q '^demo: OK' .cache/demo.log; then DEMO="1 0"; else DEMO="0 1"; fi

# The README says the suite passes against n8n 1.123.81 too: a second, shorter pass (the regular-mode file).
step "end-to-end tests on n8n 1.123.81 (regular mode)"
N8N_VERSION=1.123.81 bash scripts/e2e.sh --no-browser --no-queue --testPathPattern 'soku\.e2e' | tee .cache/e2e-1x.log || true
E2E1=$(sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' .cache/e2e-1x.log | tail -1)

read -r up uf <<<"$UNIT"
read -r ep ef <<<"${E2E:-0 0}"
read -r dp df <<<"$DEMO"
read -r e1p e1f <<<"${E2E1:-0 1}"
echo
echo "=== done in $(( $(date +%s) - T0 ))s"
echo "unit+engine: $up passed, $uf failed"
echo "e2e: $ep passed, $ef failed"
echo "demo --run-once: $dp passed, $df failed"
echo "e2e on n8n 1.123.81: $e1p passed, $e1f failed"
echo "$((up + ep + dp + e1p)) passed, $((uf + ef + df + e1f)) failed"
[ "$((uf + ef + df + e1f))" = 0 ]
