// Node-to-node connections of a cluster: CAF's io middleman (BASP over TCP),
// optionally with mutual TLS through CAF's OpenSSL module. The only place
// that touches either, so the rest of the node sees actors, not sockets.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "nodes/cluster_tls.hpp"

namespace txstream {

/// Loads the middleman, and with TLS enabled the OpenSSL manager with the
/// three files, into `cfg`, after validate_cluster_tls. Every
/// `heartbeat_interval` each node sends a heartbeat on every connection; a
/// connection silent for `connection_timeout` (a frozen or cut-off peer) is
/// closed and the peer's actors go down with remote_link_unreachable. Both
/// 0 turns that off, leaving dead peers to TCP keepalive (2 h), and lets a
/// connect to a peer that never answers wait for good. A timeout must
/// exceed the peer's interval, so every node of a cluster takes the same
/// pair; and a connection this node opens must finish its handshake (TCP,
/// TLS, BASP: a few round trips) within one interval (see connect_node).
/// Throws config_error (cluster.heartbeat_ms,
/// cluster.node_timeout_ms) for a negative value, a timeout without
/// heartbeats or one not above the interval. The caller must not load
/// either module itself.
void configure_transport(caf::actor_system_config& cfg, const cluster_tls& tls,
                         std::chrono::milliseconds heartbeat_interval,
                         std::chrono::milliseconds connection_timeout);

/// Makes `whom` reachable by other nodes on `host` ("" listens on every
/// interface) and `port` (0: any free port), over TLS when `tls` is enabled.
/// Returns the bound port. `tls` must be what configure_transport got: a
/// node that mixes plain and TLS listeners would accept unauthenticated
/// peers, so a mismatch is an error (sec::invalid_argument), as is a system
/// without the middleman.
caf::expected<std::uint16_t> publish_node(caf::actor_system& sys, const caf::actor& whom,
                                          const std::string& host, std::uint16_t port,
                                          const cluster_tls& tls);

/// Connects to the actor another node published at `host`:`port`, over TLS
/// when `tls` is enabled (the same rule as publish_node). A peer that
/// refuses our certificate, whose own certificate our CA did not sign, or
/// that speaks plain BASP gives an error (disconnect_during_handshake,
/// cannot_connect_to_node), never a connection. CAF 0.17.6 drops a
/// connection it opens at the first heartbeat tick before the handshake is
/// done, as timed out; a timeout sooner than the configured one is that, and
/// this tries again, so a peer that never answers (frozen) gives
/// connection_timeout after the configured timeout. It also tries again
/// when the middleman returns the actor it still holds for a peer that just
/// went down.
caf::expected<caf::actor> connect_node(caf::actor_system& sys, const std::string& host,
                                       std::uint16_t port, const cluster_tls& tls);

}  // namespace txstream
