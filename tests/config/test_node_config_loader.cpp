// Loading node_config from defaults, TOML and environment; validation errors.
#include "config/memory_budget.hpp"
#include "config/node_config_loader.hpp"

#include <cstdio>      // std::remove
#include <filesystem>  // temp_directory_path
#include <fstream>     // writes a temporary node.toml
#include <set>

#include <catch2/catch.hpp>

#include "tests/support/config_load_error.hpp"

#ifndef TXSTREAM_SOURCE_DIR
#define TXSTREAM_SOURCE_DIR "."
#endif

using namespace txstream;
using Catch::Matchers::Contains;

namespace {

using test::load_error;

/// `key = literal` as a TOML document.
std::string toml_of(const std::string& key, const std::string& literal) {
  auto dot = key.rfind('.');
  return "[" + key.substr(0, dot) + "]\n" + key.substr(dot + 1) + " = " + literal + "\n";
}

}  // namespace

TEST_CASE("defaults load without a file or environment", "[config]") {
  config_sources sources;
  auto cfg = load_node_config(nullptr, {}, &sources);
  CHECK(describe(cfg) == describe_defaults());
  CHECK(cfg.topics.transactions.configs == topics_config{}.transactions.configs);
  REQUIRE(sources.size() == config_keys().size());
  for (const auto& [key, source] : sources)
    CHECK(source == "default");
}

TEST_CASE("a TOML file overrides defaults", "[config]") {
  config_sources sources;
  auto cfg = load_node_config_from_string(R"(
[node]
id = "node-7"
[kafka]
bootstrap = "broker-a:9092,broker-b:9092"
[topics.transactions]
partitions = 12
[aggregation]
window_ms = 30000
[fraud]
max_history_per_user = 64
[fraud.amount_spike]
min_ratio = 15   # an integer is fine where a number is expected
enabled = false
[metrics]
port = 9000
)",
                                          "node.toml", {}, &sources);
  CHECK(cfg.node_id == "node-7");
  CHECK(cfg.kafka.bootstrap == "broker-a:9092,broker-b:9092");
  CHECK(cfg.topics.transactions.partitions == 12);
  CHECK(cfg.topics.transactions.name == "financial_transactions");
  CHECK(cfg.aggregation.window_ms == 30000);
  CHECK(cfg.aggregation.shards == 64);
  CHECK(cfg.aggregation.shard_actors == 8);
  CHECK(cfg.fraud.max_history_per_user == 64);
  CHECK(cfg.fraud.amount_spike.min_ratio == 15.0);
  CHECK_FALSE(cfg.fraud.amount_spike.enabled);
  CHECK(cfg.fraud.high_frequency.enabled);
  CHECK(cfg.metrics.port == 9000);
  CHECK(sources["aggregation.window_ms"] == "node.toml");
  CHECK(sources["aggregation.shards"] == "default");
}

TEST_CASE("load_node_config reads the file at the given path", "[config]") {
  auto path = (std::filesystem::temp_directory_path() / "txstream_test_node.toml").string();
  {
    std::ofstream out(path);
    out << "[log]\nlevel = \"debug\"\n";
  }
  auto cfg = load_node_config(&path, {});
  std::remove(path.c_str());
  CHECK(cfg.log.level == "debug");
  std::string missing = path + ".missing";
  CHECK_THROWS_WITH(load_node_config(&missing, {}), Contains("cannot read") && Contains(missing));
}

TEST_CASE("environment variables override the file", "[config]") {
  env_map env{{"TXSTREAM_AGGREGATION_WINDOW_MS", "45000"},
              {"TXSTREAM_KAFKA_BOOTSTRAP", "kafka:29092"},
              {"TXSTREAM_FRAUD_HIGH_FREQUENCY_MAX_COUNT", "12"},
              {"TXSTREAM_FRAUD_REFUND_ABUSE_ENABLED", "false"},
              {"TXSTREAM_FRAUD_AMOUNT_SPIKE_ALPHA", "0.5"},
              {"TXSTREAM_NODE_ID", "node-env"},
              {"TXSTREAM_NO_SUCH_KEY", "1"},
              {"HOME", "/root"}};
  config_sources sources;
  auto cfg = load_node_config_from_string("[aggregation]\nwindow_ms = 30000\n"
                                          "[node]\nid = \"node-file\"\n",
                                          "node.toml", env, &sources);
  CHECK(cfg.aggregation.window_ms == 45000);
  CHECK(cfg.kafka.bootstrap == "kafka:29092");
  CHECK(cfg.fraud.high_frequency.max_count == 12);
  CHECK_FALSE(cfg.fraud.refund_abuse.enabled);
  CHECK(cfg.fraud.amount_spike.alpha == 0.5);
  CHECK(cfg.node_id == "node-env");
  CHECK(sources["aggregation.window_ms"] == "env TXSTREAM_AGGREGATION_WINDOW_MS");
  CHECK(unknown_env_vars(env) == std::vector<std::string>{"TXSTREAM_NO_SUCH_KEY"});
}

