// How a node learns that a peer is gone: a killed peer's kernel closes the
// connection at once; a frozen one (SIGSTOP) keeps it open, and only the
// middleman's connection timeout notices the missing heartbeats.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "messages/pipeline_messages.hpp"
#include "tests/support/cluster_certs.hpp"
#include "tests/support/cluster_nodes.hpp"

using namespace txstream;
using clock_type = std::chrono::steady_clock;

namespace {

/// Milliseconds until `self` gets the down_msg of its monitored peer, -1
/// when none came within 20 s; `reason` is the down_msg's.
long long wait_for_down(caf::scoped_actor& self, clock_type::time_point since, caf::error& reason) {
  long long waited = -1;
  self->receive(
    [&](caf::down_msg& down) {
      waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - since).count();
      reason = down.reason;
    },
    caf::after(std::chrono::seconds(20)) >> [] {});
  return waited;
}

}  // namespace

TEST_CASE("cluster transport: a killed peer's actors go down at once", "[nodes][cluster]") {
  auto tls = GENERATE(as<bool>{}, false, true);
  CAPTURE(tls);
  std::unique_ptr<test::cluster_certs> certs;
  if (tls)
    certs = std::make_unique<test::cluster_certs>(std::vector<std::string>{"node-1", "node-2"});
  test::peer_node peer{tls ? certs->tls_of("node-1") : cluster_tls{}};
  test::local_node node{tls ? certs->tls_of("node-2") : cluster_tls{}};
  auto remote = node.connect(peer.port());
  REQUIRE(remote);
  REQUIRE(node.echoes(*remote, partition_end{1}));
  caf::scoped_actor self{node.sys()};
  self->monitor(*remote);
  auto killed = clock_type::now();
  peer.process().signal(SIGKILL);
  caf::error reason;
  auto waited = wait_for_down(self, killed, reason);
  CHECK(waited >= 0);
  // Before the connection timeout could have fired: the closed socket told us.
  CHECK(waited < (test::connection_timeout - test::heartbeat_interval).count());
  CHECK(reason == caf::exit_reason::remote_link_unreachable);
  // Reconnecting at once finds nobody, not the actor that just went down
  // (which the middleman still holds until it sees the down_msg too). The
  // dying process's listening socket may still take the TCP connection.
  auto again = node.connect(peer.port());
  REQUIRE_FALSE(again);
  auto code = again.error();
  INFO(node.sys().render(code));
  CHECK(
    (code == caf::sec::cannot_connect_to_node || code == caf::sec::disconnect_during_handshake));
}

TEST_CASE("cluster transport: a frozen peer is dropped after the connection timeout",
          "[nodes][cluster]") {
  test::peer_node peer;
  test::local_node node;
  auto remote = node.connect(peer.port());
  REQUIRE(remote);
  caf::scoped_actor self{node.sys()};
  self->monitor(*remote);

  // Heartbeats keep a healthy but quiet link up for several timeouts.
  std::this_thread::sleep_for(3 * test::connection_timeout);
  CHECK(node.echoes(*remote, partition_end{1}));

  auto stopped = clock_type::now();
  peer.process().signal(SIGSTOP);
  caf::error reason;
  auto waited = wait_for_down(self, stopped, reason);
  // Not before the timeout (less the heartbeat that may have just come),
  // and soon after it: the broker checks at every heartbeat tick.
  CHECK(waited >= (test::connection_timeout - test::heartbeat_interval).count());
  CHECK(waited < 5 * test::connection_timeout.count());
  CHECK(reason == caf::exit_reason::remote_link_unreachable);

  // A new connection to it (not the actor the middleman held for it) gets
  // no handshake and gives up at the timeout.
  auto attempt_start = clock_type::now();
  auto attempt = node.connect(peer.port());
  auto attempt_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now()
                                                                          - attempt_start)
                      .count();
  REQUIRE_FALSE(attempt);
  CHECK(attempt.error() == caf::sec::connection_timeout);
  CHECK(attempt_ms >= test::connection_timeout.count());
  CHECK(attempt_ms < 5 * test::connection_timeout.count());

  // Back from its pause, the peer takes a new connection.
  peer.process().signal(SIGCONT);
  auto again = node.connect(peer.port());
  REQUIRE(again);
  CHECK(node.echoes(*again, partition_end{2}));
}
