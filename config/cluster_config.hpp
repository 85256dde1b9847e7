// How a node joins a cluster of txstream nodes (docs/cluster.md).
#pragma once

#include <cstdint>
#include <string>

namespace txstream {

/// A node's place in a cluster. With no `listen` address the node is a
/// cluster of one: no listener, every shard and partition its own.
struct cluster_config {
  /// "host:port" this node listens on for its peers; empty: no cluster.
  std::string listen;
  /// "host:port" peers connect to (a container's name, a public address);
  /// empty: `listen`.
  std::string advertise;
  /// What the node does, comma-separated: `ingest` (consume input
  /// partitions and run their fraud detectors; `detect` is a synonym) and
  /// `aggregate` (host merchant shards).
  std::string roles = "ingest,aggregate";
  /// How often the node writes its heartbeat to the control topic.
  std::int64_t heartbeat_ms = 1000;
  /// Silence (no heartbeat, or a dropped connection) after which the
  /// cluster treats a node as gone and moves its shards.
  std::int64_t node_timeout_ms = 6000;
  /// Mutual TLS between nodes: the cluster CA and this node's certificate
  /// and key (PEM files); all three or none.
  std::string tls_ca;
  std::string tls_certificate;
  std::string tls_key;

  bool enabled() const noexcept {
    return !listen.empty();
  }
  const std::string& advertised() const noexcept {
    return advertise.empty() ? listen : advertise;
  }
};

/// The roles of `roles` (cluster_config::roles), parsed.
struct node_roles {
  bool ingest = false;
  bool aggregate = false;
};

/// Parses a roles list; nullopt-like: `ok` false on an unknown role.
struct parsed_roles {
  node_roles roles;
  bool ok = false;
  std::string bad;  // the first unknown role
};
parsed_roles parse_roles(const std::string& roles);

/// Splits "host:port"; false when it is not one (port 1..65535).
bool split_host_port(const std::string& address, std::string& host, std::uint16_t& port);

}  // namespace txstream
