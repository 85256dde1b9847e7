// generate, node and verify run from one configuration and nothing else:
// a config file with non-default topic names and window length, or only
// TXSTREAM_* variables; verify passes, and its flags still win.
#include <catch2/catch.hpp>

#include <filesystem>  // temp_directory_path
#include <fstream>     // writes the run's config file
#include <regex>
#include <string>

#include "actors/kafka/topic_admin.hpp"
#include "tests/support/run_topics.hpp"

using namespace txstream;

namespace {

const std::string txs = std::string{TXSTREAM_BINARY} + " ";

/// 400 s of human-paced event time (10 records per event-time second over
/// the default 10,000 users), sent as fast as the broker takes them.
const std::string generate_args = "generate --rate max --count 4000 --start-time "
                                  "1700000000000 --event-rate 10 --fraud-rate 0.01 --seed 4";

/// Runs topics create, generate, node and verify, each as `prefix` +
/// command + `suffix`; returns verify's result.
test::command_result pipeline(const std::string& prefix, const std::string& suffix) {
  auto created = test::run(prefix + txs + "topics create" + suffix);
  INFO(created.output);
  REQUIRE(created.exit_code == 0);
  auto gen = test::run(prefix + txs + generate_args + suffix);
  INFO(gen.output);
  REQUIRE(gen.exit_code == 0);
  auto node = test::run(prefix + "timeout 300 " + txs + "node --until-drained --log-format text"
                        + suffix);
  INFO(node.output.substr(node.output.size() > 3000 ? node.output.size() - 3000 : 0));
  REQUIRE(node.exit_code == 0);
  return test::run(prefix + txs + "verify --require-all-windows" + suffix);
}

/// The records verify read of the run's input topic: what generate wrote there.
long input_records(const std::string& verify_output, const test::run_topics& topics) {
  std::smatch m;
  std::regex read{"read ([0-9]+) records of " + topics.name("transactions") + "\n"};
  return std::regex_search(verify_output, m, read) ? std::stol(m[1].str()) : -1;
}

}  // namespace

TEST_CASE("generate, node and verify share a config file", "[integration][kafka]") {
  const test::run_topics topics{test::unique_name("shared_file")};
  const auto path = (std::filesystem::temp_directory_path() / (topics.prefix + ".toml")).string();
  std::ofstream{path} << topics.toml() << "[aggregation]\nwindow_ms = 20000\n"
                      << "allowed_lateness_ms = 1000\n";
  auto verify = pipeline("", " --config " + path);
  INFO(verify.output);
  CHECK(verify.exit_code == 0);
  // It read this run's input and the 20 s windows the node wrote.
  CHECK(verify.output.find("INPUT (" + topics.name("transactions") + ")") != std::string::npos);
  CHECK(input_records(verify.output, topics) >= 4000);
  CHECK(verify.output.find("WINDOWS (20000 ms, lateness 1000 ms") != std::string::npos);
  CHECK(verify.output.find("verify OK") != std::string::npos);
  // A flag still wins over the file: checked against 60 s windows, the
  // node's 20 s ones are malformed.
  auto minute = test::run(txs + "verify --require-all-windows --config " + path
                          + " --window-ms 60000");
  INFO(minute.output);
  CHECK(minute.exit_code == 1);
  CHECK(minute.output.find("not an aligned window of 60000 ms") != std::string::npos);
  std::filesystem::remove(path);
  kafka::topic_admin{test::bootstrap()}.remove(topics.names());
}

TEST_CASE("generate, node and verify share the TXSTREAM_* environment", "[integration][kafka]") {
  const test::run_topics topics{test::unique_name("shared_env")};
  const auto env = topics.env()
                   + "TXSTREAM_AGGREGATION_WINDOW_MS=15000 "
                     "TXSTREAM_AGGREGATION_ALLOWED_LATENESS_MS=1000 ";
  auto verify = pipeline(env, "");
  INFO(verify.output);
  CHECK(verify.exit_code == 0);
  CHECK(verify.output.find("INPUT (" + topics.name("transactions") + ")") != std::string::npos);
  CHECK(verify.output.find("WINDOWS (15000 ms, lateness 1000 ms") != std::string::npos);
  CHECK(input_records(verify.output, topics) >= 4000);
  CHECK(verify.output.find("verify OK") != std::string::npos);
  kafka::topic_admin{test::bootstrap()}.remove(topics.names());
}
