// The partition-consumer actor: decodes and routes one Kafka partition's
// records, dead-letters bad ones, and tells the ingress what to commit.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/node_id.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/partition_consumer_state.hpp"
#include "actors/pipeline_context.hpp"

namespace txstream {

struct partition_consumer_actor_state {
  explicit partition_consumer_actor_state(caf::local_actor*) {
  }
  std::unique_ptr<partition_consumer_state> logic;
  caf::actor detector;
  std::vector<caf::actor> hosts;  // the shard hosts, as the routes number them
  routed_batch routed;
  std::int64_t last_commit = -1;
  /// Batches in flight at the last progress report (settling is a change).
  std::size_t last_in_flight = 0;
  /// Batches queued in the pipeline, for the ingress's flow control: it
  /// hands over a batch only while this is below max_in_flight_batches.
  std::shared_ptr<partition_load> load;
  /// Whether the ingress declared the partition idle (last told shards).
  bool idle = false;
  std::vector<std::uint32_t> behind;  // scratch: shards to send a status
  /// The link each host is reached by (null: a host on this node), and the
  /// links by the peer's CAF node, for the answers.
  std::vector<monitoring::link_probe::link*> host_links;
  std::vector<std::pair<caf::node_id, monitoring::link_probe::link*>> node_links;
  /// Batches sent to hosts on other nodes and not all answered yet: when,
  /// and how many answers are due, for the links' round trips.
  struct remote_send {
    std::uint64_t sequence = 0;
    std::chrono::steady_clock::time_point at;
    std::uint32_t unanswered = 0;
  };
  std::deque<remote_send> remote_sends;
  std::optional<monitoring::actor_probe> probe;
  static inline const char* name = "partition_consumer";
};

using partition_consumer_actor_ptr = caf::stateful_actor<partition_consumer_actor_state>*;

/// Spawn per assigned partition, resuming where `restore` says; records go
/// to the shard hosts `hosts` as `routes` places the shards (one shard map
/// version). It registers with every host before its first batch. Its detector writes through
/// `alert_sink`. `ingress` receives (commit_atom, partition, offset,
/// metadata) and sends (idle_atom, bool); the consumer keeps `load` up to
/// date.
caf::behavior partition_consumer_actor(partition_consumer_actor_ptr self, std::int32_t partition,
                                       partition_restore restore, shard_routes routes,
                                       std::vector<caf::actor> hosts, caf::actor sink,
                                       caf::actor alert_sink, caf::actor ingress,
                                       std::shared_ptr<partition_load> load,
                                       const pipeline_context* ctx);

}  // namespace txstream
