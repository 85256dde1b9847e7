// [kafka.client]: librdkafka properties passed through to every Kafka client,
// from the file and the environment, and the ones txstream refuses.
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "config/kafka_config.hpp"
#include "config/node_config_loader.hpp"
#include "tests/support/config_load_error.hpp"

using namespace txstream;
using Catch::Matchers::Contains;

using test::load_error;

TEST_CASE("kafka.client takes quoted and dotted property names and any scalar", "[config]") {
  config_sources sources;
  auto cfg = load_node_config_from_string(R"(
[kafka.client]
"security.protocol" = "SASL_SSL"
sasl.mechanisms = "SCRAM-SHA-512"
"socket.keepalive.enable" = true
"fetch.wait.max.ms" = 50
)",
                                          "node.toml", {}, &sources);
  CHECK(cfg.kafka.client
        == std::map<std::string, std::string>{{"security.protocol", "SASL_SSL"},
                                              {"sasl.mechanisms", "SCRAM-SHA-512"},
                                              {"socket.keepalive.enable", "true"},
                                              {"fetch.wait.max.ms", "50"}});
  CHECK(sources["kafka.client.sasl.mechanisms"] == "node.toml");
  // The defaults have none.
  CHECK(load_node_config(nullptr, {}).kafka.client.empty());
}

TEST_CASE("TXSTREAM_KAFKA_CLIENT_<NAME> variables set properties and win over the file",
          "[config]") {
  env_map env{{"TXSTREAM_KAFKA_CLIENT_SASL_PASSWORD", "s3cret"},
              {"TXSTREAM_KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL"}};
  config_sources sources;
  auto cfg = load_node_config_from_string("[kafka.client]\n\"security.protocol\" = \"PLAINTEXT\"\n",
                                          "node.toml", env, &sources);
  CHECK(cfg.kafka.client.at("sasl.password") == "s3cret");
  CHECK(cfg.kafka.client.at("security.protocol") == "SSL");
  CHECK(sources["kafka.client.security.protocol"] == "env TXSTREAM_KAFKA_CLIENT_SECURITY_PROTOCOL");
  CHECK(unknown_env_vars(env).empty());
}

TEST_CASE("properties txstream sets itself are refused with what to use instead", "[config]") {
  CHECK_THAT(load_error("[kafka.client]\n\"enable.auto.commit\" = true\n"),
             Contains("kafka.client.enable.auto.commit (node.toml): txstream sets "
                      "enable.auto.commit itself")
               && Contains("delivered"));
  CHECK_THAT(load_error("[kafka.client]\n\"bootstrap.servers\" = \"b:9092\"\n"),
             Contains("use kafka.bootstrap"));
  // An alias of a refused property is refused too.
  CHECK_THAT(load_error("[kafka.client]\n\"queue.buffering.max.ms\" = 1\n"),
             Contains("txstream sets queue.buffering.max.ms itself"));
  CHECK_THAT(load_error("", {{"TXSTREAM_KAFKA_CLIENT_ACKS", "1"}}),
             Contains("kafka.client.acks (env TXSTREAM_KAFKA_CLIENT_ACKS)"));
  CHECK_THAT(load_error("", {{"TXSTREAM_KAFKA_CLIENT_GROUP_ID", "g"}}),
             Contains("use kafka.group_id"));
  // Set in code, e.g. by a command-line flag, validate() refuses it as well.
  auto cfg = load_node_config(nullptr, {});
  cfg.kafka.client["isolation.level"] = "read_uncommitted";
  CHECK_THROWS_WITH(validate(cfg), Contains("txstream sets isolation.level itself"));
}

TEST_CASE("kafka.client must be a table of scalars", "[config]") {
  CHECK_THAT(load_error("[kafka]\nclient = \"x\"\n"),
             Contains("kafka.client (node.toml): expected a table, got string"));
  CHECK_THAT(load_error("[kafka.client]\n\"ssl.ca.location\" = [\"a\", \"b\"]\n"),
             Contains("kafka.client.ssl.ca.location (node.toml): expected a string, "
                      "number or boolean, got array"));
}

TEST_CASE("describe() writes the properties back loadably", "[config]") {
  auto cfg = load_node_config(nullptr, {});
  cfg.kafka.client = {{"security.protocol", "SASL_SSL"}, {"sasl.username", "tx \"s\""}};
  auto text = describe(cfg);
  CHECK_THAT(text, Contains("[kafka.client]\n\"sasl.username\" = \"tx \\\"s\\\"\"\n"));
  auto again = load_node_config_from_string(text, "describe", {});
  CHECK(again.kafka.client == cfg.kafka.client);
}

TEST_CASE("consumer groups heartbeat at a third of the session timeout, at most each second",
          "[config]") {
  kafka_config kafka;
  CHECK(group_heartbeat_interval_ms(kafka) == 1000);  // default session: 6 s
  kafka.session_timeout_ms = 1500;
  CHECK(group_heartbeat_interval_ms(kafka) == 500);
  kafka.session_timeout_ms = 2;
  CHECK(group_heartbeat_interval_ms(kafka) == 1);
  kafka.session_timeout_ms = 45000;
  CHECK(group_heartbeat_interval_ms(kafka) == 1000);
}
