// configure_transport refuses bad settings before it loads anything, and a
// node started with them exits with the key named instead of CAF's abort.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include <caf/actor_system_config.hpp>

#include "config/config_error.hpp"
#include "nodes/cluster_transport.hpp"
#include "tests/support/cluster_certs.hpp"
#include "tests/support/test_env.hpp"

using namespace txstream;
using Catch::Matchers::Contains;
using ms = std::chrono::milliseconds;

namespace {

/// The config_error message of configure_transport, "" when it passes.
std::string configure_error(const cluster_tls& tls, ms interval, ms timeout) {
  caf::actor_system_config cfg;
  try {
    configure_transport(cfg, tls, interval, timeout);
  } catch (const config_error& err) {
    return err.what();
  }
  return {};
}

std::string peer_path() {
  return std::string{TXSTREAM_TEST_BINARY_DIR} + "/cluster_peer";
}

}  // namespace

TEST_CASE("cluster transport: heartbeat and timeout settings", "[nodes][cluster]") {
  CHECK(configure_error({}, ms{0}, ms{0}).empty());
  CHECK(configure_error({}, ms{200}, ms{0}).empty());
  CHECK(configure_error({}, ms{200}, ms{1000}).empty());
  CHECK_THAT(configure_error({}, ms{-1}, ms{0}), Contains("cluster.heartbeat_ms = -1"));
  CHECK_THAT(configure_error({}, ms{200}, ms{-5}), Contains("cluster.node_timeout_ms = -5"));
  CHECK_THAT(configure_error({}, ms{0}, ms{1000}),
             Contains("cluster.node_timeout_ms = 1000: needs cluster.heartbeat_ms"));
  CHECK_THAT(configure_error({}, ms{1000}, ms{1000}),
             Contains("must exceed cluster.heartbeat_ms = 1000"));
}

TEST_CASE("cluster transport: the TLS files are checked before any module loads",
          "[nodes][cluster]") {
  test::cluster_certs certs{{"node-1", "node-2"}};
  auto mismatch = certs.tls_of("node-1");
  mismatch.key = certs.path("node-2.key");
  caf::actor_system_config cfg;
  auto modules = cfg.module_factories.size();
  CHECK_THROWS_AS(configure_transport(cfg, mismatch, ms{200}, ms{1000}), config_error);
  CHECK(cfg.module_factories.size() == modules);
  // The complete set loads the middleman and the OpenSSL manager.
  configure_transport(cfg, certs.tls_of("node-1"), ms{200}, ms{1000});
  CHECK(cfg.module_factories.size() == modules + 2);
  CHECK(cfg.openssl_key == certs.path("node-1.key"));
}

TEST_CASE("cluster transport: a misconfigured node exits with the key named, no abort",
          "[nodes][cluster]") {
  test::cluster_certs certs{{"node-1", "node-2"}};
  auto mismatch = test::run(peer_path() + " --ca " + certs.path("ca.pem") + " --certificate "
                            + certs.path("node-1.pem") + " --key " + certs.path("node-2.key"));
  INFO(mismatch.output);
  // run() gives -1 for a process a signal ended (SIGABRT).
  CHECK(mismatch.exit_code == 2);
  CHECK_THAT(mismatch.output, Contains("cluster.tls.key") && Contains("does not belong"));
  // Only a CA: CAF would take it for a node without a certificate.
  auto ca_only = test::run(peer_path() + " --ca " + certs.path("ca.pem"));
  INFO(ca_only.output);
  CHECK(ca_only.exit_code == 2);
  CHECK_THAT(ca_only.output, Contains("cluster.tls.certificate and cluster.tls.key are not set"));
}
