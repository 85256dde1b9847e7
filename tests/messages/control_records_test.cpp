// Control-topic records: keys, exact JSON of the documented examples
// (docs/cluster.md), round trips, and bad input rejected without throwing.
#include <catch2/catch.hpp>

#include <string>

#include "messages/control_records.hpp"

using namespace txstream;

namespace {

// The examples of docs/cluster.md, "Control topic records".
node_heartbeat example_heartbeat() {
  node_heartbeat hb;
  hb.id = "node-1";
  hb.incarnation = "1700000000000-000001";
  hb.endpoint = "10.0.0.5:4100";
  hb.roles = {"ingest", "aggregate"};
  hb.started_ms = 1700000000000;
  hb.sent_ms = 1700000012000;
  hb.state = node_state::up;
  hb.leader = true;
  hb.leader_epoch = 3;
  hb.map_version = 7;
  hb.shards = {0, 2, 4};
  hb.partitions = {0, 1};
  hb.version = "0.1.0";
  hb.drain = drain_stage::none;
  hb.links = {{"node-2", 2, 120, 480000}};
  return hb;
}

const std::string example_heartbeat_json =
  R"({"id":"node-1","incarnation":"1700000000000-000001","endpoint":"10.0.0.5:4100",)"
  R"("roles":["ingest","aggregate"],"startedMs":1700000000000,"sentMs":1700000012000,)"
  R"("state":"up","leader":true,"leaderEpoch":3,"mapVersion":7,"shards":[0,2,4],)"
  R"("partitions":[0,1],"version":"0.1.0","drain":"",)"
  R"("links":[{"peer":"node-2","inFlight":2,"sent":120,"bytes":480000}]})";

shard_map example_map() {
  shard_map m;
  m.version = 7;
  m.leader = "node-1";
  m.leader_epoch = 3;
  m.made_ms = 1700000011000;
  m.nodes = {{"node-1", "1700000000000-000001", "10.0.0.5:4100"},
             {"node-2", "1700000000500-000000", "10.0.0.6:4100"}};
  m.owner = {0, 1, 0, 1};
  return m;
}

const std::string example_map_json =
  R"({"version":7,"leader":"node-1","leaderEpoch":3,"madeMs":1700000011000,)"
  R"("nodes":[{"id":"node-1","incarnation":"1700000000000-000001","endpoint":"10.0.0.5:4100"},)"
  R"({"id":"node-2","incarnation":"1700000000500-000000","endpoint":"10.0.0.6:4100"}],)"
  R"("owner":[0,1,0,1]})";

// `json` with the first occurrence of `from` replaced by `to`.
std::string with(std::string json, const std::string& from, const std::string& to) {
  const auto at = json.find(from);
  REQUIRE(at != std::string::npos);
  json.replace(at, from.size(), to);
  return json;
}

}  // namespace

TEST_CASE("control keys name a node's heartbeats or the shard map", "[messages]") {
  CHECK(heartbeat_key("node-1") == "node/node-1");
  CHECK(shard_map_key() == "shardmap");
  auto k = classify_control_key(heartbeat_key("node/odd"));
  CHECK(k.kind == control_key_kind::heartbeat);
  CHECK(k.node_id == "node/odd");
  CHECK(classify_control_key("shardmap").kind == control_key_kind::shard_map);
  for (const char* other : {"", "node/", "node", "nodes/x", "shardmap2", "Shardmap"}) {
    INFO(other);
    CHECK(classify_control_key(other).kind == control_key_kind::unknown);
  }
}

TEST_CASE("a heartbeat encodes to the documented JSON and back", "[messages]") {
  const auto hb = example_heartbeat();
  CHECK(encode(hb) == example_heartbeat_json);
  std::string error;
  auto back = decode_heartbeat(example_heartbeat_json, &error);
  INFO(error);
  REQUIRE(back);
  CHECK(*back == hb);
  CHECK(back->has_role(aggregate_role));
  CHECK(back->has_role(ingest_role));
  CHECK_FALSE(back->has_role("other"));
}

