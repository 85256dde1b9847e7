// A merchant-aggregator host: the virtual shards of merchants placed on it,
// each its own merchant_aggregator_state; outputs go through the node's sink.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/merchant_aggregator_state.hpp"
#include "actors/ordered_release.hpp"
#include "actors/pipeline_context.hpp"
#include "messages/pipeline_messages.hpp"

namespace txstream {

/// A virtual shard a host is given, with what it restores from: the
/// latest running totals of its merchants.
struct hosted_shard {
  std::uint32_t shard = 0;
  std::vector<running_total> totals;
};

struct merchant_aggregator_actor_state {
  /// Acks and progress owed upstream once a step's outputs are delivered.
  struct owed {
    std::vector<shard_ack> acks;
    std::vector<shard_progress> progress;
  };
  /// A partition-consumer feeding this host.
  struct upstream {
    caf::actor consumer;
    std::uint64_t next_link_sequence = 1;
    bool broken = false;  // a gap: nothing more from it is processed
    bool ended = false;   // its input ended (--until-drained)
  };
  /// One hosted shard and its state.
  struct shard_slot {
    std::uint32_t id = 0;
    std::unique_ptr<merchant_aggregator_state> agg;
  };
  explicit merchant_aggregator_actor_state(caf::local_actor*) {
  }
  std::vector<shard_slot> shards;                        // hosted, ascending by id
  std::vector<int> slot_of;                              // by shard id, -1: not here
  std::unordered_map<std::int32_t, upstream> upstreams;  // by partition
  /// Every consumer that registered for a partition and still runs, oldest
  /// first, with where it resumes. Registrations of two consumers reach a
  /// host in either order (a node's transient assignment, revoked at once,
  /// can register after the partition's next owner did): when the current
  /// upstream goes down, the newest one before it that still runs feeds the
  /// partition again, and its batches wait meanwhile instead of being lost.
  struct registration {
    caf::actor consumer;
    partition_restore restore;
  };
  std::unordered_map<std::int32_t, std::vector<registration>> registrations;
  ordered_release<owed> release;
  aggregator_output out;  // scratch of one shard's step
  // What one message made, from all shards: outputs and late offsets.
  std::vector<window_aggregate> windows;
  std::vector<running_total> totals;
  std::vector<std::uint32_t> moved;  // shards whose commit frontier moved
  std::vector<std::int64_t> late_offsets;
  std::uint32_t host = 0;
  std::uint64_t epoch = 0;
  std::int32_t input_partitions = 0;
  std::optional<monitoring::actor_probe> probe;
  std::int64_t batches = 0;
  static inline const char* name = "merchant_aggregator";
};

using merchant_aggregator_actor_ptr = caf::stateful_actor<merchant_aggregator_actor_state>*;

/// Spawn with self->spawn(merchant_aggregator_actor, host, sink, ctx,
/// shards, epoch, input_partitions): host number `host` of the shard map
/// version `epoch`, with the virtual shards `shards` and their restored
/// totals. Each of the input's `input_partitions` partitions holds the
/// shards' watermarks, and a flush at the end of input, until its consumer
/// has reported and delivered (or the partition is idle or ended): a window
/// must not close on the records of the partitions that happen to be
/// consumed already (others may still be held by a group member that
/// died, or be on their way from another node).
caf::behavior merchant_aggregator_actor(merchant_aggregator_actor_ptr self, std::uint32_t host,
                                        caf::actor sink, const pipeline_context* ctx,
                                        std::vector<hosted_shard> shards, std::uint64_t epoch,
                                        std::int32_t input_partitions);

}  // namespace txstream
