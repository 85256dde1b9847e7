// The whole job against the real broker: generated transactions with fraud
// plus malformed records, `txstream node --until-drained`, then `txstream
// verify` recomputes every window from the input and scores the detectors.
#include <catch2/catch.hpp>

#include <regex>
#include <string>
#include <vector>

#include "actors/kafka/producer.hpp"
#include "actors/kafka/topic_admin.hpp"
#include "tests/support/test_env.hpp"

using namespace txstream;

namespace {

/// Unique topics and group for one run, passed to every command.
struct run_env {
  std::string prefix = test::unique_name("e2e");
  std::string tx = prefix + "_tx";
  std::string agg = prefix + "_agg";
  std::string anomalies = prefix + "_anom";
  std::string dlq = prefix + "_dlq";
  std::string control = prefix + "_ctl";
  std::string state = prefix + "_state";

  std::string node_env() const {
    return "TXSTREAM_KAFKA_BOOTSTRAP=" + test::bootstrap() + " TXSTREAM_KAFKA_GROUP_ID=" + prefix
           + " TXSTREAM_TOPICS_TRANSACTIONS_NAME=" + tx + " TXSTREAM_TOPICS_AGGREGATES_NAME=" + agg
           + " TXSTREAM_TOPICS_ANOMALIES_NAME=" + anomalies
           + " TXSTREAM_TOPICS_DEADLETTER_NAME=" + dlq + " TXSTREAM_TOPICS_CONTROL_NAME=" + control
           + " TXSTREAM_TOPICS_STATE_NAME=" + state + " ";
  }
  std::string verify_flags() const {
    return " --bootstrap " + test::bootstrap() + " --input-topic " + tx + " --aggregates-topic "
           + agg + " --anomalies-topic " + anomalies + " --deadletter-topic " + dlq
           + " --require-all-windows";
  }
  std::vector<std::string> topics() const {
    return {tx, agg, anomalies, dlq, control, state};
  }
};

/// Records a real producer could send by mistake, one per reason.
const std::vector<std::string> malformed = {
  "{\"transactionId\": \"broken",
  "[1,2,3]",
  "{\"transactionId\":\"a\"}",
  "{\"transactionId\":\"a\",\"userId\":7,\"amount\":1,\"transactionTime\":1700000000000,"
  "\"merchantId\":\"m\",\"transactionType\":\"purchase\",\"location\":\"Paris\","
  "\"paymentMethod\":\"paypal\",\"isInternational\":false,\"currency\":\"EUR\"}",
  "{\"transactionId\":\"a\",\"userId\":\"u\",\"amount\":-1,\"transactionTime\":1700000000000,"
  "\"merchantId\":\"m\",\"transactionType\":\"purchase\",\"location\":\"Paris\","
  "\"paymentMethod\":\"paypal\",\"isInternational\":false,\"currency\":\"EUR\"}",
  "{\"transactionId\":\"a\",\"userId\":\"u\",\"amount\":1,\"transactionTime\":\"soon\","
  "\"merchantId\":\"m\",\"transactionType\":\"purchase\",\"location\":\"Paris\","
  "\"paymentMethod\":\"paypal\",\"isInternational\":false,\"currency\":\"EUR\"}",
  "{\"transactionId\":\"a\",\"userId\":\"u\",\"amount\":1,\"transactionTime\":1700000000000,"
  "\"merchantId\":\"m\",\"transactionType\":\"theft\",\"location\":\"Paris\","
  "\"paymentMethod\":\"paypal\",\"isInternational\":false,\"currency\":\"EUR\"}",
  "{\"transactionId\":\"a\",\"userId\":\"u\",\"amount\":1,\"transactionTime\":1700000000000,"
  "\"merchantId\":\"m\",\"transactionType\":\"purchase\",\"location\":\"Paris\","
  "\"paymentMethod\":\"paypal\",\"isInternational\":false,\"currency\":\"euro\"}",
  "\xff\xfe not utf-8",
  "",
};

void produce_malformed(const std::string& topic) {
  int failed = 0;
  kafka::producer p{{{"bootstrap.servers", test::bootstrap()}},
                    [&](const kafka::delivery_report& r) { failed += r.ok ? 0 : 1; }};
  for (size_t i = 0; i < malformed.size(); ++i)
    REQUIRE(p.produce(topic, -1, "bad_" + std::to_string(i), malformed[i]).empty());
  REQUIRE(p.flush(30000));
  REQUIRE(failed == 0);
}

/// Creates the run's topics and fills the input with `count` generated
/// transactions at a human event-time pace (10 tx/s over 10,000 users), so
/// fraud scenarios look like fraud and ordinary users do not.
void prepare_input(const run_env& env, int count, int seed) {
  auto created = test::run(env.node_env() + TXSTREAM_BINARY " topics create");
  INFO(created.output);
  REQUIRE(created.exit_code == 0);
  auto gen = test::run_txstream("generate --bootstrap " + test::bootstrap() + " --topic " + env.tx
                                + " --count " + std::to_string(count)
                                + " --rate max --start-time 1700000000000 --event-rate 10"
                                + " --seed " + std::to_string(seed) + " --drain-scenarios");
  INFO(gen.output);
  REQUIRE(gen.exit_code == 0);
  REQUIRE(gen.output.find("errors=0") != std::string::npos);
}

}  // namespace

