#!/usr/bin/env bash
# The real trace and metric backends the wire tests and the demo run (test/support/backends.ts):
#   Jaeger v2       ${RUNTIME_LENS_CACHE:-$HOME/.cache/runtime-lens}/jaeger-1.75.0/jaeger
#                   (Go module github.com/jaegertracing/jaeger v1.75.0, the approved version: newer
#                   ones exist but are not approved)
#   the collector   .../otelcol-<key>/otelcol, built by the OpenTelemetry Collector Builder v0.165.0
#                   from scripts/backends/collector-builder.yaml; <key> is the first 16 hex of
#                   sha256 over that manifest, so editing it rebuilds
#   Prometheus      Debian's package, installed with apt-get only when `prometheus` is not on PATH
# Go downloads go to Go's own module and build caches (outside the clone). Idempotent: returns at
# once, printing nothing, when everything is there. On failure: one line on stderr, exit 1.
# With arguments, runs only the named steps (jaeger, collector, prometheus).
set -euo pipefail
SCRIPT_NAME=setup-backends
# fail, run_logged, stamp_is, apt_install, ROOT and CACHE.
source "$(dirname "${BASH_SOURCE[0]}")/conformance/lib.sh"

JAEGER_VERSION="1.75.0"
BUILDER_VERSION="0.165.0"
MANIFEST="$ROOT/scripts/backends/collector-builder.yaml"

need_go() {
  command -v go >/dev/null 2>&1 || fail "go not found; building Jaeger and the collector needs Go >= 1.25"
}

# GOTOOLCHAIN=local: a module asking for a newer Go fails here instead of fetching a toolchain.
export GOTOOLCHAIN=local

# A throwaway module that pins one Go tool with `go get -tool`, then builds it to OUT.
# GOFLAGS is cleared of -mod=readonly: `go get` must write the temp module's go.mod.
build_go_tool() {
  local work="$1" tool="$2" out="$3"
  rm -rf "$work"
  mkdir -p "$work"
  run_logged "$tool-mod-init" env GOFLAGS=-buildvcs=false go -C "$work" mod init runtime-lens-backend-build
  run_logged "$tool-get" env GOFLAGS=-buildvcs=false go -C "$work" get -tool "$tool"
  run_logged "$tool-build" env GOFLAGS=-buildvcs=false CGO_ENABLED=0 go -C "$work" build -trimpath -o "$out" "${tool%@*}"
}

ensure_jaeger() {
  local out="$CACHE/jaeger-$JAEGER_VERSION"
  local stamp="$out/.runtime-lens-done"
  [[ -f "$stamp" && -x "$out/jaeger" ]] && return 0
  need_go
  mkdir -p "$CACHE"
  (
    exec 9>"$CACHE/jaeger-$JAEGER_VERSION.lock"
    flock 9
    [[ -f "$stamp" && -x "$out/jaeger" ]] && exit 0
    LOG="$CACHE/jaeger-$JAEGER_VERSION.log"
    echo "setup-backends: building Jaeger $JAEGER_VERSION (a few minutes the first time)" >&2
    rm -rf "$out"
    mkdir -p "$out"
    build_go_tool "$CACHE/jaeger-$JAEGER_VERSION.build" \
      "github.com/jaegertracing/jaeger/cmd/jaeger@v$JAEGER_VERSION" "$out/jaeger"
    run_logged jaeger-version "$out/jaeger" version
    rm -rf "$CACHE/jaeger-$JAEGER_VERSION.build"
    touch "$stamp"
  )
}

# The cache key of the collector: the manifest's hash (test/support/backends.ts derives the same).
collector_key() {
  sha256sum "$MANIFEST" | cut -c1-16
}

ensure_collector() {
  [[ -f "$MANIFEST" ]] || fail "missing $MANIFEST"
  local key out stamp
  key="$(collector_key)"
  out="$CACHE/otelcol-$key"
  stamp="$out/.runtime-lens-done"
  [[ -f "$stamp" && -x "$out/otelcol" ]] && return 0
  need_go
  mkdir -p "$CACHE"
  (
    exec 9>"$CACHE/otelcol-$key.lock"
    flock 9
    [[ -f "$stamp" && -x "$out/otelcol" ]] && exit 0
    LOG="$CACHE/otelcol-$key.log"
    echo "setup-backends: building the OpenTelemetry Collector (builder v$BUILDER_VERSION; a few minutes the first time)" >&2
    local work="$CACHE/otelcol-$key.build"
    rm -rf "$out"
    mkdir -p "$out"
    build_go_tool "$work/builder" "go.opentelemetry.io/collector/cmd/builder@v$BUILDER_VERSION" "$work/ocb"
    # The builder writes the generated sources and the binary to --output-path.
    run_logged collector-build env GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
      "$work/ocb" --config "$MANIFEST" --output-path "$work/dist"
    cp "$work/dist/otelcol" "$out/otelcol"
    run_logged collector-version "$out/otelcol" --version
    cp "$MANIFEST" "$out/collector-builder.yaml"
    rm -rf "$work"
    touch "$stamp"
  )
}

ensure_prometheus() {
  command -v prometheus >/dev/null 2>&1 && return 0
  LOG="$CACHE/prometheus-apt.log"
  mkdir -p "$CACHE"
  exec 8>"$CACHE/prometheus-apt.lock"
  flock 8
  command -v prometheus >/dev/null 2>&1 && return 0
  apt_install prometheus
  command -v prometheus >/dev/null 2>&1 || fail "apt-get installed prometheus but it is not on PATH"
  echo "setup-backends: installed Debian's prometheus ($(prometheus --version 2>&1 | head -n 1))" >&2
}

main() {
  if [[ $# -eq 0 ]]; then
    set -- prometheus jaeger collector
  fi
  local step
  for step in "$@"; do
    case "$step" in
      jaeger) ensure_jaeger ;;
      collector) ensure_collector ;;
      prometheus) ensure_prometheus ;;
      *) fail "unknown step '$step' (known: jaeger, collector, prometheus)" ;;
    esac
  done
}

main "$@"
