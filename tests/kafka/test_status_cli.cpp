// `txstream status` against the real broker: heartbeats and a shard map
// written to a control topic of the test's own, the leader rule in the exit
// code, and the node group's lag read without joining it.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>

#include <nlohmann/json.hpp>

#include "actors/kafka/producer.hpp"
#include "actors/kafka/topic_admin.hpp"
#include "messages/control_records.hpp"
#include "messages/incarnation.hpp"
#include "tests/support/run_topics.hpp"

using namespace txstream;

namespace {

std::int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

node_heartbeat beat(const std::string& id, std::int64_t sent_ms, bool leader, std::uint64_t epoch) {
  node_heartbeat hb;
  hb.id = id;
  hb.incarnation = make_incarnation(sent_ms - 60000, 0);
  hb.endpoint = "127.0.0.1:" + std::to_string(4100 + id.back() - '0');
  hb.roles = {"ingest", "aggregate"};
  hb.started_ms = sent_ms - 60000;
  hb.sent_ms = sent_ms;
  hb.leader = leader;
  hb.leader_epoch = leader ? epoch : 0;
  hb.map_version = 5;
  hb.version = "0.1.0";
  return hb;
}

/// Writes records to the run's topics and waits for their delivery.
class writer {
public:
  writer()
    : producer_({{"bootstrap.servers", test::bootstrap()}},
                [this](const kafka::delivery_report& r) { failed_ += r.ok ? 0 : 1; }) {
    // nop
  }

  void put(const std::string& topic, std::int32_t partition, const std::string& key,
           const std::string& value) {
    REQUIRE(producer_.produce(topic, partition, key, value).empty());
  }

  void heartbeat(const std::string& topic, const node_heartbeat& hb) {
    put(topic, 0, heartbeat_key(hb.id), encode(hb));
  }

  void flush() {
    REQUIRE(producer_.flush(30000));
    REQUIRE(failed_ == 0);
  }

private:
  int failed_ = 0;
  kafka::producer producer_;
};

/// Commits `offset` on `topic`/`partition` for `group`, as a node would.
void commit(const std::string& group, const std::string& topic, std::int32_t partition,
            std::int64_t offset) {
  auto conf = kafka::make_conf({{"bootstrap.servers", test::bootstrap()},
                                {"group.id", group},
                                {"enable.auto.commit", "false"}});
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> c{RdKafka::KafkaConsumer::create(conf.get(), err)};
  REQUIRE(c);
  std::vector<RdKafka::TopicPartition*> offsets{
    RdKafka::TopicPartition::create(topic, partition, offset)};
  CHECK(c->commitSync(offsets) == RdKafka::ERR_NO_ERROR);
  RdKafka::TopicPartition::destroy(offsets);
  c->close();
}

/// The JSON object on the first line of `output` (stderr follows it).
nlohmann::json first_line(const std::string& output) {
  return nlohmann::json::parse(output.substr(0, output.find('\n')), nullptr, false);
}

const nlohmann::json* node_in(const nlohmann::json& report, const std::string& id) {
  for (const auto& n : report["nodes"])
    if (n["id"] == id)
      return &n;
  return nullptr;
}

}  // namespace

