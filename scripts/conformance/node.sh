#!/usr/bin/env bash
# The Node conformance tier (test/fixtures/conformance/node-express): installs the app's pinned npm
# tree into the cache outside the clone, at
#   ${RUNTIME_LENS_CACHE:-$HOME/.cache/runtime-lens}/node-express-<first 16 hex of sha256(package-lock.json)>
# (test/support/conformanceCache.ts derives the same path), links it as the app's node_modules and
# compiles the app's TypeScript with source maps into its dist/ (both gitignored). The main repo's
# node_modules is never touched. Idempotent: returns at once, printing nothing, when the stamps
# match. On failure: one line on stderr and a non-zero exit.
set -euo pipefail
SCRIPT_NAME=conformance/node
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APP="$ROOT/test/fixtures/conformance/node-express"
[[ -f "$APP/package-lock.json" ]] || fail "missing $APP/package-lock.json"
command -v npm >/dev/null 2>&1 || fail "npm not found; the Node conformance tier needs Node 20 and npm"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  fail "node is $(node --version); the app needs Node >= 20"

HASH="$(sha256sum "$APP/package-lock.json" | cut -c1-16)"
TREE="$CACHE/node-express-$HASH"
STAMP="$TREE/.runtime-lens-done"
LOG="$CACHE/node-express-$HASH.log"
# The build is keyed by the sources, the compiler settings and the npm tree they compile against.
BUILD_KEY="$(files_key "$APP" "$HASH" src tsconfig.json)"
BUILD_STAMP="$APP/dist/.runtime-lens-build"

installed() {
  [[ -f "$STAMP" && -d "$TREE/node_modules/@opentelemetry/auto-instrumentations-node" ]]
}

linked() {
  [[ -L "$APP/node_modules" && "$(readlink "$APP/node_modules")" == "$TREE/node_modules" ]]
}

built() {
  stamp_is "$BUILD_STAMP" "$BUILD_KEY" && [[ -f "$APP/dist/server.js" ]]
}

ready() {
  installed && linked && built
}

unless_ready "node-express-$HASH" ready

if ! installed; then
  # Installed beside the final folder and moved in at the end: a half-done install is never used.
  work="$CACHE/node-express-$HASH.partial"
  rm -rf "$work" "$TREE"
  mkdir -p "$work"
  cp "$APP/package.json" "$APP/package-lock.json" "$work/"
  run_logged "npm ci" npm ci --prefix "$work" --no-audit --no-fund --ignore-scripts
  mv "$work" "$TREE"
  date -u +%FT%TZ >"$STAMP"
fi

if ! linked; then
  # A real folder here would be someone's local install; never delete it silently.
  if [[ -e "$APP/node_modules" && ! -L "$APP/node_modules" ]]; then
    fail "$APP/node_modules is a folder, not the cache link; remove it and rerun"
  fi
  ln -sfn "$TREE/node_modules" "$APP/node_modules"
fi

if ! built; then
  rm -rf "$APP/dist"
  run_logged "tsc" node "$TREE/node_modules/typescript/bin/tsc" -p "$APP"
  [[ -f "$APP/dist/server.js" && -f "$APP/dist/server.js.map" ]] || fail "tsc left no dist/server.js(.map) in $APP"
  printf '%s' "$BUILD_KEY" >"$BUILD_STAMP"
fi
