// The cluster view's decisions: when the leader publishes a map and which,
// which maps every node adopts, when a new map may start, when the cluster
// is drained.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/cluster_view.hpp"
#include "actors/shard_placement.hpp"
#include "messages/incarnation.hpp"

using namespace txstream;

namespace {

node_heartbeat beat(const std::string& id, std::int64_t sent_ms, std::uint64_t map_version = 0,
                    std::vector<std::string> roles = {"ingest", "aggregate"},
                    std::uint32_t generation = 0) {
  node_heartbeat hb;
  hb.id = id;
  hb.incarnation = make_incarnation(1700000000000, generation);
  hb.endpoint = id + ":4100";
  hb.roles = std::move(roles);
  hb.started_ms = 1700000000000;
  hb.sent_ms = sent_ms;
  hb.map_version = map_version;
  return hb;
}

cluster_view_config config(const std::string& id) {
  cluster_view_config c;
  c.node_id = id;
  c.shards = 64;
  c.node_timeout_ms = 6000;
  c.settle_ms = 2000;
  c.republish_ms = 5000;
  return c;
}

std::vector<std::uint32_t> shards_of(const shard_map& m, const std::string& id) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t s = 0; s < m.shards(); ++s)
    if (const auto* n = m.owner_of(s); n != nullptr && n->id == id)
      out.push_back(s);
  return out;
}

}  // namespace

TEST_CASE("the leader publishes one map once the aggregate nodes settled", "[actors]") {
  cluster_view v{config("node-1")};
  v.on_heartbeat(beat("node-1", 1000), 1000);
  v.set_leader(true);
  CHECK(v.leader_epoch() == 1);
  CHECK_FALSE(v.map_to_publish(1000));  // just seen: nodes may still be starting
  v.on_heartbeat(beat("node-2", 1500), 1500);
  CHECK_FALSE(v.map_to_publish(1500));
  v.on_heartbeat(beat("node-3", 1600, 0, {"ingest"}), 1600);
  v.on_heartbeat(beat("node-1", 2000), 2000);
  CHECK_FALSE(v.map_to_publish(3000));  // node-2 came at 1500
  auto m = v.map_to_publish(3600);
  REQUIRE(m);
  CHECK(m->version == 1);
  CHECK(m->leader == "node-1");
  CHECK(m->leader_epoch == 1);
  REQUIRE(m->nodes.size() == 2);  // node-3 does not aggregate
  CHECK(shards_of(*m, "node-1").size() == 32);
  CHECK(shards_of(*m, "node-2").size() == 32);
  // On its way through the log: not published again until it is late.
  CHECK_FALSE(v.map_to_publish(4000));
  REQUIRE(v.on_map(*m));
  CHECK(v.adopted_version() == 1);
  CHECK_FALSE(v.map_to_publish(9000));  // nothing changed
}

TEST_CASE("a map that does not come back from the log is published again", "[actors]") {
  cluster_view v{config("node-1")};
  v.on_heartbeat(beat("node-1", 0), 0);
  v.set_leader(true);
  v.map_to_publish(0);
  REQUIRE(v.map_to_publish(2000));
  v.on_heartbeat(beat("node-1", 5000), 5000);
  CHECK_FALSE(v.map_to_publish(6999));
  auto again = v.map_to_publish(7000);
  REQUIRE(again);
  CHECK(again->version == 1);
}

