#!/usr/bin/env python3
"""What a cluster did after an event, read from its nodes' JSON logs and from
`txstream status --json` snapshots; used by scripts/bench-failover and the
cluster scenarios (tests/cluster/scenarios.sh).

  cluster_log.py takeover SINCE_MS LOG...
      map_ms: when the last of the logs' nodes ran a shard map after SINCE_MS;
      consuming_ms: when the last of them was next assigned input partitions;
      leader_ms: when a leader first published a shard map after SINCE_MS;
      each in ms after SINCE_MS, -1 if a node never did; pause_ms: the
      median of the nodes' own pause for their first new map (its "takes
      input N ms after the previous map's pipeline stopped" line), -1 if
      none logged one.
  cluster_log.py moves BEFORE.json AFTER.json
      Checks that the shard map of AFTER moved only what it had to from the
      map of BEFORE: each node in both keeps as many of its shards as it can
      (min of its counts before and after), and AFTER is balanced within one
      shard per node. Prints what moved; exit 1 when either rule is broken.
"""
import datetime
import json
import statistics
import sys


def epoch_ms(stamp):
    t = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")
    return int(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


def messages_since(path, since_ms):
    """(ms after since_ms, message) of each log line at or after since_ms."""
    for line in open(path, errors="replace"):
        try:
            j = json.loads(line)
        except ValueError:
            continue
        t = epoch_ms(j["@timestamp"]) - since_ms
        if t >= 0:
            yield t, j.get("message", "")


def first(path, since_ms, prefix):
    return next((t for t, m in messages_since(path, since_ms) if m.startswith(prefix)), None)


def pause(path, since_ms):
    """A node's own pause for its first map after since_ms, or None."""
    for _, m in messages_since(path, since_ms):
        if m.startswith("cluster: map ") and " takes input " in m:
            return int(m.split(" takes input ")[1].split()[0])
    return None


def takeover(since_ms, logs):
    maps = [first(p, since_ms, "cluster: running shard map") for p in logs]
    assigns = [first(p, since_ms, "ingress: assigned") for p in logs]
    published = [t for t in (first(p, since_ms, "cluster: publishing shard map") for p in logs)
                 if t is not None]
    last = lambda ts: -1 if None in ts else max(ts)
    pauses = [t for t in (pause(p, since_ms) for p in logs) if t is not None]
    print(f"map_ms={last(maps)} consuming_ms={last(assigns)} "
          f"leader_ms={min(published) if published else -1} "
          f"pause_ms={int(statistics.median(pauses)) if pauses else -1}")


def owners(path):
    shard_map = json.load(open(path))["shardMap"]
    return shard_map["version"], {n["id"]: set(n["shards"]) for n in shard_map["nodes"]}


def moves(before_path, after_path):
    v0, before = owners(before_path)
    v1, after = owners(after_path)
    moved = sum(len(s - before.get(n, set())) for n, s in after.items())
    needed = sum(max(0, len(s) - len(before.get(n, set()))) for n, s in after.items())
    print(f"shard map {v0} -> {v1}: {moved} shards moved, {needed} had to; "
          + ", ".join(f"{n} {len(before.get(n, ()))}->{len(after.get(n, ()))}"
                      for n in sorted(set(before) | set(after))))
    ok = True
    for n in set(before) & set(after):
        kept = len(before[n] & after[n])
        if kept != min(len(before[n]), len(after[n])):
            print(f"{n} kept {kept} of its {len(before[n])} shards, could have kept "
                  f"{min(len(before[n]), len(after[n]))}")
            ok = False
    counts = [len(s) for s in after.values()]
    if counts and max(counts) - min(counts) > 1:
        print(f"map {v1} is not balanced: {sorted(counts)}")
        ok = False
    return 0 if ok and moved == needed else 1


def main(argv):
    if len(argv) >= 3 and argv[0] == "takeover":
        takeover(int(argv[1]), argv[2:])
        return 0
    if len(argv) == 3 and argv[0] == "moves":
        return moves(argv[1], argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