TEST_CASE("heartbeats round-trip every state, drain stage and extreme value", "[messages]") {
  auto hb = example_heartbeat();
  hb.state = node_state::left;
  hb.leader = false;
  hb.leader_epoch = 0;
  hb.roles = {};
  hb.links = {};
  hb.shards = {0, 4294967295u};
  hb.partitions = {2147483647};
  hb.started_ms = -1;
  hb.sent_ms = std::numeric_limits<std::int64_t>::max();
  hb.map_version = std::numeric_limits<std::uint64_t>::max();
  hb.id = "n\"\\\n\xc3\xa9";
  for (auto d :
       {drain_stage::none, drain_stage::at_end, drain_stage::flushed, drain_stage::committed}) {
    hb.drain = d;
    auto back = decode_heartbeat(encode(hb));
    REQUIRE(back);
    CHECK(*back == hb);
  }
  CHECK(encode(hb).find(R"("state":"left")") != std::string::npos);
  CHECK(encode(hb).find(R"("drain":"committed")") != std::string::npos);
}

TEST_CASE("a shard map encodes to the documented JSON and back", "[messages]") {
  const auto m = example_map();
  CHECK(encode(m) == example_map_json);
  std::string error;
  auto back = decode_shard_map(example_map_json, &error);
  INFO(error);
  REQUIRE(back);
  CHECK(*back == m);
  CHECK(back->shards() == 4);
  REQUIRE(back->owner_of(1) != nullptr);
  CHECK(back->owner_of(1)->id == "node-2");
  CHECK(back->owner_of(4) == nullptr);
}

TEST_CASE("a map without nodes owns nothing: owners are null", "[messages]") {
  shard_map m;
  m.version = 1;
  m.leader = "node-1";
  m.owner = {no_owner, no_owner};
  CHECK(encode(m)
        == R"({"version":1,"leader":"node-1","leaderEpoch":0,"madeMs":0,)"
           R"("nodes":[],"owner":[null,null]})");
  auto back = decode_shard_map(encode(m));
  REQUIRE(back);
  CHECK(*back == m);
  CHECK(back->owner_of(0) == nullptr);
}

TEST_CASE("unknown fields are ignored, so newer nodes can add some", "[messages]") {
  auto hb = decode_heartbeat(
    with(example_heartbeat_json, R"({"id")", R"({"zone":{"rack":[1,2]},"id")"));
  REQUIRE(hb);
  CHECK(*hb == example_heartbeat());
  auto linked = decode_heartbeat(
    with(example_heartbeat_json, R"("bytes":480000)", R"("bytes":480000,"rttMs":1.5)"));
  REQUIRE(linked);
  CHECK(*linked == example_heartbeat());
  auto m = decode_shard_map(with(example_map_json, R"("owner")", R"("future":null,"owner")"));
  REQUIRE(m);
  CHECK(*m == example_map());
  // Roles a newer node may add are kept (and ignored by placement).
  auto roles = decode_heartbeat(
    with(example_heartbeat_json, R"(["ingest","aggregate"])", R"(["ingest","serve"])"));
  REQUIRE(roles);
  CHECK(roles->has_role("serve"));
}

TEST_CASE("bad heartbeats are rejected with a reason, never thrown", "[messages]") {
  struct bad {
    std::string json;
    std::string reason;
  };
  const auto& ok = example_heartbeat_json;
  const std::vector<bad> cases = {
    {"", "not JSON"},
    {"{", "not JSON"},
    {ok + "x", "not JSON"},
    {"[1,2]", "not a JSON object"},
    {"\"node\"", "not a JSON object"},
    {"null", "not a JSON object"},
    {"{}", "id: missing"},
    {with(ok, R"("sentMs":1700000012000,)", ""), "sentMs: missing"},
    {with(ok, R"(,"links":[{"peer":"node-2","inFlight":2,"sent":120,"bytes":480000}])", ""),
     "links: missing"},
    {with(ok, R"("id":"node-1")", R"("id":7)"), "id: expected a string"},
    {with(ok, R"("id":"node-1")", R"("id":"")"), "id: empty"},
    {with(ok, R"("leader":true)", R"("leader":1)"), "leader: expected true or false"},
    {with(ok, R"("leaderEpoch":3)", R"("leaderEpoch":-3)"),
     "leaderEpoch: expected an unsigned integer"},
    {with(ok, R"("leaderEpoch":3)", R"("leaderEpoch":3.5)"),
     "leaderEpoch: expected an unsigned integer"},
    {with(ok, R"("mapVersion":7)", R"("mapVersion":"7")"),
     "mapVersion: expected an unsigned integer"},
    {with(ok, R"("sentMs":1700000012000)", R"("sentMs":9223372036854775808)"),
     "sentMs: out of range"},
    {with(ok, R"("sentMs":1700000012000)", R"("sentMs":1.7e12)"), "sentMs: expected an integer"},
    {with(ok, R"("roles":["ingest","aggregate"])", R"("roles":"ingest")"),
     "roles: expected an array"},
    {with(ok, R"("roles":["ingest","aggregate"])", R"("roles":["ingest",1])"),
     "roles: expected an array of strings"},
    {with(ok, R"("shards":[0,2,4])", R"("shards":[0,4294967296])"), "shards: out of range"},
    {with(ok, R"("shards":[0,2,4])", R"("shards":[0,-2])"), "shards: expected an unsigned integer"},
    {with(ok, R"("partitions":[0,1])", R"("partitions":[2147483648])"), "partitions: out of range"},
    {with(ok, R"("partitions":[0,1])", R"("partitions":[-1])"),
     "partitions: expected an unsigned integer"},
    {with(ok, R"("state":"up")", R"("state":"down")"), R"(state: expected "up" or "left")"},
    {with(ok, R"("drain":"")", R"("drain":"done")"),
     R"(drain: expected "", "at_end", "flushed" or "committed")"},
    {with(ok, R"("drain":"")", R"("drain":null)"), "drain: expected a string"},
    {with(ok, R"([{"peer")", R"([7,{"peer")"), "links: expected an array of objects"},
    {with(ok, R"("inFlight":2,)", ""), "inFlight: missing"},
    {with(ok, R"("bytes":480000)", R"("bytes":true)"), "bytes: expected an unsigned integer"},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    std::string error;
    std::optional<node_heartbeat> hb;
    REQUIRE_NOTHROW(hb = decode_heartbeat(c.json, &error));
    CHECK_FALSE(hb);
    CHECK(error == c.reason);
    CHECK_NOTHROW(decode_heartbeat(c.json));  // without an error text
  }
}

