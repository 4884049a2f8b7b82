#!/usr/bin/env bash
# demo.sh - try n8n-nodes-soku in a real n8n on this machine, against a local Soku stand-in (no Soku
# account, no internet needed beyond the npm registry for the first install).
#
#   bash scripts/demo.sh              build + pack the package, install n8n (cached in ~/.cache/n8n-e2e),
#                                     start the Soku stand-in and n8n on 127.0.0.1, install the package the
#                                     way Settings > Community nodes does, import a credential and the
#                                     example workflows, create the owner; prints the editor URL and login.
#                                     Runs until Ctrl-C, then stops n8n and the stand-in.
#   bash scripts/demo.sh --run-once   the same, then executes the showcase workflow from the CLI, prints
#                                     which branch each item reached, stops everything and exits
#                                     (non-zero if the execution failed).
#   --keep                            keep the demo's n8n user folder from the last run (default: fresh)
#
# Env: N8N_VERSION (2.41.1), N8N_E2E_DIR (~/.cache/n8n-e2e), DEMO_PORT (5678), DEMO_STAND_IN_PORT (4010),
#      DEMO_HOME / DEMO_RUN (n8n user folder / stand-in log folder, under N8N_E2E_DIR),
#      N8N_E2E_OWNER_EMAIL / N8N_E2E_OWNER_PASSWORD (owner@example.com / SokuDemo2024).
# Needs: node >= 20 and npm, curl, python3 + make + g++ (n8n's sqlite3 is compiled once), tar.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_ONCE=0; KEEP=0
for a in "$@"; do
  case "$a" in
    --run-once) RUN_ONCE=1 ;;
    --keep) KEEP=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "demo: unknown argument $a (see --help)" >&2; exit 2 ;;
  esac
done

export N8N_E2E_DIR="${N8N_E2E_DIR:-$HOME/.cache/n8n-e2e}"
export N8N_VERSION="${N8N_VERSION:-2.41.1}"
export N8N_E2E_HOME="${DEMO_HOME:-$N8N_E2E_DIR/demo-home}"
export N8N_E2E_PORT="${DEMO_PORT:-5678}"
export N8N_E2E_OWNER_EMAIL="${N8N_E2E_OWNER_EMAIL:-owner@example.com}"
export N8N_E2E_OWNER_PASSWORD="${N8N_E2E_OWNER_PASSWORD:-SokuDemo2024}"
STAND_IN_PORT="${DEMO_STAND_IN_PORT:-4010}"
# n8n 1.x asks the npm registry about every installed community package when Settings > Community nodes
# is opened; n8n-nodes-soku is installed from a local tarball, so keep that npm offline (fails at once).
case "$N8N_VERSION" in 1.*) export N8N_E2E_OFFLINE="${N8N_E2E_OFFLINE:-1}" ;; esac
STAND_IN_URL="http://127.0.0.1:$STAND_IN_PORT"
# The stand-in; its seeded demo key is a fake key that only the local stand-in accepts.
S="bash $REPO/scripts/n8n/start-n8n.sh"
RUN="${DEMO_RUN:-$N8N_E2E_DIR/demo-run}"
T0=$(date +%s)

say() { echo "demo: $*"; }
die() { echo "demo: ERROR: $*" >&2; exit 1; }
step() { echo; echo "== $* ($(( $(date +%s) - T0 ))s)"; }

STAND_IN_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  echo
  say "stopping"
  $S stop 2>/dev/null | sed 's/^/  /' || true
  if [ -n "$STAND_IN_PID" ] && kill -0 "$STAND_IN_PID" 2>/dev/null; then
    kill "$STAND_IN_PID" 2>/dev/null || true
    wait "$STAND_IN_PID" 2>/dev/null || true
    echo "  stopped the Soku stand-in (pid $STAND_IN_PID)"
  fi
  rm -f "$RUN/stand-in.pid"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for c in node npm curl tar; do command -v "$c" >/dev/null 2>&1 || die "'$c' is missing"; done
mkdir -p "$RUN"

step "1/6 build and pack n8n-nodes-soku"
TGZ="$(bash "$REPO/scripts/n8n/pack-package.sh" --install | tail -1)"
say "package: $TGZ"

step "2/6 install n8n $N8N_VERSION (cached after the first run; first run about 4-5 min)"
bash "$REPO/scripts/n8n/install-n8n.sh" | sed 's/^/  /'