TEST_CASE("every key has a distinct environment variable", "[config]") {
  CHECK(env_var_name("kafka.bootstrap") == "TXSTREAM_KAFKA_BOOTSTRAP");
  CHECK(env_var_name("fraud.high_frequency.max_count")
        == "TXSTREAM_FRAUD_HIGH_FREQUENCY_MAX_COUNT");
  std::set<std::string> names;
  for (const auto& key : config_keys())
    names.insert(env_var_name(key));
  CHECK(names.size() == config_keys().size());
}

TEST_CASE("unknown keys and tables are errors naming them", "[config]") {
  auto err = load_error("[aggregation]\nwindw_ms = 1000\n");
  CHECK_THAT(err, Contains("unknown key 'aggregation.windw_ms' in node.toml")
                    && Contains("did you mean 'aggregation.window_ms'"));
  CHECK_THAT(load_error("[fraud.high_freq]\nmax_count = 3\n"),
             Contains("unknown table '[fraud.high_freq]' in node.toml"));
  CHECK_THAT(load_error("id = \"x\"\n"), Contains("unknown key 'id'"));
  CHECK_THAT(load_error("[topics.transactions]\nconfigs = 1\n"),
             Contains("unknown key 'topics.transactions.configs'"));
  CHECK_THAT(load_error("fraud = 3\n"), Contains("fraud (node.toml): expected a table"));
}

TEST_CASE("values of the wrong type are errors naming the key", "[config]") {
  CHECK(load_error("[kafka]\nsession_timeout_ms = \"6000\"\n")
        == "config error: kafka.session_timeout_ms (node.toml): expected an integer, got string");
  CHECK_THAT(load_error("[aggregation]\nwindow_ms = 1.5\n"),
             Contains("aggregation.window_ms") && Contains("got float"));
  CHECK_THAT(load_error("[fraud.high_frequency]\nenabled = \"yes\"\n"),
             Contains("fraud.high_frequency.enabled") && Contains("expected a boolean"));
  CHECK_THAT(load_error("[log]\nlevel = 3\n"), Contains("log.level") && Contains("a string"));
  CHECK_THAT(load_error("[aggregation.window_ms]\n"),
             Contains("aggregation.window_ms") && Contains("got table"));
  CHECK(load_error("", {{"TXSTREAM_METRICS_PORT", "abc"}})
        == "config error: env TXSTREAM_METRICS_PORT=abc: expected an integer");
  CHECK_THAT(load_error("", {{"TXSTREAM_METRICS_PORT", "80x"}}), Contains("expected an integer"));
  CHECK_THAT(load_error("", {{"TXSTREAM_LOG_LEVEL", "verbose"}}),
             Contains("log.level = \"verbose\" (env TXSTREAM_LOG_LEVEL)"));
  CHECK_THAT(load_error("", {{"TXSTREAM_FRAUD_CARD_TESTING_ENABLED", "yes"}}),
             Contains("expected true or false"));
  CHECK_THAT(load_error("[node\n"), Contains("config error: node.toml:1:"));
}

