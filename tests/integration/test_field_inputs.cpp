// What a new user meets in the first hour, on the real broker: the
// reference producers' records, a producer with a broken clock, a consumer
// that stalls or loses partitions to a rebalance mid-stream, and a node
// restarted in the middle of a fraud burst.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "actors/kafka/consumer.hpp"
#include "actors/kafka/producer.hpp"
#include "actors/kafka/topic_admin.hpp"
#include "actors/kafka/topic_reader.hpp"
#include "tests/support/background_command.hpp"
#include "tests/support/run_topics.hpp"

using namespace txstream;

namespace {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// The run's topics, created; removed when the fixture ends.
struct field_run {
  test::run_topics topics;
  std::string env;

  explicit field_run(const std::string& name, const std::string& extra_env = "")
    : topics(test::unique_name(name)), env(topics.env() + extra_env) {
    auto created = cmd("topics create");
    INFO(created.output);
    REQUIRE(created.exit_code == 0);
  }

  ~field_run() {
    kafka::topic_admin{test::bootstrap()}.remove(topics.names());
  }

  test::command_result cmd(const std::string& args) const {
    return test::run(env + TXSTREAM_BINARY " " + args);
  }

  /// `count` records of generated traffic without fraud (no drain), event
  /// times from `start_ms` at 10 records per second.
  void generate(int count, std::int64_t start_ms, int seed) const {
    auto gen = cmd("generate --rate max --count " + std::to_string(count) + " --start-time "
                   + std::to_string(start_ms) + " --event-rate 10 --fraud-rate 0 --seed "
                   + std::to_string(seed));
    INFO(gen.output);
    REQUIRE(gen.exit_code == 0);
  }

  /// `verify --require-all-windows --json`, which must pass.
  nlohmann::json verify(const std::string& flags = "") const {
    auto v = cmd("verify --require-all-windows --json" + flags);
    INFO(v.output);
    CHECK(v.exit_code == 0);
    auto report = nlohmann::json::parse(v.output, nullptr, false);
    REQUIRE(report.is_object());
    return report;
  }
};

void produce_all(const std::string& topic,
                 const std::vector<std::pair<std::string, std::string>>& records,
                 std::int32_t partition = -1) {
  int failed = 0;
  kafka::producer p{{{"bootstrap.servers", test::bootstrap()}},
                    [&](const kafka::delivery_report& r) { failed += r.ok ? 0 : 1; }};
  for (const auto& [key, value] : records)
    REQUIRE(p.produce(topic, partition, key, value).empty());
  REQUIRE(p.flush(30000));
  REQUIRE(failed == 0);
}

/// The input of the stall and rebalance tests is the same users' traffic
/// twice (one seed, so that nobody seems to travel), at twice the pace the
/// fraud rules are tuned for: what they check is windows, not fraud scores.
const std::string unscored_fraud = " --min-precision 0 --min-recall 0";

std::uint64_t dead_lettered(const nlohmann::json& report, const std::string& reason) {
  const auto& by = report["input"]["deadLetteredByReason"];
  return by.contains(reason) ? by[reason].get<std::uint64_t>() : 0;
}

}  // namespace

TEST_CASE("records exactly as the reference producers write them are counted",
          "[integration][kafka]") {
  field_run run{"refprod"};
  // An hour ago, one record a second of a user each (ordinary traffic, no
  // fraud): Python's json.dumps with epoch seconds and "True"/"False";
  // Java's Jackson with "international".
  const auto base_s = wall_ms() / 1000 - 3600;
  std::vector<std::pair<std::string, std::string>> records;
  for (int i = 0; i < 600; ++i) {
    const auto user = "user" + std::to_string(i);
    const auto merchant = "merchant" + std::to_string(i % 11);
    const auto amount = std::to_string(10 + i) + "." + std::to_string(i % 100);
    const auto id = "8a2a8708-865c-47ce-aa23-6c6a56a" + std::to_string(10000 + i);
    if (i % 2 == 0)
      records.emplace_back(user,
                           R"({"transactionId": ")" + id + R"(", "userId": ")" + user
                             + R"(", "amount": )" + amount + R"(, "transactionTime": )"
                             + std::to_string(base_s + i) + R"(, "merchantId": ")" + merchant
                             + R"(", "transactionType": "purchase", "location": "location_17", )"
                               R"("paymentMethod": "credit_card", "isInternational": ")"
                             + (i % 4 == 0 ? "True" : "False") + R"(", "currency": "USD"})");
    else
      records.emplace_back(user, R"({"transactionId":")" + id + R"(","userId":")" + user
                                   + R"(","amount":)" + amount + "71366,\"transactionTime\":"
                                   + std::to_string((base_s + i) * 1000 + 723)
                                   + R"(,"merchantId":")" + merchant
                                   + R"(","transactionType":"refund","location":"NY, USA",)"
                                     R"("paymentMethod":"paypal","currency":"EUR","international":)"
                                   + (i % 3 == 0 ? "true" : "false") + "}");
  }
  produce_all(run.topics.name("transactions"), records);
  auto node = run.cmd("node --until-drained --log-format text");
  INFO(node.output.substr(node.output.size() > 3000 ? node.output.size() - 3000 : 0));
  REQUIRE(node.exit_code == 0);
  auto report = run.verify();
  CHECK(report["input"]["invalid"] == 0);
  CHECK(report["input"]["deadLettered"] == 0);
  CHECK(report["input"]["counted"] == records.size());
  CHECK(report["windows"]["matched"].get<std::uint64_t>() > 0);
}

