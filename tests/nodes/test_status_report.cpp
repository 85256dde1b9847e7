// txstream status without a broker: folding the control topic, the leader
// rule, ages, and both output forms.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "messages/incarnation.hpp"
#include "nodes/status_report.hpp"

using namespace txstream;

namespace {

constexpr std::int64_t now = 1700000100000;

node_heartbeat beat(const std::string& id, std::int64_t age_ms, bool leader = false,
                    std::uint64_t epoch = 0, std::uint32_t generation = 0) {
  node_heartbeat hb;
  hb.id = id;
  hb.incarnation = make_incarnation(1700000000000, generation);
  hb.endpoint = id + ":4100";
  hb.roles = {"ingest", "aggregate"};
  hb.started_ms = 1700000000000;
  hb.sent_ms = now - age_ms;
  hb.leader = leader;
  hb.leader_epoch = epoch;
  return hb;
}

status_settings settings() {
  status_settings s;
  s.control_topic = "ctl";
  s.input_topic = "tx";
  s.group = "grp";
  s.node_timeout_ms = 6000;
  return s;
}

void add(control_snapshot& snap, const node_heartbeat& hb) {
  snap.add(heartbeat_key(hb.id), encode(hb));
}

}  // namespace

TEST_CASE("format_ranges writes ascending runs", "[nodes]") {
  CHECK(format_ranges({}) == "-");
  CHECK(format_ranges({5}) == "5");
  CHECK(format_ranges({3, 0, 1, 2, 7, 9, 10, 10}) == "0-3,7,9-10");
}

TEST_CASE("the snapshot keeps each node's latest heartbeat of its newest incarnation", "[nodes]") {
  control_snapshot snap;
  add(snap, beat("a", 5000, false, 0, 1));
  add(snap, beat("a", 100, false, 0, 0));  // an older incarnation, written late
  CHECK(snap.heartbeats.at("a").incarnation == make_incarnation(1700000000000, 1));
  add(snap, beat("a", 50, true, 4, 1));
  CHECK(snap.heartbeats.at("a").leader);
  add(snap, beat("b", 10));
  snap.add(heartbeat_key("b"), "");  // tombstone
  CHECK(snap.heartbeats.count("b") == 0);
  shard_map m;
  m.version = 3;
  snap.add(shard_map_key(), encode(m));
  m.version = 4;
  snap.add(shard_map_key(), encode(m));
  REQUIRE(snap.map);
  CHECK(snap.map->version == 4);
  // Records it cannot read are counted, with the first reason.
  snap.add("something/else", "{}");
  snap.add(heartbeat_key("c"), "{not json");
  snap.add(heartbeat_key("d"), encode(beat("e", 0)));
  CHECK(snap.unreadable == 3);
  CHECK(snap.first_problem == "key 'something/else': not a control record key");
  CHECK(snap.records == 10);
  CHECK(snap.heartbeats.size() == 1);
}

TEST_CASE("the leader is a live node that says so - stale and left ones are not", "[nodes]") {
  SECTION("a fresh leader") {
    control_snapshot snap;
    add(snap, beat("a", 500, true, 2));
    add(snap, beat("b", 100));
    auto s = summarize(snap, settings(), now, std::nullopt);
    CHECK(s.ok());
    CHECK(*s.leader == "a");
    CHECK(s.leader_epoch == 2);
    CHECK(s.nodes.at(0).age_ms == 500);
    CHECK(format_text(s).find("leader: a (epoch 2)\n") != std::string::npos);
  }
  SECTION("an old heartbeat: not live, not leader") {
    control_snapshot snap;
    add(snap, beat("a", 6000, true, 2));
    add(snap, beat("b", 5999));
    auto s = summarize(snap, settings(), now, std::nullopt);
    CHECK_FALSE(s.ok());
    CHECK_FALSE(s.nodes.at(0).live);
    CHECK(s.nodes.at(0).status() == "silent");
    CHECK(s.nodes.at(1).live);
    CHECK(s.no_leader_reason
          == "no leader: a (epoch 2) claimed leadership, but its last heartbeat is 6000 ms "
             "old (--node-timeout-ms 6000)");
  }
  SECTION("a leader that left") {
    control_snapshot snap;
    auto bye = beat("a", 10, true, 2);
    bye.state = node_state::left;
    add(snap, bye);
    auto s = summarize(snap, settings(), now, std::nullopt);
    CHECK_FALSE(s.ok());
    CHECK(s.nodes.at(0).status() == "left");
    CHECK(s.no_leader_reason == "no leader: a (epoch 2) was the leader and left");
  }
  SECTION("nobody claims") {
    control_snapshot snap;
    add(snap, beat("a", 10));
    CHECK(summarize(snap, settings(), now, std::nullopt).no_leader_reason
          == "no leader: no live node claims leadership (1 node live)");
    add(snap, beat("a", 9000));
    CHECK(summarize(snap, settings(), now, std::nullopt).no_leader_reason
          == "no leader: no node is live (1 node known, none up with a heartbeat younger "
             "than 6000 ms)");
  }
  SECTION("no heartbeats at all") {
    auto s = summarize({}, settings(), now, std::nullopt);
    CHECK_FALSE(s.ok());
    CHECK(s.no_leader_reason
          == "no leader: ctl holds no heartbeat (no node has run with this control topic)");
    CHECK(format_text(s).find("no shard map") != std::string::npos);
  }
  SECTION("two claimants: the higher epoch leads, with a warning") {
    control_snapshot snap;
    add(snap, beat("a", 10, true, 2));
    add(snap, beat("b", 10, true, 3));
    add(snap, beat("c", 10, true, 3));
    auto s = summarize(snap, settings(), now, std::nullopt);
    CHECK(*s.leader == "b");
    CHECK(s.claimants == std::vector<std::string>{"a", "b", "c"});
    CHECK(format_text(s).find("warning: 3 live nodes claim leadership: a, b, c")
          != std::string::npos);
  }
}

