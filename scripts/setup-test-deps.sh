#!/usr/bin/env bash
# Installs what the test tiers need beyond node_modules. Run by `npm test`'s pretest.
# Idempotent and quiet when already done; on failure prints one line and exits non-zero,
# because CI must fail loudly rather than skip a tier.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
VENV="$TOOLS/venv"
PY_REQUIREMENTS="$ROOT/test/fixtures/python-app/requirements.txt"

# One clear line on stderr, then a non-zero exit: CI must fail loudly, never skip.
fail() {
  echo "setup-test-deps: $*" >&2
  exit 1
}

# Runs a command with its output kept in a log; on failure names the step and the log.
run_logged() {
  local step="$1"
  shift
  local log="$TOOLS/setup-$step.log"
  mkdir -p "$TOOLS"
  if ! "$@" >"$log" 2>&1; then
    fail "$step failed (see $log): $(tail -n 1 "$log")"
  fi
}

# The pin list without comments or blank lines: what the stamp compares.
python_pins() {
  grep -Ev '^[[:space:]]*(#|$)' "$PY_REQUIREMENTS"
}

# The Python SDK tier: a venv at .tools/venv with the pins of the fixture app.
ensure_python_venv() {
  [[ -f "$PY_REQUIREMENTS" ]] || fail "missing $PY_REQUIREMENTS"
  command -v python3 >/dev/null 2>&1 || fail "python3 not found; the Python SDK tier needs it"
  local stamp="$VENV/.runtime-lens-pins"
  local pins
  pins="$(python_pins)"
  local usable=false
  # A venv whose interpreter vanished (e.g. python3 was upgraded) must be rebuilt, not reused.
  if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c '' >/dev/null 2>&1; then
    usable=true
  fi
  if [[ "$usable" == true && -f "$stamp" && "$(cat "$stamp")" == "$pins" ]]; then
    return 0
  fi
  if [[ "$usable" != true ]]; then
    run_logged python-venv python3 -m venv --clear "$VENV"
  fi
  rm -f "$stamp"
  run_logged python-packages "$VENV/bin/python" -m pip install --disable-pip-version-check \
    --no-input -r "$PY_REQUIREMENTS"
  # Import what the fixture app imports so a broken install fails here, not mid-test.
  run_logged python-check "$VENV/bin/python" -c \
    'import flask, opentelemetry.sdk.trace, opentelemetry.exporter.otlp.proto.http.trace_exporter, opentelemetry.instrumentation.flask'
  printf '%s' "$pins" >"$stamp"
  echo "setup-test-deps: Python test packages installed in .tools/venv"
}

# One ensure_* step per dependency; each returns at once when its stamp says it is done.
main() {
  ensure_python_venv
}

main "$@"
