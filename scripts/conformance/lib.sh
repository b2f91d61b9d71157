# shellcheck shell=bash
# Sourced by scripts/conformance/*.sh and scripts/setup-test-deps.sh: what they share. The sourcing
# script sets SCRIPT_NAME (the prefix of its one failure line) and, before its first run_logged,
# LOG. Every step they take is idempotent and quiet when already done; on failure one line on
# stderr and a non-zero exit, because CI must fail loudly rather than skip a tier.

# The repository root.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The toolchain cache outside the clone; test/support/conformanceCache.ts uses the same rule.
CACHE="${RUNTIME_LENS_CACHE:-$HOME/.cache/runtime-lens}"

# One clear line on stderr, then a non-zero exit.
fail() {
  echo "$SCRIPT_NAME: $*" >&2
  exit 1
}

# run_logged STEP COMMAND...: runs COMMAND with its output appended to $LOG (emptied on the first
# call of this run); on failure, one line naming the step, the log and the log's last line.
run_logged() {
  local step="$1"
  shift
  if [[ -z "${_RUN_LOGGED_STARTED:-}" ]]; then
    mkdir -p "$(dirname "$LOG")"
    : >"$LOG"
    _RUN_LOGGED_STARTED=1
  fi
  if ! "$@" >>"$LOG" 2>&1; then
    fail "$step failed (see $LOG): $(tail -n 1 "$LOG")"
  fi
}

# stamp_is FILE WANT: whether FILE exists and holds exactly WANT.
stamp_is() {
  [[ -f "$1" && "$(cat "$1")" == "$2" ]]
}

# unless_ready NAME CHECK...: exits 0 at once when CHECK succeeds. Otherwise takes the lock
# $CACHE/NAME.lock (held until the script exits: two test runs may start at once, and the second
# waits for the first instead of building over it), then checks again, as the first may have
# finished meanwhile.
unless_ready() {
  local name="$1"
  shift
  "$@" && exit 0
  mkdir -p "$CACHE"
  exec 9>"$CACHE/$name.lock"
  flock 9
  "$@" && exit 0
  return 0
}

# files_key DIR SUFFIX FIND_ARG...: the first 16 hex of sha256 over the `sha256sum` lines of the
# files `find FIND_ARG... -type f` lists in DIR (paths without ./, in C order), followed by SUFFIX
# and a newline unless SUFFIX is empty. conformanceCache.ts computes the same keys.
files_key() {
  local dir="$1" suffix="$2"
  shift 2
  (
    cd "$dir"
    find "$@" -type f | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum
    if [[ -n "$suffix" ]]; then echo "$suffix"; fi
  ) | sha256sum | cut -c1-16
}

# apt_install PACKAGE...: installs Debian packages through apt-get (with sudo -n when not root).
apt_install() {
  command -v apt-get >/dev/null 2>&1 || fail "apt-get not found; install these Debian packages by hand: $*"
  local sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || fail "not root and no sudo; install these Debian packages by hand: $*"
    sudo=(sudo -n)
  fi
  run_logged apt-update "${sudo[@]}" apt-get update
  run_logged apt-install "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}
