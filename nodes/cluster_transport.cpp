#include "nodes/cluster_transport.hpp"

#include <chrono>
#include <set>
#include <thread>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/scoped_actor.hpp>

#include "config/config_error.hpp"

namespace txstream {

namespace {

// CAF 0.17.6's names (libcaf_core's actor_system_config options; the
// middleman's BASP broker reads the first two when it starts, the OpenSSL
// module the rest at every connection).
constexpr const char* heartbeat_interval_option = "middleman.heartbeat-interval";
constexpr const char* connection_timeout_option = "middleman.connection-timeout";
constexpr const char* certificate_option = "openssl.certificate";
constexpr const char* key_option = "openssl.key";
constexpr const char* cafile_option = "openssl.cafile";

/// How often connect_node asks again while the middleman hands out an
/// actor that is down already.
constexpr int max_stale_attempts = 100;

void check_timing(std::chrono::milliseconds heartbeat_interval,
                  std::chrono::milliseconds connection_timeout) {
  using std::to_string;
  if (heartbeat_interval.count() < 0)
    throw config_error{"cluster.heartbeat_ms = " + to_string(heartbeat_interval.count())
                       + ": must be >= 0 (0: no heartbeats)"};
  if (connection_timeout.count() < 0)
    throw config_error{"cluster.node_timeout_ms = " + to_string(connection_timeout.count())
                       + ": must be >= 0 (0: no timeout)"};
  if (connection_timeout.count() == 0)
    return;
  // CAF ignores the timeout without heartbeats; and a timeout within one
  // interval would drop healthy peers between two of their heartbeats.
  if (heartbeat_interval.count() == 0)
    throw config_error{"cluster.node_timeout_ms = " + to_string(connection_timeout.count())
                       + ": needs cluster.heartbeat_ms > 0"};
  if (connection_timeout <= heartbeat_interval)
    throw config_error{"cluster.node_timeout_ms = " + to_string(connection_timeout.count())
                       + ": must exceed cluster.heartbeat_ms = "
                       + to_string(heartbeat_interval.count())};
}

/// Refuses a call whose TLS setting is not the system's: a plain listener
/// on a TLS node would take peers without certificates, and a plain
/// connection would go to a node that expects TLS.
caf::error check_mode(caf::actor_system& sys, const cluster_tls& tls) {
  if (!sys.has_middleman())
    return caf::make_error(caf::sec::invalid_argument,
                           "the actor system has no middleman: configure_transport first");
  if (!tls.enabled()) {
    if (sys.has_openssl_manager())
      return caf::make_error(caf::sec::invalid_argument,
                             "plain transport asked of a node configured for TLS");
    return caf::none;
  }
  const auto& cfg = sys.config();
  if (!sys.has_openssl_manager() || cfg.openssl_cafile != tls.ca
      || cfg.openssl_certificate != tls.certificate || cfg.openssl_key != tls.key)
    return caf::make_error(caf::sec::invalid_argument,
                           "TLS files differ from those configure_transport got");
  return caf::none;
}

caf::io::middleman_actor transport_actor(caf::actor_system& sys, const cluster_tls& tls) {
  return tls.enabled() ? sys.openssl_manager().actor_handle() : sys.middleman().actor_handle();
}

/// How long one attempt waits for a reply of the middleman: only a
/// backstop, as its broker drops a silent handshake at a heartbeat tick
/// (see connect_node) and a refused one at once.
caf::duration connect_bound(const caf::actor_system& sys) {
  auto timeout = caf::get_or(sys.config(), connection_timeout_option, caf::timespan{0});
  auto interval = caf::get_or(sys.config(), heartbeat_interval_option, caf::timespan{0});
  if (timeout.count() <= 0 || interval.count() <= 0)
    return caf::infinite;
  return caf::duration{timeout + 2 * interval};
}

/// One request to the middleman (plain or TLS) for the actor at host:port.
caf::expected<caf::actor> connect_once(caf::scoped_actor& self, const std::string& host,
                                       std::uint16_t port, const cluster_tls& tls) {
  caf::expected<caf::actor> result{caf::sec::bad_function_call};
  self
    ->request(transport_actor(self->home_system(), tls), connect_bound(self->home_system()),
              caf::connect_atom_v, host, port)
    .receive(
      [&](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>&) {
        // A dynamically typed handle accepts whatever interface the peer
        // published, so there is no interface to check.
        if (ptr)
          result = caf::actor_cast<caf::actor>(std::move(ptr));
        else
          result = caf::make_error(caf::sec::no_actor_published_at_port);
      },
      [&](caf::error& err) { result = std::move(err); });
  return result;
}

/// True when `remote` is down already: monitoring an actor that is gone
/// puts its down_msg into the mailbox at once.
bool already_down(caf::scoped_actor& self, const caf::actor& remote) {
  self->monitor(remote);
  bool down = false;
  self->receive([&](const caf::down_msg&) { down = true; },
                caf::after(std::chrono::seconds(0)) >> [] {});
  if (!down)
    self->demonitor(remote);
  return down;
}

}  // namespace

void configure_transport(caf::actor_system_config& cfg, const cluster_tls& tls,
                         std::chrono::milliseconds heartbeat_interval,
                         std::chrono::milliseconds connection_timeout) {
  validate_cluster_tls(tls);
  check_timing(heartbeat_interval, connection_timeout);
  cfg.load<caf::io::middleman>();
  cfg.set(heartbeat_interval_option, caf::timespan{heartbeat_interval});
  cfg.set(connection_timeout_option, caf::timespan{connection_timeout});
  if (!tls.enabled())
    return;
  // The manager demands certificates of peers as soon as any file is set;
  // with none it would fall back to anonymous, unauthenticated encryption.
  cfg.load<caf::openssl::manager>();
  cfg.set(cafile_option, tls.ca);
  cfg.set(certificate_option, tls.certificate);
  cfg.set(key_option, tls.key);
}

caf::expected<std::uint16_t> publish_node(caf::actor_system& sys, const caf::actor& whom,
                                          const std::string& host, std::uint16_t port,
                                          const cluster_tls& tls) {
  if (!whom)
    return caf::sec::cannot_publish_invalid_actor;
  if (auto err = check_mode(sys, tls))
    return err;
  caf::scoped_actor self{sys};
  caf::expected<std::uint16_t> result{caf::sec::bad_function_call};
  // Address reuse: a node restarted on its fixed port must not wait out
  // the old sockets' TIME_WAIT.
  self
    ->request(transport_actor(sys, tls), caf::infinite, caf::publish_atom_v, port,
              caf::actor_cast<caf::strong_actor_ptr>(whom), sys.message_types(whom), host, true)
    .receive([&](std::uint16_t bound) { result = bound; },
             [&](caf::error& err) { result = std::move(err); });
  return result;
}

caf::expected<caf::actor> connect_node(caf::actor_system& sys, const std::string& host,
                                       std::uint16_t port, const cluster_tls& tls) {
  if (auto err = check_mode(sys, tls))
    return err;
  auto timeout = caf::get_or(sys.config(), connection_timeout_option, caf::timespan{0});
  auto start = std::chrono::steady_clock::now();
  caf::scoped_actor self{sys};
  for (int stale = 0;;) {
    auto result = connect_once(self, host, port, tls);
    // The middleman keeps the actor of every endpoint it connected to until
    // it sees that actor go down; a caller that saw it first and reconnects
    // at once gets the dead actor back. The middleman's down_msg is on its
    // way, so the next attempts connect anew.
    if (result && already_down(self, *result)) {
      if (++stale == max_stale_attempts)
        return caf::make_error(caf::sec::cannot_connect_to_node,
                               "the middleman keeps returning an actor that is down");
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
      continue;
    }
    // CAF 0.17.6 starts the last-seen time of a connection it opens at the
    // clock's epoch, so the first heartbeat tick during the handshake drops
    // it as timed out (with TLS and 20 ms heartbeats, half of all connects).
    // A timeout sooner than the configured one is that; the next attempt
    // starts right after the tick, a whole interval before the next one.
    if (result || result.error() != caf::sec::connection_timeout
        || std::chrono::steady_clock::now() - start >= timeout)
      return result;
  }
}

}  // namespace txstream
