#!/usr/bin/env bash
# The Python venv of the wire tiers (test/wire/pythonSdk.test.ts and conformancePython.test.ts):
# one venv with the pins of both fixture apps, in the cache outside the clone, at
#   ${RUNTIME_LENS_CACHE:-$HOME/.cache/runtime-lens}/python-venv-<first 16 hex of sha256(pin files)>
# (test/support/conformanceCache.ts derives the same path). Idempotent: returns at once when the
# stamp matches; prints nothing then. On failure: one line on stderr and a non-zero exit.
set -euo pipefail
SCRIPT_NAME=conformance/python
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Order matters: the hash is over these files' bytes, concatenated in this order.
PIN_FILES=(
  "$ROOT/test/fixtures/python-app/requirements.txt"
  "$ROOT/test/fixtures/conformance/python-flask/requirements.txt"
)
for f in "${PIN_FILES[@]}"; do
  [[ -f "$f" ]] || fail "missing pin file $f"
done
command -v python3 >/dev/null 2>&1 || fail "python3 not found; the Python wire tiers need Python >= 3.10"
# The stamp names the interpreter too: a venv whose python3 was upgraded underneath must be rebuilt.
PY_VERSION="$(python3 -c 'import sys; print(sys.version if sys.version_info >= (3, 10) else "")')"
[[ -n "$PY_VERSION" ]] || fail "python3 is $(python3 --version 2>&1); opentelemetry-distro 0.66b1 needs >= 3.10"

HASH="$(cat "${PIN_FILES[@]}" | sha256sum | cut -c1-16)"
VENV="$CACHE/python-venv-$HASH"
STAMP="$VENV/.runtime-lens-done"
LOG="$CACHE/python-venv-$HASH.log"
WANT="$PY_VERSION $HASH"

ready() {
  stamp_is "$STAMP" "$WANT" && "$VENV/bin/python" -c '' >/dev/null 2>&1
}

unless_ready "python-venv-$HASH" ready

rm -f "$STAMP"
run_logged venv python3 -m venv --clear "$VENV"
requirements=()
for f in "${PIN_FILES[@]}"; do requirements+=(-r "$f"); done
run_logged pip-install "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input "${requirements[@]}"
# Import what the apps import, and run the launcher once, so a broken install fails here, not mid-test.
run_logged import-check "$VENV/bin/python" -c 'import flask, requests, opentelemetry.distro, opentelemetry.sdk.trace
import opentelemetry.exporter.otlp.proto.http.trace_exporter, opentelemetry.exporter.otlp.proto.http._log_exporter
import opentelemetry.instrumentation.flask, opentelemetry.instrumentation.requests, opentelemetry.instrumentation.logging'
run_logged launcher-check "$VENV/bin/opentelemetry-instrument" --version
printf '%s' "$WANT" >"$STAMP"
echo "conformance/python: Python packages installed in $VENV" >&2