TEST_CASE("records from a broken clock years ahead are dead-lettered and stop "
          "nothing",
          "[integration][kafka]") {
  field_run run{"future"};
  // Year 2999, one per partition, before any ordinary record.
  const std::string poison =
    R"({"transactionId":"f0000000-0000-4000-8000-000000000000","userId":"user_poison",)"
    R"("amount":1.00,"transactionTime":32503679999000,"merchantId":"merchant_0001",)"
    R"("transactionType":"purchase","location":"Berlin","paymentMethod":"paypal",)"
    R"("isInternational":false,"currency":"EUR"})";
  for (std::int32_t p = 0; p < 5; ++p)
    produce_all(run.topics.name("transactions"), {{"user_poison", poison}}, p);
  // Then 20,000 ordinary records ending about now.
  run.generate(20000, wall_ms() - 2'000'000, 5);
  auto node = run.cmd("node --until-drained --log-format text");
  INFO(node.output.substr(node.output.size() > 3000 ? node.output.size() - 3000 : 0));
  REQUIRE(node.exit_code == 0);
  auto report = run.verify();
  CHECK(dead_lettered(report, "future_time") == 5);
  CHECK(dead_lettered(report, "late") == 0);
  CHECK(report["input"]["counted"] == 20000);
  // 2,000 s of ordinary traffic: dozens of windows per merchant, not two.
  CHECK(report["windows"]["matched"].get<std::uint64_t>() > 1000);
}

TEST_CASE("a consumer stalled longer than the idle timeout while records "
          "wait loses no record to late, and the drain ends",
          "[integration][kafka]") {
  // A 3 s idle timeout (so a 2 s drain wait), and a session long enough
  // that the group keeps the stopped node as a member.
  field_run run{"stall", "TXSTREAM_AGGREGATION_IDLE_PARTITION_TIMEOUT_MS=3000 "
                         "TXSTREAM_KAFKA_SESSION_TIMEOUT_MS=20000 "};
  const auto start = wall_ms() - 4'000'000;
  run.generate(10000, start, 11);
  // The same seed, so every user keeps its home city (another seed would
  // make ordinary users look like impossible travellers).
  // The node reads the first 10,000 records, is stopped for 5 s while
  // 10,000 more arrive (its fetch stalls; librdkafka's cached high
  // watermark stays where it was), then continues.
  const std::string more = std::string{TXSTREAM_BINARY}
                           + " generate --rate max --count 10000 --start-time "
                           + std::to_string(start + 1'000'000)
                           + " --event-rate 10 --fraud-rate 0 --seed 11 >/dev/null";
  // A watchdog ends a node that would wait forever for the end of input.
  auto node = test::run(run.env
                        + "sh -c '" TXSTREAM_BINARY
                          " node --until-drained --log-format text & pid=$!; "
                          "(sleep 300; kill -9 $pid) >/dev/null 2>&1 & dog=$!; sleep 1; "
                          "kill -STOP $pid; "
                        + more
                        + "; sleep 4; kill -CONT $pid; wait $pid; echo rc=$?; "
                          "kill $dog'");
  INFO(node.output.substr(node.output.size() > 4000 ? node.output.size() - 4000 : 0));
  REQUIRE(node.output.find("rc=0") != std::string::npos);
  CHECK(node.output.find("records arrived after the input seemed to end") == std::string::npos);
  auto report = run.verify(unscored_fraud);
  CHECK(dead_lettered(report, "late") == 0);
  CHECK(report["input"]["counted"] == 20000);
}

