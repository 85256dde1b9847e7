// `txstream topics create` against the real broker: idempotent, and the
// topics get the configured partitions and policies.
#include <catch2/catch.hpp>

#include "actors/kafka/topic_admin.hpp"
#include "config/topics_config.hpp"
#include "tests/support/test_env.hpp"

using namespace txstream;

TEST_CASE("txstream topics create is idempotent", "[kafka]") {
  const auto flag = " --bootstrap " + test::bootstrap();
  auto first = test::run_txstream("topics create" + flag);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  auto second = test::run_txstream("topics create" + flag);
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  // The second run finds every topic in place and creates nothing.
  CHECK(second.output.find("created") == std::string::npos);

  kafka::topic_admin admin{test::bootstrap()};
  const int brokers = admin.broker_count();
  topics_config wanted;
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

  auto describe = test::run_txstream("topics describe" + flag);
  INFO(describe.output);
  CHECK(describe.exit_code == 0);
  CHECK(describe.output.find("financial_transactions") != std::string::npos);
}

TEST_CASE("txstream reports an unreachable broker clearly", "[kafka]") {
  auto r = test::run_txstream("topics describe --bootstrap 127.0.0.1:1");
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("not reachable") != std::string::npos);
}
