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
#           cut     the links between three nodes are cut (TCP proxies in
#                   front of their peer ports reset them) while the nodes
#                   and their heartbeats live on, under live input
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

background=()
finish() {
  local rc=$?
  for b in "${background[@]}"; do kill "$b" 2>/dev/null || true; done
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
if [[ "$scenario" == cut ]]; then
  # Live input for 25 s, so the links are cut while records flow.
  "$txs" generate --topic "${run}_transactions" --rate 3000 --duration 25 --seed 11 \
    --no-drain-scenarios >/dev/null &
  generator=$!
  background+=("$generator")
  sleep 2
else
  # Event time at a human pace (10 records a second), ending about now.
  start_ms=$(( $(date +%s) * 1000 - count * 100 ))
  "$txs" generate --topic "${run}_transactions" --rate max --count "$count" \
    --start-time "$start_ms" --event-rate 10 --seed 11 --drain-scenarios >/dev/null
fi

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
  cut)
    # Every node advertises a proxy: whichever of two nodes connected
    # first, their one CAF connection runs through a proxy.
    proxies=()
    for i in 1 2 3; do
      proxy_port=$((${CLUSTER_PORT:-17100} + 100 + i))
      python3 "$root/tests/cluster/link_proxy.py" "$proxy_port" "$((${CLUSTER_PORT:-17100} + i))" \
        >>"$work/proxy.log" 2>&1 &
      proxies+=($!)
      export "CLUSTER_ADVERTISE_$i=127.0.0.1:$proxy_port"
    done
    background+=("${proxies[@]}")
    "$cluster" up 3 --until-drained
    await_nodes 3
    sleep 3
    kill -USR1 "${proxies[@]}"
    wait "$generator"
    ;;
  *)
    echo "unknown scenario $scenario" >&2
    exit 2
    ;;
esac
"$cluster" wait 240
"$txs" verify >"$work/verify.out" 2>&1 || { cat "$work/verify.out"; exit 1; }
grep -E '^(INPUT|WINDOWS|RUNNING TOTALS|FRAUD)|verify' "$work/verify.out"
if [[ "$scenario" == three ]]; then
  # Shards on all three: each node ran a map that gave it some.
  for i in 1 2 3; do
    grep -q 'running shard map [0-9]*: [1-9][0-9]* shards' "$CLUSTER_DIR/node-$i.log" \
      || { echo "node-$i hosted no shard" >&2; exit 1; }
  done
fi
if [[ "$scenario" == cut ]]; then
  # The cut took effect (nodes lost their peers) and the cluster recovered.
  grep -h -o 'cluster: lost node-[^"(]*\|cluster: a peer of map [^"]*\|running shard map [0-9]*' \
    "$CLUSTER_DIR"/node-*.log | sort | uniq -c
  grep -q 'cluster: lost node-' "$CLUSTER_DIR"/node-*.log \
    || { echo "the cut reached no node" >&2; exit 1; }
fi
