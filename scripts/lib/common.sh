# Shared helpers of the scripts in scripts/. Source it; do not run it.
# tests/scripts checks that a script calling one of them sources this file.
# shellcheck shell=bash disable=SC2034  # variables are for the scripts that source this

# Repository root, from this file's location (scripts/lib/common.sh).
TXS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TXS_KAFKA_RUNTIME="$TXS_ROOT/scripts/kafka-runtime"

# The Kafka version lives in one place only: the pom's <kafka.version>.
# Empty where the pom is absent: the txstream container image carries
# cluster-ca and this file but no Kafka runtime.
TXS_KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' \
  "$TXS_KAFKA_RUNTIME/pom.xml" 2>/dev/null | head -n1 || true)"
TXS_KAFKA_HOME="$TXS_ROOT/.cache/kafka-$TXS_KAFKA_VERSION"
TXS_KAFKA_LIB="$TXS_KAFKA_HOME/lib"
TXS_KAFKA_STAMP="$TXS_KAFKA_HOME/.stamp"

# Progress and errors: short lines, prefixed with the script name.
say()  { printf '%s: %s\n' "${0##*/}" "$*"; }
warn() { printf '%s: warning: %s\n' "${0##*/}" "$*" >&2; }
die()  { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }
# Value of `key=` ($2) in a line of space-separated k=v pairs ($1).
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }

# CPU of the local single broker so far (clock ticks, user + system), 0
# when no local single broker runs: two readings around a run give what
# serving it cost the broker. `broker_ticks jit`: only its JIT compiler
# threads (C1, C2), which a fresh broker keeps busy for its first dozen node
# drains.
broker_ticks() {
  local pid t sum=0 f
  pid=$(cat "$TXS_ROOT/var/kafka/single/kafka.pid" 2>/dev/null) || { echo 0; return; }
  if [[ "${1:-}" != jit ]]; then
    awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0
    return
  fi
  for t in /proc/"$pid"/task/*; do
    [[ "$(cat "$t/comm" 2>/dev/null)" == C[12]\ Compiler* ]] || continue
    # The thread name has a space: fields counted after its closing ")".
    read -ra f <<<"$(sed 's/.*) //' "$t/stat" 2>/dev/null)" || continue
    ((${#f[@]} > 12)) && sum=$((sum + f[11] + f[12]))
  done
  echo "$sum"
}
# The benchmarks' input has 10 M users and nearly every record is a new
# one: the fraud detectors remember ~1.8 M of them (2 h of event time),
# more than a node's default memory budget holds (BENCHMARKS.md, "Memory
# budget"). Benchmark nodes get 1 GiB unless the caller says otherwise.
bench_memory_budget() {
  export TXSTREAM_PIPELINE_MEMORY_BUDGET_MB="${TXSTREAM_PIPELINE_MEMORY_BUDGET_MB:-1024}"
}

# Clock ticks $1 in seconds, two decimals.
ticks_s() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'; }

# Major version of a java binary ("17" for 17.0.x), empty when it cannot run.
java_major() {
  local v
  v="$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')" || true
  printf '%s' "${v%%.*}"
}

# Path of a JDK 17 java: $JAVA_HOME first, then PATH, then Debian's JVM dir.
# Why not "any java >= 17": the project is tested on 17 only (a Temurin 25 may
# sit next to it and win on PATH on some machines).
find_java17() {
  local c
  for c in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null)" \
           /usr/lib/jvm/java-17-openjdk-*/bin/java; do
    [[ -n "$c" && -x "$c" ]] || continue
    if [[ "$(java_major "$c")" == 17 ]]; then printf '%s' "$c"; return 0; fi
  done
  return 1
}

# The stamp records what was resolved: the pom's hash and the jar count.
# setup writes it last; scripts/kafka trusts the jars only when it exists.
kafka_pom_hash() { sha256sum "$TXS_KAFKA_RUNTIME/pom.xml" | cut -d' ' -f1; }