TEST_CASE("a second group member taking partitions mid-stream costs no record "
          "to late",
          "[integration][kafka]") {
  field_run run{"join", "TXSTREAM_AGGREGATION_IDLE_PARTITION_TIMEOUT_MS=3000 "};
  const auto start = wall_ms() - 8'000'000;
  run.generate(10000, start, 21);
  test::background_command node{run.env
                                + TXSTREAM_BINARY " node --until-drained --log-format text"};
  std::this_thread::sleep_for(std::chrono::seconds(2));
  // Live traffic for 12 s (the seed of the first records, so users keep
  // their home cities): the node's partitions never fall silent, so its
  // drain waits for the end of it.
  test::background_command traffic{
    run.env + TXSTREAM_BINARY " generate --rate 2000 --count 24000 --start-time "
    + std::to_string(start + 1'000'000) + " --event-rate 10 --fraud-rate 0 --seed 21"};
  // A member of the node's group takes some partitions for 6 s (longer
  // than the idle timeout), reads without committing, and leaves.
  bool got_partitions = false;
  {
    kafka::consumer member{{{"bootstrap.servers", test::bootstrap()},
                            {"group.id", run.topics.prefix},
                            {"partition.assignment.strategy", "cooperative-sticky"},
                            {"enable.auto.commit", "false"},
                            {"auto.offset.reset", "earliest"},
                            {"session.timeout.ms", "6000"}},
                           {run.topics.name("transactions")},
                           [&](const kafka::rebalance_event& ev) {
                             got_partitions = got_partitions
                                              || (ev.assigned && !ev.partitions.empty());
                           }};
    // Joining takes the group a rebalance or two.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!got_partitions && std::chrono::steady_clock::now() < deadline)
      member.consume(100);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(6);
    while (std::chrono::steady_clock::now() < until)
      member.consume(100);
    member.close();
  }
  CHECK(got_partitions);
  REQUIRE(traffic.wait(std::chrono::seconds(120)));
  CHECK(traffic.exit_code() == 0);
  REQUIRE(node.wait(std::chrono::seconds(180)));
  INFO(node.output().substr(node.output().size() > 4000 ? node.output().size() - 4000 : 0));
  REQUIRE(node.exit_code() == 0);
  CHECK(node.output().find("revoked partition") != std::string::npos);
  auto report = run.verify(unscored_fraud);
  CHECK(dead_lettered(report, "late") == 0);
  CHECK(report["input"]["counted"] == 34000);
}

namespace {

/// One purchase of user_burst at `time_ms`, transaction number `n`.
std::pair<std::string, std::string> burst_payment(int n, std::int64_t time_ms) {
  return {"user_burst", R"({"transactionId":"b0000000-0000-4000-8000-00000000000)"
                          + std::to_string(n) + R"(","userId":"user_burst","amount":25.00,)"
                          + R"("transactionTime":)" + std::to_string(time_ms)
                          + R"(,"merchantId":"merchant_0007","transactionType":"purchase",)"
                            R"("location":"Berlin","paymentMethod":"credit_card",)"
                            R"("isInternational":false,"currency":"EUR"})"};
}

/// The anomalies topic's records.
std::vector<nlohmann::json> anomalies_of(const field_run& run) {
  std::vector<nlohmann::json> out;
  kafka::topic_reader reader{test::bootstrap()};
  auto read = reader.read(run.topics.name("anomalies"), [&](const kafka::topic_record& r) {
    out.push_back(nlohmann::json::parse(r.value));
  });
  CHECK(read.complete());
  return out;
}

/// Five payments of a burst, a node run to the end, five more, another run:
/// the anomalies the two runs wrote.
std::vector<nlohmann::json> burst_across_restart(const field_run& run) {
  // An hour ago, at the start of a minute: five payments in its last ten
  // seconds, which the first run counts, emits and commits...
  const auto minute = (wall_ms() - 3'600'000) / 60'000 * 60'000;
  std::vector<std::pair<std::string, std::string>> first;
  for (int i = 0; i < 5; ++i)
    first.push_back(burst_payment(i, minute + 50'000 + i * 1'000));
  auto run_node = [&] {
    auto node = run.cmd("node --until-drained --log-format text");
    INFO(node.output.substr(node.output.size() > 3000 ? node.output.size() - 3000 : 0));
    REQUIRE(node.exit_code == 0);
  };
  produce_all(run.topics.name("transactions"), first);
  run_node();
  CHECK(anomalies_of(run).empty());  // five within 60 s are allowed
  // ...and five in the next minute: eight within 60 s by the third.
  std::vector<std::pair<std::string, std::string>> second;
  for (int i = 5; i < 10; ++i)
    second.push_back(burst_payment(i, minute + 56'000 + i * 1'000));
  produce_all(run.topics.name("transactions"), second);
  run_node();
  auto report = run.verify(unscored_fraud);
  CHECK(report["input"]["counted"] == 10);
  CHECK(report["input"]["deadLettered"] == 0);
  return anomalies_of(run);
}

}  // namespace

TEST_CASE("a fraud burst split by a node's restart is detected once", "[integration][kafka]") {
  field_run run{"burst"};
  const auto found = burst_across_restart(run);
  REQUIRE(found.size() == 1);
  CHECK(found[0]["ruleId"] == "high_frequency");
  CHECK(found[0]["userId"] == "user_burst");
  // The first run's payments are in it: the restarted detector re-read them.
  CHECK(found[0]["transactions"].size() == 8);
}

TEST_CASE("without the detector's re-read (fraud.replay_ms 0) a restart misses the burst",
          "[integration][kafka]") {
  field_run run{"burst0", "TXSTREAM_FRAUD_REPLAY_MS=0 "};
  CHECK(burst_across_restart(run).empty());
}
