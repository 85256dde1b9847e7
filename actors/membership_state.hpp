// One node's view of the cluster, from the heartbeats it reads on the
// control topic and the CAF connections it loses (docs/cluster.md). Plain
// C++, no CAF or Kafka: the caller passes every time in.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "messages/control_records.hpp"

namespace txstream {

/// Which nodes are live, by these rules:
///
/// - Age: a heartbeat counts from `received_ms`, this node's wall clock when
///   it read the heartbeat, never the sender's `sent_ms` (clocks differ). A
///   node is live while its latest heartbeat is younger than
///   `node_timeout_ms`, its state is "up" and it is not removed as
///   unreachable. Heartbeats read from the topic's history at start are
///   received then too: a node that stopped just before counts as live for
///   up to one timeout.
/// - Incarnations (messages/incarnation.hpp): per node id only the newest
///   incarnation counts. A heartbeat of an older one is ignored; a newer one
///   replaces the node's entry and clears what was known of the old one. A
///   heartbeat of the same incarnation with an older `sent_ms` than the
///   latest is ignored; "left" ends an incarnation, so later heartbeats of
///   it are ignored too.
/// - Unreachable: when the CAF connection to a node's incarnation drops,
///   the node stays live for `node_timeout_ms` (a short network blip moves
///   no shard) and is then removed, however fresh its heartbeats: it can
///   reach Kafka but not its peers. It comes back when the connection is
///   made again (on_reachable) or a heartbeat of a newer incarnation
///   arrives (a restarted process).
class membership_state {
public:
  /// What the view knows of one node.
  struct member {
    node_heartbeat heartbeat;  // the latest accepted
    std::int64_t received_ms = 0;
    /// When the CAF connection to this incarnation dropped, if it did and
    /// was not made again.
    std::optional<std::int64_t> unreachable_since_ms;
  };

  /// Why a member is or is not live.
  enum class member_status {
    live,
    left,         // its latest heartbeat said "left"
    silent,       // no heartbeat for node_timeout_ms
    unreachable,  // connection lost node_timeout_ms ago or longer
  };

  /// What on_heartbeat did.
  enum class heartbeat_outcome {
    ignored,          // older incarnation, older sent_ms, or after "left"
    refreshed,        // a later heartbeat of the known incarnation
    new_incarnation,  // a node not seen before, or a newer incarnation
  };

  /// Requires node_timeout_ms > 0.
  explicit membership_state(std::int64_t node_timeout_ms);

  heartbeat_outcome on_heartbeat(const node_heartbeat& hb, std::int64_t received_ms);

  /// The CAF connection to incarnation `incarnation` of node `id` dropped
  /// at `now_ms`. Returns false (and changes nothing) unless that is the
  /// node's current incarnation; a second drop keeps the first time.
  bool on_unreachable(const std::string& id, const std::string& incarnation, std::int64_t now_ms);

  /// The connection to that incarnation is up again. Returns false unless
  /// it is the node's current incarnation and was marked unreachable.
  bool on_reachable(const std::string& id, const std::string& incarnation);

  member_status status(const member& m, std::int64_t now_ms) const;
  bool is_live(const std::string& id, std::int64_t now_ms) const;

  /// The latest heartbeats of the live nodes, by id.
  std::vector<node_heartbeat> live(std::int64_t now_ms) const;

  /// The live nodes with the "aggregate" role, by id: the input of
  /// place_shards.
  std::vector<map_node> aggregate_nodes(std::int64_t now_ms) const;

  /// Every node ever heard of (its newest incarnation), by id; for status
  /// and metrics.
  const std::map<std::string, member>& all() const noexcept {
    return members_;
  }

  /// The earliest time after `now_ms` at which a live node stops being live
  /// if nothing else arrives (its heartbeat times out, or its unreachable
  /// grace ends), or nullopt when no node is live: when to look again.
  std::optional<std::int64_t> next_expiry(std::int64_t now_ms) const;

  std::int64_t node_timeout_ms() const noexcept {
    return node_timeout_ms_;
  }

private:
  std::int64_t node_timeout_ms_;
  std::map<std::string, member> members_;
};

}  // namespace txstream