TEST_CASE("each validation rule rejects with the key named", "[config]") {
  CHECK(load_error(toml_of("aggregation.window_ms", "-5"))
        == "config error: aggregation.window_ms = -5 (node.toml): must be > 0");
  // {key, rejected TOML literal}
  const std::vector<std::pair<std::string, std::string>> bad{
    {"node.id", "\"\""},
    {"node.scheduler_threads", "0"},
    {"node.scheduler_threads", "65"},
    {"node.scheduler_policy", "\"fifo\""},
    {"kafka.bootstrap", "\"\""},
    {"kafka.group_id", "\"\""},
    {"kafka.session_timeout_ms", "0"},
    {"kafka.prefetch_kbytes", "100"},
    {"pipeline.batch_linger_ms", "-1"},
    {"topics.transactions.name", "\"\""},
    {"topics.transactions.partitions", "0"},
    {"topics.aggregates.partitions", "-3"},
    {"topics.state.replication", "0"},
    {"topics.control.replication", "40000"},
    {"aggregation.shards", "0"},
    {"aggregation.shards", "-1"},
    {"aggregation.shard_actors", "0"},
    {"aggregation.shard_actors", "5000"},
    {"aggregation.allowed_lateness_ms", "-1"},
    {"aggregation.idle_partition_timeout_ms", "0"},
    {"fraud.max_history_per_user", "0"},
    {"fraud.eviction_slack_ms", "-1"},
    {"fraud.high_frequency.version", "0"},
    {"fraud.high_frequency.max_count", "0"},
    {"fraud.high_frequency.window_ms", "0"},
    {"fraud.high_frequency.cooldown_ms", "-1"},
    {"fraud.card_testing.small_amount_cents", "0"},
    {"fraud.card_testing.min_count", "0"},
    {"fraud.card_testing.window_ms", "-60000"},
    {"fraud.card_testing.cooldown_ms", "-1"},
    {"fraud.amount_spike.min_ratio", "1.0"},
    {"fraud.amount_spike.min_ratio", "nan"},
    {"fraud.amount_spike.min_history", "0"},
    {"fraud.amount_spike.alpha", "0.0"},
    {"fraud.amount_spike.alpha", "1.5"},
    {"fraud.amount_spike.min_amount_cents", "-1"},
    {"fraud.amount_spike.baseline_floor_cents", "-1"},
    {"fraud.impossible_travel.max_speed_kmh", "0"},
    {"fraud.impossible_travel.max_speed_kmh", "inf"},
    {"fraud.impossible_travel.min_distance_km", "-1.0"},
    {"fraud.impossible_travel.lookback_ms", "0"},
    {"fraud.international_high.min_amount_cents", "0"},
    {"fraud.international_high.version", "-2"},
    {"fraud.refund_abuse.min_refunds", "0"},
    {"fraud.refund_abuse.window_ms", "0"},
    {"pipeline.max_in_flight_batches", "-1"},
    {"pipeline.memory_budget_mb", "63"},
    {"pipeline.memory_budget_mb", "-1"},
    {"pipeline.max_batch_records", "0"},
    {"pipeline.tick_interval_ms", "0"},
    {"pipeline.commit_interval_ms", "-1"},
    {"metrics.bind", "\"\""},
    {"metrics.port", "70000"},
    {"metrics.port", "-1"},
    {"log.level", "\"verbose\""},
    {"log.format", "\"xml\""},
    {"supervision.max_restarts", "0"},
    {"supervision.restart_window_ms", "0"},
    {"supervision.backoff_initial_ms", "0"},
    {"supervision.backoff_max_ms", "-1"},
    {"supervision.backoff_initial_ms", "20000"},  // above backoff_max_ms
    {"cluster.listen", "\"localhost\""},
    {"cluster.listen", "\"127.0.0.1:0\""},
    {"cluster.advertise", "\"node-1:99999\""},
    {"cluster.roles", "\"ingest,store\""},
    {"cluster.roles", "\"\""},
    {"cluster.heartbeat_ms", "0"},
    {"cluster.node_timeout_ms", "500"},  // not above heartbeat_ms
  };
  for (const auto& [key, literal] : bad) {
    CAPTURE(key, literal);
    CHECK_THAT(load_error(toml_of(key, literal)),
               Contains("config error: " + key + " = ") && Contains("(node.toml): must"));
    // The same rule applies to the environment, which names the variable.
    if (literal.front() != '"' && literal != "nan" && literal != "inf")
      CHECK_THAT(load_error("", {{env_var_name(key), literal}}),
                 Contains(key) && Contains("(env " + env_var_name(key) + ")"));
  }
}

