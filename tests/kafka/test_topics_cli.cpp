// `txstream topics create` against the real broker: idempotent, and the
// topics get the configured partitions and policies.
#include <catch2/catch.hpp>

#include "actors/kafka/topic_admin.hpp"
#include "config/topics_config.hpp"
#include "tests/support/run_topics.hpp"

using namespace txstream;

TEST_CASE("txstream topics create is idempotent", "[kafka]") {
  // Topics of this run only: the defaults' names may exist on the broker
  // already, made by someone else with other settings.
  const test::run_topics names{test::unique_name("topics")};
  const auto txs = names.env() + TXSTREAM_BINARY " ";
  auto first = test::run(txs + "topics create");
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  auto second = test::run(txs + "topics create");
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  // The second run finds every topic in place and creates nothing.
  CHECK(second.output.find("created") == std::string::npos);

  kafka::topic_admin admin{test::bootstrap()};
  const int brokers = admin.broker_count();
  topics_config wanted;
  wanted.transactions.name = names.name("transactions");
  wanted.aggregates.name = names.name("aggregates");
  wanted.anomalies.name = names.name("anomalies");
  wanted.deadletter.name = names.name("deadletter");
  wanted.control.name = names.name("control");
  wanted.state.name = names.name("state");
  auto described = admin.describe(wanted.all());
  auto specs = wanted.all();
  REQUIRE(described.size() == specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    INFO(specs[i].name);
    CHECK(described[i].exists);
    CHECK(described[i].partitions == specs[i].partitions);
    CHECK(described[i].replication == std::min<int>(specs[i].replication, brokers));
    for (const auto& [key, value] : specs[i].configs)
      CHECK(described[i].configs[key] == value);
  }

  auto describe = test::run(txs + "topics describe");
  INFO(describe.output);
  CHECK(describe.exit_code == 0);
  CHECK(describe.output.find(names.name("transactions")) != std::string::npos);
  CHECK(describe.output.find("message.timestamp.type=LogAppendTime") != std::string::npos);
  admin.remove(names.names());
}

TEST_CASE("txstream reports an unreachable broker clearly", "[kafka]") {
  auto r = test::run_txstream("topics describe --bootstrap 127.0.0.1:1");
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("not reachable") != std::string::npos);
}
