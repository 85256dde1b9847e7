#!/usr/bin/env bash
# Cluster scenarios against the real broker, each on topics of its own: N
# txstream node processes (scripts/cluster) drain a generated input while
# nodes join or leave, then `txstream verify` checks every window, running
# total and anomaly exactly.
#
#   tests/cluster/scenarios.sh BUILD_DIR SCENARIO
#
# SCENARIO: three   three nodes drain the input
#           churn   under live input, node-2 of three stops (SIGTERM) and,
#                   once the others took its shards, node-4 joins; each new
#                   shard map moved only the shards it had to
#           tls     three nodes over mutual TLS drain the input
#           kill    node-2 of three is killed (SIGKILL) mid-stream: the
#                   survivors run a map without it and consume again within
#                   the node timeout plus the group's session timeout; started
#                   again, it gets shards again
#           leader  the leader of three is killed (SIGKILL) mid-stream: a new
#                   leader publishes a shard map within the session timeout
#                   plus 2 s
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
cluster_log=(python3 "$root/scripts/lib/cluster_log.py")

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
if [[ "$scenario" == cut || "$scenario" == churn ]]; then
  # Live input, so the links are cut or nodes come and go while records flow.
  "$txs" generate --topic "${run}_transactions" --rate 3000 \
    --duration "$([[ "$scenario" == cut ]] && echo 25 || echo 35)" --seed 11 \
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

# Waits until the newest shard map places shards on exactly the nodes named
# (node ids) and the live nodes are exactly those, each routing by that map.
await_map() {
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    if "$txs" status --json --node-timeout-ms 3000 2>/dev/null | python3 -c 'import json,sys
s=json.load(sys.stdin); want=set(sys.argv[1:]); m=s.get("shardMap")
up=[x for x in s["nodes"] if x["status"]=="live"]
sys.exit(0 if m and {n["id"] for n in m["nodes"]}==want and {x["id"] for x in up}==want
         and all(x["mapVersion"]==m["version"] for x in up) else 1)' "$@" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  echo "cluster: no shard map on exactly $* that they all run within 60 s" >&2
  "$txs" status --node-timeout-ms 3000 >&2 || true
  return 1
}

# The shard map the cluster runs now, for `cluster_log.py moves`.
snapshot() {
  "$txs" status --json --node-timeout-ms 3000 >"$work/$1.json" || true
}

# Fails unless `what` (ms, from cluster_log.py takeover's line) is within
# `bound` ms.
within() {
  local line="$1" what="$2" bound="$3" value
  value="$(grep -o "$what=-\?[0-9]*" <<<"$line" | cut -d= -f2)"
  if [[ -z "$value" || "$value" -lt 0 || "$value" -gt "$bound" ]]; then
    echo "$what: ${value:-none} ms after the kill, bound $bound ms" >&2
    return 1
  fi
}

case "$scenario" in
  three)
    "$cluster" up 3 --until-drained
    ;;
  churn)
    "$cluster" up 3 --until-drained
    await_map node-1 node-2 node-3
    snapshot three
    "$cluster" stop 2
    await_map node-1 node-3
    snapshot two
    "$cluster" start 4
    await_map node-1 node-3 node-4
    snapshot joined
    "${cluster_log[@]}" moves "$work/three.json" "$work/two.json"
    "${cluster_log[@]}" moves "$work/two.json" "$work/joined.json"
    # Heartbeats carry each link's traffic (txstream status shows it), once
    # batches crossed nodes under the last map.
    deadline=$((SECONDS + 30))
    until "$txs" status --json --node-timeout-ms 3000 | python3 -c 'import json,sys
links=[l for n in json.load(sys.stdin)["nodes"] if n["status"]=="live" for l in n["links"]]
sys.exit(0 if any(l["sent"] > 0 and l["bytes"] > 0 for l in links) else 1)'; do
      ((SECONDS < deadline)) || { echo "no link traffic in the heartbeats within 30 s" >&2; exit 1; }
      sleep 0.5
    done
    wait "$generator"
    ;;
  tls)
    export CLUSTER_TLS_DIR="$work/tls"
    "$cluster" up 3 --until-drained
    ;;
  kill)
    "$cluster" up 3 --until-drained
    await_map node-1 node-2 node-3
    kill_ms=$(date +%s%3N)
    "$cluster" kill 2
    sleep 4
    "$cluster" start 2
    ;;
  leader)
    "$cluster" up 3 --until-drained
    await_map node-1 node-2 node-3
    leader="$("$txs" status --json --node-timeout-ms 3000 \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["leader"]["id"])')"
    kill_ms=$(date +%s%3N)
    "$cluster" kill "${leader#node-}"
    survivors=()
    for i in 1 2 3; do
      [[ "node-$i" == "$leader" ]] || survivors+=("$CLUSTER_DIR/node-$i.log")
    done
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
    await_map node-1 node-2 node-3
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
session_ms="$TXSTREAM_KAFKA_SESSION_TIMEOUT_MS"
if [[ "$scenario" == kill ]]; then
  # The survivors took over before node-2 came back (its restart came 4 s
  # after the kill), or right after it did; node-2 hosts shards again.
  line="$("${cluster_log[@]}" takeover "$kill_ms" "$CLUSTER_DIR/node-1.log" "$CLUSTER_DIR/node-3.log")"
  echo "after the kill: $line"
  bound=$((TXSTREAM_CLUSTER_NODE_TIMEOUT_MS + session_ms))
  within "$line" map_ms "$bound"
  within "$line" consuming_ms "$bound"
  grep -q 'running shard map [0-9]*: [1-9][0-9]* shards' "$CLUSTER_DIR/node-2.log" \
    || { echo "node-2 got no shard after its restart" >&2; exit 1; }
fi
if [[ "$scenario" == leader ]]; then
  line="$("${cluster_log[@]}" takeover "$kill_ms" "${survivors[@]}")"
  echo "after the leader's kill: $line"
  within "$line" leader_ms $((session_ms + 2000))
fi
if [[ "$scenario" == cut ]]; then
  # The cut took effect (nodes lost their peers) and the cluster recovered.
  grep -h -o 'cluster: lost node-[^"(]*\|cluster: a peer of map [^"]*\|running shard map [0-9]*' \
    "$CLUSTER_DIR"/node-*.log | sort | uniq -c
  grep -q 'cluster: lost node-' "$CLUSTER_DIR"/node-*.log \
    || { echo "the cut reached no node" >&2; exit 1; }
  # Lost peers are no failures of a node's own: no restart budget spent.
  if grep -h 'supervisor: restarting the pipeline' "$CLUSTER_DIR"/node-*.log; then
    echo "a lost peer spent a node's restart budget" >&2
    exit 1
  fi
fi
