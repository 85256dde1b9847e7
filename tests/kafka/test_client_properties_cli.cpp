// [kafka.client] properties against the real broker: they reach the clients
// of every command (a property that breaks the connection breaks each one),
// a harmless set leaves the whole pipeline exact, and an unknown property
// stops the node before it starts anything.
#include <catch2/catch.hpp>

#include <string>

#include "actors/kafka/client_config.hpp"
#include "config/config_error.hpp"
#include "tests/support/test_env.hpp"

using namespace txstream;
using Catch::Matchers::Contains;

namespace {

/// The environment of one run: its own topics and group.
std::string run_env(const std::string& prefix) {
  return "TXSTREAM_KAFKA_BOOTSTRAP=" + test::bootstrap() + " TXSTREAM_KAFKA_GROUP_ID=" + prefix
         + " TXSTREAM_TOPICS_TRANSACTIONS_NAME=" + prefix + "_tx"
         + " TXSTREAM_TOPICS_AGGREGATES_NAME=" + prefix + "_agg"
         + " TXSTREAM_TOPICS_ANOMALIES_NAME=" + prefix + "_anom"
         + " TXSTREAM_TOPICS_DEADLETTER_NAME=" + prefix + "_dlq" + " TXSTREAM_TOPICS_CONTROL_NAME="
         + prefix + "_ctl" + " TXSTREAM_TOPICS_STATE_NAME=" + prefix + "_state ";
}

std::string verify_flags(const std::string& prefix) {
  return " --bootstrap " + test::bootstrap() + " --input-topic " + prefix + "_tx"
         + " --aggregates-topic " + prefix + "_agg --anomalies-topic " + prefix + "_anom"
         + " --deadletter-topic " + prefix + "_dlq --require-all-windows --min-recall 0";
}

/// TLS towards the plaintext test broker with a CA file that does not exist:
/// librdkafka refuses to create such a client, so a command fails at once
/// exactly when the properties reach its client.
const std::string broken_tls = "TXSTREAM_KAFKA_CLIENT_SECURITY_PROTOCOL=ssl "
                               "TXSTREAM_KAFKA_CLIENT_SSL_CA_LOCATION=/nonexistent/ca.pem ";

}  // namespace

TEST_CASE("librdkafka checks kafka.client properties before any client exists", "[kafka]") {
  auto ok = kafka::client_properties({{"client.rack", "rack-a"}, {"fetch.wait.max.ms", "50"}});
  CHECK(ok == kafka::settings{{"client.rack", "rack-a"}, {"fetch.wait.max.ms", "50"}});
  CHECK_THROWS_WITH(kafka::client_properties({{"no.such.property", "1"}}),
                    Contains("config error: kafka.client.no.such.property: No such "
                             "configuration property"));
  // librdkafka's own message names a rejected value; txstream adds none.
  try {
    kafka::client_properties({{"sasl.password", "s3cret"}, {"fetch.wait.max.ms", "soon"}});
    FAIL("an invalid value was accepted");
  } catch (const config_error& e) {
    CHECK_THAT(e.what(), Contains("kafka.client.fetch.wait.max.ms"));
    CHECK_THAT(e.what(), !Contains("s3cret"));
  }
}

TEST_CASE("kafka.client properties reach the clients of every command", "[kafka]") {
  const auto prefix = test::unique_name("client_props");
  const auto env = run_env(prefix);
  // A harmless set: the pipeline runs and verifies exactly.
  const std::string harmless = "TXSTREAM_KAFKA_CLIENT_CLIENT_RACK=rack-a "
                               "TXSTREAM_KAFKA_CLIENT_SOCKET_KEEPALIVE_ENABLE=true ";
  auto created = test::run(env + harmless + TXSTREAM_BINARY " topics create");
  INFO(created.output);
  REQUIRE(created.exit_code == 0);
  auto gen = test::run(harmless + TXSTREAM_BINARY " generate --bootstrap " + test::bootstrap()
                       + " --topic " + prefix
                       + "_tx --count 3000 --rate max "
                         "--start-time 1700000000000 --event-rate 10 --seed 3");
  INFO(gen.output);
  REQUIRE(gen.exit_code == 0);
  auto node = test::run(env + harmless
                        + "TXSTREAM_KAFKA_CLIENT_SASL_PASSWORD=s3cret " TXSTREAM_BINARY
                          " node --until-drained --metrics-port 0");
  INFO(node.output);
  REQUIRE(node.exit_code == 0);
  // The node names the properties it was given, never their values.
  CHECK_THAT(node.output, Contains("kafka client properties set: client.rack, sasl.password, "
                                   "socket.keepalive.enable"));
  CHECK_THAT(node.output, !Contains("s3cret"));
  auto verified = test::run(harmless + TXSTREAM_BINARY " verify" + verify_flags(prefix));
  INFO(verified.output);
  CHECK(verified.exit_code == 0);

  // The broken set fails each command at its first client, with
  // librdkafka's reason.
  for (const auto& command :
       {std::string{" topics describe"},
        " generate --bootstrap " + test::bootstrap() + " --topic " + prefix + "_tx --count 1",
        " verify" + verify_flags(prefix)}) {
    auto r = test::run(env + broken_tls + TXSTREAM_BINARY + command);
    INFO(command << ": " << r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Contains("ssl.ca.location"));
  }
  // The node restarts a pipeline that cannot start; with a restart budget
  // of one it gives up, and says why.
  auto node_broken = test::run(env + broken_tls
                               + "TXSTREAM_SUPERVISION_MAX_RESTARTS=1 "
                                 "TXSTREAM_SUPERVISION_BACKOFF_INITIAL_MS=10 "
                                 "TXSTREAM_SUPERVISION_BACKOFF_MAX_MS=10 " TXSTREAM_BINARY
                                 " node --until-drained --metrics-port 0 --log-format text");
  INFO(node_broken.output);
  CHECK(node_broken.exit_code != 0);
  CHECK_THAT(node_broken.output, Contains("ssl.ca.location"));
}

TEST_CASE("the node refuses an unknown or reserved client property at start-up", "[kafka]") {
  const auto env = run_env(test::unique_name("client_props_bad"));
  auto unknown = test::run(env
                           + "TXSTREAM_KAFKA_CLIENT_NO_SUCH_PROPERTY=1 " TXSTREAM_BINARY
                             " node --until-drained --metrics-port 0");
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.output, Contains("config error: kafka.client.no.such.property: No such "
                                      "configuration property"));
  auto reserved = test::run(env
                            + "TXSTREAM_KAFKA_CLIENT_ENABLE_AUTO_COMMIT=true " TXSTREAM_BINARY
                              " node --until-drained --metrics-port 0");
  CHECK(reserved.exit_code == 1);
  CHECK_THAT(reserved.output, Contains("txstream sets enable.auto.commit itself"));
}
