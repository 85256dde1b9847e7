// README's "try it by hand" example at a small scale, live: wall-clock
// event times, the users default, the drain of started fraud instances by
// default, then `node --until-drained` and `verify --require-all-windows`.
// Only the environment names this run's topics and group, as a user's own
// prefix would.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "actors/kafka/topic_admin.hpp"
#include "tests/support/run_topics.hpp"

using namespace txstream;

TEST_CASE("the README example, live at a small scale, passes verify", "[integration][kafka]") {
  const test::run_topics topics{test::unique_name("readme")};
  const auto env = topics.env();
  const std::string txs = std::string{TXSTREAM_BINARY} + " ";
  auto created = test::run(env + txs + "topics create");
  INFO(created.output);
  REQUIRE(created.exit_code == 0);

  const auto t0 = std::chrono::steady_clock::now();
  auto gen = test::run(env + "timeout 300 " + txs
                       + "generate --rate 200 --duration 3 --fraud-rate 0.05");
  const auto gen_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(gen.output);
  REQUIRE(gen.exit_code == 0);
  // 1000 users per record per second: a human pace.
  CHECK(gen.output.find("generate: 200000 users at 200 records per second") != std::string::npos);
  CHECK(gen.output.find("generate: finishing ") != std::string::npos);
  // The drain lasts as long as the last instance started: at most 2 min.
  CHECK(gen_s < 3 + 125 + 10);

  auto node = test::run(env + "timeout 300 " + txs + "node --until-drained --log-format text");
  INFO(node.output.substr(node.output.size() > 3000 ? node.output.size() - 3000 : 0));
  REQUIRE(node.exit_code == 0);

  auto verify = test::run(env + txs + "verify --require-all-windows --json");
  INFO(verify.output);
  CHECK(verify.exit_code == 0);
  auto report = nlohmann::json::parse(verify.output, nullptr, false);
  REQUIRE(report.is_object());
  CHECK(report["ok"] == true);
  std::uint64_t instances = 0;
  std::uint64_t incomplete = 0;
  for (const auto& s : report["fraud"]["scenarios"]) {
    INFO(s.dump());
    instances += s["instances"].get<std::uint64_t>();
    incomplete += s["incomplete"].get<std::uint64_t>();
    CHECK(s["recall"].get<double>() >= 0.99);
    CHECK(s["precision"].get<double>() >= 0.99);
  }
  // 600 records at a fraud rate of 0.05: ~30 instances, every one complete.
  CHECK(instances >= 10);
  CHECK(incomplete == 0);
  kafka::topic_admin{test::bootstrap()}.remove(topics.names());
}
