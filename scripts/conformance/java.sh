#!/usr/bin/env bash
# The Java conformance tier (test/fixtures/conformance/java-spring): makes sure a JDK 17+ and Maven
# are there, fetches the OpenTelemetry Java agent and builds the Spring Boot app's executable jar,
# all into the cache outside the clone:
#   $CACHE/m2                               Maven local repository
#   $CACHE/otel-javaagent-<version>/opentelemetry-javaagent.jar
#   $CACHE/java-spring-<hash>/app.jar       <hash>: pom.xml + src/ of the app (see below)
# with CACHE=${RUNTIME_LENS_CACHE:-$HOME/.cache/runtime-lens}. test/support/conformanceCache.ts
# derives the same paths. Idempotent (stamp files) and quiet when done; on failure one line on
# stderr and a non-zero exit.
set -euo pipefail
SCRIPT_NAME=conformance/java
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APP="$ROOT/test/fixtures/conformance/java-spring"
M2="$CACHE/m2"
# conformanceCache.ts reads this line.
AGENT_VERSION=2.31.0
AGENT_DIR="$CACHE/otel-javaagent-$AGENT_VERSION"
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
LOG="$CACHE/logs/java.log"

java_major() {
  javac -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p'
}

# The machine image ships OpenJDK 17 and Maven from Debian; install them the same way where missing.
ensure_jdk() {
  if command -v javac >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1 && [[ "$(java_major)" -ge 17 ]]; then
    return 0
  fi
  apt_install openjdk-17-jdk-headless maven
  [[ "$(java_major)" -ge 17 ]] || fail "javac on PATH is $(javac -version 2>&1); the app needs 17+"
}

agent_ready() {
  [[ -f "$AGENT_DIR/.done" && -f "$AGENT_DIR/opentelemetry-javaagent.jar" ]]
}

# The agent, keyed by its version.
ensure_agent() {
  local jar="$AGENT_DIR/opentelemetry-javaagent.jar"
  agent_ready && return 0
  mkdir -p "$AGENT_DIR"
  run_logged agent mvn -B -q -Dmaven.repo.local="$M2" "$DEPENDENCY_PLUGIN:copy" \
    -Dartifact="io.opentelemetry.javaagent:opentelemetry-javaagent:$AGENT_VERSION" \
    -DoutputDirectory="$AGENT_DIR" -Dmdep.stripVersion=true
  [[ -f "$jar" ]] || fail "the agent copy left no $jar"
  touch "$AGENT_DIR/.done"
}

# The app's jar, keyed by sha256 over `sha256sum` lines of pom.xml and src/** sorted by path;
# built outside the clone so the fixture stays clean.
APP_DIR="$CACHE/java-spring-$(files_key "$APP" "" pom.xml src)"

app_ready() {
  [[ -f "$APP_DIR/.done" && -f "$APP_DIR/app.jar" ]]
}

ensure_app() {
  local dir="$APP_DIR"
  app_ready && return 0
  local build="$CACHE/java-spring-build.$$"
  rm -rf "$build"
  mkdir -p "$build"
  cp -R "$APP/pom.xml" "$APP/src" "$build/"
  run_logged build mvn -B -q -Dmaven.repo.local="$M2" -f "$build/pom.xml" -DskipTests package
  [[ -f "$build/target/shop.jar" ]] || fail "the build left no $build/target/shop.jar"
  rm -rf "$dir"
  mkdir -p "$dir"
  mv "$build/target/shop.jar" "$dir/app.jar"
  rm -rf "$build"
  touch "$dir/.done"
}

ready() {
  agent_ready && app_ready
}

ensure_jdk
unless_ready java-spring ready
ensure_agent
ensure_app
