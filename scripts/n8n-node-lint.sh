#!/usr/bin/env bash
# n8n-node-lint.sh - run `n8n-node lint` from @n8n/node-cli (the tool n8n's verification guidelines expect)
# with its own strict, unmodified default config, on a throw-away copy of what the package ships.
#
# Why a copy: with "strict": true in package.json, `n8n-node lint` refuses to run unless eslint.config.mjs is
# byte-for-byte its template, and that template lints every **/*.ts. This project's eslint.config.mjs applies
# the same rules to nodes/, credentials/ and package.json but leaves out test/, bench/ and scripts/ (never
# published; they use timers, fs and process on purpose). The copy holds package.json, tsconfig.json, nodes/,
# credentials/ and node-cli's own template eslint.config.mjs, so the check is exactly n8n's.
#
# @n8n/node-cli is not a project dependency: it is installed once, pinned by
# scripts/n8n/lockfiles/node-cli-<version>.package-lock.json (npm ci --ignore-scripts), into
# $N8N_NODE_CLI_DIR (default ~/.cache/n8n-e2e/node-cli-<version>).
#
# Usage: bash scripts/n8n-node-lint.sh [--install-only]
# Env:   N8N_NODE_CLI_VERSION (0.48.3), N8N_NODE_CLI_DIR, N8N_E2E_DIR (~/.cache/n8n-e2e)
# Exit code: n8n-node lint's (0 = no findings).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="${N8N_NODE_CLI_VERSION:-0.48.3}"
N8N_E2E_DIR="${N8N_E2E_DIR:-$HOME/.cache/n8n-e2e}"
TOOL_DIR="${N8N_NODE_CLI_DIR:-$N8N_E2E_DIR/node-cli-$VERSION}"
LOCK="$REPO/scripts/n8n/lockfiles/node-cli-$VERSION.package-lock.json"
BIN="$TOOL_DIR/node_modules/@n8n/node-cli/bin/n8n-node.mjs"
STAMP="$TOOL_DIR/.installed"

log() { echo "n8n-node-lint: $*"; }
die() { echo "n8n-node-lint: ERROR: $*" >&2; exit 2; }

if [ ! -f "$STAMP" ] || [ ! -f "$BIN" ]; then
  log "installing @n8n/node-cli $VERSION into $TOOL_DIR (once)"
  rm -rf "$TOOL_DIR/node_modules"; mkdir -p "$TOOL_DIR"
  printf '{"name":"n8n-node-cli-tool","private":true,"dependencies":{"@n8n/node-cli":"%s"}}\n' "$VERSION" >"$TOOL_DIR/package.json"
  # --ignore-scripts: a dependency's preinstall runs `npx only-allow pnpm`; node-cli needs no install scripts.
  if [ -f "$LOCK" ]; then
    cp "$LOCK" "$TOOL_DIR/package-lock.json"
    (cd "$TOOL_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >"$TOOL_DIR/install.log" 2>&1
  else
    log "no lockfile for $VERSION in scripts/n8n/lockfiles: resolving with npm install"
    (cd "$TOOL_DIR" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error) >"$TOOL_DIR/install.log" 2>&1
  fi || { tail -20 "$TOOL_DIR/install.log" >&2; die "could not install @n8n/node-cli $VERSION (log: $TOOL_DIR/install.log)"; }
  [ -f "$BIN" ] || die "@n8n/node-cli installed without $BIN"
  date -u +%FT%TZ >"$STAMP"
fi
[ "${1:-}" = --install-only ] && { log "@n8n/node-cli $VERSION ready in $TOOL_DIR"; exit 0; }

COPY="$(mktemp -d "${TMPDIR:-/tmp}/n8n-node-lint-XXXXXX")"
trap 'rm -rf "$COPY"' EXIT
cp -R "$REPO/package.json" "$REPO/tsconfig.json" "$REPO/nodes" "$REPO/credentials" "$COPY/"
cp "$TOOL_DIR/node_modules/@n8n/node-cli/dist/template/templates/shared/default/eslint.config.mjs" "$COPY/eslint.config.mjs"
ln -s "$TOOL_DIR/node_modules" "$COPY/node_modules"
log "@n8n/node-cli $VERSION, default strict config, on a copy of package.json, nodes/, credentials/"
cd "$COPY"
rc=0
node "$BIN" lint </dev/null || rc=$?
[ "$rc" = 0 ] && log "0 findings" || log "findings above (exit $rc)"
exit "$rc"
