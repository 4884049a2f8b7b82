#!/usr/bin/env bash
# pack-package.sh - build n8n-nodes-soku and `npm pack` it into .cache/pack/ (the tarball a user would
# install from npm). Used by scripts/demo.sh, scripts/e2e.sh and the e2e jest global setup.
#
# Usage: scripts/n8n/pack-package.sh [--install] [--quiet]
#   --install  run `npm ci` first when node_modules is missing (fresh clone)
# Prints the tarball path on the last line of stdout.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
INSTALL=0; QUIET=0
for a in "$@"; do
  case "$a" in --install) INSTALL=1 ;; --quiet) QUIET=1 ;; *) echo "pack-package: unknown argument $a" >&2; exit 2 ;; esac
done
log() { [ "$QUIET" = 1 ] || echo "pack-package: $*"; }
cd "$REPO"

if [ "$INSTALL" = 1 ] && [ ! -x node_modules/.bin/tsc ]; then
  # Only when dev dependencies are missing (a fresh clone): npm ci replaces node_modules wholesale.
  log "npm ci (dev dependencies for the build)"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
[ -x node_modules/.bin/tsc ] || { echo "pack-package: node_modules missing: run npm ci (or pass --install)" >&2; exit 1; }

log "npm run build"
mkdir -p .cache/pack
if ! npm run build --silent >.cache/pack/build.log 2>&1; then
  cat .cache/pack/build.log >&2; echo "pack-package: build failed" >&2; exit 1
fi
[ -f dist/nodes/Soku/Soku.node.js ] || { echo "pack-package: dist/nodes/Soku/Soku.node.js missing after the build" >&2; exit 1; }

mkdir -p .cache/pack
NAME="$(node -p "require('./package.json').name")"
VERSION="$(node -p "require('./package.json').version")"
rm -f ".cache/pack/$NAME-$VERSION.tgz"
# --ignore-scripts: the package has no pack hooks we need, and the build just ran.
npm pack --silent --ignore-scripts --pack-destination .cache/pack >/dev/null
TGZ="$REPO/.cache/pack/$NAME-$VERSION.tgz"
[ -f "$TGZ" ] || { echo "pack-package: npm pack did not produce $TGZ" >&2; exit 1; }
log "packed $(tar -tzf "$TGZ" | wc -l) files, $(du -h "$TGZ" | cut -f1)"
echo "$TGZ"
