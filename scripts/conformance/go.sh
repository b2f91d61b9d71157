#!/usr/bin/env bash
# The Go app of the conformance tier (test/wire/conformanceGo.test.ts): downloads its pinned
# modules into Go's module cache (GOMODCACHE, outside the clone) and builds it into
#   ${RUNTIME_LENS_CACHE:-$HOME/.cache/runtime-lens}/go-nethttp-<key>/conf-go
# where <key> is the first 16 hex of sha256 over `sha256sum` lines of go.mod, go.sum and every
# *.go file (sorted by path), followed by the app folder's absolute path: the binary's stack
# traces name the source files by absolute path, so a binary built from another clone must not
# be reused (test/support/conformanceCache.ts derives the same path). Idempotent: returns at once
# when the stamp exists, printing nothing. On failure: one line on stderr and a non-zero exit.
set -euo pipefail
SCRIPT_NAME=conformance/go
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APP="$ROOT/test/fixtures/conformance/go-nethttp"
[[ -f "$APP/go.mod" && -f "$APP/go.sum" ]] || fail "missing $APP/go.mod or go.sum"
command -v go >/dev/null 2>&1 || fail "go not found; the Go conformance tier needs Go >= 1.26"

KEY="$(files_key "$APP" "$APP" . \( -name go.mod -o -name go.sum -o -name '*.go' \))"
OUT="$CACHE/go-nethttp-$KEY"
STAMP="$OUT/.runtime-lens-done"
LOG="$CACHE/go-nethttp-$KEY.log"

ready() {
  [[ -f "$STAMP" && -x "$OUT/conf-go" ]]
}

unless_ready "go-nethttp-$KEY" ready

rm -rf "$OUT"
mkdir -p "$OUT"
# GOTOOLCHAIN=local: go.mod pins a Go this machine has; never fetch another toolchain silently.
# -mod=readonly: go.sum is the pin list; a build that would change it fails here instead.
# -buildvcs=false: the binary must not depend on the clone's git state.
export GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false"
run_logged go-mod-download go -C "$APP" mod download
run_logged go-build go -C "$APP" build -o "$OUT/conf-go" .
touch "$STAMP"
echo "conformance/go: built $OUT/conf-go" >&2
