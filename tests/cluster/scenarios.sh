#!/usr/bin/env bash
# Cluster scenarios against the real broker, each on topics of its own: N
# txstream node processes (scripts/cluster) drain a generated input while
# nodes join or leave, then `txstream verify` checks every window, running
# total and anomaly exactly.
#
#   tests/cluster/scenarios.sh BUILD_DIR SCENARIO
#
# SCENARIO: three   three nodes drain the input
#           leave   node-2 of three stops (SIGTERM) mid-stream; the others
#                   take its shards and partitions
#           join    node-3 joins two nodes mid-stream
#           tls     three nodes over mutual TLS drain the input
#           kill    node-2 of three is killed (SIGKILL) mid-stream and started
#                   again a few seconds later
#           leader  the leader of three is killed (SIGKILL) mid-stream
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$1"
scenario="$2"
txs="$build/txstream"
cluster="$root/scripts/cluster"
count="${CLUSTER_TEST_RECORDS:-200000}"

work="$(mktemp -d)"
export CLUSTER_DIR="$work/cluster"
export BUILD="$build"
run="${TXSTREAM_TEST_RUN:-cluster_$(date +%s)_}cl_${scenario}_$$"
export TXSTREAM_KAFKA_BOOTSTRAP="${TXSTREAM_TEST_BOOTSTRAP:-127.0.0.1:9092}"
export TXSTREAM_KAFKA_GROUP_ID="$run"
for t in transactions aggregates anomalies deadletter control state; do
  export "TXSTREAM_TOPICS_${t^^}_NAME=${run}_$t"
done
# Failures are noticed in a few seconds rather than the defaults' six.
export TXSTREAM_CLUSTER_HEARTBEAT_MS=500
export TXSTREAM_CLUSTER_NODE_TIMEOUT_MS=3000
export TXSTREAM_KAFKA_SESSION_TIMEOUT_MS=6000

finish() {
  local rc=$?
  "$cluster" down 30 >/dev/null 2>&1 || true
  # A node that did not stop must not hold its ports for the next scenario.
  for f in "$CLUSTER_DIR"/node-*.pid; do
    [[ -e "$f" ]] && kill -KILL "$(cat "$f")" 2>/dev/null || true
  done
  if ((rc != 0)); then
    for f in "$CLUSTER_DIR"/node-*.log; do
      [[ -e "$f" ]] || continue
      echo "--- last lines of ${f##*/}"
      grep -E '"log.level":"(warn|warning|error|critical)"|cluster:|drained|stopped' "$f" | tail -n 15 || true
    done
  fi
  rm -rf "$work"
  exit "$rc"
}
trap finish EXIT

"$txs" topics create >/dev/null
# Event time at a human pace (10 records a second), ending about now.
start_ms=$(( $(date +%s) * 1000 - count * 100 ))
"$txs" generate --topic "${run}_transactions" --rate max --count "$count" \
  --start-time "$start_ms" --event-rate 10 --seed 11 --drain-scenarios >/dev/null

# Waits until the latest heartbeats show `n` live nodes routing by one map.
await_nodes() {
  local n="$1" deadline=$((SECONDS + 60)) live
  while ((SECONDS < deadline)); do
    live="$("$txs" status --json --node-timeout-ms 3000 2>/dev/null \
      | python3 -c 'import json,sys
s=json.load(sys.stdin); up=[x for x in s["nodes"] if x["status"]=="live"]
print(len(up) if len({x["mapVersion"] for x in up})==1 and all(x["mapVersion"]>0 for x in up) else 0)' \
      2>/dev/null || echo 0)"
    [[ "$live" == "$n" ]] && return 0
    sleep 0.5
  done
  echo "cluster: $n nodes did not settle on one map within 60 s" >&2
  "$txs" status --node-timeout-ms 3000 >&2 || true
  return 1
}

case "$scenario" in
  three)
    "$cluster" up 3 --until-drained
    ;;
  leave)
    "$cluster" up 3 --until-drained
    await_nodes 3
    "$cluster" stop 2
    ;;
  join)
    "$cluster" up 2 --until-drained
    await_nodes 2
    "$cluster" start 3
    ;;
  tls)
    export CLUSTER_TLS_DIR="$work/tls"
    "$cluster" up 3 --until-drained
    ;;
  kill)
    "$cluster" up 3 --until-drained
    await_nodes 3
    "$cluster" kill 2
    sleep 4
    "$cluster" start 2
    ;;
  leader)
    "$cluster" up 3 --until-drained
    await_nodes 3
    leader="$("$txs" status --json --node-timeout-ms 3000 \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["leader"]["id"])')"
    "$cluster" kill "${leader#node-}"
    ;;
  *)
    echo "unknown scenario $scenario" >&2
    exit 2
    ;;
esac
"$cluster" wait 240
"$txs" verify >"$work/verify.out" 2>&1 || { cat "$work/verify.out"; exit 1; }
grep -E '^(INPUT|WINDOWS|RUNNING TOTALS|FRAUD)|verify' "$work/verify.out"