TEST_CASE("only non-leaders: no map - a killed node's shards move after the timeout", "[actors]") {
  cluster_view leader{config("node-1")};
  cluster_view follower{config("node-2")};
  for (auto* v : {&leader, &follower}) {
    v->on_heartbeat(beat("node-1", 0), 0);
    v->on_heartbeat(beat("node-2", 0), 0);
    v->on_heartbeat(beat("node-3", 0), 0);
  }
  leader.set_leader(true);
  leader.map_to_publish(0);
  follower.map_to_publish(0);
  CHECK_FALSE(follower.map_to_publish(3000));
  auto first = leader.map_to_publish(3000);
  REQUIRE(first);
  REQUIRE(leader.on_map(*first));
  REQUIRE(follower.on_map(*first));
  // node-3 stops; the others go on.
  for (std::int64_t t = 1000; t <= 12000; t += 1000)
    for (auto* v : {&leader, &follower}) {
      v->on_heartbeat(beat("node-1", t, 1), t);
      v->on_heartbeat(beat("node-2", t, 1), t);
    }
  CHECK_FALSE(leader.map_to_publish(5999));  // node-3 still counts as live
  CHECK_FALSE(leader.map_to_publish(6000));  // gone, but not settled yet
  auto second = leader.map_to_publish(8000);
  REQUIRE(second);
  CHECK(second->version == 2);
  CHECK(second->nodes.size() == 2);
  CHECK(moved_shards(*first, *second) == shards_of(*first, "node-3").size());
  for (auto s : shards_of(*first, "node-1"))
    CHECK(second->owner_of(s)->id == "node-1");
}

TEST_CASE("every node adopts the first newer map of the newest leader epoch in the log",
          "[actors]") {
  cluster_view v{config("node-2")};
  shard_map a;
  a.version = 3;
  a.leader = "node-1";
  a.leader_epoch = 1;
  a.owner.assign(64, no_owner);
  CHECK(v.on_map(a));
  auto same_version = a;
  same_version.leader = "node-3";
  CHECK_FALSE(v.on_map(same_version));  // the first of a version wins
  // node-3 took over leadership (its heartbeat is in the log)...
  auto hb = beat("node-3", 100);
  hb.leader = true;
  hb.leader_epoch = 2;
  v.on_heartbeat(hb, 100);
  CHECK(v.newest_leader_epoch() == 2);
  // ...so a late map of the deposed leader is ignored, however new.
  auto late = a;
  late.version = 4;
  CHECK_FALSE(v.on_map(late));
  auto fresh = a;
  fresh.version = 4;
  fresh.leader = "node-3";
  fresh.leader_epoch = 2;
  CHECK(v.on_map(fresh));
  // A node that becomes leader later starts above every epoch in the log.
  v.set_leader(true);
  CHECK(v.leader_epoch() == 3);
  // Its own leadership does not make it reject what others adopt.
  auto from_log = fresh;
  from_log.version = 5;
  CHECK(v.on_map(from_log));
}

TEST_CASE("a map starts once every live node routes by it or newer", "[actors]") {
  cluster_view v{config("node-1")};
  v.on_heartbeat(beat("node-1", 0, 4), 0);
  v.on_heartbeat(beat("node-2", 0, 3), 0);
  v.on_heartbeat(beat("node-3", 0, 3, {"ingest"}), 0);
  CHECK(v.barrier_passed(3, 100));
  CHECK_FALSE(v.barrier_passed(4, 100));
  v.on_heartbeat(beat("node-2", 500, 4), 500);
  CHECK_FALSE(v.barrier_passed(4, 600));  // node-3, an ingest node, too
  // A node that died holds no one up once it timed out.
  CHECK(v.barrier_passed(4, 6000));
}

TEST_CASE("drained: every live ingest node committed its input", "[actors]") {
  cluster_view v{config("node-1")};
  auto n1 = beat("node-1", 0);
  auto n2 = beat("node-2", 0, 0, {"aggregate"});
  v.on_heartbeat(n1, 0);
  v.on_heartbeat(n2, 0);
  CHECK_FALSE(v.drained(10));
  n1.sent_ms = 10;
  n1.drain = drain_stage::committed;
  v.on_heartbeat(n1, 10);
  CHECK(v.drained(20));  // node-2 reads no input
  auto n3 = beat("node-3", 30, 0, {"ingest"});
  n3.drain = drain_stage::flushed;
  v.on_heartbeat(n3, 30);
  CHECK_FALSE(v.drained(40));
  // A drained cluster moves no shard while its nodes leave.
  v.set_leader(true);
  n3.sent_ms = 50;
  n3.drain = drain_stage::committed;
  v.on_heartbeat(n3, 50);
  v.map_to_publish(50);
  CHECK_FALSE(v.map_to_publish(5000));
  cluster_view only_aggregators{config("node-1")};
  only_aggregators.on_heartbeat(n2, 0);
  CHECK_FALSE(only_aggregators.drained(10));
}
