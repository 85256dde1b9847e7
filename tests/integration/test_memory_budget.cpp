// A node draining a million records stays within its default memory budget,
// as the kernel counts it (peak resident memory, VmHWM).
#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include "actors/kafka/topic_admin.hpp"
#include "config/memory_budget.hpp"
#include "tests/support/run_topics.hpp"

using namespace txstream;

TEST_CASE("a node drains 1M records of 10,000 users within its default memory "
          "budget",
          "[integration][kafka]") {
  const test::run_topics topics{test::unique_name("budget")};
  const auto txs = topics.env() + TXSTREAM_BINARY " ";
  auto created = test::run(txs + "topics create");
  INFO(created.output);
  REQUIRE(created.exit_code == 0);
  // A day and more of event time: partitions far apart in event time keep
  // many windows open at once, the case that once took a gigabyte.
  auto gen = test::run(txs
                       + "generate --rate max --count 1000000 --users 10000 "
                         "--start-time 1700000000000 --event-rate 10 --seed 3 "
                         "--no-drain-scenarios");
  INFO(gen.output);
  REQUIRE(gen.exit_code == 0);
  auto node = test::run(txs + "node --until-drained --log-format text");
  INFO(node.output.substr(node.output.size() > 3000 ? node.output.size() - 3000 : 0));
  REQUIRE(node.exit_code == 0);
  // The node's drained line carries its peak resident memory (getrusage's
  // ru_maxrss, the kernel's VmHWM).
  std::smatch m;
  REQUIRE(
    std::regex_search(node.output, m, std::regex{"records=1000000 .* peak_rss_kb=([0-9]+) "}));
  const auto peak_kb = std::stoull(m[1].str());
  const auto budget_kb = plan_memory(node_config{}).budget / 1024;
  CAPTURE(peak_kb, budget_kb);
  CHECK(peak_kb <= budget_kb);
  auto verify = test::run(txs + "verify --require-all-windows");
  INFO(verify.output);
  CHECK(verify.exit_code == 0);
  kafka::topic_admin{test::bootstrap()}.remove(topics.names());
}
