// Two nodes of a cluster in a test: one in the test process, one a separate
// process (build/tests/cluster_peer, tests/tools/cluster_peer.cpp) that
// publishes an echo actor. Both take the same short heartbeat and timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <caf/all.hpp>

#include "messages/message_types.hpp"
#include "nodes/cluster_transport.hpp"
#include "tests/support/child_process.hpp"

namespace txstream::test {

constexpr std::chrono::milliseconds heartbeat_interval{200};
constexpr std::chrono::milliseconds connection_timeout{1000};

/// The echo actor's question: how many other messages it got.
using count_atom = caf::atom_constant<caf::atom("count")>;

/// The peer process, once it printed its port.
class peer_node {
public:
  explicit peer_node(const cluster_tls& tls = {})
    : process_{std::string{TXSTREAM_TEST_BINARY_DIR} + "/cluster_peer", args(tls)} {
    auto line = process_.read_line(std::chrono::seconds(20));
    if (line.empty())
      throw std::runtime_error{"cluster_peer printed no port"};
    port_ = static_cast<std::uint16_t>(std::stoi(line));
  }

  std::uint16_t port() const {
    return port_;
  }

  child_process& process() {
    return process_;
  }

private:
  static std::vector<std::string> args(const cluster_tls& tls) {
    std::vector<std::string> out{"--heartbeat-ms", std::to_string(heartbeat_interval.count()),
                                 "--timeout-ms", std::to_string(connection_timeout.count())};
    if (tls.enabled())
      out.insert(out.end(), {"--ca", tls.ca, "--certificate", tls.certificate, "--key", tls.key});
    return out;
  }

  child_process process_;
  std::uint16_t port_ = 0;
};

/// The test process's node: an actor system configured by configure_transport.
class local_node {
public:
  explicit local_node(const cluster_tls& tls = {}) : tls_{tls}, sys_{configure(cfg_, tls)} {
  }

  caf::actor_system& sys() {
    return sys_;
  }

  caf::expected<caf::actor> connect(std::uint16_t port) {
    return connect_node(sys_, "127.0.0.1", port, tls_);
  }

  /// True when `remote` answers `value` with an equal value within 10 s.
  template <class T>
  bool echoes(const caf::actor& remote, const T& value) {
    caf::scoped_actor self{sys_};
    bool same = false;
    self->request(remote, std::chrono::seconds(10), value)
      .receive([&](const T& back) { same = back == value; }, [](const caf::error&) {});
    return same;
  }

  /// How many messages other than `count` the echo actor got; -1: no answer.
  long long count(const caf::actor& remote) {
    caf::scoped_actor self{sys_};
    long long result = -1;
    self->request(remote, std::chrono::seconds(10), count_atom::value)
      .receive([&](std::uint64_t n) { result = static_cast<long long>(n); },
               [](const caf::error&) {});
    return result;
  }

private:
  static caf::actor_system_config& configure(caf::actor_system_config& cfg,
                                             const cluster_tls& tls) {
    add_message_types(cfg);
    configure_transport(cfg, tls, heartbeat_interval, connection_timeout);
    cfg.set("scheduler.max-threads", 2);
    return cfg;
  }

  cluster_tls tls_;
  caf::actor_system_config cfg_;
  caf::actor_system sys_;
};

}  // namespace txstream::test