TEST_CASE("boundary values are accepted", "[config]") {
  const std::vector<std::pair<std::string, std::string>> good{
    {"node.scheduler_threads", "1"},
    {"node.scheduler_threads", "64"},
    {"topics.state.replication", "32767"},
    {"aggregation.allowed_lateness_ms", "0"},
    {"metrics.port", "0"},
    {"metrics.port", "65535"},
    {"fraud.amount_spike.alpha", "1.0"},
    {"fraud.high_frequency.cooldown_ms", "0"},
    {"pipeline.max_in_flight_batches", "1"},
    {"log.level", "\"trace\""},
    {"pipeline.max_in_flight_batches", "0"},
    {"pipeline.memory_budget_mb", "0"},
    {"pipeline.memory_budget_mb", "64"},
    {"kafka.prefetch_kbytes", "0"},
    {"kafka.prefetch_kbytes", "1024"},
    {"log.format", "\"text\""},
    {"node.scheduler_policy", "\"stealing\""},
    {"cluster.listen", "\"127.0.0.1:7001\""},
    {"cluster.advertise", "\"node-2:7001\""},
    {"cluster.roles", "\"aggregate\""},
    {"cluster.roles", "\"detect, aggregate\""},
  };
  for (const auto& [key, literal] : good) {
    CAPTURE(key, literal);
    CHECK(load_error(toml_of(key, literal)).empty());
  }
}

TEST_CASE("cluster TLS needs its three files together", "[config]") {
  CHECK_THAT(load_error("[cluster.tls]\nca = \"ca.pem\"\nkey = \"node.key\"\n"),
             Contains("cluster.tls.certificate is missing"));
  CHECK(load_error("[cluster.tls]\nca = \"ca.pem\"\ncertificate = \"n.pem\"\n"
                   "key = \"n.key\"\n")
          .empty());
  auto roles = parse_roles(" ingest , aggregate");
  CHECK(roles.ok);
  CHECK(roles.roles.ingest);
  CHECK(roles.roles.aggregate);
  CHECK(parse_roles("aggregate").roles.ingest == false);
  CHECK(parse_roles("aggregate,bogus").bad == "bogus");
}

TEST_CASE("validate checks a config edited after loading", "[config]") {
  auto cfg = load_node_config(nullptr, {});
  CHECK_NOTHROW(validate(cfg));
  cfg.pipeline.memory_budget_mb = 10;  // e.g. from a command-line flag
  CHECK_THROWS_WITH(validate(cfg),
                    "config error: pipeline.memory_budget_mb = 10: must be 0 or in 64..1048576");
}

TEST_CASE("node.example.toml holds every key at its default", "[config]") {
  std::string path = std::string(TXSTREAM_SOURCE_DIR) + "/config/node.example.toml";
  config_sources sources;
  auto cfg = load_node_config(&path, {}, &sources);
  CHECK(describe(cfg) == describe_defaults());
  for (const auto& key : config_keys()) {
    CAPTURE(key);
    CHECK(sources[key] == path);
  }
  // describe() is itself a loadable document.
  auto again = load_node_config_from_string(describe_defaults(), "describe", {});
  CHECK(describe(again) == describe_defaults());
}

TEST_CASE("the memory budget shares out the node's buffers", "[config]") {
  node_config cfg;
  auto plan = plan_memory(cfg);  // the default budget, 256 MiB
  constexpr std::size_t mib = 1024 * 1024;
  CHECK(plan.budget == 256 * mib);
  CHECK(plan.prefetch == 16 * mib);
  CHECK(plan.in_flight == 64 * mib);
  CHECK(plan.output == 32 * mib);
  CHECK(plan.pool == 8 * mib);
  // 64 MiB over 5 partitions of 2000-record batches at 768 bytes a record.
  CHECK(in_flight_batches_per_partition(plan, cfg.pipeline, 5) == 8);
  CHECK(in_flight_batches_per_partition(plan, cfg.pipeline, 64) == 2);  // never below 2
  cfg.pipeline.memory_budget_mb = 1024;
  plan = plan_memory(cfg);
  CHECK(in_flight_batches_per_partition(plan, cfg.pipeline, 5) == 32);  // at most 32
  SECTION("explicit settings win") {
    cfg.kafka.prefetch_kbytes = 4096;
    cfg.pipeline.max_in_flight_batches = 7;
    plan = plan_memory(cfg);
    CHECK(plan.prefetch == 4 * mib);
    CHECK(in_flight_batches_per_partition(plan, cfg.pipeline, 5) == 7);
  }
  SECTION("no budget: the settings of a node that ignores memory") {
    cfg.pipeline.memory_budget_mb = 0;
    plan = plan_memory(cfg);
    CHECK(plan.budget == 0);
    CHECK(plan.prefetch == 128 * mib);
    CHECK(plan.output == 0);
    CHECK(in_flight_batches_per_partition(plan, cfg.pipeline, 5) == 32);
  }
}
