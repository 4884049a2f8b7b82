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

read -r up uf <<<"$UNIT"
read -r ep ef <<<"${E2E:-0 0}"
echo
echo "=== done in $(( $(date +%s) - T0 ))s"
echo "unit+engine: $up passed, $uf failed"
echo "e2e: $ep passed, $ef failed"
echo "$((up + ep)) passed, $((uf + ef)) failed"
[ "$((uf + ef))" = 0 ]
