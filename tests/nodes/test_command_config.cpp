// How generate, verify and topics find their settings: one node config
// (defaults < --config file < TXSTREAM_* environment < flags), and
// generate's defaults that follow from the rate.
#include <catch2/catch.hpp>

#include <filesystem>  // temp_directory_path
#include <fstream>     // writes a temporary config file
#include <string>
#include <unistd.h>  // getpid

#include "nodes/config_options.hpp"
#include "nodes/generate_options.hpp"
#include "nodes/verify_settings.hpp"

using namespace txstream;

namespace {

/// A config file for one test, removed when the test ends.
struct temp_config {
  std::string path;

  explicit temp_config(const std::string& text)
    : path((std::filesystem::temp_directory_path()
            / ("txstream_command_config_" + std::to_string(getpid()) + ".toml"))
             .string()) {
    std::ofstream{path} << text;
  }
  ~temp_config() {
    std::filesystem::remove(path);
  }
};

const char* const file_text = R"(
[kafka]
bootstrap = "file-broker:9092"
[kafka.client]
"client.rack" = "rack-file"
[topics.transactions]
name = "file_tx"
[topics.anomalies]
name = "file_anomalies"
[aggregation]
window_ms = 30000
allowed_lateness_ms = 2000
)";

generate_flags bounded(const std::string& rate, std::uint64_t count) {
  generate_flags f;
  f.rate = rate;
  f.count = count;
  return f;
}

}  // namespace

TEST_CASE("every command: defaults < config file < TXSTREAM_* < --bootstrap", "[nodes]") {
  temp_config file{file_text};
  config_options opts;
  auto defaults = load_config(opts, {});
  CHECK(defaults.kafka.bootstrap == "127.0.0.1:9092");
  CHECK(defaults.topics.transactions.name == "financial_transactions");

  opts.config_file = file.path;
  auto from_file = load_config(opts, {});
  CHECK(from_file.kafka.bootstrap == "file-broker:9092");
  CHECK(from_file.kafka.client.at("client.rack") == "rack-file");
  CHECK(from_file.topics.transactions.name == "file_tx");
  CHECK(from_file.aggregation.window_ms == 30000);

  const env_map env{{"TXSTREAM_KAFKA_BOOTSTRAP", "env-broker:9092"},
                    {"TXSTREAM_TOPICS_TRANSACTIONS_NAME", "env_tx"},
                    {"TXSTREAM_AGGREGATION_WINDOW_MS", "20000"},
                    {"TXSTREAM_KAFKA_CLIENT_CLIENT_RACK", "rack-env"}};
  auto from_env = load_config(opts, env);
  CHECK(from_env.kafka.bootstrap == "env-broker:9092");
  CHECK(from_env.kafka.client.at("client.rack") == "rack-env");
  CHECK(from_env.topics.transactions.name == "env_tx");
  CHECK(from_env.topics.anomalies.name == "file_anomalies");
  CHECK(from_env.aggregation.window_ms == 20000);
  CHECK(from_env.aggregation.allowed_lateness_ms == 2000);

  opts.bootstrap = "flag-broker:9092";
  CHECK(load_config(opts, env).kafka.bootstrap == "flag-broker:9092");

  // Invalid settings stop every command the same way.
  CHECK_THROWS_AS(load_config(opts, {{"TXSTREAM_AGGREGATION_WINDOW_MS", "0"}}), config_error);
  opts.bootstrap = "";
  CHECK_THROWS_AS(load_config(opts, {}), config_error);
}

TEST_CASE("verify reads the config's topics, window and lateness - its flags win", "[nodes]") {
  temp_config file{file_text};
  verify_flags flags;
  flags.config.config_file = file.path;
  auto cfg = load_config(flags.config, {{"TXSTREAM_TOPICS_DEADLETTER_NAME", "env_dlq"}});
  auto plan = plan_verify(flags, cfg);
  CHECK(plan.topics.transactions.name == "file_tx");
  CHECK(plan.checks.input_topic == "file_tx");
  CHECK(plan.topics.anomalies.name == "file_anomalies");
  CHECK(plan.topics.deadletter.name == "env_dlq");
  CHECK(plan.topics.aggregates.name == "transaction_aggregates");
  CHECK(plan.checks.window_ms == 30000);
  CHECK(plan.checks.allowed_lateness_ms == 2000);

  flags.input_topic = "flag_tx";
  flags.anomalies_topic = "flag_anomalies";
  flags.window_ms = 10000;
  flags.allowed_lateness_ms = 0;
  plan = plan_verify(flags, cfg);
  CHECK(plan.topics.transactions.name == "flag_tx");
  CHECK(plan.checks.input_topic == "flag_tx");
  CHECK(plan.topics.anomalies.name == "flag_anomalies");
  CHECK(plan.topics.deadletter.name == "env_dlq");
  CHECK(plan.checks.window_ms == 10000);
  CHECK(plan.checks.allowed_lateness_ms == 0);
}