TEST_CASE("status text and JSON carry nodes, links, the map and the lag", "[nodes]") {
  control_snapshot snap;
  auto a = beat("a", 250, true, 3);
  a.shards = {0, 1, 2, 5};
  a.partitions = {0, 1};
  a.map_version = 7;
  a.version = "0.1.0";
  a.links = {{"b", 2, 120, 480000}};
  a.drain = drain_stage::flushed;
  add(snap, a);
  auto b = beat("b", 300);
  b.roles = {"aggregate"};
  b.shards = {3, 4};
  add(snap, b);
  shard_map m;
  m.version = 7;
  m.leader = "a";
  m.leader_epoch = 3;
  m.made_ms = now - 1500;
  m.nodes = {{"a", a.incarnation, a.endpoint}, {"b", b.incarnation, b.endpoint}};
  m.owner = {0, 0, 0, 1, 1, 0};
  snap.add(shard_map_key(), encode(m));
  std::vector<input_partition> input{{0, 0, 120, 100}, {1, 5, 40, -1}, {2, 0, 0, -1}};
  auto s = summarize(snap, settings(), now, input);

  const auto text = format_text(s);
  INFO(text);
  CHECK(text.find("control topic ctl: 3 records, 2 nodes, shard map version 7\n") == 0);
  CHECK(text.find("a     live    epoch 3  250") != std::string::npos);
  CHECK(text.find("0-2,5 (4)") != std::string::npos);
  CHECK(text.find("flushed") != std::string::npos);
  CHECK(text.find("a -> b  2          120   480000") != std::string::npos);
  CHECK(text.find("shard map version 7 by a (epoch 3), made 1500 ms ago: 6 shards on 2 nodes")
        != std::string::npos);
  CHECK(text.find("input tx, group grp: lag 55\n") != std::string::npos);
  CHECK(text.find("0          a         100        120  20") != std::string::npos);
  CHECK(text.find("1          a         -          40   35") != std::string::npos);
  CHECK(text.find("2          -         -          0    0") != std::string::npos);

  auto j = nlohmann::json::parse(format_json(s));
  CHECK(j["ok"] == true);
  CHECK(j["leader"]["id"] == "a");
  CHECK(j["leader"]["leaderEpoch"] == 3);
  REQUIRE(j["nodes"].size() == 2);
  const auto& ja = j["nodes"][0];
  CHECK(ja["id"] == "a");
  CHECK(ja["endpoint"] == "a:4100");
  CHECK(ja["roles"] == nlohmann::json::array({"ingest", "aggregate"}));
  CHECK(ja["leader"] == true);
  CHECK(ja["live"] == true);
  CHECK(ja["heartbeat_age_ms"] == 250);
  CHECK(ja["shards"] == nlohmann::json::array({0, 1, 2, 5}));
  CHECK(ja["partitions"] == nlohmann::json::array({0, 1}));
  CHECK(ja["links"][0]["inFlight"] == 2);
  CHECK(ja["drain"] == "flushed");
  CHECK(j["nodes"][1]["leader"] == false);
  CHECK(j["shardMap"]["version"] == 7);
  CHECK(j["shardMap"]["leader"] == "a");
  CHECK(j["shardMap"]["leaderEpoch"] == 3);
  CHECK(j["shardMap"]["nodes"][1]["shards"] == nlohmann::json::array({3, 4}));
  CHECK(j["shardMap"]["unowned"].empty());
  REQUIRE(j["partitions"].size() == 3);
  CHECK(j["partitions"][0]["lag"] == 20);
  CHECK(j["partitions"][0]["consumers"] == nlohmann::json::array({"a"}));
  CHECK(j["partitions"][1]["committed"].is_null());
  CHECK(j["partitions"][1]["lag"] == 35);

  // Without the input topic, or its positions.
  auto missing = summarize(snap, settings(), now, std::nullopt);
  CHECK(format_text(missing).find("input tx does not exist") != std::string::npos);
  CHECK(nlohmann::json::parse(format_json(missing))["input"]["exists"] == false);
  auto failed = summarize(snap, settings(), now, std::nullopt, "timed out");
  CHECK(format_text(failed).find("input tx: positions unknown (timed out)") != std::string::npos);
}
