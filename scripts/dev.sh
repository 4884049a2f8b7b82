#!/usr/bin/env bash
# dev.sh (npm run dev) - work on the node in a real n8n: n8n (installed once into ~/.cache/n8n-e2e) on
# 127.0.0.1 with this working tree installed as its community package, the Soku demo stand-in, a credential
# pointing at it and the example workflows; TypeScript is rebuilt on every change and n8n reloads the node
# (N8N_DEV_RELOAD) without a restart: reopen the node panel (or reload the page) to see a new description.
#
#   npm run dev                 (= bash scripts/dev.sh)  runs until Ctrl-C, then stops everything it started
#   bash scripts/dev.sh --keep  keep the dev n8n user folder (workflows you saved) from the last run
#
# Like `n8n-node dev`, but the package keeps its real type name (n8n-nodes-soku.soku, so the examples
# open), and it needs nothing beyond this repository: the tree is packed and installed the Settings >
# Community nodes way (scripts/n8n/start-n8n.sh add-node-package), then every rebuild of dist/ is copied
# into the installed package, which n8n's hot reload watches. Icons and Soku.node.json are copied by the
# first build only: restart after changing them.
#
# Env: N8N_VERSION (2.41.1), N8N_E2E_DIR (~/.cache/n8n-e2e), DEV_PORT (5678 + N8N_E2E_PORT_OFFSET),
#      DEV_STAND_IN_PORT (4010 + N8N_E2E_PORT_OFFSET), N8N_E2E_INSTANCE (suffix of the user folder),
#      N8N_E2E_OWNER_EMAIL / N8N_E2E_OWNER_PASSWORD (owner@example.com / SokuDemo2024).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KEEP=0
for a in "$@"; do
  case "$a" in
    --keep) KEEP=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "dev: unknown argument $a (see --help)" >&2; exit 2 ;;
  esac
done

OFFSET="${N8N_E2E_PORT_OFFSET:-0}"
export N8N_E2E_DIR="${N8N_E2E_DIR:-$HOME/.cache/n8n-e2e}"
export N8N_VERSION="${N8N_VERSION:-2.41.1}"
export N8N_E2E_HOME="${DEV_HOME:-$N8N_E2E_DIR/dev-home${N8N_E2E_INSTANCE:+-$N8N_E2E_INSTANCE}}"
export N8N_E2E_PORT="${DEV_PORT:-$((5678 + OFFSET))}"
export N8N_E2E_OWNER_EMAIL="${N8N_E2E_OWNER_EMAIL:-owner@example.com}"
export N8N_E2E_OWNER_PASSWORD="${N8N_E2E_OWNER_PASSWORD:-SokuDemo2024}"
export N8N_DEV_RELOAD=true # n8n watches the installed package and reloads it when its files change
STAND_IN_PORT="${DEV_STAND_IN_PORT:-$((4010 + OFFSET))}"
STAND_IN_URL="http://127.0.0.1:$STAND_IN_PORT"
S="bash $REPO/scripts/n8n/start-n8n.sh"
RUN="$N8N_E2E_HOME/dev-run"
PKG_NAME="$(node -p "require('$REPO/package.json').name")"
INSTALLED="$N8N_E2E_HOME/.n8n/nodes/node_modules/$PKG_NAME"

say() { echo "dev: $*"; }
die() { echo "dev: ERROR: $*" >&2; exit 1; }

PIDS=()
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  echo
  say "stopping"
  $S stop 2>/dev/null | sed 's/^/  /' || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ -x "$REPO/node_modules/.bin/tsc" ] || die "node_modules missing: run npm ci first"
bash "$REPO/scripts/n8n/install-n8n.sh" | sed 's/^/  /'

say "building"
(cd "$REPO" && npm run build --silent)

$S stop >/dev/null 2>&1 || true
if [ "$KEEP" = 0 ]; then $S reset | sed 's/^/  /'; fi
mkdir -p "$RUN"

say "Soku demo stand-in on $STAND_IN_URL"
if curl -s -o /dev/null -m 2 "$STAND_IN_URL/" 2>/dev/null; then die "port $STAND_IN_PORT is in use (set DEV_STAND_IN_PORT)"; fi
node "$REPO/scripts/n8n/demo-stand-in.js" --port "$STAND_IN_PORT" --log "$RUN/stand-in.log" >"$RUN/stand-in.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do grep -q 'listening on' "$RUN/stand-in.out" && break; sleep 0.1; done
grep -q 'listening on' "$RUN/stand-in.out" || { cat "$RUN/stand-in.out" >&2; die "the stand-in did not start"; }

say "installing this working tree as n8n's community package $PKG_NAME"
$S add-node-package "$REPO" | sed 's/^/  /'
if [ "$KEEP" = 0 ] || [ ! -f "$RUN/imported" ]; then
  bash "$REPO/scripts/n8n/import-demo-credential.sh" "$STAND_IN_URL" | sed 's/^/  /'
  $S cli import:workflow --separate --input="$REPO/examples" 2>&1 | grep -v '^\s*$' | tail -1 | sed 's/^/  /'
  touch "$RUN/imported"
fi

say "starting n8n $N8N_VERSION on 127.0.0.1:$N8N_E2E_PORT (hot reload on)"
$S start | sed 's/^/  /'
$S owner | sed 's/^/  /'

# esbuild rebuilds the bundles in dist/ on every change (what npm run build ships); each settled rebuild is
# copied into the installed package. Type errors: run `npx tsc --noEmit -p tsconfig.json` (or your editor).
(cd "$REPO" && exec node scripts/bundle-node.js --watch) >"$RUN/build.log" 2>&1 &
PIDS+=($!)
sync_loop() {
  local stamp="$RUN/synced" changed
  touch "$stamp"
  while sleep 1; do
    changed="$(find "$REPO/dist" -newer "$stamp" -type f 2>/dev/null | head -1 || true)"
    [ -n "$changed" ] || continue
    sleep 1 # let esbuild finish writing the batch
    touch "$stamp"
    cp -R -u "$REPO/dist/." "$INSTALLED/dist/" # only what was rewritten: fewer reloads
    echo "dev: $(date +%T) rebuilt and copied dist/ into n8n; it reloads $PKG_NAME (build log: $RUN/build.log)"
  done
}
sync_loop &
PIDS+=($!)

cat <<EOF

  n8n editor:  http://localhost:$N8N_E2E_PORT/workflow/sokuAllBranches01   (the showcase)
  login:       $N8N_E2E_OWNER_EMAIL / $N8N_E2E_OWNER_PASSWORD
  credential:  "Soku (demo stand-in)" -> $STAND_IN_URL (demo key)
  logs:        n8n $N8N_E2E_HOME/run/main.log, build $RUN/build.log, stand-in $RUN/stand-in.log

  Edit nodes/ or credentials/: esbuild rebuilds, dist/ is copied into n8n, n8n reloads the node.
  Press Ctrl-C to stop.
EOF
while kill -0 "$(cat "$N8N_E2E_HOME/run/main.pid" 2>/dev/null || echo 0)" 2>/dev/null; do
  kill -0 "${PIDS[0]}" 2>/dev/null || die "the Soku stand-in stopped (see $RUN/stand-in.out)"
  sleep 2
done
die "n8n stopped (see $N8N_E2E_HOME/run/main.log)"