TEST_CASE("bad shard maps are rejected with a reason, never thrown", "[messages]") {
  struct bad {
    std::string json;
    std::string reason;
  };
  const auto& ok = example_map_json;
  const std::vector<bad> cases = {
    {"not json", "not JSON"},
    {"42", "not a JSON object"},
    {with(ok, R"("version":7,)", ""), "version: missing"},
    {with(ok, R"("leader":"node-1")", R"("leader":null)"), "leader: expected a string"},
    {with(ok, R"("madeMs":1700000011000)", R"("madeMs":"now")"), "madeMs: expected an integer"},
    {with(ok, R"("owner":[0,1,0,1])", R"("owner":[0,2])"), "owner: index 2 beyond the 2 nodes"},
    {with(ok, R"("owner":[0,1,0,1])", R"("owner":[0,-1])"), "owner: expected node indexes or null"},
    {with(ok, R"("owner":[0,1,0,1])", R"("owner":{"0":0})"), "owner: expected an array"},
    {with(ok, R"("id":"node-2")", R"("id":"node-1")"), "nodes: node node-1 twice"},
    {with(ok, R"(,"endpoint":"10.0.0.6:4100")", ""), "endpoint: missing"},
    {with(ok, R"("nodes":[)", R"("nodes":["node-0",)"), "nodes: expected an array of objects"},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    std::string error;
    std::optional<shard_map> m;
    REQUIRE_NOTHROW(m = decode_shard_map(c.json, &error));
    CHECK_FALSE(m);
    CHECK(error == c.reason);
  }
  auto text = R"({"version":1,"leader":"a","leaderEpoch":1,"madeMs":0,"nodes":[],"owner":[0]})";
  std::string error;
  CHECK_FALSE(decode_shard_map(text, &error));
  CHECK(error == "owner: index 0 beyond the 0 nodes");
}

TEST_CASE("a heartbeat is not a shard map and the other way round", "[messages]") {
  std::string error;
  CHECK_FALSE(decode_shard_map(example_heartbeat_json, &error));
  CHECK(error == "version: expected an unsigned integer");
  CHECK_FALSE(decode_heartbeat(example_map_json, &error));
  CHECK(error == "id: missing");
}

TEST_CASE("deeply nested or huge input is rejected, not a crash", "[messages]") {
  std::string deep(100000, '[');
  CHECK_NOTHROW(decode_heartbeat(deep));
  CHECK_FALSE(decode_heartbeat(deep));
  std::string nested = std::string(10000, '[') + std::string(10000, ']');
  CHECK_FALSE(decode_shard_map(nested));
  std::string bad_utf8 = with(example_heartbeat_json, "node-1", "node-\xff");
  CHECK_NOTHROW(decode_heartbeat(bad_utf8));
  CHECK_FALSE(decode_heartbeat(bad_utf8));
}