TEST_CASE("txstream status shows the cluster of the control topic and exits 0 with a leader",
          "[kafka]") {
  const test::run_topics names{test::unique_name("status")};
  const auto control = names.name("control");
  const auto input = names.name("transactions");
  kafka::topic_admin admin{test::bootstrap()};
  admin.create(
    {topic_spec{control, 1, 1, {{"cleanup.policy", "compact"}}}, topic_spec{input, 2, 1, {}}});
  const auto status = names.env() + TXSTREAM_BINARY " status";

  SECTION("an empty control topic: no leader") {
    auto r = test::run(status);
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("no leader: " + control + " holds no heartbeat") != std::string::npos);
  }

  SECTION("live, left and silent nodes, the map and the lag") {
    const auto now = wall_ms();
    writer w;
    // node-4 led at epoch 4 and stopped a minute ago; node-1 leads now.
    w.heartbeat(control, beat("node-4", now - 60000, true, 4));
    auto n1 = beat("node-1", now, true, 5);
    n1.shards = {0, 1, 2};
    n1.partitions = {0};
    n1.links = {{"node-2", 3, 40, 123456}};
    w.heartbeat(control, n1);
    auto n2 = beat("node-2", now, false, 0);
    n2.roles = {"aggregate"};
    n2.shards = {3};
    n2.partitions = {1};
    w.heartbeat(control, n2);
    auto n3 = beat("node-3", now, false, 0);
    n3.state = node_state::left;
    w.heartbeat(control, n3);
    shard_map m;
    m.version = 5;
    m.leader = "node-1";
    m.leader_epoch = 5;
    m.made_ms = now;
    m.nodes = {{"node-1", n1.incarnation, n1.endpoint}, {"node-2", n2.incarnation, n2.endpoint}};
    m.owner = {0, 0, 0, 1};
    w.put(control, 0, shard_map_key(), encode(m));
    w.put(control, 0, "someone/else", "{}");  // a key of a newer node: skipped
    for (int i = 0; i < 10; ++i)
      w.put(input, 0, "k", "v");
    for (int i = 0; i < 3; ++i)
      w.put(input, 1, "k", "v");
    w.flush();
    commit(names.prefix, input, 0, 4);

    auto r = test::run(status + " --json");
    INFO(r.output);
    CHECK(r.exit_code == 0);
    auto j = first_line(r.output);
    REQUIRE(j.is_object());
    CHECK(j["ok"] == true);
    CHECK(j["leader"]["id"] == "node-1");
    CHECK(j["leader"]["leaderEpoch"] == 5);
    CHECK(j["unreadable"] == 1);
    REQUIRE(j["nodes"].size() == 4);
    const auto* j1 = node_in(j, "node-1");
    REQUIRE(j1 != nullptr);
    CHECK((*j1)["endpoint"] == n1.endpoint);
    CHECK((*j1)["roles"] == nlohmann::json::array({"ingest", "aggregate"}));
    CHECK((*j1)["leader"] == true);
    CHECK((*j1)["live"] == true);
    CHECK((*j1)["heartbeat_age_ms"].get<std::int64_t>() >= 0);
    CHECK((*j1)["heartbeat_age_ms"].get<std::int64_t>() < 6000);
    CHECK((*j1)["shards"] == nlohmann::json::array({0, 1, 2}));
    CHECK((*j1)["partitions"] == nlohmann::json::array({0}));
    CHECK((*j1)["links"][0]["peer"] == "node-2");
    CHECK((*j1)["links"][0]["inFlight"] == 3);
    const auto* j2 = node_in(j, "node-2");
    REQUIRE(j2 != nullptr);
    CHECK((*j2)["roles"] == nlohmann::json::array({"aggregate"}));
    CHECK((*j2)["leader"] == false);
    const auto* j3 = node_in(j, "node-3");
    REQUIRE(j3 != nullptr);
    CHECK((*j3)["status"] == "left");
    CHECK((*j3)["live"] == false);
    const auto* j4 = node_in(j, "node-4");
    REQUIRE(j4 != nullptr);
    CHECK((*j4)["status"] == "silent");
    CHECK((*j4)["leader"] == true);  // its old claim, not counted
    CHECK((*j4)["live"] == false);
    CHECK((*j4)["heartbeat_age_ms"].get<std::int64_t>() >= 60000);
    CHECK(j["claimants"] == nlohmann::json::array({"node-1"}));
    CHECK(j["shardMap"]["version"] == 5);
    CHECK(j["shardMap"]["leader"] == "node-1");
    CHECK(j["shardMap"]["leaderEpoch"] == 5);
    REQUIRE(j["partitions"].size() == 2);
    CHECK(j["partitions"][0]["partition"] == 0);
    CHECK(j["partitions"][0]["committed"] == 4);
    CHECK(j["partitions"][0]["end"] == 10);
    CHECK(j["partitions"][0]["lag"] == 6);
    CHECK(j["partitions"][0]["consumers"] == nlohmann::json::array({"node-1"}));
    CHECK(j["partitions"][1]["committed"].is_null());
    CHECK(j["partitions"][1]["lag"] == 3);

    auto text = test::run(status);
    INFO(text.output);
    CHECK(text.exit_code == 0);
    CHECK(text.output.find("leader: node-1 (epoch 5)") != std::string::npos);
    CHECK(text.output.find("node-1 -> node-2") != std::string::npos);
    CHECK(text.output.find("lag 9") != std::string::npos);

    // Judged with a shorter timeout nobody is live: no leader, exit 1.
    auto strict = test::run(status + " --node-timeout-ms 1");
    INFO(strict.output);
    CHECK(strict.exit_code == 1);
    CHECK(strict.output.find("no leader: node-1 (epoch 5) claimed leadership, but its last "
                             "heartbeat is")
          != std::string::npos);

    // The leader stops gracefully: its "left" heartbeat replaces the claim.
    auto bye = n1;
    bye.state = node_state::left;
    bye.sent_ms = wall_ms();
    w.heartbeat(control, bye);
    w.flush();
    auto after = test::run(status + " --json");
    INFO(after.output);
    CHECK(after.exit_code == 1);
    auto ja = first_line(after.output);
    REQUIRE(ja.is_object());
    CHECK(ja["ok"] == false);
    CHECK(ja["leader"].is_null());
    CHECK(ja["reason"] == "no leader: node-1 (epoch 5) was the leader and left");
  }

  admin.remove({control, input});
  admin.remove_groups({names.prefix});
}

TEST_CASE("txstream status without a control topic says so and exits 1", "[kafka]") {
  const test::run_topics names{test::unique_name("status_none")};
  auto r = test::run(names.env() + TXSTREAM_BINARY " status");
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find(names.name("control") + " does not exist") != std::string::npos);
}