step "3/6 start the Soku stand-in on $STAND_IN_URL"
if curl -s -o /dev/null -m 2 "$STAND_IN_URL/" 2>/dev/null; then die "port $STAND_IN_PORT is in use (set DEMO_STAND_IN_PORT)"; fi
: >"$RUN/stand-in.log"
node "$REPO/scripts/n8n/demo-stand-in.js" --port "$STAND_IN_PORT" --log "$RUN/stand-in.log" >"$RUN/stand-in.out" 2>&1 &
STAND_IN_PID=$!
echo "$STAND_IN_PID" >"$RUN/stand-in.pid"
for _ in $(seq 1 50); do grep -q 'listening on' "$RUN/stand-in.out" && break; kill -0 "$STAND_IN_PID" 2>/dev/null || break; sleep 0.1; done
grep -q 'listening on' "$RUN/stand-in.out" || { cat "$RUN/stand-in.out" >&2; die "the stand-in did not start"; }
say "$(head -1 "$RUN/stand-in.out") (pid $STAND_IN_PID, request log $RUN/stand-in.log)"

step "4/6 n8n user folder: install the package, import the credential and the example workflows"
$S stop >/dev/null 2>&1 || true
if [ "$KEEP" = 0 ]; then $S reset | sed 's/^/  /'; fi
$S add-node-package "$TGZ" | sed 's/^/  /'
# Credential pointing at the stand-in with its demo key (never printed).
bash "$REPO/scripts/n8n/import-demo-credential.sh" "$STAND_IN_URL" | sed 's/^/  /'
WF_DIR="$N8N_E2E_HOME/demo-workflows"
rm -rf "$WF_DIR"; mkdir -p "$WF_DIR"; cp "$REPO"/examples/*.json "$WF_DIR/"
$S cli import:workflow --separate --input="$WF_DIR" 2>&1 | grep -v '^\s*$' | tail -1 | sed 's/^/  /'
rm -rf "$WF_DIR"

step "5/6 start n8n on 127.0.0.1:$N8N_E2E_PORT"
$S start | sed 's/^/  /'
$S owner | sed 's/^/  /'

if [ "$RUN_ONCE" = 1 ]; then
  step "6/6 run the showcase workflow (examples/all-branches.json) from the CLI"
  OUT="$RUN/execute-showcase.out"
  : >"$RUN/stand-in.log"
  $S execute sokuAllBranches01 "$OUT" | sed 's/^/  /'
  echo
  rc=0
  node "$REPO/scripts/n8n/print-branches.js" "$OUT" --workflow "$REPO/examples/all-branches.json" \
    --types "$N8N_E2E_HOME/.cache/n8n/public/types/nodes.json" || rc=$?
  echo
  echo "What the Soku stand-in received (keys masked):"
  sed -E 's/^[0-9T:.-]+Z /  /' "$RUN/stand-in.log"
  echo
  if [ "$rc" = 0 ]; then say "OK: the showcase ran in n8n $N8N_VERSION in $(( $(date +%s) - T0 ))s"; else say "the showcase execution failed (output: $OUT)"; fi
  exit "$rc"
fi

step "6/6 ready"
cat <<EOF

  n8n editor:  http://localhost:$N8N_E2E_PORT/workflow/sokuAllBranches01   (the showcase)
  login:       $N8N_E2E_OWNER_EMAIL / $N8N_E2E_OWNER_PASSWORD
  workflows:   Soku: every branch (showcase), alert when AI credits run out,
               tell the owner which platforms to connect, retry only the platforms that failed,
               dry run (sends nothing: Options > Dry Run shows each request instead of sending it)
  credential:  "Soku (demo stand-in)" -> $STAND_IN_URL (demo key)
  package:     Settings > Community nodes lists n8n-nodes-soku
  logs:        n8n $N8N_E2E_HOME/run/main.log, stand-in $RUN/stand-in.log

  Click "Execute workflow" in the showcase and watch each item take its branch.
  Press Ctrl-C to stop n8n and the stand-in.
EOF
while kill -0 "$(cat "$N8N_E2E_HOME/run/main.pid" 2>/dev/null || echo 0)" 2>/dev/null; do
  kill -0 "$STAND_IN_PID" 2>/dev/null || die "the Soku stand-in stopped (see $RUN/stand-in.out)"
  sleep 2
done
die "n8n stopped (see $N8N_E2E_HOME/run/main.log)"