TEST_CASE("generate writes to the config's topic through its client - --topic wins", "[nodes]") {
  temp_config file{file_text};
  generate_flags flags = bounded("100", 10);
  flags.config.config_file = file.path;
  auto cfg = load_config(flags.config, {});
  auto plan = plan_generate(flags, cfg);
  CHECK(plan.topic == "file_tx");
  CHECK(plan.kafka.bootstrap == "file-broker:9092");
  CHECK(plan.kafka.client.at("client.rack") == "rack-file");
  flags.topic = "flag_tx";
  CHECK(plan_generate(flags, cfg).topic == "flag_tx");
}

TEST_CASE("generate's users keep ordinary users at a human pace for the event-time rate",
          "[nodes]") {
  const node_config cfg;
  // 1000 users per record per second: 3.6 transactions per user and hour.
  auto live = plan_generate(bounded("2000", 1), cfg);
  CHECK(live.event_rate == 2000);
  CHECK(live.gen.users == 2'000'000);
  CHECK(static_cast<double>(live.event_rate) * 3600 / static_cast<double>(live.gen.users)
        == Approx(3.6));
  CHECK(plan_generate(bounded("400000", 1), cfg).gen.users == 400'000'000);
  // --rate max stamps a virtual clock at the nominal 10000/s.
  auto max = bounded("max", 1);
  CHECK(plan_generate(max, cfg).gen.users == 10'000'000);
  max.start_time_ms = 1'700'000'000'000;
  CHECK(plan_generate(max, cfg).gen.users == 10'000'000);
  // --event-rate sets the pace of --start-time's clock, whatever the send rate.
  max.event_rate = 10;
  auto paced = plan_generate(max, cfg);
  CHECK(paced.event_rate == 10);
  CHECK(paced.gen.users == 10'000);
  CHECK(paced.rate == 0);
  // An explicit --users wins.
  max.users = 77;
  CHECK(plan_generate(max, cfg).gen.users == 77);
  // The largest rate the flag takes still gets its own pace.
  CHECK(plan_generate(bounded("9999999999", 1), cfg).gen.users == 9'999'999'999'000ULL);
  CHECK(human_pace_users(20'000'000'000ULL) == max_generator_users);
}

TEST_CASE("bounded runs finish their fraud instances unless told not to", "[nodes]") {
  const node_config cfg;
  CHECK(plan_generate(bounded("100", 10), cfg).drain);
  auto timed = bounded("100", 0);
  timed.duration_s = 3;
  CHECK(plan_generate(timed, cfg).drain);
  // Unbounded: a signal ends the run at once by default.
  CHECK_FALSE(plan_generate(bounded("100", 0), cfg).drain);
  auto opted_out = bounded("100", 10);
  opted_out.drain_scenarios = false;
  CHECK_FALSE(plan_generate(opted_out, cfg).drain);
  auto opted_in = bounded("100", 0);
  opted_in.drain_scenarios = true;
  CHECK(plan_generate(opted_in, cfg).drain);
  // --pregenerate sends a fixed set: no drain by default, and none asked for.
  auto fixed = bounded("100", 10);
  fixed.pregenerate = true;
  CHECK(generate_usage_error(fixed).empty());
  CHECK_FALSE(plan_generate(fixed, cfg).drain);
  fixed.drain_scenarios = false;
  CHECK(generate_usage_error(fixed).empty());
  fixed.drain_scenarios = true;
  CHECK(generate_usage_error(fixed).find("--pregenerate needs") != std::string::npos);
  // --event-rate spaces --start-time's clock and nothing else.
  auto stray = bounded("100", 10);
  stray.event_rate = 10;
  CHECK(generate_usage_error(stray).find("--event-rate needs --start-time") != std::string::npos);
  stray.start_time_ms = 0;
  CHECK(generate_usage_error(stray).empty());
}
