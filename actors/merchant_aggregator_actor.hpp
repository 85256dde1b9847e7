// The merchant-aggregator actor: one shard of merchants, over
// merchant_aggregator_state; outputs go through the node's sink.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/merchant_aggregator_state.hpp"
#include "actors/ordered_release.hpp"
#include "actors/pipeline_context.hpp"
#include "messages/pipeline_messages.hpp"

namespace txstream {

struct merchant_aggregator_actor_state {
  /// Acks and progress owed upstream once a step's outputs are delivered.
  struct owed {
    std::vector<shard_ack> acks;
    std::vector<shard_progress> progress;
  };
  explicit merchant_aggregator_actor_state(caf::local_actor*) {}
  std::unique_ptr<merchant_aggregator_state> agg;
  std::unordered_map<std::int32_t, caf::actor> upstream;  // by partition
  ordered_release<owed> release;
  aggregator_output out;
  std::int64_t restored_closed_through = no_event_time;
  std::uint32_t shard = 0;
  std::optional<monitoring::actor_probe> probe;
  std::int64_t batches = 0;
  static inline const char* name = "merchant_aggregator";
};

using merchant_aggregator_actor_ptr
  = caf::stateful_actor<merchant_aggregator_actor_state>*;

/// Spawn with self->spawn(merchant_aggregator_actor, shard, sink, ctx,
/// restored running totals of this shard's merchants).
caf::behavior merchant_aggregator_actor(merchant_aggregator_actor_ptr self,
                                        std::uint32_t shard, caf::actor sink,
                                        const pipeline_context* ctx,
                                        std::vector<running_total> restored);

} // namespace txstream