TEST_CASE("300k transactions with fraud and malformed records verify exactly",
          "[integration][kafka][slow]") {
  run_env env;
  prepare_input(env, 300000, 3);
  produce_malformed(env.tx);

  auto node = test::run(env.node_env()
                        + "timeout 600 " TXSTREAM_BINARY
                          " node --until-drained --metrics-port 0 --log-format text");
  INFO(node.output.substr(node.output.size() > 4000 ? node.output.size() - 4000 : 0));
  REQUIRE(node.exit_code == 0);

  auto verify = test::run_txstream("verify" + env.verify_flags());
  INFO(verify.output);
  CHECK(verify.exit_code == 0);
  // The node's own account of its work, which the benchmarks read: every
  // record of the input (as verify counted them), and a busy time.
  std::smatch read;
  REQUIRE(std::regex_search(node.output, read,
                            std::regex{"input drained and committed: records=([0-9]+) "
                                       "busy_us=[1-9][0-9]* "}));
  std::smatch counted;
  REQUIRE(std::regex_search(verify.output, counted, std::regex{"\\n  records +([0-9]+)"}));
  CHECK(read[1].str() == counted[1].str());

  SECTION("a restarted node adds nothing and changes nothing") {
    auto again = test::run(env.node_env()
                           + "timeout 300 " TXSTREAM_BINARY
                             " node --until-drained --metrics-port 0 --log-format text");
    INFO(again.output);
    REQUIRE(again.exit_code == 0);
    auto reverify = test::run_txstream("verify" + env.verify_flags());
    INFO(reverify.output);
    CHECK(reverify.exit_code == 0);
  }
  kafka::topic_admin{test::bootstrap()}.remove(env.topics());
}

TEST_CASE("a node that fails mid-stream, or is stopped, loses and double "
          "counts nothing",
          "[integration][kafka][slow]") {
  run_env env;
  prepare_input(env, 200000, 9);

  SECTION("a shard that throws is restarted with the whole pipeline") {
    // On the work-stealing scheduler: every other node run here uses the
    // default (sharing), so both policies run end to end and verify exactly.
    auto node = test::run(
      env.node_env()
      + "TXSTREAM_NODE_SCHEDULER_POLICY=stealing "
        "TXSTREAM_TEST_CRASH_SHARD_AFTER_BATCHES=30 timeout 600 " TXSTREAM_BINARY
        " node --until-drained --metrics-port 0 --log-format text");
    INFO(node.output.substr(node.output.size() > 4000 ? node.output.size() - 4000 : 0));
    REQUIRE(node.exit_code == 0);
    CHECK(node.output.find("injected failure") != std::string::npos);
    CHECK(node.output.find("restarting the pipeline") != std::string::npos);
  }
  SECTION("SIGTERM mid-stream stops within 5 s; the next run completes") {
    // Stop a live node 1.5 s in, measure how long it takes to exit.
    auto stopped = test::run(env.node_env()
                             + "sh -c '" TXSTREAM_BINARY
                               " node --metrics-port 0 --log-format text & pid=$!; sleep 1.5; "
                               "t0=$(date +%s%N); kill -TERM $pid; wait $pid; rc=$?; "
                               "echo stop_ms=$(( ($(date +%s%N) - t0) / 1000000 )) rc=$rc'");
    INFO(stopped.output);
    auto pos = stopped.output.find("stop_ms=");
    REQUIRE(pos != std::string::npos);
    CHECK(std::stol(stopped.output.substr(pos + 8)) < 5000);
    CHECK(stopped.output.find("rc=0") != std::string::npos);
    auto rest = test::run(env.node_env()
                          + "timeout 600 " TXSTREAM_BINARY
                            " node --until-drained --metrics-port 0 --log-format text");
    INFO(rest.output);
    REQUIRE(rest.exit_code == 0);
  }
  auto verify = test::run_txstream("verify" + env.verify_flags());
  INFO(verify.output);
  CHECK(verify.exit_code == 0);
  kafka::topic_admin{test::bootstrap()}.remove(env.topics());
}

TEST_CASE("a node killed with SIGKILL mid-stream, again and again, loses and "
          "double counts nothing",
          "[integration][kafka]") {
  // No shutdown at all: outputs of one emission may be half in the topic,
  // spread over its partitions, and offsets are committed behind them. The
  // restarted node must re-emit exactly what did not arrive.
  run_env env;
  prepare_input(env, 150000, 21);
  for (const char* after : {"1.5", "1.0", "2.0"}) {
    auto killed = test::run(env.node_env()
                            + "sh -c '" TXSTREAM_BINARY
                              " node --until-drained --metrics-port 0 --log-format text "
                              "& pid=$!; sleep "
                            + std::string{after} + "; kill -KILL $pid; wait $pid; echo rc=$?'");
    INFO(killed.output);
    // Killed before the end of the input: there was something to lose.
    CHECK(killed.output.find("rc=137") != std::string::npos);
  }
  auto rest = test::run(env.node_env()
                        + "timeout 120 " TXSTREAM_BINARY
                          " node --until-drained --metrics-port 0 --log-format text");
  INFO(rest.output.substr(rest.output.size() > 4000 ? rest.output.size() - 4000 : 0));
  REQUIRE(rest.exit_code == 0);
  auto verify = test::run_txstream("verify" + env.verify_flags());
  INFO(verify.output);
  CHECK(verify.exit_code == 0);
  kafka::topic_admin{test::bootstrap()}.remove(env.topics());
}
